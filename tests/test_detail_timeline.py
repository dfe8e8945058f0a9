"""The detail screen's event timeline, driven by the keyboard: order, filter, the chart's mark, a replay."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tuimarket.config import Config
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.timeline_model import KIND_GROUPS, MarkedChart
from tuimarket.ui.widgets.charts import PriceChart
from tuimarket.ui.widgets.timeline import TimelineTable

from ui_support import FIXED_NOW, ScriptedPipeline, settle, until

CONFIG = Config()


def make_app(tmp_path: Path, start: date = date(2025, 9, 25), replay: date | None = None) -> TuimarketApp:
    pipeline = ScriptedPipeline(CONFIG, start=start, live=False, replay=replay)
    return TuimarketApp(CONFIG, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)


async def open_detail(app: TuimarketApp, pilot, panel: str = "3") -> DetailScreen:
    await settle(app, pilot)
    await pilot.press(panel, "enter")
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    await until(app, pilot, lambda: screen.timeline is not None)
    return screen


def chart_of(screen: DetailScreen) -> MarkedChart:
    """What the price chart draws: the panel's chart, its marks and the selected date."""
    data = screen.query_one("#detail-price", PriceChart).data
    assert isinstance(data, MarkedChart)
    return data


def shown_keys(screen: DetailScreen) -> list[str]:
    table = screen.query_one(TimelineTable)
    return [row_key.value for row_key in table.rows]


async def test_the_timeline_is_newest_first_and_its_selection_marks_the_chart(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_detail(app, pilot)
        rows = screen.timeline.rows
        assert shown_keys(screen) == [row.key for row in rows] and len(rows) > 500
        assert [row.date for row in rows] == sorted((row.date for row in rows), reverse=True)
        assert app.focused is screen.query_one(TimelineTable)
        chart = chart_of(screen)
        assert chart.cursor.date == rows[0].date and chart.cursor.label == rows[0].title     # the newest, selected
        assert {mark.glyph for mark in chart.marks} >= {"▲", "▼"}
        await pilot.press("down", "down", "down")
        await pilot.pause()
        assert chart_of(screen).cursor.date == rows[3].date
        assert rows[3].title in screen.query_one("#detail-price", PriceChart).render().plain


async def test_the_filter_key_cycles_through_the_kinds(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_detail(app, pilot)
        await pilot.press("f")          # all → MACD
        assert screen.filter == "MACD"
        macd = [row for row in screen.timeline.rows if row.kind in KIND_GROUPS["MACD"]]
        assert shown_keys(screen) == [row.key for row in macd]
        assert "MACD" in str(screen.query_one("#timeline-title").render())
        await pilot.press("down")
        await pilot.pause()
        assert chart_of(screen).cursor.date == macd[1].date
        await pilot.press("f", "f", "f", "f", "f", "f")     # ... stance and breadth
        assert screen.filter == "stance/breadth"
        market = screen.timeline.filtered("stance/breadth")
        assert "stance_changed" in {row.kind for row in market}
        assert {row.kind for row in market} <= {"stance_changed", "breadth_divergence", "breadth_thrust"}
        assert len(shown_keys(screen)) == len(market) > 0
        await pilot.press("f")
        assert screen.filter == "all" and len(shown_keys(screen)) == len(screen.timeline.rows)
        await pilot.press("F")
        assert screen.filter == "stance/breadth"


async def test_selecting_an_event_older_than_the_range_widens_the_chart(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_detail(app, pilot)
        await pilot.press("left_square_bracket", "left_square_bracket")      # 1Y → 3M
        assert screen.chart_range == "3M"
        await pilot.press("end")        # the oldest event, nearly five years back
        await pilot.pause()
        oldest = screen.timeline.rows[-1]
        price = screen.query_one("#detail-price", PriceChart)
        assert chart_of(screen).cursor.date == oldest.date
        assert screen.chart_range == "5Y" and price.sessions == 1260
        assert oldest.date in price.data.chart.dates[-price.sessions:]
        assert "5Y" in str(screen.query_one("#detail-heading").render())


async def test_a_replay_timeline_ends_at_its_date_and_follows_a_step(tmp_path: Path) -> None:
    day = date(2024, 11, 5)
    app = make_app(tmp_path, start=day, replay=day)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_detail(app, pilot)
        assert max(row.date for row in screen.timeline.rows) <= day
        assert not any(row.kind == "breakout" and row.date == date(2024, 11, 6) for row in screen.timeline.rows)
        # The next session's data (as a step would load it): the breakout is there, newest.
        before = screen.timeline
        app.pipeline.start = date(2024, 11, 6)
        app.start_load(False)
        await until(app, pilot, lambda: screen.timeline is not before and screen.timeline.rows[0].date > day)
        assert screen.timeline.rows[0].date == date(2024, 11, 6)
        assert any(row.kind == "breakout" for row in screen.timeline.rows if row.date == date(2024, 11, 6))


async def test_at_80x24_the_timeline_and_the_chart_share_the_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot)
        table = screen.query_one(TimelineTable)
        chart = screen.query_one("#detail-price", PriceChart)
        assert app.focused is table
        screen_region = screen.region
        assert screen_region.contains_region(table.region) and table.region.height >= 6
        assert screen_region.contains_region(chart.region) and chart.region.height >= 10
        assert table.region.width <= 80 and not table.show_horizontal_scrollbar     # every column fits
        await pilot.press("j")
        await pilot.pause()
        assert chart_of(screen).cursor.date == screen.timeline.rows[1].date


async def test_without_colour_the_selected_event_is_reversed(tmp_path: Path, monkeypatch) -> None:
    """NO_COLOR leaves bold for the header and the cursor alike: the selected row is reversed too."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot)
        table = screen.query_one(TimelineTable)
        assert table.get_component_rich_style("datatable--cursor").reverse
        assert not table.get_component_rich_style("datatable--header").reverse


async def test_a_timeline_that_fails_says_so_and_leaves_the_charts(tmp_path: Path) -> None:
    class Failing(ScriptedPipeline):
        def event_timeline(self, symbol: str):
            raise ValueError("no bars")

    app = TuimarketApp(CONFIG, Failing(CONFIG, start=date(2025, 9, 25), live=False), now=lambda: FIXED_NOW,
                       screenshot_dir=tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("3", "enter")
        screen = app.screen
        await until(app, pilot, lambda: "unavailable" in str(screen.query_one("#timeline-title").render()))
        assert "events unavailable: no bars" in str(screen.query_one("#timeline-title").render())
        assert chart_of(screen).marks == () and screen.query_one(TimelineTable).row_count == 0
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("f", "down", "end")       # nothing to select: nothing breaks
        assert isinstance(app.screen, DetailScreen)
