"""The command palette and the help, both read from the bindings.

The palette offers every action of ui/actions.py that has a command name and does something now,
and the choices no single key makes (an index to jump to, a range, a timeframe, a column to sort
by). A command runs its action on the node whose bindings hold it (the app, the dashboard, the
watchlist), exactly as its key would.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape

from tuimarket.config import CHART_RANGES
from tuimarket.ui.actions import APP_ACTIONS, DASHBOARD_ACTIONS, WATCHLIST_ACTIONS, Action
from tuimarket.ui.screens.alerts import AlertScreen
from tuimarket.ui.screens.breadth import BreadthScreen
from tuimarket.ui.screens.dashboard import DashboardScreen
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.screens.help import HelpRow, help_rows
from tuimarket.ui.screens.rrg import RrgScreen
from tuimarket.ui.screens.watchlist import WatchlistScreen
from tuimarket.ui.viewmodels import TIMEFRAMES
from tuimarket.ui.widgets.rotation_table import SORTABLE, RotationTable
from tuimarket.ui.widgets.timeline import TimelineTable

PALETTE = Binding("ctrl+p", "command_palette", "Jump, range, timeframe, sort, refresh, screenshot, RRG, alert log")


class Command(NamedTuple):
    title: str
    owner: DOMNode      # runs `action`
    action: str
    help: str


class MonitorCommands(Provider):
    def _commands(self) -> list[Command]:
        app = self.app
        dashboard = next(screen for screen in app.screen_stack if isinstance(screen, DashboardScreen))
        indexes = dashboard.config.indexes
        commands = [Command(f"Jump to {index.name} ({index.symbol})", app, f"jump({i})", "Show this index's panel")
                    for i, index in enumerate(indexes)]
        commands += [Command(f"Chart range {name}", app, f"set_range({name!r})", "Change every chart's range")
                     for name in CHART_RANGES]
        commands += [Command(f"{name.capitalize()} bars", app, f"set_timeframe({name!r})",
                             "Every chart and its analysis on bars of a session or a week") for name in TIMEFRAMES]
        commands += [Command(f"Sort rotation by {column}", dashboard, f"sort_rotation({column!r})",
                             "Sort the rotation table") for column in SORTABLE]
        owners: list[tuple[DOMNode, tuple[Action, ...]]] = [(app, APP_ACTIONS), (dashboard, DASHBOARD_ACTIONS)]
        if isinstance(self.screen, WatchlistScreen):     # the screen the palette opened over
            owners.append((self.screen, WATCHLIST_ACTIONS))
        commands += [Command(action.command, owner, action.action, f"{action.description} · {self._key(action)}")
                     for owner, actions in owners for action in actions
                     if action.command and action.available_on(owner)]
        return commands

    def _key(self, action: Action) -> str:
        return self.app.get_key_display(Binding(action.keys.split(",")[0], ""))

    def _hit(self, score: float, shown: Content | str, command: Command) -> Hit:
        run = partial(self.app.run_action, command.action, command.owner)
        return Hit(score, shown, run, text=command.title, help=command.help)

    async def discover(self) -> Hits:
        for command in self._commands():
            yield self._hit(1.0, Content(command.title), command)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                # highlight() reads markup: escaped, a configured name such as "[b]x" stays text.
                yield self._hit(score, matcher.highlight(escape(command.title)), command)


def help_sections(app: App, dashboard: DashboardScreen) -> list[tuple[str, list[HelpRow]]]:
    """Every screen's keys: on the app and the dashboard only those that do something now."""
    breadth = dashboard.check_action("breadth", ()) is not False     # a breadth screen to open
    sections: list[tuple[str, list[BindingType], DOMNode | None]] = [
        ("Everywhere", app.BINDINGS, app),
        ("Dashboard", DashboardScreen.BINDINGS, dashboard),
        ("Rotation table", RotationTable.BINDINGS, dashboard.query_one(RotationTable)),
        ("Detail screen", DetailScreen.BINDINGS, None),
        ("Event timeline (detail screen)", TimelineTable.BINDINGS, None),
        ("Relative Rotation Graph", RrgScreen.BINDINGS, None),
        *([("Breadth screen", BreadthScreen.BINDINGS, None)] if breadth else []),
        ("Alert log", AlertScreen.BINDINGS, None),
        ("Watchlist", WatchlistScreen.BINDINGS, None),
        ("Command palette", [PALETTE], None),
    ]
    return [(title, help_rows(bindings, app, owner)) for title, bindings, owner in sections]
