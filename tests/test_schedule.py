"""When the next refresh starts: the market's pace from the NYSE calendar, stretched by failures and rate limits."""

from __future__ import annotations

import io
import threading
from dataclasses import replace
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from fakes import FakeYahoo, no_sleep_recorder
from tuimarket import watch
from tuimarket.alerts.delivery import Deliveries
from tuimarket.config import AlertSettings, Config, RefreshSettings, RotationSettings, Symbol
from tuimarket.data import calendar, schedule
from tuimarket.data.feed import Feed
from tuimarket.data.schedule import MarketHours, Outcome
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.port import Loaded

from ui_support import FIXED_NOW, ScriptedPipeline, loaded, until

NY = ZoneInfo("America/New_York")
REFRESH = RefreshSettings(open_seconds=60, closed_seconds=1800)


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def pace(moment: str) -> float:
    now = ny(moment)
    return schedule.interval(now, calendar.market_hours(now), REFRESH)


@pytest.mark.parametrize(("moment", "seconds"), [
    ("2025-11-25 11:00", 60),        # a Tuesday, the market open
    ("2025-11-25 16:30", 1800),      # after the close
    ("2025-11-29 12:00", 1800),      # a Saturday
    ("2025-11-27 11:00", 1800),      # Thanksgiving: closed all day
    ("2025-11-28 12:59", 60),        # the day after: open until its early close at 13:00 ...
    ("2025-11-28 13:30", 1800),      # ... and closed after it
    ("2025-12-01 09:20", 600),       # ten minutes before Monday's bell: never past it
    ("2025-12-01 09:29:59", 1),      # a second before: at least a second
    ("2025-11-26 15:59", 60),        # a minute before the close, still open
])
def test_the_pace_follows_the_exchange_calendar(moment: str, seconds: float) -> None:
    assert pace(moment) == seconds


def test_without_a_known_next_open_the_closed_pace_is_kept() -> None:
    assert schedule.interval(ny("2025-11-29 12:00"), MarketHours(False, None), REFRESH) == 1800


NOW = ny("2025-11-25 11:00")


@pytest.mark.parametrize(("failures", "seconds"), [(0, 60), (1, 120), (2, 240), (4, 960), (5, 1800), (40, 1800)])
def test_failures_in_a_row_double_the_wait_up_to_half_an_hour(failures: int, seconds: float) -> None:
    assert schedule.next_delay(NOW, 60, Outcome(failures)) == seconds


def test_a_pace_longer_than_the_cap_is_never_shortened_by_failures() -> None:
    assert schedule.next_delay(NOW, 3600, Outcome(3)) == 3600


def test_a_rate_limit_waits_until_yahoo_allows_a_request() -> None:
    ten_minutes = NOW + timedelta(minutes=10)
    # Yahoo's time, not our doubling: one failure would have waited 120 s, twelve the full half hour.
    assert schedule.next_delay(NOW, 60, Outcome(1, ten_minutes)) == 600
    assert schedule.next_delay(NOW, 60, Outcome(12, ten_minutes)) == 600
    # Never sooner than the market's pace: closed, a limit ending in 30 s still waits the half hour.
    assert schedule.next_delay(NOW, 1800, Outcome(1, NOW + timedelta(seconds=30))) == 1800
    # A limit already over counts for nothing: the failures back off as any other.
    assert schedule.next_delay(NOW, 60, Outcome(2, NOW - timedelta(seconds=1))) == 240


# ---- the watcher and the monitor both follow it -------------------------------------------------

OPEN = ny("2025-09-26 11:00")          # a Friday, the market open: the pace is a minute
# One symbol and no event alerts: what is timed here is the wait between passes, not their work.
SMALL = Config(indexes=(Symbol("^GSPC", "S&P 500"),), rotation=RotationSettings(symbols=(Symbol("XLK", "Tech"),)),
               alerts=AlertSettings(events=()))


class TooManyRequests(Exception):
    """An HTTP 429 as curl_cffi raises it, asking for ten minutes."""

    def __init__(self) -> None:
        super().__init__("HTTP 429 Too Many Requests")
        self.response = SimpleNamespace(status_code=429, headers={"Retry-After": "600"})


@pytest.mark.parametrize(("error", "waits"), [
    (ConnectionError("[Errno 111] Connection refused"), [120, 240]),    # failures in a row back off
    (TooManyRequests(), [600, 600]),       # a rate limit waits as long as Yahoo asked, never less
    (None, [60, 60]),
])
def test_the_watcher_waits_as_the_schedule_says(error: Exception | None, waits: list[float]) -> None:
    _, sleep = no_sleep_recorder()
    # A cache to fall back on, then a Yahoo that fails in the same way every time (or never).
    Feed(SMALL, download=FakeYahoo(end=date(2025, 9, 25)), now=lambda: OPEN, sleep=sleep).refresh()
    feed = Feed(SMALL, download=FakeYahoo(end=date(2025, 9, 25), error=error), now=lambda: OPEN, sleep=sleep,
                attempts=1)
    stop, seen = threading.Event(), []

    def wait(seconds: float) -> bool:
        seen.append(seconds)
        if len(seen) == len(waits):
            stop.set()
        return stop.is_set()

    stop.wait = wait      # type: ignore[method-assign]
    assert watch.run_watch(SMALL, feed, watch.Announcer(io.StringIO(), Deliveries([])), stop=stop,
                           now=lambda: OPEN) == 0
    assert seen == waits


class RateLimited(ScriptedPipeline):
    """Every live refresh is refused by a rate limit that lasts until ten minutes after FIXED_NOW."""

    def refresh(self) -> Loaded:
        self.refreshes += 1
        return replace(loaded(self.config, self.start), error="Yahoo is limiting our requests (rate limit)",
                       retry_at=FIXED_NOW + timedelta(minutes=10))


async def test_the_monitor_waits_out_a_rate_limit_rather_than_backing_off_blindly(tmp_path) -> None:
    pipeline = RateLimited(Config(), start=date(2025, 9, 25))
    app = TuimarketApp(Config(), pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: app.failures >= 1)
        # One failure alone would have waited twice the minute; Yahoo asked for ten.
        assert (app.next_refresh - FIXED_NOW).total_seconds() == 600
        assert pipeline.refreshes == 1
