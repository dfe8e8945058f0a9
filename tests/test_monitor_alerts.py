"""The monitor's alerts: the real Feed (fake Yahoo), a real SQLite cache and the watcher's store logic
behind the app; the toast, the bell, the unread count, each panel's latest event and the alert log."""

from __future__ import annotations

import threading
from bisect import bisect_right
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from textual.widgets import DataTable

from alert_support import RULES, Clock
from tuimarket import config
from tuimarket.alerts import Alert
from tuimarket.alerts.delivery import Deliveries, RateLimit
from tuimarket.data import bundled
from tuimarket.data.feed import Feed
from tuimarket.data.store import Store
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.actions import WEEK_SESSIONS
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.screens.alerts import AlertScreen
from tuimarket.ui.viewmodels import LatestEvent, MarketHours, latest_event_text
from tuimarket.ui.widgets.index_panel import IndexPanel
from ui_support import bar_text, record_notifications, search_palette, settle, type_ahead, until

# The level rules alone: S&P 500 above 6,000, ^RUT across its 200-day. A first live load fetches
# 4 years, not 12: each rule's first crossing and the years of older ones are all in them.
LIVE_YEARS = "\n[data]\nhistory_years = 4\n"
SETTINGS = config.parse(RULES + LIVE_YEARS)
CROSSING = "S&P 500 closed above 6,000"   # on 2024-11-11, the first close above


class HangingSink:
    """A sink whose delivery blocks until released, recording what reached it."""

    name = "hanging"

    def __init__(self) -> None:
        self.release, self.delivered = threading.Event(), []

    def deliver(self, alert: Alert) -> None:
        self.release.wait(10)
        self.delivered.append(alert.title)


def pipeline(tmp_path: Path, clock: Clock, deliveries: Deliveries | None = None, *,
             settings: config.Config = SETTINGS) -> MarketPipeline:
    feed = Feed(settings, download=clock.yahoo, store=Store(tmp_path / "market.sqlite3"), now=lambda: clock.now,
                sleep=lambda _: None)
    return MarketPipeline(settings, feed, deliveries=deliveries)


def alert_app(tmp_path: Path, clock: Clock, settings: config.Config = SETTINGS) -> TuimarketApp:
    """The app on the real pipeline, its clock `clock`'s; the next refresh an hour away unless asked."""
    app = TuimarketApp(settings, pipeline(tmp_path, clock, settings=settings), now=lambda: clock.now,
                       screenshot_dir=tmp_path)
    app.pipeline.market_hours = lambda now: MarketHours(False, None)     # no calendar build in these tests
    app.pipeline.refresh_interval = lambda now: 3600.0
    return app


def titles(loaded) -> list[str]:
    return [alert.title for alert in loaded.announced]


def test_live_refreshes_announce_news_once_and_a_restart_replays_nothing(tmp_path: Path) -> None:
    clock = Clock(date(2024, 11, 8))
    pipe = pipeline(tmp_path, clock)
    assert pipe.initial().announced == ()
    first_watch = pipe.refresh()
    assert titles(first_watch) == [] and first_watch.unread == 0   # years of crossings, none is news
    clock.move(date(2024, 11, 11))
    crossed = pipe.refresh()
    assert titles(crossed) == [CROSSING] and crossed.announced[0].date == date(2024, 11, 11)
    assert crossed.unread == 1
    assert titles(pipe.refresh()) == []          # never twice
    pipe.feed.store.close()
    restarted = pipeline(tmp_path, clock)
    first = restarted.initial()
    assert first.announced == () and first.unread == crossed.unread     # the count survives, the toast does not
    assert titles(restarted.refresh()) == []
    restarted.feed.store.close()


def test_a_hanging_sink_gets_the_alert_without_delaying_the_refresh(tmp_path: Path) -> None:
    clock, sink = Clock(date(2024, 11, 8)), HangingSink()
    deliveries = Deliveries([(sink, RateLimit(0, 100))])
    pipe = pipeline(tmp_path, clock, deliveries)
    pipe.refresh()
    clock.move(date(2024, 11, 11))
    assert titles(pipe.refresh()) == [CROSSING]  # returned while the sink still hangs
    assert sink.delivered == []
    sink.release.set()
    assert deliveries.drain(10) and sink.delivered == [CROSSING]
    pipe.feed.store.close()


