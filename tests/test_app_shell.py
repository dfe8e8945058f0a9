"""The app's shell, as the user meets it: the command palette and the help read one table of actions,
and the views over the dashboard (detail, RRG, breadth, alert log, watchlist), however they are
opened, take each other's place: at most one is open at a time."""

from __future__ import annotations

from textual.screen import Screen

from tuimarket.config import Config
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.commands import MonitorCommands
from tuimarket.ui.screens.alerts import AlertScreen
from tuimarket.ui.screens.breadth import BreadthScreen
from tuimarket.ui.screens.help import HelpScreen
from tuimarket.ui.screens.rrg import RrgScreen
from tuimarket.ui.screens.watchlist import WatchlistScreen

from ui_support import FIXED_NOW, BundledPipeline, search_palette, until

CONFIG = Config()
# Palette commands that a key runs too, and that key.
KEYED_COMMANDS = {"Refresh now": "r", "Save screenshot": "s", "Next theme": "t", "Alert log": "a",
                  "Watchlists": "W", "Relative Rotation Graph": "g", "Market breadth": "b"}


def bundled_app() -> TuimarketApp:
    """The real pipeline on the bundled history, members included."""
    return TuimarketApp(CONFIG, BundledPipeline(CONFIG), now=lambda: FIXED_NOW)


async def ready(app: TuimarketApp, pilot) -> None:
    await until(app, pilot, lambda: app.board is not None and app.board.members_breadth is not None)


async def test_a_command_that_a_key_runs_too_names_the_key_in_the_helps_words() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_lines = {keys.split(", ")[0]: text for _, rows in app.screen.sections for keys, text in rows}
        await pilot.press("escape")
        await pilot.pause()
        palette = {hit.text: hit.help async for hit in MonitorCommands(app.screen).discover()}
        for title, key in KEYED_COMMANDS.items():
            assert palette[title] == f"{help_lines[key]} · {key}", title


async def pick(app: TuimarketApp, pilot, command: str, view: type[Screen]) -> None:
    """Run `command` from the palette, and wait for `view` to be on top."""
    await search_palette(app, pilot, command)
    await pilot.press("enter")
    await until(app, pilot, lambda: isinstance(app.screen, view))
    assert isinstance(app.screen, view), f"{command!r} left {type(app.screen).__name__} on top"


async def test_views_opened_from_the_palette_take_each_others_place() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(app, pilot)
        dashboard_only = len(app.screen_stack)     # Textual's default screen, then the dashboard
        for _ in range(2):      # a view stacked on the last would show on the second pick already
            await pick(app, pilot, "relative rotation graph", RrgScreen)
            assert len(app.screen_stack) == dashboard_only + 1
            await pick(app, pilot, "market breadth", BreadthScreen)
            assert len(app.screen_stack) == dashboard_only + 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.dashboard_screen


async def test_opening_the_open_view_keeps_it_and_a_key_for_another_takes_its_place() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(app, pilot)
        dashboard_only = len(app.screen_stack)
        await pilot.press("g", "comma")          # a week back: what a new graph would not know
        await pilot.pause()
        graph = app.screen
        assert isinstance(graph, RrgScreen)
        week = graph.view.week
        await pick(app, pilot, "relative rotation graph", RrgScreen)
        assert app.screen is graph and graph.view.week == week
        await pilot.press("a")                   # the alert log's key works on every screen
        await until(app, pilot, lambda: isinstance(app.screen, AlertScreen))
        await pilot.press("W")
        await until(app, pilot, lambda: isinstance(app.screen, WatchlistScreen))
        assert len(app.screen_stack) == dashboard_only + 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.dashboard_screen
