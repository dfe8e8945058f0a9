"""Swing points, structure and the confirmation rule on small hand-built series."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from tuimarket.analysis.trend import structure_direction, swing_points, trend_state, trend_table
from tuimarket.config import AnalysisSettings

DATES = pd.bdate_range("2024-01-01", periods=200)
SMALL_SWINGS = AnalysisSettings(swing_window=2, swing_count=4, trend_floor_swings=4, slope_lookback=10,
                                confirm_band=0.03)


def bars_from(highs, lows=None) -> pd.DataFrame:
    highs = np.asarray(highs, dtype=float)
    lows = highs - 1 if lows is None else np.asarray(lows, dtype=float)
    index = DATES[: len(highs)]
    return pd.DataFrame({"Open": highs, "High": highs, "Low": lows, "Close": (highs + lows) / 2,
                         "Volume": 0.0}, index=index)


def zigzag(step_up: float, step_down: float, legs: int, start: float = 100.0) -> list[float]:
    """Five bars up by step_up, five down by step_down, repeated."""
    prices, price = [], start
    for leg in range(legs):
        for _ in range(5):
            price += step_up if leg % 2 == 0 else -step_down
            prices.append(price)
    return prices


def test_swing_highs_and_lows_golden():
    bars = bars_from([1, 2, 3, 2, 1, 2, 5, 2, 1, 0, 1], lows=[0, 1, 2, 1, 0, 1, 4, 1, 0, -1, 0])
    highs, lows = swing_points(bars, window=2)
    assert_series_equal(highs, pd.Series([3.0, 5.0], index=DATES[[2, 6]], name="High"), check_freq=False)
    # Bar 9 (the lowest low) has only one bar on its right: not yet a pivot.
    assert_series_equal(lows, pd.Series([0.0], index=DATES[[4]], name="Low"), check_freq=False)


def test_flat_top_gives_one_pivot_on_its_first_bar():
    highs, _ = swing_points(bars_from([1, 3, 3, 1, 0]), window=1)
    assert list(highs.index) == [DATES[1]]


def test_too_short_for_a_window_has_no_pivots():
    highs, lows = swing_points(bars_from([1, 2, 1]), window=2)
    assert highs.empty and lows.empty


@pytest.mark.parametrize("points, expected", [
    ([1, 2, 3, 4], 1),
    ([1, 3, 2, 4], 1),       # last above first and two of three steps up
    ([4, 3, 2, 1], -1),
    ([1, 3, 2, 1.5], 0),     # last above first but most steps down
    ([2, 2, 2, 2], 0),
])
def test_structure_direction(points, expected):
    assert structure_direction(pd.Series(points, dtype=float)) == expected


def _long_average(bars: pd.DataFrame, above: bool | None, rising: bool | None) -> pd.Series:
    """A stand-in long average: 5% below or above the close, rising or falling, or unknown."""
    if above is None:
        return pd.Series(np.nan, index=bars.index)
    level = bars["Close"].iloc[-1] * (0.95 if above else 1.05)
    slope = np.arange(len(bars)) * (0.01 if rising else -0.01)
    return pd.Series(level + slope - slope[-1], index=bars.index)


def test_rising_zigzag_is_an_uptrend_confirmed_by_a_rising_average():
    bars = bars_from(zigzag(3, 1, legs=12))
    state = trend_state(bars, trend_table(bars, _long_average(bars, above=True, rising=True), SMALL_SWINGS), SMALL_SWINGS)
    assert (state.state, state.confirmed, state.higher_highs, state.higher_lows) == ("uptrend", True, True, True)
    assert len(state.swing_highs) == len(state.swing_lows) == 4
    assert [p for _, p in state.swing_highs] == sorted(p for _, p in state.swing_highs)


def test_falling_zigzag_is_a_downtrend():
    bars = bars_from(zigzag(1, 3, legs=12))
    state = trend_state(bars, trend_table(bars, _long_average(bars, False, False), SMALL_SWINGS), SMALL_SWINGS)
    assert (state.state, state.confirmed, state.lower_highs, state.lower_lows) == ("downtrend", True, True, True)


def test_flat_zigzag_is_sideways_and_never_confirmed():
    bars = bars_from(zigzag(2, 2, legs=12))
    state = trend_state(bars, trend_table(bars, _long_average(bars, True, True), SMALL_SWINGS), SMALL_SWINGS)
    assert (state.state, state.confirmed) == ("sideways", False)


@pytest.mark.parametrize("above, rising, confirmed", [
    (True, True, True), (True, False, False), (False, True, False), (False, False, False), (None, None, None),
])
def test_uptrend_confirmation_rule(above, rising, confirmed):
    bars = bars_from(zigzag(3, 1, legs=12))
    state = trend_state(bars, trend_table(bars, _long_average(bars, above, rising), SMALL_SWINGS), SMALL_SWINGS)
    assert state.state == "uptrend" and state.confirmed is confirmed


def test_too_few_swings_give_no_verdict():
    bars = bars_from(zigzag(3, 1, legs=4))
    state = trend_state(bars, trend_table(bars, _long_average(bars, True, True), SMALL_SWINGS), SMALL_SWINGS)
    assert state.state is None and state.confirmed is None and state.higher_highs is None


def test_a_normal_pullback_keeps_the_uptrend():
    """Lower highs and lows in a pullback that holds above the last four swing lows: still an uptrend."""
    bars = bars_from(zigzag(3, 1, legs=12) + zigzag(1, 2, legs=5, start=158))
    table = trend_table(bars, _long_average(bars, True, True), SMALL_SWINGS)
    assert table["trend"].iloc[-1] == 1 and table["lows"].iloc[-1] == -1 and table["highs"].iloc[-1] != 1
    assert (table["trend"].dropna() == 1).all()


def test_a_record_close_is_never_sideways():
    flat_then_record = zigzag(2, 2, legs=12) + [104.0, 108.0, 112.0]
    bars = bars_from(flat_then_record)
    table = trend_table(bars, _long_average(bars, True, True), SMALL_SWINGS)
    assert table["trend"].iloc[-3] == 0 and table["trend"].iloc[-1] == 1


def test_breaking_the_floor_of_swing_lows_ends_the_uptrend():
    prices = zigzag(3, 1, legs=12)
    bars = bars_from(prices + [prices[-1] - step for step in range(2, 60, 4)])
    table = trend_table(bars, _long_average(bars, True, True), SMALL_SWINGS)
    assert table["trend"].iloc[59] == 1 and table["trend"].iloc[-1] == 0
