"""SMA, EMA and MACD against TA-Lib on every bundled symbol, and the states built from them."""

import numpy as np
import pandas as pd
import pytest
import talib
from pandas.testing import assert_series_equal

from tuimarket.analysis.indicators import Macd, ema, macd, macd_state, sma, sma_states, stacked
from tuimarket.data import bundled

WARM_UP = 300
TOLERANCE = 1e-8   # of the price level


def _close(symbol: str) -> pd.Series:
    return bundled.load(symbol)["Close"]


def _assert_close_to_talib(mine: pd.Series, reference: np.ndarray, price: pd.Series) -> None:
    gap = np.abs(mine.to_numpy()[WARM_UP:] - reference[WARM_UP:])
    assert not np.isnan(gap).any()
    assert (gap <= TOLERANCE * price.to_numpy()[WARM_UP:]).all(), f"worst relative gap {np.max(gap / price[WARM_UP:])}"


@pytest.mark.parametrize("symbol", sorted(bundled.symbols()))
def test_sma_and_ema_match_talib(symbol):
    close = _close(symbol)
    for period in (50, 100, 200):
        _assert_close_to_talib(sma(close, period), talib.SMA(close.to_numpy(), period), close)
    for period in (9, 12, 26):
        mine, reference = ema(close, period), talib.EMA(close.to_numpy(), period)
        _assert_close_to_talib(mine, reference, close)
        # The same seeding: the first value appears on the same bar as TA-Lib's.
        assert mine.first_valid_index() == close.index[np.flatnonzero(~np.isnan(reference))[0]]


@pytest.mark.parametrize("symbol", sorted(bundled.symbols()))
def test_macd_matches_talib(symbol):
    close = _close(symbol)
    mine = macd(close, 12, 26, 9)
    reference = talib.MACD(close.to_numpy(), 12, 26, 9)
    for series, expected in zip((mine.macd, mine.signal, mine.histogram), reference):
        _assert_close_to_talib(series, expected, close)


def test_ema_golden_values():
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 4.0])
    # Seed: mean(1, 2, 3) = 2 at bar 2; then k = 2 / (3 + 1) = 0.5.
    expected = pd.Series([np.nan, np.nan, 2.0, 3.0, 4.0, 4.0])
    assert_series_equal(ema(values, 3), expected)


def test_ema_skips_leading_gaps_and_short_input():
    values = pd.Series([np.nan, np.nan, 3.0, 5.0, 7.0])
    assert_series_equal(ema(values, 2), pd.Series([np.nan, np.nan, np.nan, 4.0, 6.0]))
    assert ema(values, 4).isna().all()


def _dated(values) -> pd.Series:
    return pd.Series(values, index=pd.bdate_range("2024-01-01", periods=len(values)), dtype=float)


def test_sma_states_direction_and_side():
    close = _dated([10, 11, 12, 13, 14, 15, 9])
    states = sma_states(close, {2: sma(close, 2), 3: sma(close, 3), 10: sma(close, 10)}, slope_lookback=1)
    two, three, ten = states
    assert (two.value, two.rising, two.above) == (12.0, False, False)   # (15+9)/2 = 12 < 14.5
    assert three.value == pytest.approx(38 / 3) and three.rising is False and three.above is False
    assert (ten.value, ten.rising, ten.above) == (None, None, None)
    assert stacked(states) is None
    assert stacked(states[:2]) is False


def test_stacked_true_only_when_each_shorter_is_higher():
    close = _dated(range(1, 30))
    states = sma_states(close, {p: sma(close, p) for p in (2, 5, 10)}, slope_lookback=3)
    assert all(s.rising and s.above for s in states)
    assert stacked(states) is True


def _macd_from_histogram(values) -> Macd:
    histogram = _dated(values)
    return Macd(macd=histogram + 1, signal=pd.Series(1.0, index=histogram.index), histogram=histogram)


def test_macd_state_crossover_and_momentum():
    state = macd_state(_macd_from_histogram([np.nan, 1, 2, -1, -3, 0.5, 2, 1.5]))
    dates = pd.bdate_range("2024-01-01", periods=8)
    assert state.state == "buy"
    assert state.crossed_on == dates[5].date()
    assert state.momentum == "falling"
    assert state.histogram == 1.5 and state.macd == 2.5 and state.signal == 1.0


def test_macd_state_without_a_crossover_has_no_date():
    state = macd_state(_macd_from_histogram([-1, -2, -1.5]))
    assert (state.state, state.crossed_on, state.momentum) == ("sell", None, "rising")


def test_macd_state_short_history_is_all_none():
    close = _close("^GSPC").iloc[:30]
    state = macd_state(macd(close))
    assert all(value is None for value in vars(state).values())
