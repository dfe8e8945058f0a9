"""The monitor, driven by the keyboard through Textual's pilot, on real bundled data."""

from __future__ import annotations

import errno
import gc
import os
import threading
from datetime import date
from pathlib import Path

import pytest

from tuimarket.config import Config, UiSettings, parse
from rich.segment import Segment
from rich.style import Style
from textual.color import Color as TextualColor

from tuimarket.analysis.vocabulary import Stance
from tuimarket.ui.app import MAX_ALERT_LINES, MAX_TOASTS, DashboardScreen, TuimarketApp
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.screens.help import HelpScreen
from tuimarket.ui.viewmodels import AlertLine
from tuimarket.ui.widgets.charts import PriceChart
from tuimarket.ui.widgets.index_panel import IndexPanel
from tuimarket.ui.widgets.rotation_table import RotationTable

from ui_support import (FIXED_NOW, FooterKey, ScriptedPipeline, Toast, bar_text, loaded, paint_detail_and_help,
                        record_notifications, search_palette, settle, toasts_shown, until)

CONFIG = Config()
AS_OF = date(2025, 9, 25)


def make_app(tmp_path: Path, **pipeline_options) -> TuimarketApp:
    options = {"start": AS_OF, "live": False} | pipeline_options
    return TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, **options), now=lambda: FIXED_NOW, screenshot_dir=tmp_path)


def active_pane(app: TuimarketApp):
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    return screen.panes[screen.active]


async def test_the_first_live_refresh_draws_the_charts_at_their_size_in_its_thread(monkeypatch) -> None:
    """The live refresh that follows start-up reads the charts' canvases once the first view's layout
    has settled: its figures fit, and no chart is drawn again on the event loop. Read at once, they
    were the empty panels' (taller) and every chart was drawn twice."""
    drawn_in: list[tuple[str, int]] = []
    prepare = PriceChart.prepare

    def recording_prepare(chart, data, canvas):
        drawn_in.append((threading.current_thread().name, canvas.height))
        return prepare(chart, data, canvas)

    monkeypatch.setattr(PriceChart, "prepare", recording_prepare)
    app = TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, start=AS_OF, steps=[AS_OF]), now=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(app, pilot, lambda: app.pipeline.refreshes >= 1 and app.refreshing_since is None)
        app.export_screenshot()      # paints every chart
        heights = sorted(chart.size.height for chart in app.dashboard_screen.query(PriceChart))
    on_the_loop = [height for thread, height in drawn_in if thread == threading.main_thread().name]
    in_the_refresh = [height for thread, height in drawn_in if thread == "tuimarket-refresh"]
    assert len(on_the_loop) == 3    # the first view's: its refresh had no canvas before the first layout
    assert sorted(in_the_refresh) == heights


async def test_refresh_asked_twice_in_a_frame_starts_one_refresh_and_counts_no_failure() -> None:
    """The second `r`, before the first's refresh has started, is not taken for a retry of a stuck one."""
    release = threading.Event()

    class HeldPipeline(ScriptedPipeline):
        def refresh(self):
            release.wait(10)
            return super().refresh()

    release.set()
    app = TuimarketApp(CONFIG, HeldPipeline(CONFIG, start=AS_OF, steps=[AS_OF, AS_OF]), now=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: app.pipeline.refreshes >= 1 and app.refreshing_since is None)
        release.clear()
        app.action_refresh()
        app.action_refresh()      # in the same frame: neither refresh has started yet
        await until(app, pilot, lambda: app.refreshing_since is not None)
        await pilot.pause()
        assert app.failures == 0        # a retry of a stuck refresh would count one
        release.set()
        await until(app, pilot, lambda: app.pipeline.refreshes >= 2 and app.refreshing_since is None)
        assert app.pipeline.refreshes == 2 and app.failures == 0


async def test_first_paint_shows_every_index_and_the_rotation_and_the_range_keys_change_every_chart(
        tmp_path: Path) -> None:
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
        assert [each.label for each in Stance if each.label in bar_text(app)] == [stance.label]
        assert app.screen.has_class("-wide")
        # The range keys change every chart.
        charts = list(app.screen.query(PriceChart))
        assert {c.sessions for c in charts} == {252}
        await pilot.press("right_square_bracket")
        assert app.chart_range == "2Y" and {c.sessions for c in charts} == {504}
        await pilot.press("left_square_bracket", "left_square_bracket", "minus")
        assert app.chart_range == "3M" and {c.sessions for c in charts} == {63}
        await pilot.press("minus")     # already the shortest: stays
        assert app.chart_range == "3M"
        await pilot.pause()
        assert all(chart.render().plain.startswith("3M ") for chart in charts)   # each panel says its range


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


