"""The feed: cache first, one batched Yahoo call, careful merges, and every fallback."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd
import pytest
from yfinance.exceptions import YFRateLimitError

from fakes import FakeYahoo, no_sleep_recorder
from support import modules_loaded_by
from tuimarket.config import Config
from tuimarket.data import bundled
from tuimarket.data.feed import Feed, describe
from tuimarket.data.model import FreshnessState
from tuimarket.data.store import Store

CONFIG = Config()
SYMBOLS = CONFIG.all_symbols
SECTORS_END = date(2025, 9, 25)                                   # the bundled sectors' last bar
FRIDAY_EVENING = datetime(2025, 9, 26, 21, 0, tzinfo=timezone.utc)   # 17:00 New York, closed
FRIDAY_MORNING = datetime(2025, 9, 26, 15, 0, tzinfo=timezone.utc)   # 11:00 New York, open
LATER = datetime(2025, 9, 27, 12, 0, tzinfo=timezone.utc)


def feed(fake: FakeYahoo, now=FRIDAY_EVENING, **kwargs) -> Feed:
    _, sleep = no_sleep_recorder()
    return Feed(CONFIG, download=fake, now=now, sleep=sleep, **kwargs)


def states(data) -> set[FreshnessState]:
    return {f.state for f in data.freshness.values()}


def fill_cache(end: date, now=FRIDAY_EVENING, **knobs) -> FakeYahoo:
    fake = FakeYahoo(end=end, **knobs)
    data = feed(fake, now=now).refresh()
    assert states(data) == {FreshnessState.LIVE}
    return fake


def test_initial_empty_cache_is_coherent_bundled_view_without_network():
    fake = FakeYahoo()
    data = feed(fake).initial()
    assert fake.calls == []
    assert set(data.bars) == set(SYMBOLS) and states(data) == {FreshnessState.BUNDLED}
    assert {bars.index[-1].date() for bars in data.bars.values()} == {SECTORS_END}   # ^GSPC goes to 2026
    assert data.as_of == SECTORS_END and data.source == "bundled"
    assert any("clipped at 2025-09-25" in note for note in data.notes)
    assert data.freshness["^GSPC"].label() == "offline bundled as of 2025-09-25"


@pytest.mark.parametrize("symbols, day", [(("AAPL", "MSFT", "^GSPC"), date(2026, 2, 18)),
                                          (("AAPL", "MSFT", "XLK", "^GSPC"), SECTORS_END)])
def test_offline_members_share_the_one_date_every_bundled_symbol_has(symbols, day):
    """A watchlist of stocks offline: their bundled closes end 2026-02-18, the index's 2026-07-10.
    Every symbol shows the same day, the members' too (the index ran on to July while the stocks
    stood in February, all under "as of 2026-07-10"; adding XLK then moved them to 2025)."""
    data = Feed(Config(), source="bundled", symbols=symbols).initial()
    assert {bars.index[-1].date() for bars in data.bars.values()} == {day} and data.as_of == day
    assert any(f"clipped at {day}" in note for note in data.notes)


def test_first_refresh_is_one_batched_full_download():
    fake = FakeYahoo(end=SECTORS_END)
    data = feed(fake).refresh()
    assert len(fake.calls) == 1
    call = fake.calls[0]
    assert sorted(call["tickers"]) == sorted(SYMBOLS)
    assert call["start"] == "2013-09-26"                      # history_years = 12 before "now"
    assert states(data) == {FreshnessState.LIVE} and data.error is None and data.source == "yahoo"
    assert data.freshness["XLK"].since == FRIDAY_EVENING and not data.freshness["XLK"].partial
    cached = Store.for_config(CONFIG).read("XLK")
    pd.testing.assert_frame_equal(cached, data.bars["XLK"], check_freq=False)


def test_initial_reads_cache_and_never_downloads():
    fill_cache(SECTORS_END)
    fake = FakeYahoo()
    data = feed(fake, now=LATER).initial()
    assert fake.calls == []
    assert set(data.origins.values()) == {"cache"} and data.source == "cache"
    assert states(data) == {FreshnessState.DELAYED}
    assert data.freshness["XLK"].since == FRIDAY_EVENING
    assert states(feed(fake).initial()) == {FreshnessState.LIVE}   # within one refresh interval


def test_incremental_refresh_downloads_recent_bars_and_merges():
    fill_cache(date(2025, 9, 10))
    fake = FakeYahoo(end=SECTORS_END)
    data = feed(fake, now=LATER).refresh()
    assert len(fake.calls) == 1
    assert fake.calls[0]["start"] == "2025-08-27"             # ten business days before 2025-09-10
    xlk = data.bars["XLK"]
    assert xlk.index[0] == pd.Timestamp("2013-09-26") and xlk.index[-1] == pd.Timestamp(SECTORS_END)
    assert xlk.index.is_unique
    pd.testing.assert_frame_equal(Store.for_config(CONFIG).read("XLK"), xlk, check_freq=False)


def test_split_replaces_history_instead_of_stitching():
    fill_cache(date(2025, 9, 10))                         # XLK cached in pre-split units
    fake = FakeYahoo(end=SECTORS_END, splits={"XLK": 2.0})
    data = feed(fake, now=LATER).refresh()
    assert len(fake.calls) == 2
    assert fake.calls[1]["tickers"] == ["XLK"] and fake.calls[1]["start"] == "2013-09-26"
    xlk = Store.for_config(CONFIG).read("XLK")
    assert xlk.loc["2024-11-29", "Close"] == pytest.approx(bundled.load("XLK").loc["2024-11-29", "Close"] / 2)
    assert xlk["Close"].pct_change().min() > -0.2             # no -50% day
    pd.testing.assert_frame_equal(data.bars["XLK"], xlk, check_freq=False)
    assert data.freshness["XLK"].state is FreshnessState.LIVE
    xlf = data.bars["XLF"]                                    # unsplit symbols merged as usual
    assert xlf.loc["2024-11-29", "Close"] == bundled.load("XLF").loc["2024-11-29", "Close"]


def test_split_with_failed_reload_keeps_cache_stale():
    fill_cache(date(2025, 9, 10))
    split = FakeYahoo(end=SECTORS_END, splits={"XLK": 2.0})

    def reload_fails(tickers, **kwargs):
        return FakeYahoo(empty=True)(tickers, **kwargs) if tickers == ["XLK"] else split(tickers, **kwargs)

    data = feed(reload_fails, now=LATER).refresh()
    assert data.freshness["XLK"].state is FreshnessState.STALE
    assert data.bars["XLK"].index[-1] == pd.Timestamp("2025-09-10")
    assert data.bars["XLK"]["Close"].pct_change().min() > -0.2
    assert any("re-adjusted the history of XLK" in note for note in data.notes)


def test_one_symbol_failing_is_stale_others_live():
    fill_cache(date(2025, 9, 10))
    data = feed(FakeYahoo(end=SECTORS_END, failing={"XLF"}), now=LATER).refresh()
    assert data.freshness["XLF"].state is FreshnessState.STALE
    assert data.freshness["XLF"].since == FRIDAY_EVENING
    assert data.bars["XLF"].index[-1] == pd.Timestamp("2025-09-10")
    assert data.freshness["XLK"].state is FreshnessState.LIVE
    assert data.error is None and any("XLF" in note for note in data.notes)
    assert data.source == "yahoo+cache"


def test_one_symbol_failing_without_cache_shows_its_bundled_history():
    data = feed(FakeYahoo(end=SECTORS_END, failing={"XLF"})).refresh()
    assert data.freshness["XLF"].state is FreshnessState.BUNDLED and data.origins["XLF"] == "bundled"
    assert data.freshness["XLK"].state is FreshnessState.LIVE


@pytest.mark.parametrize("failure", [FakeYahoo(error=YFRateLimitError()), FakeYahoo(empty=True)],
                         ids=["ratelimit", "empty"])
def test_whole_fetch_failing_keeps_cache_stale(failure):
    fill_cache(SECTORS_END)
    delays, sleep = no_sleep_recorder()
    data = Feed(CONFIG, download=failure, now=LATER, sleep=sleep).refresh()
    assert len(failure.calls) == 3 and len(delays) == 2
    assert states(data) == {FreshnessState.STALE}
    assert {f.since for f in data.freshness.values()} == {FRIDAY_EVENING}
    assert data.error and "failed" in data.error
    assert data.bars["XLK"].index[-1] == pd.Timestamp(SECTORS_END)
    assert data.freshness["XLK"].label() == "stale since 2025-09-26 21:00 UTC"


def test_auto_with_empty_cache_and_yahoo_down_falls_back_to_bundled():
    data = feed(FakeYahoo(error=ConnectionError("no route to host"))).refresh()
    assert states(data) == {FreshnessState.BUNDLED} and data.source == "bundled"
    assert "ConnectionError" in data.error
    assert any("could not be reached" in note for note in data.notes)
    assert data.as_of == SECTORS_END


def test_yahoo_source_never_falls_back_to_bundled():
    data = feed(FakeYahoo(empty=True), source="yahoo").refresh()
    assert states(data) == {FreshnessState.MISSING}
    assert data.bars == {} and data.as_of is None and data.error
    assert feed(FakeYahoo(), source="yahoo").initial().bars == {}


def test_bundled_source_never_downloads():
    fake = FakeYahoo()
    data = feed(fake, source="bundled").refresh()
    assert fake.calls == []
    assert states(data) == {FreshnessState.BUNDLED}


def test_as_of_replays_without_network():
    fill_cache(SECTORS_END)
    fake = FakeYahoo()
    data = feed(fake, as_of=date(2024, 11, 29)).refresh()
    assert fake.calls == []
    assert data.as_of == date(2024, 11, 29)
    assert {bars.index[-1] for bars in data.bars.values()} == {pd.Timestamp("2024-11-29")}
    assert data.freshness["XLK"].as_of == date(2024, 11, 29)


def test_todays_forming_bar_is_partial_and_not_mistaken_for_a_readjustment():
    forming = {symbol: 1.01 for symbol in SYMBOLS}
    data = feed(FakeYahoo(end=SECTORS_END, forming=forming), now=FRIDAY_MORNING).refresh()
    assert data.freshness["XLK"].partial and data.freshness["XLK"].as_of == date(2025, 9, 26)
    assert "(partial bar)" in data.freshness["XLK"].label()
    assert Store.for_config(CONFIG).meta("XLK").partial_date == date(2025, 9, 26)
    # an hour later the forming bar has moved: still one call, no full reload
    fake = FakeYahoo(end=SECTORS_END, forming={symbol: 1.02 for symbol in SYMBOLS})
    later = feed(fake, now=FRIDAY_MORNING.replace(hour=16)).refresh()
    assert len(fake.calls) == 1
    expected = bundled.load("XLK").loc[str(SECTORS_END), "Close"] * 1.02
    assert later.bars["XLK"]["Close"].iloc[-1] == pytest.approx(expected)


def test_bar_after_the_close_is_not_partial():
    data = feed(FakeYahoo(end=SECTORS_END, forming={"XLK": 1.01})).refresh()   # 17:00 New York
    assert data.freshness["XLK"].as_of == date(2025, 9, 26) and not data.freshness["XLK"].partial


def test_unusable_cache_degrades_to_live_data_with_a_note(cache_dir):
    (cache_dir / "market.sqlite3").mkdir(parents=True)     # a directory where the file should be
    data = feed(FakeYahoo(end=SECTORS_END)).refresh()
    assert states(data) == {FreshnessState.LIVE}
    assert any("cache unavailable" in note for note in data.notes)
    assert states(feed(FakeYahoo()).initial()) == {FreshnessState.BUNDLED}


def test_describe_one_row_per_symbol():
    config = Config()
    data = feed(FakeYahoo(end=SECTORS_END, failing={"XLF"}), source="yahoo").refresh()
    rows = {row["symbol"]: row for row in describe(data, config)}
    assert list(rows) == list(SYMBOLS)
    assert rows["XLK"]["last"] == SECTORS_END and rows["XLK"]["source"] == "yahoo"
    assert rows["XLK"]["last_close"] == pytest.approx(bundled.load("XLK")["Close"].iloc[-1])
    assert rows["XLK"]["name"] == "Technology" and rows["XLK"]["freshness"] == "live"
    assert rows["XLF"] == {"symbol": "XLF", "name": "Financials", "first": None, "last": None,
                           "last_close": None, "source": "none", "freshness": "missing"}


def test_initial_loads_neither_yfinance_nor_the_calendar():
    """The start-up path must not pay for the network library or the exchange calendar."""
    fill_cache(SECTORS_END)
    code = ("from tuimarket.config import Config; from tuimarket.data.feed import Feed; "
            "data = Feed(Config()).initial(); assert data.source == 'cache', data.source")
    assert not {"yfinance", "exchange_calendars"} & modules_loaded_by(code)
