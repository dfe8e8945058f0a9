"""At 80 columns the tables of symbols keep their symbol column put and scroll the others a column
at a time: every step leaves whole columns beside the symbol, never one half behind it (a change
of -1.5% read as "1.5%")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tuimarket.config import Config, Symbol, Watchlist
from tuimarket.data import members
from tuimarket.data.feed import Feed
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import DashboardScreen, TuimarketApp
from tuimarket.ui.screens.watchlist import WatchlistGrid
from tuimarket.ui.widgets.rotation_table import RotationTable

from ui_support import FIXED_NOW, ScriptedPipeline, settle, until


def beside_the_symbol(table: RotationTable) -> tuple[str, str]:
    """The heading and the first row's cell drawn first after the fixed symbol column, as shown."""
    fixed = table._fixed_width()
    return table.render_line(0).text[fixed:].split()[0], table.render_line(1).text[fixed:].split()[0]


def whole(table: RotationTable, heading: str, cell: str) -> bool:
    """Is this a column's heading, and its first row's cell whole ("+0.2%", not "0.2%")?"""
    return heading in table.COLUMNS and table.get_row_at(0)[table.COLUMNS.index(heading)].plain.startswith(cell)


async def scroll_right_through(table: RotationTable, pilot) -> list[tuple[str, str]]:
    """Press l until no column is hidden on the right; what shows beside the symbol after each."""
    seen = []
    while "▸" in str(table.border_subtitle):
        await pilot.press("l")
        await pilot.pause()
        seen.append(beside_the_symbol(table))
        assert len(seen) < len(table.COLUMNS), "l stopped scrolling"
    return seen


async def test_l_in_the_rotation_table_shows_whole_columns_beside_the_symbol() -> None:
    config = Config()
    app = TuimarketApp(config, ScriptedPipeline(config, start=date(2025, 9, 25), live=False), now=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(RotationTable)
        await pilot.press(str(app.dashboard_screen.panes.index(table) + 1))
        await pilot.pause()
        seen = await scroll_right_through(table, pilot)
        assert seen and all(whole(table, *shown) for shown in seen), seen
        assert "Communication Services" in table.render_line(1 + table.get_row_index("XLC")).text
        await pilot.press("h")                      # and back, a column at a time
        await pilot.pause()
        assert whole(table, *beside_the_symbol(table))
        assert isinstance(app.screen, DashboardScreen)


async def test_l_in_the_watchlist_shows_whole_columns_beside_the_symbol() -> None:
    symbols = members.bundled().closes.columns[:12]
    config = replace(Config(), watchlists=(Watchlist("big", tuple(Symbol(s, s) for s in symbols)),))
    app = TuimarketApp(config, MarketPipeline(config, Feed(config, source="bundled"), source="bundled"),
                       now=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("W")
        grid = app.screen.query_one(WatchlistGrid)
        await until(app, pilot, lambda: grid.row_count == 12 and "computing" not in str(
            app.screen.query_one("#watchlist-heading").render()))
        seen = await scroll_right_through(grid, pilot)
        assert seen and all(whole(grid, *shown) for shown in seen), seen
        assert grid.render_line(0).text.rstrip().endswith("Name")     # the last column, whole
