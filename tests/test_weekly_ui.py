"""The daily/weekly toggle and an RRG that follows refreshes, driven through Textual's pilot on bundled data."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from tuimarket.config import Config
from tuimarket.ui import saved_view
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.screens.help import HelpScreen
from tuimarket.ui.screens.rrg import RrgScreen
from tuimarket.ui.viewmodels import dashboard
from tuimarket.ui.widgets.charts import PriceChart, RrgChart
from tuimarket.ui.widgets.index_panel import IndexPanel

from ui_support import FIXED_NOW, ScriptedPipeline, loaded, search_palette, settle, until

CONFIG = Config()
AS_OF = date(2025, 9, 25)


def make_app(tmp_path: Path, **pipeline_options) -> TuimarketApp:
    options = {"start": AS_OF, "live": False} | pipeline_options
    return TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, **options), now=lambda: FIXED_NOW, screenshot_dir=tmp_path)


def legend(chart: PriceChart) -> str:
    """The line above the chart: its timeframe, range and legend, as the user reads it."""
    return chart.render().plain.splitlines()[0]


def shown_dates(chart: PriceChart) -> tuple[date, ...]:
    """The dates of the bars the chart's x axis runs over."""
    return chart.data.dates[-chart.sessions:]


async def test_w_switches_every_panel_between_daily_and_weekly_bars(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    weekly = loaded(CONFIG, AS_OF).snapshot.weekly
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        panels = list(app.screen.query(IndexPanel))
        charts = [panel.query_one(PriceChart) for panel in panels]
        assert all(legend(chart).startswith("1Y ") for chart in charts)              # daily: the default
        assert len(shown_dates(charts[0])) == 252
        await pilot.press("w")
        await pilot.pause()
        assert app.timeframe == "weekly"
        for panel, chart, index in zip(panels, charts, weekly):
            assert legend(chart).startswith("Weekly · 1Y"), legend(chart)
            dates = shown_dates(chart)
            assert len(dates) == 52 and dates[-1] == AS_OF
            assert all(timedelta(days=3) <= later - earlier <= timedelta(days=11)      # a week apart, holidays aside
                       for earlier, later in zip(dates, dates[1:]))
            assert panel.model.macd.signal == index.macd.state.upper()
            assert set(re.findall(r"\d+", panel.model.trend.averages)) == {"10", "20", "40"}   # weeks
            assert "Daily:" in panel.model.latest_event or not panel.model.latest_event
        await pilot.press("right_square_bracket")              # the range keys count weeks now
        await pilot.pause()
        assert legend(charts[0]).startswith("Weekly · 2Y") and len(shown_dates(charts[0])) == 104
        await pilot.press("w")
        await pilot.pause()
        assert app.timeframe == "daily"
        assert legend(charts[0]).startswith("2Y ") and len(shown_dates(charts[0])) == 504


async def test_the_detail_screen_shows_and_switches_the_timeframe(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("w", "2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.model.symbol == "^NDX"
        heading = app.screen.query_one("#detail-heading").render().plain
        assert "Weekly · 1Y" in heading
        price_chart = app.screen.query_one("#detail-price", PriceChart)
        assert price_chart.sessions == 52 and legend(price_chart).startswith("Weekly · 1Y")
        assert app.screen.query_one("#detail-macd").render().plain.startswith("Weekly · 1Y · MACD (12, 26, 9)")
        assert "-week average" in app.screen.query_one("#detail-commentary").render().plain
        await pilot.press("w")                                  # on the detail screen too
        await pilot.pause()
        assert app.screen.query_one("#detail-heading").render().plain.endswith("· 1Y")
        assert price_chart.sessions == 252
        assert "-day average" in app.screen.query_one("#detail-commentary").render().plain


async def test_the_key_is_in_the_help_and_the_palette(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert any(keys == "w" and "weekly" in text for _, rows in app.screen.sections for keys, text in rows)
        await pilot.press("escape")
        await search_palette(app, pilot, "weekly bars")
        await pilot.press("enter")
        await until(app, pilot, lambda: app.timeframe == "weekly")
        assert app.timeframe == "weekly"


async def test_the_timeframe_is_saved_with_the_view_and_restored_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "view.json"
    app = make_app(tmp_path, saved_view=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("q")
    assert json.loads(path.read_text())["timeframe"] == "weekly"

    class SavedViewOnly(TuimarketApp):
        def start_load(self, live: bool, step: int = 0) -> None:
            pass        # computes nothing: what shows is the saved view alone

    restarted = SavedViewOnly(CONFIG, ScriptedPipeline(CONFIG, start=AS_OF, live=False, saved_view=path),
                              now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    async with restarted.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert restarted.timeframe == "weekly"
        chart = restarted.screen.query_one(IndexPanel).query_one(PriceChart)
        assert legend(chart).startswith("Weekly · 1Y") and len(shown_dates(chart)) == 52
        assert chart.figure is restarted.saved.figures["^GSPC"]      # painted as saved, not drawn again


def test_a_view_saved_before_there_were_timeframes_loads_as_daily(tmp_path: Path) -> None:
    result = loaded(CONFIG, AS_OF)
    board = dashboard(result.snapshot, result.data_status, result.offline)
    path = tmp_path / "view.json"
    saved_view.save(path, board, {}, "weekly")
    old = json.loads(path.read_text())
    del old["timeframe"], old["dashboard"]["weekly"]       # as the previous version wrote it
    for panel in old["dashboard"]["panels"]:
        del panel["chart"]["timeframe"]
    path.write_text(json.dumps(old))
    view = saved_view.load(path)
    assert view is not None and view.timeframe == "daily" and view.board.weekly == ()
    assert view.board.panels == board.panels
    old["timeframe"] = "monthly"                            # no such timeframe: a damaged file
    path.write_text(json.dumps(old))
    assert saved_view.load(path) is None


async def test_an_open_rrg_follows_a_refresh_keeping_the_symbol_and_a_week_stepped_back(tmp_path: Path) -> None:
    earlier, later = date(2025, 9, 12), date(2025, 9, 25)
    app = make_app(tmp_path, start=earlier, steps=[earlier, later, later], live=True, interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(app, pilot, lambda: app.pipeline.refreshes == 1 and app.refreshing_since is None)
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RrgScreen)
        await pilot.press("down", "down")
        selected = screen.selected
        graph = screen.query_one(RrgChart)
        before = graph.data.view
        assert before.week == date(2025, 9, 12)
        await pilot.press("r")                                  # the real refresh path: worker, message, handler
        await until(app, pilot, lambda: app.pipeline.refreshes == 2 and app.refreshing_since is None)
        after = graph.data.view
        assert after.week == date(2025, 9, 26) and after.weeks[-1] == date(2025, 9, 26)   # the latest week follows
        mark = next(mark for mark in after.marks if mark.symbol == selected)
        assert (mark.ratio[-1], mark.momentum[-1]) != next(
            (m.ratio[-1], m.momentum[-1]) for m in before.marks if m.symbol == selected)
        assert screen.selected == selected and graph.data.selected == selected
        assert "2025-09-26" in screen.query_one("#rrg-heading").render().plain

        await pilot.press("comma", "comma")                     # stepped back: that week stays shown
        stepped = screen.view.week
        assert stepped == date(2025, 9, 12)
        await pilot.press("r")
        await until(app, pilot, lambda: app.pipeline.refreshes == 3 and app.refreshing_since is None)
        assert screen.view.week == stepped and screen.selected == selected