async def test_the_benchmark_has_no_empty_relative_strength_chart(tmp_path: Path) -> None:
    """The benchmark against itself would be an empty box: its detail screen shows MACD across instead."""
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("1", "enter")                 # ^GSPC, the benchmark
        await pilot.pause()
        assert not app.screen.query_one("#detail-rs").display
        assert app.screen.query_one("#detail-macd").size.width > 150
        await pilot.press("escape", "2", "enter")       # the Nasdaq 100 has one
        await pilot.pause()
        assert app.screen.query_one("#detail-rs").display
        assert "^NDX / ^GSPC" in app.screen.query_one("#detail-rs").render().plain


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


async def test_charts_stay_readable_when_the_screen_is_short(tmp_path: Path) -> None:
    """120x30 left each price chart a row or two under the table: now panels and table take turns."""
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(RotationTable)
        assert not table.display and all(chart.size.height >= 10 for chart in app.screen.query(PriceChart))
        await pilot.press("4")
        await pilot.pause()
        assert table.display and table.size.height >= 16
        assert not app.screen.query_one("#panels").display
        await pilot.resize_terminal(200, 50)       # tall enough for both at once
        await pilot.pause()
        assert table.display and app.screen.query_one("#panels").display
        assert all(chart.size.height >= 10 for chart in app.screen.query(PriceChart))


def screen_text(app: TuimarketApp) -> str:
    return app.export_screenshot().replace("&#160;", " ")


async def test_the_rotation_table_at_80x24_keeps_its_symbols_and_says_what_is_off_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await pilot.pause()
        table = app.screen.query_one(RotationTable)
        assert "more ▸" in str(table.border_subtitle) and "◂" not in str(table.border_subtitle)
        for _ in range(10):                          # → and l scroll while columns are hidden on the right
            if "▸" not in str(table.border_subtitle):
                break
            await pilot.press("l")
            await pilot.pause()
        assert table.scroll_x > 0 and "◂" in str(table.border_subtitle)
        shown = screen_text(app)
        assert "Symbol" in shown and "XLC" in shown and "Communication Services" in shown
        await pilot.press("h")
        await pilot.pause()
        assert "▸" in str(table.border_subtitle)
        await pilot.press("right")                  # the last column again
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        assert active_pane(app) is not table         # none left: → moves on to the next pane, as the help says


