"""Fetching by need: each symbol asks Yahoo only for what it lacks, in requests of at most 100.

The fake download serves real bars (the bundled S&P 500 members' closes since 2025, open = high =
low = close: over a year, so Yahoo's answer counts as the whole history) shaped as yfinance
returns them, and records what each request asked for.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd
import pytest
from yfinance.exceptions import YFRateLimitError

from fakes import FakeYahoo, no_sleep_recorder
from tuimarket.config import Config, RotationSettings, Symbol
from tuimarket.data import members
from tuimarket.data.feed import MAX_SYMBOLS_PER_REQUEST, Feed
from tuimarket.data.model import FreshnessState

END = date(2026, 2, 13)
NOW = datetime(2026, 2, 14, 17, 0, tzinfo=timezone.utc)     # a Saturday: the market is closed
LATER = datetime(2026, 2, 19, 2, 0, tzinfo=timezone.utc)     # after the close of 2026-02-18
FULL_START = "2014-02-14"                                      # history_years = 12 before NOW
LATER_FULL_START = "2014-02-19"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TUIMARKET_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def member_history() -> dict[str, pd.DataFrame]:
    closes = members.bundled().closes.loc["2025-01-02":]   # a short history keeps the writes quick
    return {symbol: pd.DataFrame({"Open": close, "High": close, "Low": close, "Close": close, "Volume": 1e6})
            for symbol, close in ((symbol, closes[symbol].dropna()) for symbol in closes.columns[:220])}


def watching(symbols) -> Config:
    """A config whose rotation holds these members (the indexes stay as they are)."""
    return Config(rotation=RotationSettings(include_indexes=False,
                                            symbols=tuple(Symbol(symbol, symbol) for symbol in symbols)))


def refresh(config: Config, fake: FakeYahoo, now: datetime = NOW):
    _, sleep = no_sleep_recorder()
    return Feed(config, download=fake, now=now, sleep=sleep, attempts=1).refresh()


def asked(fake: FakeYahoo) -> list[tuple[str, int]]:
    return [(call["start"], len(call["tickers"])) for call in fake.calls]


def test_adding_a_symbol_fetches_its_history_alone(member_history) -> None:
    symbols, added = list(member_history)[:20], list(member_history)[25]
    refresh(watching(symbols), FakeYahoo(end=END, history=member_history))
    fake = FakeYahoo(end=date(2026, 2, 18), history=member_history)
    data = refresh(watching(symbols + [added]), fake, now=LATER)
    new, incremental = fake.calls     # the earliest start first
    assert new["tickers"] == [added] and new["start"] == LATER_FULL_START
    assert added not in incremental["tickers"] and incremental["start"] == "2026-01-30"   # 10 sessions back
    assert len(incremental["tickers"]) == 20 + 3        # the members and the three indexes
    assert data.bars[added].index[-1] == pd.Timestamp("2026-02-18")
    assert data.freshness[added].state is FreshnessState.LIVE


def test_many_new_symbols_go_in_requests_of_at_most_100(member_history) -> None:
    fake = FakeYahoo(end=END, history=member_history)
    data = refresh(watching(list(member_history)[:210]), fake)
    assert asked(fake) == [(FULL_START, 100), (FULL_START, 100), (FULL_START, 13)]
    assert max(len(call["tickers"]) for call in fake.calls) <= MAX_SYMBOLS_PER_REQUEST
    assert sorted(ticker for call in fake.calls for ticker in call["tickers"]) == sorted(data.bars)
    assert {state.state for state in data.freshness.values()} == {FreshnessState.LIVE}


def test_after_a_full_load_every_symbol_asks_only_for_its_last_sessions(member_history) -> None:
    config = watching(list(member_history)[:110])
    refresh(config, FakeYahoo(end=END, history=member_history))
    fake = FakeYahoo(end=date(2026, 2, 18), history=member_history)
    refresh(config, fake, now=LATER)
    assert asked(fake) == [("2026-01-30", 100), ("2026-01-30", 13)]


def test_a_failed_request_leaves_its_symbols_on_the_cache_and_the_others_live(member_history) -> None:
    config = watching(list(member_history)[:110])
    refresh(config, FakeYahoo(end=END, history=member_history))
    fake = FakeYahoo(end=date(2026, 2, 18), history=member_history, empty=True, failures=1)
    data = refresh(config, fake, now=LATER)
    first, second = (call["tickers"] for call in fake.calls)
    assert {data.freshness[symbol].state for symbol in first} == {FreshnessState.STALE}
    assert {data.freshness[symbol].state for symbol in second} == {FreshnessState.LIVE}
    assert data.error is None
    assert any(note.startswith("Yahoo returned no data for ") and "and 95 more" in note for note in data.notes)


def test_a_rate_limit_stops_the_refresh_asking_again(member_history) -> None:
    config = watching(list(member_history)[:110])
    refresh(config, FakeYahoo(end=END, history=member_history))
    fake = FakeYahoo(end=date(2026, 2, 18), history=member_history, error=YFRateLimitError())
    data = refresh(config, fake, now=LATER)
    assert len(fake.calls) == 1                       # the second request was never sent
    assert {state.state for state in data.freshness.values()} == {FreshnessState.STALE}
    assert "rate limit" in data.error