def test_a_replay_records_nothing(tmp_path: Path) -> None:
    clock = Clock(date(2024, 11, 8))
    feed = Feed(SETTINGS, download=clock.yahoo, store=Store(tmp_path / "market.sqlite3"), now=lambda: clock.now,
                as_of=date(2024, 11, 11), sleep=lambda _: None)
    replay = MarketPipeline(SETTINGS, feed, as_of=date(2024, 11, 11))
    assert replay.refresh().announced == () and replay.alert_log(10) == []
    feed.store.close()


def test_the_log_marks_read_and_mutes_through_the_port(tmp_path: Path) -> None:
    clock = Clock(date(2024, 11, 8))
    pipe = pipeline(tmp_path, clock)
    pipe.refresh()
    log = pipe.alert_log(500)
    assert log and log == sorted(log, key=lambda alert: alert.date, reverse=True)
    assert all(line.read for line in log)        # history, recorded quietly: never news, never unread
    clock.move(date(2024, 11, 11))
    assert pipe.refresh().unread == 1
    newest = pipe.alert_log(1)[0]
    assert (newest.title, newest.read) == (CROSSING, False)
    assert pipe.mark_read([newest.key]) == 0
    assert pipe.alert_log(1)[0].read
    assert pipe.mark_read(None) == 0
    pipe.feed.store.close()


def test_a_muted_symbol_is_recorded_not_announced_nor_unread(tmp_path: Path) -> None:
    clock = Clock(date(2024, 11, 8))
    pipe = pipeline(tmp_path, clock)
    pipe.refresh()
    assert pipe.mute("symbol", "^GSPC")
    clock.move(date(2024, 11, 11))
    muted = pipe.refresh()
    assert titles(muted) == [] and muted.unread == 0     # muted: recorded, not announced
    assert any(alert.title == CROSSING and alert.read for alert in pipe.alert_log(5))
    pipe.feed.store.close()


def test_a_first_live_run_over_years_of_history_leaves_at_most_the_newest_per_series_unread(tmp_path: Path) -> None:
    """Every event kind over the years a first live load fetches: thousands recorded, only news unread."""
    settings = config.parse(LIVE_YEARS)
    pipe = pipeline(tmp_path, Clock(date(2024, 11, 8)), settings=settings)
    loaded = pipe.refresh()
    recorded = pipe.alerts.recent(100_000)
    assert len(recorded) > 1000
    series = {(stored.alert.symbol, stored.alert.kind, stored.alert.subject) for stored in recorded}
    assert loaded.unread == len(loaded.announced) <= len(series)
    assert all(alert.date == date(2024, 11, 8) for alert in loaded.announced)   # its latest session only
    pipe.feed.store.close()


def test_each_index_has_its_latest_event_with_its_age_and_the_change_since(tmp_path: Path) -> None:
    loaded = pipeline(tmp_path, Clock(date(2024, 11, 8)), settings=config.parse(LIVE_YEARS)).refresh()
    gspc = loaded.latest_events["^GSPC"]
    assert (gspc.words, gspc.date, gspc.sessions_ago) == ("MACD buy", date(2024, 11, 7), 1)
    assert round(gspc.change_since, 4) == round(5995.54 / gspc.close_then - 1, 4)
    assert latest_event_text(gspc) == "MACD buy 1 session ago, +0.4% since"
    assert latest_event_text(LatestEvent("breakout", date(2024, 11, 6), 4, 2300.0, 0.012)) == \
        "breakout 4 sessions ago, +1.2% since"
    assert latest_event_text(loaded.latest_events["^RUT"]).endswith("on the last session")


async def test_the_app_toasts_rings_and_counts_what_a_refresh_announced(tmp_path: Path) -> None:
    clock = Clock(date(2024, 11, 8))
    settings = config.parse(RULES + LIVE_YEARS + "\n[ui]\nbell = true\n")
    app = alert_app(tmp_path, clock, settings)
    rings, notified = [], record_notifications(app)
    app.bell = lambda: rings.append(True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, pilot, lambda: app.last_refresh and app.live_started and app.refreshing_since is None)
        assert not [n for n in notified if n.title.startswith("Alert")] and not rings    # nothing is news yet
        assert app.unread == 0 and "unread" not in bar_text(app)
        clock.move(date(2024, 11, 11))
        app.action_refresh()
        await until(app, pilot, lambda: any(n.title == "Alert" for n in notified))
        await settle(app, pilot)
        assert [n.message for n in notified if n.title == "Alert"] == [CROSSING] and rings == [True]
        assert "1 unread" in bar_text(app)
        panel = app.screen.query_one(IndexPanel)
        assert "session" in panel.model.latest_event and panel.model.latest_event in str(
            panel.query_one(".panel-notes").render())
    app.pipeline.feed.store.close()


