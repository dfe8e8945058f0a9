"""Feed faults: whatever Yahoo does, a refresh returns, the last good data stays and the cache survives.

Each case fills the cache with one good refresh, then refreshes a day later through a faulty
download (a FakeYahoo, sometimes with its frame mangled the way a broken response would be).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

import numpy as np
import pandas as pd
import pytest
import yfinance
from curl_cffi.requests.exceptions import Timeout as CurlTimeout
from yfinance.exceptions import YFRateLimitError

from fakes import FakeYahoo, no_sleep_recorder
from ui_support import bar_text, until
from tuimarket import cli
from tuimarket.config import Config
from tuimarket.data.feed import Feed
from tuimarket.data.model import FreshnessState, MarketData
from tuimarket.data.store import FILENAME, Store
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import TuimarketApp

CONFIG = Config()
SYMBOLS = CONFIG.all_symbols
GOOD_END = date(2025, 9, 25)
GOOD_TIME = datetime(2025, 9, 26, 21, 0, tzinfo=timezone.utc)     # Friday 17:00 New York, closed
FAULT_TIME = datetime(2025, 9, 27, 12, 0, tzinfo=timezone.utc)    # the next morning


@dataclass
class Mangled:
    """A FakeYahoo whose frames pass through `mangle` first, like a response broken in transit."""

    mangle: Callable[[pd.DataFrame], pd.DataFrame]
    fake: FakeYahoo

    def __call__(self, tickers, **kwargs) -> pd.DataFrame:
        return self.mangle(self.fake(tickers, **kwargs))


def all_nan(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.where(frame.isna())


def without_close(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="Close", level="Price")


def shuffled_with_duplicates(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame.iloc[::-1], frame.iloc[-3:]])


def with_future_bar(frame: pd.DataFrame) -> pd.DataFrame:
    future = frame.iloc[[-1]].set_axis(pd.DatetimeIndex([pd.Timestamp("2030-01-02")], name="Date"))
    return pd.concat([frame, future])


def prices_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.index.to_series().lt(frame.index[-1]), "null", axis=0)


def not_a_frame(frame: pd.DataFrame) -> str:
    return "<html>Will be right back</html>"


def feed(download, now: datetime) -> Feed:
    _, sleep = no_sleep_recorder()
    return Feed(CONFIG, download=download, now=now, sleep=sleep)


def cache_health(cache_dir) -> tuple[str, int]:
    with sqlite3.connect(cache_dir / FILENAME) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        rows = connection.execute("SELECT count(*) FROM bars").fetchone()[0]
    return integrity, rows


def assert_same_bars(shown: pd.DataFrame, good: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(shown, good, check_index_type=False, check_freq=False)


def good_refresh(cache_dir) -> tuple[MarketData, int]:
    data = feed(FakeYahoo(end=GOOD_END), GOOD_TIME).refresh()
    assert {f.state for f in data.freshness.values()} == {FreshnessState.LIVE}
    integrity, rows = cache_health(cache_dir)
    assert integrity == "ok"
    return data, rows


# Faults after which the whole fetch counts as failed: every symbol is stale, on its last good bars.
WHOLE_FETCH_FAULTS = {
    "connection error": FakeYahoo(error=ConnectionError("no route to host")),
    "timeout": FakeYahoo(error=TimeoutError("timed out")),
    "curl timeout": FakeYahoo(error=CurlTimeout("Operation timed out after 30000 milliseconds")),
    "rate limit": FakeYahoo(error=YFRateLimitError()),
    "empty frame": FakeYahoo(empty=True),
    "every ticker failed": FakeYahoo(failing=set(SYMBOLS)),
    "all NaN": Mangled(all_nan, FakeYahoo(end=GOOD_END)),
    "missing Close column": Mangled(without_close, FakeYahoo(end=GOOD_END)),
    "prices as text": Mangled(prices_as_text, FakeYahoo(end=GOOD_END)),
    "not a frame": Mangled(not_a_frame, FakeYahoo(end=GOOD_END)),
}


@pytest.mark.parametrize("download", WHOLE_FETCH_FAULTS.values(), ids=WHOLE_FETCH_FAULTS.keys())
def test_whole_fetch_fault_keeps_last_good_data_stale_and_cache_intact(download, cache_dir):
    good, rows = good_refresh(cache_dir)
    data = feed(download, FAULT_TIME).refresh()
    assert data.error
    for symbol in SYMBOLS:
        assert data.freshness[symbol].state == FreshnessState.STALE
        assert_same_bars(data.bars[symbol], good.bars[symbol])
    assert cache_health(cache_dir) == ("ok", rows)


def test_a_symbol_that_vanished_after_being_cached_is_stale_on_its_cache(cache_dir):
    good, rows = good_refresh(cache_dir)
    data = feed(FakeYahoo(end=GOOD_END, failing={"XLRE"}), FAULT_TIME).refresh()
    assert data.freshness["XLRE"].state == FreshnessState.STALE
    assert_same_bars(data.bars["XLRE"], good.bars["XLRE"])
    assert {data.freshness[s].state for s in SYMBOLS if s != "XLRE"} == {FreshnessState.LIVE}
    assert any("XLRE" in note for note in data.notes)
    assert cache_health(cache_dir) == ("ok", rows)


def test_duplicate_and_unsorted_dates_are_cleaned_not_cached(cache_dir):
    good, rows = good_refresh(cache_dir)
    data = feed(Mangled(shuffled_with_duplicates, FakeYahoo(end=GOOD_END)), FAULT_TIME).refresh()
    for symbol in SYMBOLS:
        assert data.bars[symbol].index.is_monotonic_increasing and data.bars[symbol].index.is_unique
        assert_same_bars(data.bars[symbol], good.bars[symbol])
    assert cache_health(cache_dir) == ("ok", rows)


def test_a_bar_dated_in_the_future_is_dropped(cache_dir):
    good, rows = good_refresh(cache_dir)
    data = feed(Mangled(with_future_bar, FakeYahoo(end=GOOD_END)), FAULT_TIME).refresh()
    assert data.as_of == GOOD_END
    for symbol in SYMBOLS:
        assert_same_bars(data.bars[symbol], good.bars[symbol])
    assert cache_health(cache_dir) == ("ok", rows)


def test_a_split_jump_replaces_the_history_instead_of_a_minus_half_day(cache_dir):
    good, rows = good_refresh(cache_dir)
    data = feed(FakeYahoo(end=GOOD_END, splits={"XLK": 2.0}), FAULT_TIME).refresh()
    xlk = data.bars["XLK"]["Close"]
    assert xlk.iloc[-1] == pytest.approx(good.bars["XLK"]["Close"].iloc[-1] / 2)
    assert xlk.pct_change().min() > -0.3      # no stitched -50% day
    assert cache_health(cache_dir) == ("ok", rows)


async def test_the_monitor_keeps_running_and_shows_stale_when_the_feed_breaks(cache_dir, tmp_path):
    good, _ = good_refresh(cache_dir)
    broken = feed(FakeYahoo(error=YFRateLimitError()), FAULT_TIME)
    app = TuimarketApp(CONFIG, MarketPipeline(CONFIG, broken), now=lambda: FAULT_TIME, screenshot_dir=tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, pilot, lambda: app.failures)     # the cached start-up, then the failed live refresh
        assert app.failures == 1 and "STALE" in bar_text(app)
        await pilot.press("2")
        assert app.dashboard_screen.active == 1 and app.is_running
        panel_close = app.board.panels[0].close
        assert panel_close == f"{good.bars['^GSPC']['Close'].iloc[-1]:,.2f}"


def test_report_with_yahoo_down_exits_0_on_the_bundled_history(monkeypatch, capsys):
    # The CLI has no seam for a fake download, so yfinance's download itself is replaced.
    broken = FakeYahoo(error=ConnectionError("no route to host"))
    monkeypatch.setattr(yfinance, "download", broken)
    assert cli.main(["report"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "S&P 500" in out and "XLK" in out
    assert len(broken.calls) == 1       # one attempt for a one-shot command, then the fallback
