"""No lookahead: everything known at date D is the same whether the data ends at D or later."""

from datetime import date

import pandas as pd
from hypothesis import given, strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal

from tuimarket.analysis.indicators import ema, macd, sma
from tuimarket.analysis.rotation import relative_ratio, rs_trend_codes
from tuimarket.analysis.rrg import rrg_lines
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.analysis.trend import swing_points
from tuimarket.config import Config
from tuimarket.data import bundled
from tuimarket.data.model import MarketData

CONFIG = Config()
COMMON_END = pd.Timestamp(bundled.common_as_of(CONFIG.all_symbols))
ALL_BARS = {symbol: bundled.load(symbol).loc[:COMMON_END] for symbol in CONFIG.all_symbols}
SESSIONS = ALL_BARS["^RUT"].index.intersection(ALL_BARS["XLRE"].index)   # dates every symbol has
WINDOW = CONFIG.analysis.swing_window

cut_and_extra = st.tuples(st.integers(min_value=30, max_value=len(SESSIONS) - 2), st.integers(min_value=1, max_value=400))


def _split(symbol: str, cut: int, extra: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bars up to session `cut`, and up to `extra` sessions later."""
    bars = ALL_BARS[symbol]
    day, later = SESSIONS[cut], SESSIONS[min(cut + extra, len(SESSIONS) - 1)]
    return bars.loc[:day], bars.loc[:later]


@given(cut_and_extra, st.sampled_from(["^GSPC", "^RUT", "XLK", "XLE"]))
def test_indicator_series_ignore_later_bars(cut_extra, symbol):
    short, long = _split(symbol, *cut_extra)
    up_to = short.index[-1]
    for compute in (lambda c: sma(c, 50), lambda c: ema(c, 26), lambda c: macd(c).histogram,
                    lambda c: macd(c).signal):
        assert_series_equal(compute(long["Close"]).loc[:up_to], compute(short["Close"]))
    benchmark_short, benchmark_long = _split("^GSPC", *cut_extra)
    ratio_short = relative_ratio(short["Close"], benchmark_short["Close"])
    ratio_long = relative_ratio(long["Close"], benchmark_long["Close"])
    assert_series_equal(rs_trend_codes(ratio_long, 50, 10).loc[:up_to], rs_trend_codes(ratio_short, 50, 10))
    # The RRG's weekly points: every week before D's (which may still be forming) is final.
    rrg_short = rrg_lines(short["Close"], benchmark_short["Close"])
    rrg_long = rrg_lines(long["Close"], benchmark_long["Close"])
    closed = len(rrg_short) - 1
    assert_frame_equal(rrg_long.iloc[:closed], rrg_short.iloc[:closed])


@given(cut_and_extra)
def test_swing_points_known_at_d_do_not_change(cut_extra):
    short, long = _split("^GSPC", *cut_extra)
    # A pivot needs WINDOW bars on its right, so at D only pivots up to D − WINDOW are known.
    known_until = short.index[-1 - WINDOW]
    for from_short, from_long in zip(swing_points(short, WINDOW), swing_points(long, WINDOW)):
        assert from_short.index.max() <= known_until if len(from_short) else True
        assert_series_equal(from_long.loc[:known_until], from_short)


@given(cut_and_extra)
def test_snapshot_at_d_is_the_same_with_later_bars_clipped(cut_extra):
    cut, extra = cut_extra
    day = SESSIONS[cut].date()
    ends_at_d = {symbol: _split(symbol, cut, extra)[0] for symbol in ALL_BARS}
    ends_later = {symbol: _split(symbol, cut, extra)[1] for symbol in ALL_BARS}
    at_d = build_snapshot(CONFIG, MarketData(ends_at_d, {}, None, "bundled"))
    clipped = build_snapshot(CONFIG, MarketData(ends_later, {}, day, "bundled"))
    assert at_d.as_of == clipped.as_of == day
    for index_at_d, index_clipped in zip(at_d.indices, clipped.indices):
        assert index_at_d == index_clipped        # every signal, the commentary and the chart series
    assert at_d.rotation == clipped.rotation
    assert at_d.regime == clipped.regime


def test_a_known_date_regardless_of_later_history():
    """A fixed example alongside the random ones: the S&P 500 on 2020-03-23, the Covid low."""
    day = date(2020, 3, 23)
    at_d = build_snapshot(CONFIG, MarketData({s: b.loc[:pd.Timestamp(day)] for s, b in ALL_BARS.items()}, {}, None,
                                             "bundled"))
    later = build_snapshot(CONFIG, MarketData(ALL_BARS, {}, day, "bundled"))
    assert at_d.indices[0] == later.indices[0]
    assert at_d.indices[0].macd.state == "sell" and at_d.indices[0].smas[-1].above is False
