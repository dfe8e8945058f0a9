"""The real yfinance code path, tested at the HTTP layer: no fake download, no network.

`yfinance.download` runs whole against `YahooSite` (tests/yahoo_http.py), which answers its
cookie, crumb and v8 chart requests with Yahoo-shaped JSON built from the bundled history.
The feed receives it the way it receives any download function: `download=`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
import yfinance
import yfinance.cache
from yfinance.data import YfData

from fakes import FakeYahoo, no_sleep_recorder
from tuimarket.config import Config, RotationSettings, Symbol
from tuimarket.data import bundled, yahoo
from tuimarket.data.feed import Feed
from tuimarket.data.model import FreshnessState
from yahoo_http import UnexpectedRequest, YahooSite

END = date(2026, 2, 13)                                       # a Friday; Monday the 16th is a holiday
NOW = datetime(2026, 2, 14, 17, 0, tzinfo=timezone.utc)        # Saturday: the market is closed
SESSION = datetime(2026, 2, 17, 20, 0, tzinfo=timezone.utc)    # Tuesday 15:00 in New York: open
SPY_ONLY = Config(rotation=RotationSettings(include_indexes=False, symbols=(Symbol("SPY", "SPY"),)))


@pytest.fixture
def site(tmp_path):
    """Yahoo as of END for the symbols SPY_ONLY watches; fails the test on any unexpected request."""
    yfinance.cache.set_cache_location(str(tmp_path / "yfinance"))   # its cookie and timezone caches
    YfData._instances.clear()          # a fresh singleton: no crumb or session from another test
    YfData.cache_get.cache_clear()
    site = YahooSite(history={symbol: bundled.load(symbol).loc[:pd.Timestamp(END)]
                              for symbol in SPY_ONLY.all_symbols + ("QQQ", "DIA")})
    yield site
    YfData._instances.clear()
    YfData.cache_get.cache_clear()
    assert site.unexpected == [], f"yfinance asked for URLs this test does not know: {site.unexpected}"


def download(site: YahooSite) -> yahoo.YfinanceDownload:
    """The product's own yfinance path, its HTTP session answered by `site`."""
    return yahoo.YfinanceDownload(site.session())


def fetch(site: YahooSite, symbols, *, start=date(2026, 1, 2), today=END, attempts=1):
    _, sleep = no_sleep_recorder()
    return yahoo.fetch(symbols, start=start, download=download(site), sleep=sleep,
                       attempts=attempts, today=today)


def feed(site: YahooSite, now: datetime) -> Feed:
    _, sleep = no_sleep_recorder()
    return Feed(SPY_ONLY, download=download(site), now=now, sleep=sleep, attempts=1)


def expected(symbol: str, start: str = "2026-01-02") -> pd.DataFrame:
    return bundled.load(symbol).loc[start:pd.Timestamp(END)]


def assert_same_bars(bars: pd.DataFrame, symbol: str, start: str = "2026-01-02") -> None:
    pd.testing.assert_frame_equal(bars, expected(symbol, start), check_freq=False)


def test_one_symbol_comes_through_yfinance_as_the_bundle_has_it(site) -> None:
    bars = fetch(site, ["SPY"])
    assert list(bars) == ["SPY"]
    assert_same_bars(bars["SPY"], "SPY")


def test_many_symbols_come_in_one_download_with_one_chart_request_each(site) -> None:
    bars = fetch(site, ["SPY", "QQQ", "DIA"])
    for symbol in ("SPY", "QQQ", "DIA"):
        assert_same_bars(bars[symbol], symbol)
    assert site.charts == {"SPY": 1, "QQQ": 1, "DIA": 1}


def test_a_symbol_yahoo_does_not_know_is_left_out_and_the_others_come(site) -> None:
    bars = fetch(site, ["SPY", "NOSUCH"])
    assert list(bars) == ["SPY"]
    with pytest.raises(yahoo.FetchError) as error:
        fetch(site, ["NOSUCH"])
    assert error.value.failure is yahoo.Failure.NO_DATA


