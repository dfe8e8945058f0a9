"""Old data is never presented as today's call: it says how many sessions old it is, muted.

The scenario of issue 10: offline on a machine dated 2026-12-01, with history ending 2025-09-25.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pytest

from tuimarket.config import Config, DataSettings
from tuimarket.data import bundled, calendar
from tuimarket.data.feed import Feed
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.viewmodels import dashboard, freshness
from tuimarket.ui.widgets.index_panel import IndexPanel
from tuimarket.ui.widgets.market_bar import MarketBar

from test_app import until
from ui_support import FIXED_NOW, NEW_YORK, ScriptedPipeline, loaded

CONFIG = Config(data=DataSettings(source="bundled"))
LAST_BAR = date(2025, 9, 25)
MUCH_LATER = datetime(2026, 12, 1, 11, 0, tzinfo=NEW_YORK)     # a Tuesday, the market open


@pytest.mark.parametrize("now, sessions", [
    (datetime(2025, 9, 25, 15, 59, tzinfo=NEW_YORK), 0),        # the last bar's own session, still open
    (datetime(2025, 9, 26, 8, 15, tzinfo=NEW_YORK), 0),         # the next morning: nothing is missing yet
    (datetime(2025, 9, 26, 16, 0, tzinfo=NEW_YORK), 1),         # Friday's close: one bar missing
    (datetime(2025, 9, 28, 12, 0, tzinfo=NEW_YORK), 1),         # the weekend adds none
    (MUCH_LATER, 296),
])
def test_sessions_are_counted_on_the_nyse_calendar(now: datetime, sessions: int) -> None:
    assert calendar.sessions_since(LAST_BAR, now) == sessions


def test_the_view_model_says_how_old_only_when_sessions_are_missing() -> None:
    snapshot = loaded(CONFIG, LAST_BAR).snapshot
    assert dashboard(snapshot, "live").freshness == ""
    board = dashboard(snapshot, "offline", True, 296)
    assert board.freshness == "as of 2025-09-25 (296 sessions old)"
    assert {panel.freshness for panel in board.panels} == {board.freshness}
    assert freshness(LAST_BAR, 1) == "as of 2025-09-25 (1 session old)"


def test_the_pipeline_counts_sessions_off_the_event_loop_and_not_in_a_replay(monkeypatch) -> None:
    monkeypatch.setattr(calendar, "now_utc", lambda: MUCH_LATER)
    assert MarketPipeline(CONFIG, Feed(CONFIG, source="bundled"), source="bundled").initial().sessions_old == 296
    replay = MarketPipeline(CONFIG, Feed(CONFIG, source="bundled", as_of=LAST_BAR), source="bundled", as_of=LAST_BAR)
    assert replay.initial().sessions_old == 0


def a_year_later(tmp_path: Path, monkeypatch) -> TuimarketApp:
    """The monitor, offline on 2026-12-01, over history that ends 2025-09-25."""
    monkeypatch.setattr(calendar, "now_utc", lambda: MUCH_LATER)
    pipeline = MarketPipeline(CONFIG, Feed(CONFIG, source="bundled"), source="bundled")
    return TuimarketApp(CONFIG, pipeline, now=lambda: MUCH_LATER, screenshot_dir=tmp_path)


async def test_offline_a_year_later_the_stance_and_badges_say_how_old_muted(tmp_path: Path, monkeypatch) -> None:
    app = a_year_later(tmp_path, monkeypatch)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, pilot, lambda: app.computed is not None)
        bar = app.screen.query_one(MarketBar)
        assert "INVESTED · 296 sessions old" in bar.render().plain or \
            "DEFENSIVE · 296 sessions old" in bar.render().plain        # the date is on the panels
        assert bar.has_class("-stale")
        for panel in app.screen.query(IndexPanel):
            assert panel.has_class("-stale")
            note = panel.query_one(".panel-freshness")
            # the date, then how old, a line each: the side column beside an 80-column chart is 30 wide
            assert note.display and str(note.render()).splitlines() == ["as of 2025-09-25", "(296 sessions old)"]
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen) and app.screen.has_class("-stale")
        heading = str(app.screen.query_one("#detail-heading").render())
        assert "as of 2025-09-25 (296 sessions old)" in heading
        commentary = str(app.screen.query_one("#detail-commentary").render())
        assert "on the day" not in commentary and "on 2025-09-25" in commentary


async def test_at_80_columns_an_old_stance_fits_the_bar_s_one_line_saying_how_old(tmp_path: Path, monkeypatch) -> None:
    app = a_year_later(tmp_path, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: app.computed is not None)
        await pilot.pause()
        bar = app.screen.query_one(MarketBar)
        line = bar.render().plain
        assert bar.size.height == 1 and len(line) <= bar.content_size.width      # nothing wraps, nothing is cut
        assert re.fullmatch(r"NY Tue 11:00 OPEN  +(FULLY INVESTED|PARTIALLY INVESTED|DEFENSIVE) · 296 sessions old"
                            r"  +\d/3 uptrends( · breadth \d+%)?", line), line
        # Wider, the rest comes back, each fact whole: the sectors', then the members' breadth, then the data's source.
        await pilot.resize_terminal(200, 50)
        # The bar repaints on its own Resize event: under load, a pause can end before that is handled.
        await until(app, pilot, lambda: "members " in bar.render().plain)
        assert "members " in bar.render().plain and "offline bundled as of 2025-09-25" in bar.render().plain


async def test_up_to_date_data_is_not_muted(tmp_path: Path) -> None:
    app = TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, start=LAST_BAR, live=False), now=lambda: FIXED_NOW,
                       screenshot_dir=tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.screen.query_one(MarketBar).has_class("-stale")
        assert not any(panel.has_class("-stale") for panel in app.screen.query(IndexPanel))
        assert not app.screen.query_one(IndexPanel).query_one(".panel-freshness").display


def test_a_stale_board_survives_the_saved_view(tmp_path: Path) -> None:
    from tuimarket.ui import saved_view

    board = dashboard(loaded(CONFIG, LAST_BAR).snapshot, "offline", True, 3)
    saved_view.save(tmp_path / "view.json", board, {})
    assert saved_view.load(tmp_path / "view.json").board.freshness == "as of 2025-09-25 (3 sessions old)"


@pytest.mark.parametrize("last_bar", [date(2016, 6, 1), date(2022, 12, 30), date(2023, 1, 3)])
def test_data_older_than_the_monitor_s_calendar_counts_every_session_it_lacks(last_bar: date) -> None:
    """The monitor's calendar spans three years back; data older than that lacks the sessions
    before it too (an old cache, or the bundle years from now). Oracle: the S&P 500's own bars."""
    sessions = bundled.load("^GSPC").index
    end = sessions[-1]
    closed_after_end = datetime.combine(end.date(), time(17, 0), NEW_YORK)
    assert calendar.sessions_since(last_bar, closed_after_end) == ((sessions > pd.Timestamp(last_bar)) & (sessions <= end)).sum()
