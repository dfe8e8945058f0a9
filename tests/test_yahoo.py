"""The yfinance path: shapes, cleaning, one batched call, silence, retries with backoff."""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import pytest
from yfinance.exceptions import YFRateLimitError

from fakes import FakeYahoo, no_sleep_recorder
from support import modules_loaded_by
from tuimarket.data import bundled, yahoo
from tuimarket.data.model import COLUMNS

SYMBOLS = ["^GSPC", "XLK", "XLF"]
END = date(2025, 9, 25)


def fetch(fake: FakeYahoo, symbols=SYMBOLS, **kwargs):
    delays, sleep = no_sleep_recorder()
    kwargs.setdefault("start", date(2025, 9, 1))
    return yahoo.fetch(symbols, download=fake, sleep=sleep, today=END, **kwargs), delays


def assert_bars_frame(bars: pd.DataFrame) -> None:
    assert list(bars.columns) == list(COLUMNS) and bars.columns.name is None
    assert all(dtype == "float64" for dtype in bars.dtypes)
    assert bars.index.name == "Date" and bars.index.tz is None
    assert bars.index.is_monotonic_increasing and bars.index.is_unique
    assert (bars.index == bars.index.normalize()).all()
    assert not bars["Close"].isna().any()


def test_fake_is_shaped_like_yfinance():
    frame = FakeYahoo(end=END)(SYMBOLS, start="2025-09-01")
    assert frame.columns.names == ["Price", "Ticker"]
    assert list(frame.columns.get_level_values(0).unique()) == ["Close", "High", "Low", "Open", "Volume"]
    assert frame.index.name == "Date" and frame.index.tz is None


def test_one_batched_call_with_quiet_arguments():
    fake = FakeYahoo(end=END)
    bars, _ = fetch(fake)
    assert len(fake.calls) == 1
    call = fake.calls[0]
    assert call["tickers"] == SYMBOLS and call["start"] == "2025-09-01"
    assert call["progress"] is False and call["auto_adjust"] is True and call["group_by"] == "column"
    assert set(bars) == set(SYMBOLS)
    for symbol, frame in bars.items():
        assert_bars_frame(frame)
        expected = bundled.load(symbol).loc["2025-09-01":END.isoformat()]
        pd.testing.assert_series_equal(frame["Close"], expected["Close"], check_freq=False)


def test_period_is_passed_for_full_history():
    fake = FakeYahoo(end=END)
    bars, _ = fetch(fake, start=None, period="2y")
    assert fake.calls[0]["period"] == "2y" and fake.calls[0]["start"] is None
    assert bars["XLK"].index[0] >= pd.Timestamp("2023-09-25")


def test_single_ticker_flat_frame():
    flat = FakeYahoo(end=END)(["XLK"], start="2025-09-01", multi_level_index=False)
    assert not isinstance(flat.columns, pd.MultiIndex)
    bars = yahoo.normalise(flat, ["XLK"], today=END)
    assert_bars_frame(bars["XLK"])
    assert len(bars["XLK"]) == len(bundled.load("XLK").loc["2025-09-01":])


def test_tz_aware_index_becomes_new_york_dates():
    fake = FakeYahoo(end=END, tz="America/New_York")
    bars, _ = fetch(fake)
    assert_bars_frame(bars["XLK"])
    assert bars["XLK"].index[-1] == pd.Timestamp(END)
    utc = FakeYahoo(end=END, tz="America/New_York")(["XLK"], start="2025-09-01")
    utc.index = utc.index.tz_convert("UTC")        # 04:00 UTC must still be the New York date
    assert yahoo.normalise(utc, ["XLK"], today=END)["XLK"].index[-1] == pd.Timestamp(END)


def test_all_nan_rows_dropped_and_volume_filled():
    fake = FakeYahoo(end=END, nan_rows=3)
    frame = fake(["XLK"], start="2025-09-01")
    frame.loc[frame.index[0], ("Volume", "XLK")] = float("nan")
    bars = yahoo.normalise(frame, ["XLK"], today=date(2025, 12, 31))["XLK"]
    assert bars.index[-1] == pd.Timestamp(END)
    assert bars["Volume"].iloc[0] == 0.0