async def test_the_footer_at_80_columns_shows_the_keys_that_matter_whole_and_is_rebuilt_only_when_they_change(
        tmp_path: Path) -> None:
    """Each rebuild restyles every key; moving between the index panels changes none of them."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        keys = [key for key in app.screen.query(FooterKey) if key.display]
        actions = {key.action.removeprefix("app.") for key in keys}
        assert actions >= {"detail", "help", "range(1)", "range(-1)", "quit"} and "screenshot" not in actions
        palette = next(key for key in keys if key.action.endswith("command_palette"))
        assert all(key.region.right <= palette.region.x for key in keys if key is not palette)   # none cut off
        shown = list(app.screen.query(FooterKey))
        await pilot.press("2", "3", "1")
        assert active_pane(app).symbol == "^GSPC" and list(app.screen.query(FooterKey)) == shown   # the same widgets
        await pilot.press("4")          # the rotation table, with a key of its own
        await pilot.pause()
        assert isinstance(active_pane(app), RotationTable)
        assert "next_sort" in {key.action for key in app.screen.query(FooterKey)}


async def test_help_lists_every_key_and_each_working_key_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = app.export_screenshot().replace("&#160;", " ")
        for description in ("Quit", "Refresh", "Detail", "Screenshot", "Sort by the next column", "Back",
                            "Longer chart range", "Theme"):
            assert description in shown
        rows = [(keys, text) for _, section in app.screen.sections for keys, text in section]
        keys = [key for row_keys, _ in rows for key in row_keys.split(", ")]
        dashboard_keys = [key for row_keys, _ in app.screen.sections[1][1] for key in row_keys.split(", ")]
        assert {"1", "2", "3", "4"} <= set(dashboard_keys)     # three indexes and the rotation table
        assert not {"5", "6", "7", "8", "9"} & set(keys)        # no pane to go to: these do nothing
        assert len(dashboard_keys) == len(set(dashboard_keys))
        assert len(rows) == len(set(rows))
        texts = [text for _, text in app.screen.sections[1][1]]
        assert texts.count("Next panel") == 1 and texts.count("Previous panel") == 1
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("5")                                  # and indeed does nothing
        assert active_pane(app).symbol == "^GSPC"


async def test_toasts_are_few_short_and_never_over_the_help(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    notified = record_notifications(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(app, pilot)
        for _ in range(6):
            await pilot.press("right_square_bracket")   # each says "Chart range ..."
        await pilot.pause()
        assert len(notified) == 6 and len(toasts_shown(app)) == MAX_TOASTS
        assert toasts_shown(app)[-1] == "Chart range 5Y"     # the latest stay
        assert all(n.timeout <= 10 for n in notified)
        # One toast that outlives a loaded machine's seconds under the help (the range toasts last 2 s).
        app.notify("Still here after the help", timeout=60)
        await pilot.press("question_mark", "t")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert list(app.screen.query(Toast)) and not any(toast.region for toast in app.screen.query(Toast))
        await pilot.press("escape")
        await pilot.pause()
        assert any(toast.region for toast in app.screen.query(Toast))     # still there, shown again


def alert_lines(count: int) -> tuple[AlertLine, ...]:
    return tuple(AlertLine(f"k{n}", f"^X{n}", "macd_sell", date(2025, 9, 25), f"Index {n}: MACD sell", "close 1.00")
                 for n in range(count))


async def test_the_alerts_of_one_refresh_are_one_toast(tmp_path: Path) -> None:
    app = make_app(tmp_path, live=True, announcing=[alert_lines(8)])     # the first live refresh's news
    notified = record_notifications(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(app, pilot, lambda: app.pipeline.refreshes == 1 and app.refreshing_since is None)
        alerts = [n for n in notified if n.title.startswith("Alert")]
        assert len(alerts) == 1 and alerts[0].title == "Alerts"
        assert alerts[0].message.count("\n") == MAX_ALERT_LINES and alerts[0].message.endswith("and 3 more")


async def test_screenshot_is_saved_and_its_path_shown(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    notified = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        saved = list(tmp_path.glob("tuimarket-*.svg"))
        assert len(saved) == 1 and saved[0].read_text().startswith("<svg")
        assert any(str(saved[0]) in n.message for n in notified)


def fail_writes_into(directory: Path, monkeypatch, failure: str) -> None:
    """Make the OS refuse files in `directory`: a read-only file system, or a disk full halfway through."""
    real_open, real_write = os.open, os.write

    def refusing_open(path, flags, *args, **kwargs):
        if Path(path).parent == directory and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    def filling_write(descriptor, data):
        if os.readlink(f"/proc/self/fd/{descriptor}").startswith(str(directory)):
            if len(data) > 100:
                return real_write(descriptor, data[:len(data) // 2])     # half of it fits, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(descriptor, data)

    if failure == "read-only":
        monkeypatch.setattr(os, "open", refusing_open)
    else:
        monkeypatch.setattr(os, "write", filling_write)


@pytest.mark.parametrize("failure, reason", [("read-only", "Read-only file system"),
                                             ("full disk", "No space left on device"),
                                             ("a file in the way", "Not a directory")])
async def test_a_screenshot_that_cannot_be_written_is_a_notification_and_leaves_no_file(
        failure: str, reason: str, tmp_path: Path, monkeypatch) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    app = make_app(shots / "blocked" if failure == "a file in the way" else shots)
    notified = record_notifications(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        if failure == "a file in the way":
            (shots / "blocked").write_text("")
        else:
            fail_writes_into(shots, monkeypatch, failure)
        await pilot.press("s")
        await pilot.pause()
        monkeypatch.undo()
        assert app.is_running
        errors = [n for n in notified if n.severity == "error"]
        assert len(errors) == 1 and reason in errors[0].message, notified
    assert [p.name for p in shots.iterdir()] == (["blocked"] if failure == "a file in the way" else [])


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
        await search_palette(app, pilot, "range 5Y")
        await pilot.press("enter")
        await pilot.pause()
        assert app.chart_range == "5Y"
        await search_palette(app, pilot, "jump russell")
        await pilot.press("enter")
        await pilot.pause()
        assert active_pane(app).symbol == "^RUT"


@pytest.mark.parametrize("settings, rings", [("", False), ("[ui]\nbell = true", True),
                                             ("[alerts]\nbell = true", True)])
async def test_the_bell_rings_on_an_alert_only_when_configured(settings: str, rings: bool, tmp_path: Path) -> None:
    config = parse(settings)
    pipeline = ScriptedPipeline(config, start=date(2025, 9, 24), announcing=[(), alert_lines(2)])
    app = TuimarketApp(config, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    rung = []
    app.bell = lambda: rung.append(True)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: pipeline.refreshes == 1 and app.refreshing_since is None)
        assert not rung                                 # the first live refresh found nothing new
        app.action_refresh()
        await until(app, pilot, lambda: pipeline.refreshes == 2 and app.refreshing_since is None)
    assert bool(rung) == rings


async def test_the_collector_is_paused_for_the_first_frame_only(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, gc.isenabled)       # once the first frame is out
        assert gc.isenabled()
    quitting_at_once = make_app(tmp_path)
    async with quitting_at_once.run_test(size=(80, 24)):
        pass                         # ends before its first frame is out
    assert gc.isenabled()


@pytest.mark.slow     # 21 themes x three screens at 160x48: CI runs it in its slow step
async def test_every_theme_paints_the_dashboard_the_detail_screen_and_help(tmp_path: Path) -> None:
    """`t`, the palette and the config reach every built-in theme, the ANSI ones included."""
    app = make_app(tmp_path, live=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        for theme in sorted(app.available_themes):
            app.theme = theme
            refreshes = app.pipeline.refreshes
            await pilot.press("r")     # a refresh in this theme repaints the bar and the table
            await until(app, pilot, lambda: app.pipeline.refreshes > refreshes)
            await paint_detail_and_help(app, pilot)
            assert "Close" in app.export_screenshot().replace("&#160;", " "), theme     # the charts drew
        assert app.is_running


async def test_the_configured_ansi_theme_starts(tmp_path: Path) -> None:
    config = Config(ui=UiSettings(theme="ansi-dark"))
    app = TuimarketApp(config, ScriptedPipeline(config, start=AS_OF, live=False), now=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == "ansi-dark" and "INVESTED" in bar_text(app)


async def test_no_color_means_no_colour_not_grey(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        segments = [Segment("x", Style(color="#e6194b", bgcolor="#3cb44b", reverse=True))]
        for line_filter in app.get_line_filters():
            segments = line_filter.apply(segments, TextualColor(0, 0, 0))
        style = segments[0].style
        assert style.color.is_default and style.bgcolor.is_default and style.reverse


async def test_the_rrg_opens_from_the_dashboard_the_table_and_the_palette_and_steps_through_weeks(
        tmp_path: Path) -> None:
    from datetime import timedelta

    from tuimarket.ui.screens.rrg import RrgScreen
    from tuimarket.ui.widgets.charts import RrgChart

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")                               # from a panel
        assert isinstance(app.screen, RrgScreen)
        latest = app.screen.view.week
        await pilot.press("comma", "comma")
        assert app.screen.view.week == latest - timedelta(weeks=2)
        await pilot.press("full_stop")
        assert app.screen.view.week == latest - timedelta(weeks=1)
        await pilot.press("end")                             # the list of symbols has the focus
        assert app.screen.view.week == latest
        await pilot.press("escape", "4", "down", "down", "g")     # from the table: its row is selected
        await pilot.pause()
        table_symbol = app.dashboard_screen.query_one(RotationTable).symbol_under_cursor
        assert isinstance(app.screen, RrgScreen) and app.screen.selected == table_symbol
        heading = str(app.screen.query_one("#rrg-heading").render())
        assert table_symbol in heading and "RS-Ratio" in heading and "RS-Mom" in heading
        plain = app.screen.query_one(RrgChart).render().plain
        for label in ("Leading", "Weakening", "Lagging", "Improving", *(mark.symbol for mark in app.screen.view.marks)):
            assert label in plain, label                     # named, not told apart by colour alone
        await pilot.press("escape")
        await search_palette(app, pilot, "rotation graph")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RrgScreen)


async def test_the_rrg_at_80x24_has_shorter_tails_and_abbreviated_labels(tmp_path: Path) -> None:
    from tuimarket.ui.widgets.charts import RrgChart

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await pilot.pause()
        plain = app.screen.query_one(RrgChart).render().plain
        assert "4-week tails" in plain and "Lead" in plain and "Leading" not in plain
        assert app.screen.query_one("#rrg-list").size.height >= 5      # the symbols to select, below the graph


async def test_the_rotation_columns_fit_their_cells_when_the_data_is_there_at_the_first_paint(tmp_path: Path) -> None:
    """A snapshot already built (another screen's, a cached one) reaches the table before its first
    paint: each column still widens to its cells rather than staying cut at its header's width."""
    loaded(CONFIG, AS_OF)
    app = make_app(tmp_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(RotationTable)
        shown = "\n".join(table.render_line(y).text for y in range(table.size.height))
        for line in table.lines.values():
            assert [cell for cell in line.cells if cell not in shown] == [], line.symbol
