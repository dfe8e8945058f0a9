"""Breadth on screen: the dashboard's breadth pane and sector heat row, the breadth screen and the
market bar, driven by Pilot over the real pipeline's analysis of the bundled members; every number
shown equals the analysis' (analysis/breadth.py, itself held against plain pandas and TA-Lib)."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, replace
from datetime import date

import pytest
from textual.widgets import DataTable

from tuimarket.analysis.breadth import breadth_history
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import BreadthSettings, Config
from tuimarket.data import members
from tuimarket.ui.app import DashboardScreen, TuimarketApp
from tuimarket.ui.port import Loaded
from tuimarket.ui.screens.breadth import BreadthScreen
from tuimarket.ui.widgets.breadth_panel import BreadthPanel, SectorHeatRow
from tuimarket.ui.widgets.charts import LineChart

from support import bundled_data
from ui_support import FIXED_NOW, FooterKey, ScriptedPipeline, bar_text, search_palette, until

AS_OF = date(2025, 9, 25)
CONFIG = Config()


@dataclass
class BreadthPipeline(ScriptedPipeline):
    """The scripted pipeline with the bundled members, as `MarketPipeline` attaches them."""

    def initial(self) -> Loaded:
        self.initials += 1
        return self._loaded()

    def refresh(self) -> Loaded:
        self.refreshes += 1
        return self._loaded()

    def _loaded(self) -> Loaded:
        return loaded_with_members(self.config, self.start)


@functools.cache
def loaded_with_members(config: Config, as_of: date) -> Loaded:
    """The bundled snapshot at `as_of` with the members' breadth, built once per test process and
    shared (a frozen value, as `bundled_snapshot`'s): each build takes a second."""
    data = replace(bundled_data(config, as_of), members=members.for_config(config))
    return Loaded(build_snapshot(config, data), f"offline bundled as of {as_of}")


def breadth_app(config: Config = CONFIG) -> TuimarketApp:
    return TuimarketApp(config, BreadthPipeline(config, start=AS_OF, live=False), now=lambda: FIXED_NOW)


@pytest.fixture(scope="module")
def oracle():
    """The analysis' own breadth of the bundled members on AS_OF."""
    known = members.bundled().until(__import__("pandas").Timestamp(AS_OF))
    return breadth_history(known.closes, in_index=known.in_index, sectors=known.sectors)


async def ready(app: TuimarketApp, pilot) -> None:
    await until(app, pilot, lambda: app.board is not None)


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (200, 50)])
async def test_the_breadth_pane_shows_the_analysis_numbers(size, oracle) -> None:
    app = breadth_app()
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        panel = app.dashboard_screen.query_one(BreadthPanel)
        assert panel in app.dashboard_screen.panes
        await pilot.press(str(app.dashboard_screen.panes.index(panel) + 1))
        await pilot.pause()
        assert panel.region.width > 0 and panel.region.height > 10     # on screen, at every size
        summary = panel.query_one(".breadth-summary").render().plain
        above_50, above_200 = oracle.above[50].iloc[-1], oracle.above[200].iloc[-1]
        assert f"{above_50:.0%} > 50d · {above_200:.0%} > 200d · A/D {oracle.ad_line.iloc[-1]:+,.0f}" in summary
        assert "survivorship" in str(panel.border_subtitle)
        above_chart = panel.query_one(".breadth-above", LineChart).data
        assert above_chart.lines[0].values[-1] == pytest.approx(above_50 * 100)
        assert above_chart.lines[1].values[-1] == pytest.approx(above_200 * 100)
        assert panel.query_one(".breadth-ad", LineChart).data.lines[0].values[-1] == oracle.ad_line.iloc[-1]
        assert "Breadth diverges" in panel.query_one(".breadth-note").render().plain


async def test_a_refresh_draws_the_breadth_charts_in_the_worker(monkeypatch) -> None:
    """plotext off the event loop: once the pane is on screen, its charts come drawn from the refresh thread."""
    drawn_in: list[str] = []
    prepare = LineChart.prepare

    def recording_prepare(chart, data, canvas):
        drawn_in.append(threading.current_thread().name)
        return prepare(chart, data, canvas)

    monkeypatch.setattr(LineChart, "prepare", recording_prepare)
    app = TuimarketApp(CONFIG, BreadthPipeline(CONFIG, start=AS_OF, live=True), now=lambda: FIXED_NOW)
    async with app.run_test(size=(200, 50)) as pilot:
        await until(app, pilot, lambda: app.pipeline.refreshes >= 1 and app.refreshing_since is None)
        await pilot.pause()
        drawn_in.clear()
        app.action_refresh()
        await until(app, pilot, lambda: app.pipeline.refreshes >= 2 and app.refreshing_since is None)
        app.export_screenshot()      # paints every chart
    assert drawn_in == ["tuimarket-refresh", "tuimarket-refresh"]


