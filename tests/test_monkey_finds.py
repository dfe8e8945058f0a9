"""What the monkey walk found, each reproduced on its own so the walk needs no exclusions."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import LoadingIndicator

from tuimarket.config import Config, UiSettings
from tuimarket.ui.app import DashboardScreen, TuimarketApp
from tuimarket.ui.port import Loaded

from support import sampled
from ui_support import FIXED_NOW, ScriptedPipeline, bar_text, paint_detail_and_help, settle, until

AS_OF = date(2025, 9, 25)


@dataclasses.dataclass
class OfflinePipeline(ScriptedPipeline):
    """Every refresh fails over the bundled history: the bar says OFFLINE, not STALE."""

    def refresh(self) -> Loaded:
        return dataclasses.replace(super().refresh(), offline=True)


# Each theme and each failed bar in `make test`; their two other pairings in `make test-slow`.
@pytest.mark.parametrize("theme, problem, pipeline_class", sampled([
    ("ansi-dark", "STALE", ScriptedPipeline), ("ansi-light", "STALE", ScriptedPipeline),
    ("ansi-light", "OFFLINE", OfflinePipeline), ("ansi-dark", "OFFLINE", OfflinePipeline)], every=2))
async def test_an_ansi_theme_paints_every_widget_with_a_failed_feed(tmp_path: Path, theme: str, problem: str,
                                                                     pipeline_class: type) -> None:
    config = Config(ui=UiSettings(theme=theme))
    pipeline = pipeline_class(config, start=AS_OF, steps=["Connection refused"])
    app = TuimarketApp(config, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, pilot, lambda: pipeline.refreshes == 1 and problem in bar_text(app))
        assert app.theme == theme
        dashboard = app.export_screenshot().replace("&#160;", " ")
        assert problem in dashboard and "Close" in dashboard      # the bar's badge and the charts drew
        await paint_detail_and_help(app, pilot)
        await settle(app, pilot)
        assert app.is_running


def dashboard_app(tmp_path: Path) -> TuimarketApp:
    config = Config()
    return TuimarketApp(config, ScriptedPipeline(config, start=AS_OF, live=False), now=lambda: FIXED_NOW,
                        screenshot_dir=tmp_path)


@pytest.mark.parametrize("opener", ["ctrl+p", "theme palette"])
@pytest.mark.parametrize("page_key", ["pagedown", "pageup"])
async def test_a_page_key_typed_ahead_into_a_palette_not_laid_out_yet_is_ignored(tmp_path: Path, opener: str,
                                                                                   page_key: str) -> None:
    """Textual 8.2.8's OptionList raises KeyError paging from a highlight it has not laid out yet."""
    app = dashboard_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        if opener == "ctrl+p":
            app.post_message(events.Key("ctrl+p", None))
        else:
            app.action_change_theme()      # the system command "Change theme" opens a palette of its own
        app.post_message(events.Key("down", None))     # typed ahead, with the palette's first layout
        app.post_message(events.Key(page_key, None))
        await pilot.pause(0.2)
        assert app.is_running and isinstance(app.screen, CommandPalette)
        await pilot.press(page_key, "escape")         # and the page keys still page once it is painted
        assert isinstance(app.screen, DashboardScreen)


async def test_a_palette_search_starting_after_escape_closed_the_palette_is_dropped(tmp_path: Path) -> None:
    """Typing then Escape, fast: the search the typing asked for may start once the palette is gone.

    Textual 8.2.8's search worker then fails with NoMatches('CommandList') and the app ends.
    `_gather_commands` is what the palette does with a typed key's Input.Changed, handled late.
    """
    app = dashboard_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await pilot.press("escape")
        palette._gather_commands("a")
        await pilot.pause(0.2)
        assert app.is_running and isinstance(app.screen, DashboardScreen)
        await pilot.press("ctrl+p", *"range 5", "escape")
        assert app.is_running and isinstance(app.screen, DashboardScreen)



async def test_the_busy_countdown_ending_as_the_palette_closes_is_dropped(tmp_path: Path) -> None:
    """A search slower than 0.5 s (any, on a loaded machine) makes the palette show it is busy.

    In Textual 8.2.8 that flag's watcher runs after the message that set it, outside the palette's
    message handling: set as the palette closes, it queried the removed LoadingIndicator (NoMatches)
    and the app ended (the monkey, seed 20261201, near step 2,400).
    """
    app = dashboard_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", "a")
        palette = app.screen
        app.post_message(events.Key("escape", None))
        while palette.query(LoadingIndicator):      # until the closing palette's widgets are gone
            await asyncio.sleep(0)
        palette._show_busy = True           # what the countdown does when it ends with a search running
        await pilot.pause(0.2)
        assert app.is_running and isinstance(app.screen, DashboardScreen)


async def test_enter_typed_ahead_runs_the_picked_command_once(tmp_path: Path) -> None:
    """Each Enter typed before the palette closed picked the command again, and Textual 8.2.8 ran it
    again from the closed palette: three Enters on "Next theme" moved three themes on."""
    app = dashboard_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        themes, before = sorted(app.available_themes), app.theme
        await pilot.press("ctrl+p", *"next theme")
        await settle(app, pilot)
        for _ in range(3):
            app.post_message(events.Key("enter", None))
        await pilot.pause(0.5)
        assert app.is_running and isinstance(app.screen, DashboardScreen)
        assert themes.index(app.theme) == (themes.index(before) + 1) % len(themes)


async def test_a_palette_opened_as_the_app_quits_ends_quietly(tmp_path: Path) -> None:
    """Ctrl+Q, then Ctrl+P typed ahead: the palette opens while the app ends and removes every widget,
    and its first search, on the palette still on the stack, failed with NoMatches('CommandList')
    (the monkey, seed 20261201, step 7,431)."""
    app = dashboard_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key in ("ctrl+q", "ctrl+p", "a"):
            app.post_message(events.Key(key, None))
        await pilot.pause(0.5)
    assert app.return_code == 0


@pytest.mark.parametrize("key", ["W", "enter", "g", "b", "a", "question_mark"])
async def test_a_view_opened_as_the_app_quits_ends_quietly(tmp_path: Path, key: str) -> None:
    """q, then a view's key typed ahead: the view was pushed while the app was ending, mounted with
    no children, and its on_mount failed with NoMatches('WatchlistGrid') (the monkey, seed 7)."""
    app = dashboard_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        for pressed in ("q", key):
            app.post_message(events.Key(pressed, None))
        await pilot.pause(0.5)
    assert app.return_code == 0
