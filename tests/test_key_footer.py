"""The footer never shows a key cut in half: wide screens keep the secondary keys only while they fit."""

from __future__ import annotations

from datetime import date

import pytest

from tuimarket.config import Config
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.widgets.key_footer import KeyFooter

from ui_support import FIXED_NOW, FooterKey, ScriptedPipeline, settle, until

CONFIG = Config()


def shown_keys(app: TuimarketApp) -> list[FooterKey]:
    footer = app.screen.query_one(KeyFooter)
    return [key for key in footer.query(FooterKey) if key.display and not key.has_class("-command-palette")]


def keys_fit_whole_left_of_the_palette_key(app: TuimarketApp) -> set[str]:
    """Assert that every key shown is whole, left of the palette's key, and that quit and help are
    among them; return the actions of the keys shown."""
    palette = app.screen.query_one(KeyFooter).query_one("FooterKey.-command-palette")
    keys = shown_keys(app)
    assert keys and all(key.region.right <= palette.region.x for key in keys)
    assert all(key.region.width == len(key.key_display) + len(key.description) + 3 for key in keys)
    actions = {key.action.removeprefix("app.") for key in keys}
    assert {"quit", "help"} <= actions
    return actions


async def open_detail(app: TuimarketApp, pilot) -> None:
    await settle(app, pilot)
    await pilot.press("enter")
    await until(app, pilot, lambda: isinstance(app.screen, DetailScreen))
    await settle(app, pilot)


@pytest.mark.parametrize("width", [120, 135])      # 200: in the next test, before it resizes
async def test_every_key_shown_fits_whole_left_of_the_palette_key(width: int) -> None:
    app = TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, start=date(2025, 9, 25)), now=lambda: FIXED_NOW)
    async with app.run_test(size=(width, 30)) as pilot:
        await open_detail(app, pilot)
        keys_fit_whole_left_of_the_palette_key(app)


async def test_at_200_columns_every_key_fits_and_a_resize_narrower_lets_those_that_no_longer_fit_give_way() -> None:
    app = TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, start=date(2025, 9, 25)), now=lambda: FIXED_NOW)
    async with app.run_test(size=(200, 30)) as pilot:
        await open_detail(app, pilot)
        actions = keys_fit_whole_left_of_the_palette_key(app)
        # Room for every key: none gives way.
        assert {"refresh", "screenshot", "next_theme", "alerts", "toggle_timeframe"} <= actions
        wide = len(shown_keys(app))
        for width in (150, 121, 135, 120):       # a storm of resizes leaves one set of keys
            await pilot.resize_terminal(width, 30)
        await settle(app, pilot)
        footer = app.screen.query_one(KeyFooter)
        palette = footer.query_one("FooterKey.-command-palette")
        keys = shown_keys(app)
        assert len(keys) < wide and all(key.region.right <= palette.region.x for key in keys)
        assert len(footer.query(FooterKey)) == len({key.action for key in footer.query(FooterKey)})
