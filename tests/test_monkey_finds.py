"""What the monkey walk found, each reproduced on its own so the walk needs no exclusions."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from tuimarket.config import Config, UiSettings
from tuimarket.ui.app import DashboardScreen, TuimarketApp
from tuimarket.ui.port import Loaded
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.screens.help import HelpScreen

from ui_support import FIXED_NOW, ScriptedPipeline, bar_text, settle, until

AS_OF = date(2025, 9, 25)


@dataclasses.dataclass
class OfflinePipeline(ScriptedPipeline):
    """Every refresh fails over the bundled history: the bar says OFFLINE, not STALE."""

    def refresh(self) -> Loaded:
        return dataclasses.replace(super().refresh(), offline=True)


@pytest.mark.parametrize("theme", ["ansi-dark", "ansi-light"])
@pytest.mark.parametrize("problem, pipeline_class", [("STALE", ScriptedPipeline), ("OFFLINE", OfflinePipeline)])
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
        await pilot.press("1", "enter")
        assert isinstance(app.screen, DetailScreen)
        await pilot.pause()
        app.export_screenshot()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        app.export_screenshot()
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen) and app.is_running