def test_failed_symbol_among_others_is_absent():
    fake = FakeYahoo(end=END, failing={"XLF"})
    frame = fake(SYMBOLS, start="2025-09-01")
    assert ("Adj Close", "XLF") in frame.columns      # what yfinance really does
    bars, delays = fetch(fake)
    assert set(bars) == {"^GSPC", "XLK"} and delays == []


def test_duplicates_and_future_bars_dropped():
    frame = FakeYahoo(end=END)(["XLK"], start="2025-09-20")
    frame = pd.concat([frame.iloc[::-1], frame.iloc[[0]]])      # unsorted, with a duplicate date
    bars = yahoo.normalise(frame, ["XLK"], today=date(2025, 9, 23))["XLK"]
    assert_bars_frame(bars)
    assert bars.index[-1] == pd.Timestamp("2025-09-23")


@pytest.mark.parametrize("fake", [FakeYahoo(empty=True), FakeYahoo(error=YFRateLimitError()),
                                  FakeYahoo(error=ConnectionError("boom")),
                                  FakeYahoo(failing=set(SYMBOLS))], ids=["empty", "ratelimit", "error", "all-nan"])
def test_gives_up_with_one_fetch_error(fake):
    with pytest.raises(yahoo.FetchError) as raised:
        fetch(fake)
    assert len(fake.calls) == 3
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 200


def test_retry_then_success():
    fake = FakeYahoo(end=END, error=YFRateLimitError(), failures=2)
    bars, delays = fetch(fake)
    assert len(fake.calls) == 3 and len(delays) == 2
    assert set(bars) == set(SYMBOLS)


def test_backoff_is_capped_and_jittered():
    low = [yahoo.backoff_delay(n, rand=lambda: 0.0) for n in range(6)]
    high = [yahoo.backoff_delay(n, rand=lambda: 1.0) for n in range(6)]
    assert low == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert high == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len({yahoo.backoff_delay(2) for _ in range(20)}) > 1


def test_silences_yfinance(capsys):
    def noisy(*args, **kwargs):
        print("[*********************100%***********************]  3 of 3 completed")
        logging.getLogger("yfinance").error("1 Failed download: ['XLF']")
        return FakeYahoo(end=END)(*args, **kwargs)

    bars = yahoo.fetch(SYMBOLS, start=date(2025, 9, 1), download=noisy, today=END)
    assert set(bars) == set(SYMBOLS)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_module_import_does_not_import_yfinance():
    assert "yfinance" not in modules_loaded_by("import tuimarket.data.yahoo")


# yfinance stamps a daily bar at midnight where its exchange is; with ignore_tz=False the index keeps
# that zone, and a batch of several zones is converted to the most common one (multi.reindex_dfs).
EXCHANGE_ZONES = ["America/New_York", "Europe/London", "UTC", "Asia/Tokyo", "Australia/Sydney",
                  "America/Sao_Paulo", "Pacific/Auckland"]


@pytest.mark.parametrize("zone", EXCHANGE_ZONES)
def test_a_tz_aware_index_keeps_the_exchange_dates(zone):
    frame = FakeYahoo(end=END, tz=zone)(["XLK"], start="2025-01-01")    # through both DST changes
    bars = yahoo.normalise(frame, ["XLK"], today=END)["XLK"]
    assert bars.index.equals(pd.DatetimeIndex(bundled.load("XLK").loc["2025-01-01":str(END)].index, name="Date"))


@pytest.mark.parametrize("zone", EXCHANGE_ZONES)
def test_a_batch_converted_to_another_zone_keeps_each_exchange_dates(zone):
    home = FakeYahoo(end=END, tz="America/New_York")(["^GSPC"], start="2025-01-01")
    abroad = FakeYahoo(end=END, tz=zone, history={"^FTSE": bundled.load("XLK")})(["^FTSE"], start="2025-01-01")
    abroad.index = abroad.index.tz_convert("America/New_York")
    batch = pd.concat([home, abroad], axis=1, sort=True).sort_index(axis=1, level=0)
    bars = yahoo.normalise(batch, ["^GSPC", "^FTSE"], today=END)
    for symbol, source in (("^GSPC", "^GSPC"), ("^FTSE", "XLK")):
        expected = bundled.load(source).loc["2025-01-01":str(END)].index
        assert bars[symbol].index.equals(pd.DatetimeIndex(expected, name="Date")), symbol
