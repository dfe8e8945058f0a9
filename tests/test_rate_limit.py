"""A rate limit is waited out, visibly: no request until the next try, which the error names."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from yfinance.exceptions import YFRateLimitError

from fakes import FakeYahoo, no_sleep_recorder
from tuimarket.config import Config
from tuimarket.data.feed import Feed
from tuimarket.data.model import FreshnessState

END = date(2025, 9, 25)
START = datetime(2025, 9, 27, 12, 0, tzinfo=timezone.utc)


class TooManyRequests(Exception):
    """An HTTP 429 as curl_cffi / requests raise it: the response rides on the exception."""

    def __init__(self, retry_after: str) -> None:
        super().__init__("HTTP 429 Too Many Requests")
        self.response = SimpleNamespace(status_code=429, headers={"Retry-After": retry_after})


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TUIMARKET_CACHE_DIR", str(tmp_path / "cache"))


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def next_try(at: datetime) -> str:
    return f"next try {at.astimezone():%H:%M}"


def limited_feed(fake: FakeYahoo, clock: Clock, attempts: int = 3) -> Feed:
    _, sleep = no_sleep_recorder()
    Feed(Config(), download=FakeYahoo(end=END), now=clock, sleep=sleep).refresh()     # a cache to fall back on
    return Feed(Config(), download=fake, now=clock, sleep=sleep, attempts=attempts)


def test_a_rate_limit_waits_a_minute_then_doubles_and_says_when() -> None:
    clock, fake = Clock(), FakeYahoo(end=END, error=YFRateLimitError())
    feed = limited_feed(fake, clock)
    first = feed.refresh()
    assert "rate limit" in first.error and first.error.endswith(f"; {next_try(START + timedelta(minutes=1))}")
    assert {state.state for state in first.freshness.values()} == {FreshnessState.STALE}
    asked = len(fake.calls)
    clock.now = START + timedelta(seconds=50)
    waiting = feed.refresh()
    assert len(fake.calls) == asked                  # no request before the next try
    assert waiting.error == f"Yahoo is limiting our requests (rate limit); {next_try(START + timedelta(minutes=1))}"
    clock.now = START + timedelta(minutes=1)
    feed.refresh()                                   # asks again, is limited again: two minutes now
    assert len(fake.calls) > asked
    assert feed.refresh().error.endswith(next_try(clock.now + timedelta(minutes=2)))


def test_the_wait_ends_when_yahoo_answers() -> None:
    clock, fake = Clock(), FakeYahoo(end=END, error=YFRateLimitError(), failures=1)
    feed = limited_feed(fake, clock, attempts=1)
    assert "rate limit" in feed.refresh().error
    clock.now = START + timedelta(minutes=1)
    recovered = feed.refresh()
    assert recovered.error is None
    assert {state.state for state in recovered.freshness.values()} == {FreshnessState.LIVE}


def test_retry_after_is_honoured_and_not_retried_sooner() -> None:
    clock, fake = Clock(), FakeYahoo(end=END, error=TooManyRequests("600"))
    feed = limited_feed(fake, clock)
    data = feed.refresh()
    assert len(fake.calls) == 1                      # no retry inside the ten minutes Yahoo asked for
    assert data.error.endswith(next_try(START + timedelta(minutes=10)))


@pytest.mark.parametrize(("header", "wait"), [("120", timedelta(minutes=2)),
                                              ("Sat, 27 Sep 2025 12:05:00 GMT", timedelta(minutes=5)),
                                              ("soon", timedelta(minutes=1))])   # unreadable: our own first wait
def test_retry_after_reads_seconds_or_a_date_on_the_feeds_clock(header: str, wait: timedelta) -> None:
    clock, fake = Clock(), FakeYahoo(end=END, error=TooManyRequests(header))
    assert limited_feed(fake, clock).refresh().error.endswith(next_try(START + wait))