async def test_the_heat_row_has_every_sector_with_its_number(oracle) -> None:
    app = breadth_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        heat = app.dashboard_screen.query_one(SectorHeatRow).render().plain
        sectors = oracle.sector_above[50].iloc[-1]
        assert len(sectors) == 11
        cells = {cell.sector: cell for cell in app.board.members_breadth.sectors}
        for sector, share in sectors.items():
            assert f"{cells[sector].short} {share:>4.0%}" in heat.replace("\n", " ")
        assert all(len(line) <= 78 for line in heat.splitlines())       # broken between cells, inside the pane


async def test_the_market_bar_says_the_members_share_above_the_200_day(oracle) -> None:
    app = breadth_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(app, pilot)
        assert f"members {oracle.above[200].iloc[-1]:.0%} > 200d, diverging" in bar_text(app).replace("\n", " ")
        def footer_actions() -> list[str]:
            return [key.action for key in app.dashboard_screen.query(FooterKey)]
        await until(app, pilot, lambda: "breadth" in footer_actions())
        assert "breadth" in footer_actions()


async def test_b_and_the_palette_open_the_breadth_screen_with_every_indicator(oracle) -> None:
    app = breadth_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BreadthScreen)
        indicators = screen.query_one("#breadth-indicators").render().plain
        assert f"McClellan oscillator       {oracle.mcclellan.iloc[-1]:+.1f}" in indicators
        assert f"Summation index            {oracle.summation.iloc[-1]:+,.0f}" in indicators
        net = int(oracle.new_highs.iloc[-1] - oracle.new_lows.iloc[-1])
        assert f"{oracle.new_highs.iloc[-1]} / {oracle.new_lows.iloc[-1]} (net {net:+d})" in indicators
        table = screen.query_one(DataTable)
        assert table.row_count == 11
        first = [str(cell) for cell in table.get_row_at(0)]
        strongest = oracle.sector_above[50].iloc[-1].idxmax()
        assert first[0] == strongest and first[2] == f"{oracle.sector_above[50].iloc[-1][strongest]:.0%}"
        mcclellan = screen.query_one("#breadth-screen-mcclellan", LineChart).data.lines[0].values
        assert mcclellan[-1] == pytest.approx(oracle.mcclellan.iloc[-1])
        await pilot.press("escape")
        await pilot.pause()
        await search_palette(app, pilot, "market breadth")
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, BreadthScreen))
        assert isinstance(app.screen, BreadthScreen)


async def test_with_breadth_off_nothing_breadth_shows() -> None:
    config = replace(CONFIG, breadth=BreadthSettings(enabled=False))
    app = breadth_app(config)
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(app, pilot)
        dashboard = app.dashboard_screen
        assert not dashboard.query(BreadthPanel) and app.board.members_breadth is None
        assert "members" not in bar_text(app) and "Breadth" not in dashboard.query_one("#switcher").render().plain
        assert "breadth" not in [key.action for key in dashboard.query(FooterKey)]
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_without_members_yet_the_pane_stays_hidden_and_out_of_the_panes() -> None:
    app = TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, start=AS_OF, live=False), now=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        panel = app.dashboard_screen.query_one(BreadthPanel)
        assert panel not in app.dashboard_screen.panes and panel.region.width == 0


def opening(*keys: str):
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (200, 50)], ids=["80x24", "120x30", "200x50"])
def test_breadth_screen_snapshot(snap_compare, size) -> None:
    assert snap_compare(breadth_app(), terminal_size=size, run_before=opening("b"))


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (200, 50)], ids=["80x24", "120x30", "200x50"])
def test_dashboard_with_breadth_snapshot(snap_compare, size) -> None:
    """The breadth pane: its own page at 80x24 and 120x30 (key 4), a fourth column at 200x50."""
    assert snap_compare(breadth_app(), terminal_size=size, run_before=opening("4"))
