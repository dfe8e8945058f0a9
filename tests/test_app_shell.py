"""The app's shell, as the user meets it: the command palette and the help read one table of actions."""

from __future__ import annotations

from tuimarket.config import Config
from tuimarket.data.feed import Feed
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.commands import MonitorCommands
from tuimarket.ui.screens.help import HelpScreen

from ui_support import FIXED_NOW, until

CONFIG = Config()
# Palette commands that a key runs too, and that key.
KEYED_COMMANDS = {"Refresh now": "r", "Save screenshot": "s", "Next theme": "t", "Alert log": "a",
                  "Watchlists": "W", "Relative Rotation Graph": "g", "Market breadth": "b"}


def bundled_app() -> TuimarketApp:
    """The real pipeline on the bundled history, members included."""
    pipeline = MarketPipeline(CONFIG, Feed(CONFIG, source="bundled"), source="bundled")
    return TuimarketApp(CONFIG, pipeline, now=lambda: FIXED_NOW)


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