async def test_the_alert_log_lists_newest_first_marks_read_and_mutes_through_the_port(tmp_path: Path) -> None:
    clock = Clock(date(2024, 11, 8))
    app = alert_app(tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: app.live_started and app.refreshing_since is None)
        clock.move(date(2024, 11, 11))
        app.action_refresh()
        await until(app, pilot, lambda: app.unread == 1)
        await pilot.press("a")
        await until(app, pilot, lambda: isinstance(app.screen, AlertScreen) and app.screen.lines)
        screen = app.screen
        dates = [line.date for line in screen.lines]
        assert dates == sorted(dates, reverse=True) and len(screen.lines) > 1
        newest = screen.lines[0]
        assert [line.title for line in screen.lines if not line.read] == [newest.title] == [CROSSING]
        assert screen.query_one(DataTable).get_row_at(0)[3].plain == newest.title
        await pilot.press("m")
        await until(app, pilot, lambda: app.unread == 0)
        assert screen.lines[0].read and "unread" not in bar_text(app)
        await pilot.press("X")
        await until(app, pilot, lambda: ("kind", newest.kind) in app.pipeline.alerts.mutes())
        await pilot.press("M")
        await until(app, pilot, lambda: app.unread == 0)
        assert "unread" not in bar_text(app)
        await pilot.press("question_mark")
        await pilot.pause()
        help_texts = [text for _, rows in app.screen.sections for _, text in rows]
        assert "Mark the selected alert read" in help_texts and "The alert log: mark read, mute" in help_texts
    app.pipeline.feed.store.close()


async def test_the_alert_log_is_in_the_command_palette(tmp_path: Path) -> None:
    clock = Clock(date(2024, 11, 8))
    app = alert_app(tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await search_palette(app, pilot, "alert log")
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, AlertScreen))
        assert isinstance(app.screen, AlertScreen)
    app.pipeline.feed.store.close()


def test_a_replay_steps_by_sessions_within_the_history_at_hand(tmp_path: Path) -> None:
    replay = MarketPipeline(config.Config(), source="bundled", as_of=date(2024, 11, 1))
    assert replay.initial().snapshot.as_of == date(2024, 11, 1)
    assert replay.step(1).snapshot.as_of == date(2024, 11, 4) == replay.replay     # over the weekend
    assert replay.step(4).snapshot.as_of == date(2024, 11, 8)
    assert replay.step(-5).snapshot.as_of == date(2024, 11, 1)
    end = bundled.common_as_of(config.Config().all_symbols)
    replay.replay = replay.feed.as_of = end
    assert replay.step(WEEK_SESSIONS).snapshot.as_of == end == replay.replay    # never past the last bar


def test_a_replay_years_back_steps_by_sessions_too(tmp_path: Path) -> None:
    # Before the span of the monitor's calendar (a few years back): each step failed with DateOutOfBounds.
    replay = MarketPipeline(config.Config(), source="bundled", as_of=date(2016, 6, 3))
    assert replay.step(1).snapshot.as_of == date(2016, 6, 6)      # over the weekend
    assert replay.step(-2).snapshot.as_of == date(2016, 6, 2)


def test_a_replay_never_steps_back_before_the_first_bar(tmp_path: Path) -> None:
    # As it never steps past the last: stepping back from the bundled history's first bar showed a
    # replay of 1989-12-29 with no index at all (which `--as-of 1989-12-29` refuses).
    first = min(bundled.load(symbol).index[0].date() for symbol in config.Config().all_symbols)
    replay = MarketPipeline(config.Config(), source="bundled", as_of=first + timedelta(days=1))
    replay.initial()
    assert replay.step(-WEEK_SESSIONS).snapshot.as_of == first == replay.replay
    assert replay.step(-1).snapshot.as_of == first == replay.replay