def test_a_partial_intraday_bar_is_todays_session_and_marked_forming(site) -> None:
    feed(site, NOW).refresh()
    site.forming = {"SPY": (SESSION, 1.01)}
    data = feed(site, SESSION).refresh()
    last = data.bars["SPY"].iloc[-1]
    assert data.bars["SPY"].index[-1] == pd.Timestamp("2026-02-17")      # its session, not 15:00
    assert last["Close"] == pytest.approx(expected("SPY")["Close"].iloc[-1] * 1.01)
    assert data.freshness["SPY"].partial and data.freshness["SPY"].state is FreshnessState.LIVE


def test_a_split_re_adjusts_the_whole_cached_history(site) -> None:
    before = feed(site, NOW).refresh().bars["SPY"]
    site.splits = {"SPY": 2.0}
    data = feed(site, SESSION).refresh()
    after = data.bars["SPY"]
    assert after.index[0] == before.index[0]
    assert after["Close"].to_numpy() == pytest.approx(before["Close"].to_numpy() / 2)   # no -50% day
    assert after["Close"].pct_change().min() > -0.2


def test_a_429_is_a_rate_limit_and_the_feed_waits(site) -> None:
    site.limited = True
    with pytest.raises(yahoo.FetchError) as error:
        fetch(site, ["SPY"])
    assert error.value.failure is yahoo.Failure.RATE_LIMITED
    data = feed(site, NOW).refresh()
    assert data.error and "rate limit" in data.error and "next try" in data.error


def test_a_429s_retry_after_reaches_the_backoff_through_yfinance(site) -> None:
    # yfinance's YFRateLimitError carries no response: the wait is read off our session.
    site.limited, site.retry_after = True, 600
    with pytest.raises(yahoo.FetchError) as error:
        fetch(site, ["SPY"])
    assert error.value.retry_after == 600
    data = feed(site, NOW).refresh()
    assert data.error.endswith(f"next try {(NOW + timedelta(minutes=10)).astimezone():%H:%M}")   # not 1 minute


def test_an_answer_cut_short_leaves_that_symbol_on_its_cache(site) -> None:
    cached = feed(site, NOW).refresh().bars
    site.cut_short = {"SPY"}
    data = feed(site, SESSION).refresh()
    assert data.freshness["SPY"].state is FreshnessState.STALE
    pd.testing.assert_frame_equal(data.bars["SPY"], cached["SPY"])
    assert data.freshness["^GSPC"].state is FreshnessState.LIVE
    assert any("no data for SPY" in note for note in data.notes)


def test_a_request_to_any_other_url_fails_loudly(site) -> None:
    with pytest.raises(UnexpectedRequest):
        site.session().get("https://query2.finance.yahoo.com/v7/finance/quote?symbols=SPY")
    assert site.unexpected == ["https://query2.finance.yahoo.com/v7/finance/quote?symbols=SPY"]
    site.unexpected.clear()    # seen: the fixture would fail the test otherwise


@pytest.mark.parametrize("symbols", [["SPY"], ["SPY", "QQQ", "DIA"], ["SPY", "NOSUCH"]])
def test_the_fake_download_has_the_shape_of_the_real_one(site, symbols) -> None:
    arguments = dict(start="2026-01-02", interval="1d", auto_adjust=True, group_by="column",
                     progress=False, threads=False, multi_level_index=True)
    real = download(site)(symbols, **arguments)
    fake = FakeYahoo(end=END)(symbols, **arguments)
    assert list(fake.columns) == list(real.columns) and fake.columns.names == real.columns.names
    assert type(fake.index) is type(real.index) and fake.index.name == real.index.name
    assert fake.index.tz == real.index.tz
    assert fake.dtypes.to_dict() == real.dtypes.to_dict()
    assert fake.index.equals(real.index)
