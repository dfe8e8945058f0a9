"""Data faults: whatever Yahoo or the disk does, a refresh returns, the last good data stays and the
cache survives: it never loses a bar it held and always passes `PRAGMA integrity_check`.

Most cases fill the cache with one good refresh, then refresh a day later through a faulty
download (a FakeYahoo, sometimes with its frame mangled the way a broken response would be, or
yfinance itself on a session that never goes online). Then impossible prices, damaged pages,
why a fetch failed, the status line for every mix of freshness, and a reader that leaves early.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

import pandas as pd
import pytest
from curl_cffi import requests as curl_requests
from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError
import yfinance
from curl_cffi.requests.exceptions import Timeout as CurlTimeout
from yfinance.exceptions import YFRateLimitError

from fakes import FakeYahoo, no_sleep_recorder
from support import damage_pages, sampled
from ui_support import bar_text, until
from tuimarket import cli
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import parse
from tuimarket.data import bundled, yahoo
from tuimarket.data.feed import Feed
from tuimarket.data.model import Freshness, FreshnessState, MarketData
from tuimarket.data.store import FILENAME, Store
from tuimarket.monitor import MarketPipeline, data_status, is_offline
from tuimarket.report import render
from tuimarket.ui.app import TuimarketApp

# A first load fetches 3 years, not the default 12: what a fault may do to the cache and the bars
# shown is the same over any length, and every refresh and comparison here costs a quarter.
CONFIG = parse("[data]\nhistory_years = 3\n")
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
    # Exact: the cache gives back the very floats it was given (and pandas' tolerant float
    # comparison costs 80 times as much over years of bars).
    pd.testing.assert_frame_equal(shown, good, check_index_type=False, check_freq=False, check_exact=True)


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


# ---- answers that would shrink the cache -----------------------------------------------------------

SHORT_END = date(2025, 9, 24)       # the good refresh ends a day early, so a faulty answer can bring a new bar
FULL_START = "2022-09-27"           # history_years = 3 before FAULT_TIME


def cached_bars(cache_dir) -> set[tuple[str, str]]:
    with sqlite3.connect(cache_dir / FILENAME) as connection:
        return set(connection.execute("SELECT symbol, date FROM bars"))


def assert_cache_kept(cache_dir, before: set[tuple[str, str]]) -> None:
    """The invariant: the cache is sound and still holds every bar it held."""
    integrity, _ = cache_health(cache_dir)
    assert integrity == "ok"
    lost = before - cached_bars(cache_dir)
    assert not lost, f"{len(lost)} cached bars lost, e.g. {sorted(lost)[:3]}"


def last_bar_only(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[-1:]


def every_other_bar(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[::2]


def ends_early(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[:-5]


def starts_late(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[5:]


def refresh_through(mangle, cache_dir, *, end=GOOD_END, now=FAULT_TIME, **knobs) -> MarketData:
    return feed(Mangled(mangle, FakeYahoo(end=end, **knobs)), now).refresh()


def test_a_truncated_answer_with_a_new_bar_never_replaces_the_history(cache_dir):
    good = feed(FakeYahoo(end=SHORT_END), GOOD_TIME).refresh()
    before = cached_bars(cache_dir)
    data = refresh_through(last_bar_only, cache_dir)
    assert_cache_kept(cache_dir, before)
    for symbol in SYMBOLS:
        assert data.freshness[symbol].state == FreshnessState.STALE
        assert_same_bars(data.bars[symbol], good.bars[symbol])
    assert any("XLK" in note and "shorter than the cached history" in note for note in data.notes)


def test_a_truncated_reload_after_a_split_keeps_the_cache(cache_dir):
    good, _ = good_refresh(cache_dir)
    before = cached_bars(cache_dir)
    split = FakeYahoo(end=GOOD_END, splits={"XLK": 2.0})

    def truncated_reload(tickers, **kwargs):
        frame = split(tickers, **kwargs)
        return last_bar_only(frame) if tickers == ["XLK"] else frame

    data = feed(truncated_reload, FAULT_TIME).refresh()
    assert_cache_kept(cache_dir, before)
    assert data.freshness["XLK"].state == FreshnessState.STALE
    assert_same_bars(data.bars["XLK"], good.bars["XLK"])
    assert data.freshness["XLF"].state == FreshnessState.LIVE


@pytest.mark.parametrize("mangle", [last_bar_only, every_other_bar, ends_early, starts_late,
                                    shuffled_with_duplicates, all_nan],
                         ids=["last bar on a cached date", "every other bar", "ends early", "starts late",
                              "duplicates", "all NaN"])
def test_an_answer_that_covers_less_merges_without_losing_a_bar(mangle, cache_dir):
    good, _ = good_refresh(cache_dir)
    before = cached_bars(cache_dir)
    data = refresh_through(mangle, cache_dir)
    assert_cache_kept(cache_dir, before)
    for symbol in SYMBOLS:
        assert_same_bars(data.bars[symbol], good.bars[symbol])


def test_a_short_cached_history_is_fetched_in_full_on_the_next_good_refresh(cache_dir):
    truncated = refresh_through(last_bar_only, cache_dir, end=SHORT_END, now=GOOD_TIME)
    assert len(truncated.bars["XLK"]) == 1
    good = FakeYahoo(end=GOOD_END)
    data = feed(good, FAULT_TIME).refresh()
    assert good.calls[0]["start"] == FULL_START
    assert data.bars["XLK"].index[0] == pd.Timestamp(FULL_START) + pd.offsets.BDay(0)
    assert Store.for_config(CONFIG).read("XLK").index[0] == data.bars["XLK"].index[0]
    assert data.freshness["XLK"].state == FreshnessState.LIVE


def test_a_newly_listed_symbol_is_confirmed_once_then_fetched_incrementally(cache_dir):
    young = bundled.load("XLK").iloc[-100:]                  # listed 100 sessions ago
    starts = []
    for day in (26, 27, 28):
        fake = FakeYahoo(end=GOOD_END, history={"XLK": young})
        feed(fake, datetime(2025, 9, day, 21, 0, tzinfo=timezone.utc)).refresh()
        starts.append(fake.calls[0]["start"])
    # the first load, then one confirmation that the history really begins late, then recent bars only
    assert starts == ["2022-09-26", "2022-09-27", "2025-09-11"]
    assert len(Store.for_config(CONFIG).read("XLK")) == 100


# ---- impossible prices ---------------------------------------------------------------------------

IMPOSSIBLE_BARS = {
    "close zero": {"Close": 0.0},
    "negative": {"Close": -5.0, "Low": -6.0},
    "infinite": {"High": float("inf")},
    "absurd": {"Open": 1e300, "High": 1e300, "Close": 1e300},
    "high below low": {"High": 1.0, "Low": 2.0},
    "a tenth of the price": {"Open": 20.0, "High": 21.0, "Low": 19.0, "Close": 20.0},
}


def with_bar(symbol: str, values: dict[str, float], rows=slice(-1, None)) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mangle(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        for column, value in values.items():
            frame.iloc[rows, frame.columns.get_loc((column, symbol))] = value
        return frame
    return mangle


@pytest.mark.parametrize("values", IMPOSSIBLE_BARS.values(), ids=IMPOSSIBLE_BARS.keys())
def test_an_impossible_bar_never_enters_the_cache(values, cache_dir):
    feed(FakeYahoo(end=SHORT_END), GOOD_TIME).refresh()
    before = cached_bars(cache_dir)
    data = refresh_through(with_bar("XLK", values), cache_dir)
    assert_cache_kept(cache_dir, before)
    assert ("XLK", str(GOOD_END)) not in cached_bars(cache_dir)
    assert ("XLF", str(GOOD_END)) in cached_bars(cache_dir)
    assert data.bars["XLK"].index[-1] == pd.Timestamp(SHORT_END)
    assert any("XLK" in note and "impossible" in note and str(GOOD_END) in note for note in data.notes)


def test_a_series_of_impossible_bars_is_refused_whole(cache_dir):
    good, _ = good_refresh(cache_dir)
    before = cached_bars(cache_dir)
    data = refresh_through(with_bar("XLK", {"Close": 0.0}, rows=slice(None)), cache_dir)
    assert_cache_kept(cache_dir, before)
    assert data.freshness["XLK"].state == FreshnessState.STALE
    assert_same_bars(data.bars["XLK"], good.bars["XLK"])
    assert any("XLK" in note and "impossible" in note for note in data.notes)


def set_cached_price(cache: Store, symbol: str, day: str, column: str, value: float) -> None:
    """Cache an impossible price on one day, as an older version or a bad disk might have (the
    store writes what it is given: the feed screens Yahoo's answers before they reach it)."""
    bar = cache.read(symbol).loc[[pd.Timestamp(day)]]
    meta = cache.meta(symbol)
    assert cache.upsert(symbol, bar.assign(**{column: value}), source=meta.source, fetched_at=meta.fetched_at)


def test_impossible_bars_already_cached_are_ignored_on_read(cache_dir):
    good, _ = good_refresh(cache_dir)
    cache = Store(cache_dir / FILENAME)
    set_cached_price(cache, "XLK", "2025-09-24", "Close", 0.0)
    set_cached_price(cache, "XLF", "2025-09-24", "High", float("inf"))
    set_cached_price(cache, "XLE", "2025-09-24", "Close", float("nan"))
    cache.close()
    data = feed(FakeYahoo(empty=True), FAULT_TIME).initial()
    for symbol in ("XLK", "XLF", "XLE"):
        assert pd.Timestamp("2025-09-24") not in data.bars[symbol].index
        assert len(data.bars[symbol]) == len(good.bars[symbol]) - 1


def test_report_json_writes_null_for_a_number_that_is_not_finite():
    data = feed(FakeYahoo(empty=True), FAULT_TIME).initial()
    bars = dict(data.bars)
    bars["^GSPC"] = bars["^GSPC"].assign(Close=bars["^GSPC"]["Close"].where(
        bars["^GSPC"].index < bars["^GSPC"].index[-1], float("inf")))
    snapshot = build_snapshot(CONFIG, MarketData(bars, data.freshness, data.as_of, data.source))
    report = json.loads(render(snapshot, "json"))
    assert report["indices"][0]["close"] is None


# ---- a damaged page inside a sound file ------------------------------------------------------------

def test_a_damaged_page_is_moved_aside_and_the_cache_rebuilt(cache_dir):
    good_refresh(cache_dir)
    damage_pages(cache_dir / FILENAME)
    data = feed(FakeYahoo(end=GOOD_END), FAULT_TIME).refresh()
    assert any("cache was damaged; moved aside" in note for note in data.notes)
    assert len(list(cache_dir.glob(f"{FILENAME}.corrupt-*"))) == 1
    assert {f.state for f in data.freshness.values()} == {FreshnessState.LIVE}
    assert cache_health(cache_dir)[0] == "ok"
    rebuilt = Store.for_config(CONFIG).read_many(SYMBOLS)
    assert {symbol: bars.index[0] for symbol, bars in rebuilt.items()} \
        == {symbol: max(pd.Timestamp(FULL_START), bundled.load(symbol).index[0]) for symbol in SYMBOLS}


def test_a_damaged_page_at_start_up_shows_the_bundled_history_and_says_so(cache_dir):
    good_refresh(cache_dir)
    damage_pages(cache_dir / FILENAME)
    data = feed(FakeYahoo(), FAULT_TIME).initial()
    assert set(data.origins.values()) == {"bundled"}
    assert any("cache was damaged; moved aside" in note for note in data.notes)
    assert cache_health(cache_dir) == ("ok", 0)



# ---- why Yahoo gave nothing ------------------------------------------------------------------------

class UnreachableSession(curl_requests.Session):
    """What curl does without a network: every request fails before reaching Yahoo."""

    def request(self, method, url, *args, **kwargs):
        raise CurlConnectionError("Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com")


class RateLimitedSession(curl_requests.Session):
    """Yahoo refusing every request with HTTP 429."""

    def request(self, method, url, *args, **kwargs):
        response = curl_requests.Response()
        response.status_code, response.url, response.content = 429, url, b"Too Many Requests"
        return response


def real_yfinance(session: curl_requests.Session):
    """yfinance's own download (its error handling and logging), on a session that never goes online."""
    import yfinance

    return functools.partial(yfinance.download, session=session)


FAILURES = {
    "unreachable": (real_yfinance(UnreachableSession()), "Yahoo could not be reached"),
    "rate limited": (real_yfinance(RateLimitedSession()), "Yahoo is limiting our requests (rate limit)"),
    "unreachable, raised": (FakeYahoo(error=CurlTimeout("Operation timed out")), "Yahoo could not be reached"),
    "rate limited, raised": (FakeYahoo(error=YFRateLimitError()), "Yahoo is limiting our requests (rate limit)"),
    "no data": (FakeYahoo(empty=True), "Yahoo returned no data"),
}


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")   # yfinance's, on pandas 3.1
@pytest.mark.parametrize("download, said", FAILURES.values(), ids=FAILURES.keys())
def test_a_failed_fetch_says_whether_yahoo_was_unreachable_rate_limiting_or_empty(download, said, cache_dir):
    good_refresh(cache_dir)
    data = feed(download, FAULT_TIME).refresh()
    assert said in data.error
    assert data.notes[0] == f"{said}; showing the cached data"
    assert {f.state for f in data.freshness.values()} == {FreshnessState.STALE}


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")   # yfinance's, on pandas 3.1
def test_an_unreachable_yahoo_is_said_in_a_line_without_curls_wrapping(cache_dir):
    """The toast read "…Failed to get ticker 'XLV' reason: Failed to perform, curl: (6) Could not resolve
    host: query2.finance.yahoo.com. See https://curl.se/libcurl/c/libcurl-errors.h" over half an 80x24 chart."""
    good_refresh(cache_dir)
    data = feed(real_yfinance(UnreachableSession()), FAULT_TIME).refresh()
    assert data.error == ("Yahoo download failed after 3 attempts: Yahoo could not be reached: "
                          "Could not resolve host: query2.finance.yahoo.com")


# ---- the status line, for every mix of freshness states ----------------------------------------------

SINCE = datetime(2025, 9, 26, 21, 0, tzinfo=timezone.utc)
LIVE, PARTIAL = Freshness(FreshnessState.LIVE, GOOD_END), Freshness(FreshnessState.LIVE, GOOD_END, partial=True)
DELAYED, STALE = Freshness(FreshnessState.DELAYED, GOOD_END), Freshness(FreshnessState.STALE, GOOD_END, SINCE)
BUNDLED, MISSING = Freshness(FreshnessState.BUNDLED, GOOD_END), Freshness(FreshnessState.MISSING)
STALE_SINCE, BUNDLED_AS_OF = "stale since 2025-09-26 21:00 UTC", "offline bundled as of 2025-09-25"

STATUS_LINES = [   # (how many of each, the line, whether the view is offline)
    ([], "no data", False),
    ([(18, LIVE)], "live", False),
    ([(18, PARTIAL)], "live (partial bar)", False),
    ([(18, DELAYED)], "delayed", False),
    ([(18, STALE)], STALE_SINCE, False),
    ([(18, BUNDLED)], BUNDLED_AS_OF, True),
    ([(18, MISSING)], "no data", True),
    ([(15, LIVE), (3, STALE)], f"15 live, 3 {STALE_SINCE}", False),
    ([(3, BUNDLED), (12, MISSING)], f"3 {BUNDLED_AS_OF}, 12 without data", True),
    ([(17, STALE), (1, BUNDLED)], f"17 {STALE_SINCE}, 1 {BUNDLED_AS_OF}", False),
    ([(16, LIVE), (1, STALE), (1, MISSING)], f"16 live, 1 {STALE_SINCE}, 1 without data", False),
    ([(2, MISSING), (2, STALE), (2, LIVE)], f"2 live, 2 {STALE_SINCE}, 2 without data", False),
    ([(9, PARTIAL), (9, LIVE)], "9 live, 9 live (partial bar)", False),
    ([(1, LIVE), (17, DELAYED)], "1 live, 17 delayed", False),
]


@pytest.mark.parametrize("mix, line, offline", STATUS_LINES, ids=[line for _, line, _ in STATUS_LINES])
def test_the_data_status_line_reads_right_for_every_mix(mix, line, offline):
    states = [freshness for count, freshness in mix for _ in range(count)]
    data = MarketData({}, {f"S{n}": freshness for n, freshness in enumerate(states)}, GOOD_END, "mixed")
    assert data_status(data) == line
    assert is_offline(data) == offline


# ---- a reader that leaves early ----------------------------------------------------------------------

# `make test` pipes a table, a report and argparse's help; `make test-slow` the other formats too
# (a report costs a second of CPU).
PIPED_COMMANDS = [["data"], ["report", "--format", "json"], ["report"], ["report", "--format", "markdown"],
                  ["--help"], ["--version"]]


@pytest.mark.parametrize("command", sampled(PIPED_COMMANDS, every=2), ids=" ".join)
def test_a_closed_pipe_on_stdout_exits_quietly_with_status_0(command, cache_dir):
    """`tuimarket data | head -1`: the reader is gone before anything is written (its end is closed)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "tuimarket", "--source", "bundled", *command],
                                stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120,
                                env={**os.environ, "TUIMARKET_CACHE_DIR": str(cache_dir)})
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, "")