def test_a_replay_of_a_day_without_a_session_is_the_session_before(tmp_path: Path) -> None:
    # `--as-of 2000-01-01` (New Year's Day, a Saturday) shows 1999-12-31: the market bar said REPLAY
    # 2000-01-01, and ',' stepped back to 1999-12-31 again, doing nothing (the property test below,
    # thorough profile: day=2000-01-01, sessions=-1).
    replay = MarketPipeline(config.Config(), source="bundled", as_of=date(2000, 1, 1))
    assert replay.initial().snapshot.as_of == date(1999, 12, 31) == replay.replay
    assert replay.step(-1).snapshot.as_of == date(1999, 12, 30)


REPLAY_SESSIONS = sorted({day.date() for symbol in config.Config().all_symbols
                          for day in bundled.load(symbol).loc[:str(bundled.common_as_of(config.Config().all_symbols))].index})


@pytest.mark.slow      # two snapshots of 35 years an example: `make test-slow` draws 25
@given(st.dates(REPLAY_SESSIONS[0], REPLAY_SESSIONS[-1]), st.sampled_from([-WEEK_SESSIONS, -1, 1, WEEK_SESSIONS]))
def test_a_replay_of_any_day_steps_to_a_session_of_the_history(day, sessions) -> None:
    # Any day of 35 years, as `--as-of` takes it: a replay before the calendar's few years failed on
    # every step (DateOutOfBounds), one stepping back past the first bar showed no index at all.
    replay = MarketPipeline(config.Config(), source="bundled", as_of=day)
    before = replay.initial().snapshot.as_of
    assert before == REPLAY_SESSIONS[bisect_right(REPLAY_SESSIONS, day) - 1]      # the last session up to the day
    after = replay.step(sessions).snapshot.as_of
    assert after == replay.replay and after in REPLAY_SESSIONS
    moved = after > before if sessions > 0 else after < before
    assert moved or after == before == (REPLAY_SESSIONS[-1] if sessions > 0 else REPLAY_SESSIONS[0])


async def test_replay_keys_step_the_whole_dashboard_and_are_inert_outside_a_replay(tmp_path: Path) -> None:
    settings = config.Config()
    app = TuimarketApp(settings, MarketPipeline(settings, source="bundled", as_of=date(2024, 11, 1)),
                       screenshot_dir=tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, pilot, lambda: app.board is not None)
        russell = app.dashboard_screen.query(IndexPanel)[2]
        before = russell.model.close
        for _ in range(5):      # typed ahead, as a held key: those asked for during the first step add up
            type_ahead(app, ".")
        await until(app, pilot, lambda: app.pipeline.replay == date(2024, 11, 8) and app.refreshing_since is None)
        await settle(app, pilot)
        assert "REPLAY 2024-11-08" in bar_text(app) and app.board.as_of == "2024-11-08"
        assert russell.model.close == "2,399.64" != before
        await pilot.press("less_than_sign")
        await until(app, pilot, lambda: app.board.as_of == "2024-11-01")
        assert russell.model.close == before and "REPLAY 2024-11-01" in bar_text(app)
        await search_palette(app, pilot, "replay: one session forward")
        await pilot.press("enter")
        await until(app, pilot, lambda: app.board.as_of == "2024-11-04")
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Replay: a week forward" in [text for _, rows in app.screen.sections for _, text in rows]
    live = alert_app(tmp_path, Clock(date(2024, 11, 8)))
    async with live.run_test(size=(80, 24)) as pilot:
        await until(live, pilot, lambda: live.live_started and live.refreshing_since is None)
        await pilot.press("full_stop", "question_mark")
        await settle(live, pilot)
        assert live.pending_steps == 0 and live.refreshing_since is None and live.pipeline.replay is None
        assert "Replay: one session forward" not in [text for _, rows in live.screen.sections for _, text in rows]
    live.pipeline.feed.store.close()


def test_a_refresh_that_reaches_no_yahoo_records_no_alert(tmp_path: Path) -> None:
    """Over the bundled history (or a failed fetch) every signal is old: none becomes news."""
    clock = Clock(date(2024, 11, 8))
    clock.yahoo.error = ConnectionError("no route to Yahoo")
    loaded = pipeline(tmp_path, clock).refresh()
    assert loaded.error and loaded.offline
    assert (loaded.announced, loaded.unread) == ((), 0)
