"""The monitor, driven by the keyboard through Textual's pilot, on real bundled data."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import pytest

from tuimarket.config import Config, UiSettings
from tuimarket.ui.app import DashboardScreen, TuimarketApp
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.screens.help import HelpScreen
from tuimarket.ui.viewmodels import STANCE_LABELS
from tuimarket.ui.widgets.charts import PriceChart
from tuimarket.ui.widgets.index_panel import IndexPanel
from tuimarket.ui.widgets.rotation_table import RotationTable

from ui_support import FIXED_NOW, ScriptedPipeline, bar_text, loaded, record_notifications, settle, until

CONFIG = Config()
AS_OF = date(2025, 9, 25)


def make_app(tmp_path: Path, **pipeline_options) -> TuimarketApp:
    options = {"start": AS_OF, "live": False} | pipeline_options
    return TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, **options), now=lambda: FIXED_NOW, screenshot_dir=tmp_path)


def active_pane(app: TuimarketApp):
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    return screen.panes[screen.active]


async def test_first_paint_shows_every_index_and_the_rotation(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        panels = list(app.screen.query(IndexPanel))
        assert [p.symbol for p in panels] == ["^GSPC", "^NDX", "^RUT"]
        assert all(p.model is not None for p in panels)
        assert panels[0].model.close == "6,604.72"
        table = app.screen.query_one(RotationTable)
        assert table.row_count == 13
        assert "^GSPC" not in table.lines
        assert "offline bundled as of 2025-09-25" in bar_text(app)
        stance = loaded(CONFIG, AS_OF).snapshot.regime.stance
        assert [label for label in STANCE_LABELS.values() if label in bar_text(app)] == [STANCE_LABELS[stance]]
        assert app.screen.has_class("-wide")


async def test_keyboard_moves_between_panes_at_80x24(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.has_class("-narrow")
        assert active_pane(app).symbol == "^GSPC" and app.focused is active_pane(app)
        await pilot.press("2")
        assert active_pane(app).symbol == "^NDX"
        await pilot.press("j")
        assert active_pane(app).symbol == "^RUT"
        await pilot.press("down")
        assert isinstance(active_pane(app), RotationTable)
        assert app.screen.has_class("-table-active")
        await pilot.press("tab")
        assert active_pane(app).symbol == "^GSPC"
        await pilot.press("shift+tab")
        assert isinstance(active_pane(app), RotationTable)
        await pilot.press("h")     # the table's own keys do not swallow h
        assert active_pane(app).symbol == "^RUT"
        # Only the active pane is displayed: nothing else competes for 80 columns.
        shown = [p for p in app.screen.panes if p.display and p.region.width]
        assert shown == [active_pane(app)]


async def test_enter_opens_detail_and_escape_returns(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("3", "enter")
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.model.symbol == "^RUT"
        assert "Russell 2000" in str(app.screen.query_one("#detail-heading").render())
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)
        assert active_pane(app).symbol == "^RUT"


async def test_range_keys_change_every_chart(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        charts = list(app.screen.query(PriceChart))
        assert {c.sessions for c in charts} == {252}
        await pilot.press("right_square_bracket")
        assert app.chart_range == "2Y" and {c.sessions for c in charts} == {504}
        await pilot.press("left_square_bracket", "left_square_bracket", "minus")
        assert app.chart_range == "3M" and {c.sessions for c in charts} == {63}
        await pilot.press("minus")     # already the shortest: stays
        assert app.chart_range == "3M"


async def test_sort_keeps_rows_keyed_and_cursor_on_its_symbol(tmp_path: Path) -> None:
    app = make_app(tmp_path, live=True, steps=[AS_OF, date(2025, 9, 18)])
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, pilot, lambda: app.pipeline.refreshes == 1)    # the automatic first live refresh
        await pilot.press("4")
        table = app.screen.query_one(RotationTable)
        ranks = [table.get_cell(row.key, "Rank").plain for row in table.ordered_rows]
        assert ranks == sorted(ranks, key=int)
        await pilot.press("o")
        assert table.sort_column == "RS-Ratio"
        await pilot.press("o", "o")
        assert table.sort_column == "1W"
        first_week = [float(table.get_cell(row.key, "1W").plain.rstrip("%")) for row in table.ordered_rows]
        assert first_week == sorted(first_week, reverse=True)
        await pilot.press("j", "j")
        selected = table.symbol_under_cursor
        before = [row.key.value for row in table.ordered_rows]
        app.action_refresh()
        await until(app, pilot, lambda: app.pipeline.refreshes == 2 and table.sort_column == "1W"
                    and [row.key.value for row in table.ordered_rows] != before)
        after = [row.key.value for row in table.ordered_rows]
        assert before != after            # a week earlier the weekly returns order the rows differently
        assert table.row_count == 13 and table.sort_column == "1W"
        assert table.symbol_under_cursor == selected


async def test_a_signal_change_between_refreshes_notifies(tmp_path: Path) -> None:
    # On 2025-09-25 the S&P 500's MACD crossed to sell; the day before it was on a buy.
    app = make_app(tmp_path, live=True, start=date(2025, 9, 24), steps=[date(2025, 9, 25)])
    notified = record_notifications(app)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, pilot, lambda: any("MACD" in n.message for n in notified))
        assert app.pipeline.refreshes == 1
        messages = [n.message for n in notified]
        assert any("S&P 500: MACD crossed to SELL" in m for m in messages), messages


async def test_a_failed_refresh_keeps_data_and_shows_stale(tmp_path: Path) -> None:
    error = "ConnectionError: [Errno 111] Connection refused [/]"     # brackets are text, not markup
    app = make_app(tmp_path, live=True, steps=[error, error])
    notified = record_notifications(app)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:   # toasts on: read them
        await until(app, pilot, lambda: app.failures >= 1)
        assert app.failures == 1
        assert "STALE" in bar_text(app)
        assert app.screen.query_one(IndexPanel).model.close == "6,604.72"    # last good data stays
        warnings = [n for n in notified if n.title == "Data stale"]
        assert len(warnings) == 1 and error in warnings[0].message
        await pilot.pause()
        assert "[Errno 111] Connection refused [/]" in app.export_screenshot().replace("&#160;", " ")
        # The next try backs off: twice the interval after one failure.
        assert (app.next_refresh - FIXED_NOW).total_seconds() == pytest.approx(120)


async def test_resize_from_wide_to_small_and_back(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        for size in [(120, 40), (100, 30), (80, 24), (60, 20), (100, 30), (160, 48)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert app.screen.has_class("-wide" if size[0] >= 120 else "-narrow")
        assert all(p.display for p in app.screen.query(IndexPanel))


async def test_help_lists_every_key(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = app.export_screenshot().replace("&#160;", " ")
        for description in ("Quit", "Refresh", "Detail", "Screenshot", "Sort by the next column", "Back",
                            "Longer chart range", "Theme"):
            assert description in shown
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_screenshot_is_saved_and_its_path_shown(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    notified = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        saved = list(tmp_path.glob("tuimarket-*.svg"))
        assert len(saved) == 1 and saved[0].read_text().startswith("<svg")
        assert any(str(saved[0]) in n.message for n in notified)


async def test_replay_is_marked_and_never_refreshes(tmp_path: Path) -> None:
    app = make_app(tmp_path, replay=AS_OF)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "REPLAY 2025-09-25" in bar_text(app)
        await pilot.press("r")
        await settle(app, pilot)
        assert app.pipeline.refreshes == 0


async def test_theme_key_cycles_themes(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        before = app.theme
        await pilot.press("t")
        assert app.theme != before


async def test_command_palette_changes_the_range_and_jumps(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"range 5Y")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.chart_range == "5Y"
        await pilot.press("ctrl+p")
        await pilot.press(*"jump russell")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert active_pane(app).symbol == "^RUT"


async def test_the_bell_rings_on_a_signal_change_only_when_configured(tmp_path: Path) -> None:
    for bell in (False, True):
        config = Config(ui=UiSettings(bell=bell))
        pipeline = ScriptedPipeline(config, start=date(2025, 9, 24), steps=[date(2025, 9, 25)])
        app = TuimarketApp(config, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
        rings = []
        app.bell = lambda: rings.append(True)
        notified = record_notifications(app)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(app, pilot, lambda: any("MACD" in n.message for n in notified))
        assert pipeline.refreshes == 1 and bool(rings) == bell


async def test_the_collector_is_paused_for_the_first_frame_only(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert gc.isenabled()
    quitting_at_once = make_app(tmp_path)
    async with quitting_at_once.run_test(size=(80, 24)):
        pass                         # ends before its first frame is out
    assert gc.isenabled()
