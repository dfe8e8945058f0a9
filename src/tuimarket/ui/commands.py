"""The command palette's commands: jump, range, timeframe, sort, refresh, screenshot, the views."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable, cast

from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from tuimarket.config import CHART_RANGES
from tuimarket.ui.messages import OpenBreadth, OpenRotationGraph
from tuimarket.ui.screens.watchlist import WatchlistScreen
from tuimarket.ui.viewmodels import TIMEFRAMES
from tuimarket.ui.widgets.rotation_table import SORTABLE

if TYPE_CHECKING:
    from tuimarket.ui.app import TuimarketApp

WEEK_SESSIONS = 5


class MonitorCommands(Provider):
    """Command palette: jump to an index, change the range or timeframe, sort, refresh, screenshot, the alert log."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = cast("TuimarketApp", self.app)   # Textual types a provider's app only as App
        commands: list[tuple[str, Callable[[], object], str]] = [
            (f"Jump to {index.name} ({index.symbol})", partial(app.jump_to, i), "Show this index's panel")
            for i, index in enumerate(app.config.indexes)]
        commands += [(f"Chart range {name}", partial(app.set_range, name), "Change every chart's range")
                     for name in CHART_RANGES]
        commands += [(f"{name.capitalize()} bars", partial(app.set_timeframe, name),
                      "Every chart and its analysis on bars of a session or a week") for name in TIMEFRAMES]
        commands += [(f"Sort rotation by {column}", partial(app.dashboard_screen.action_sort_rotation, column),
                      "Sort the rotation table")
                     for column in SORTABLE]
        commands += [
            ("Relative Rotation Graph", partial(app.post_message, OpenRotationGraph()),
             "The rotation table's weekly tails against the benchmark"),
            ("Refresh now", app.action_refresh, "Fetch new data and recompute"),
            ("Save screenshot", app.action_screenshot, "Save an SVG screenshot"),
            ("Next theme", app.action_next_theme, "Cycle through the themes"),
            ("Alert log", app.action_alerts, "Every alert, newest first: mark read, mute a symbol or a kind"),
            ("Watchlists", app.action_watchlists, "Your groups of symbols, each as a table: [ ] switch, n add, x remove"),
        ]
        if app.board is not None and app.board.members_breadth is not None:
            commands.append(("Market breadth", partial(app.post_message, OpenBreadth()),
                             "The index members above their averages, McClellan, new highs and lows, sectors"))
        if isinstance(watchlist := self.screen, WatchlistScreen):    # the screen the palette opened over
            commands += [("Watchlist: add a symbol", watchlist.action_add, "Type a symbol to add to this watchlist"),
                         ("Watchlist: remove the selected symbol", watchlist.action_remove,
                          "Remove the selected symbol from this watchlist")]
        if app.pipeline.replay is not None:
            commands += [(f"Replay: {words}", partial(app.action_step, sessions), "Move the replay's date")
                         for words, sessions in [("one session back", -1), ("one session forward", 1),
                                                 ("a week back", -WEEK_SESSIONS), ("a week forward", WEEK_SESSIONS)]]
        return commands

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield Hit(1.0, Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                # highlight() reads markup: escaped, a configured name such as "[b]x" stays text.
                yield Hit(score, matcher.highlight(escape(title)), callback, text=title, help=help_text)
