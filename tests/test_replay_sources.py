"""A replay reads, per symbol, the history that reaches its date: the bundle's decades behind a cache
that holds only a live session's last years, the cache past the bundle's end."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tuimarket.config import Config
from tuimarket.data.feed import Feed
from tuimarket.data.store import Store
from tuimarket.monitor import MarketPipeline

from fakes import FakeYahoo

NOW = datetime(2025, 9, 26, 11, 0, tzinfo=ZoneInfo("America/New_York"))     # a session forming
CONFIG = Config()


@pytest.fixture(scope="module")
def cached_live(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache as a first live session leaves it: the last years of every symbol, today's forming bar."""
    path = tmp_path_factory.mktemp("live") / "market.sqlite3"
    store = Store(path)
    MarketPipeline(CONFIG, Feed(CONFIG, download=FakeYahoo(), store=store, now=NOW, sleep=lambda _: None)).refresh()
    assert store.read_many(["^GSPC"])["^GSPC"].index[0].year > 2010      # only the last years are cached
    store.close()
    return path


def replay(path: Path, day: date, source: str | None = None) -> MarketPipeline:
    feed = Feed(CONFIG, source=source, download=FakeYahoo(), store=Store(path), now=NOW, as_of=day)
    return MarketPipeline(CONFIG, feed, as_of=day)


def test_a_replay_before_the_cache_reads_the_bundled_history(cached_live: Path) -> None:
    loaded = replay(cached_live, date(2007, 12, 31)).initial()
    assert [index.as_of for index in loaded.snapshot.indices] == [date(2007, 12, 31)] * 3
    # The S&P 500's record close before the 2008 crash: 1,565.15 on 2007-10-09.
    record = loaded.snapshot.indices[0].all_time_high
    assert (round(record.close, 2), record.date) == (1565.15, date(2007, 10, 9))


def test_a_replay_past_the_bundle_reads_the_cache(cached_live: Path) -> None:
    pipeline = replay(cached_live, date(2025, 9, 26))
    assert pipeline.initial().snapshot.as_of == date(2025, 9, 26)      # the bundle ends on 2025-09-25
    assert pipeline.step(-1).snapshot.as_of == date(2025, 9, 25)


def test_stepping_a_replay_before_every_bar_at_hand_shows_nothing_and_fails_nothing(cached_live: Path) -> None:
    pipeline = replay(cached_live, date(2007, 12, 31), source="yahoo")     # no bundle behind the cache
    assert pipeline.initial().snapshot.as_of is None
    assert pipeline.step(-1).snapshot.as_of is None and pipeline.step(5).snapshot.as_of is None
