"""Relative strength, period returns, quadrants and ranks (the RRG lines themselves: test_rrg.py)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st
from pandas.testing import assert_series_equal

from tuimarket.analysis.results import RotationRow
from tuimarket.analysis.rotation import (
    period_returns, quadrant, ranked, relative_ratio, relative_strength, rotation_row, rs_swing, zigzag,
)
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config
from tuimarket.data import bundled

from ui_support import bundled_data


def dated(values, start="2023-01-02") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


def test_relative_ratio_uses_common_dates_only():
    close = dated([10, 20, 30, 40])
    benchmark = dated([5, 10, 10], start="2023-01-03")
    assert_series_equal(relative_ratio(close, benchmark), dated([20 / 5, 30 / 10, 40 / 10], start="2023-01-03"),
                        check_freq=False)


@pytest.mark.parametrize("ratio, momentum, expected", [
    (100, 100, "leading"), (101, 99.9, "weakening"), (99, 99, "lagging"), (99.5, 100.2, "improving"),
    (None, 100, None), (100, None, None),
])
def test_quadrants(ratio, momentum, expected):
    assert quadrant(ratio, momentum) == expected


def test_period_returns_golden():
    # 300 sessions rising by one point from 100; the year turns inside the series.
    close = dated(np.arange(100.0, 400.0))
    returns = period_returns(close)
    last = 399.0
    assert returns["1W"] == pytest.approx(last / 394 - 1)
    assert returns["1M"] == pytest.approx(last / 378 - 1)
    assert returns["1Y"] == pytest.approx(last / 147 - 1)
    last_of_2023 = close.loc[:"2023-12-31"].iloc[-1]
    assert returns["YTD"] == pytest.approx(last / last_of_2023 - 1)


def test_period_returns_short_history_gives_none():
    returns = period_returns(dated([100.0, 101.0, 102.0]))
    assert all(value is None for value in returns.values())   # no prior year, fewer than 6 bars
    assert dict(period_returns(dated([]))) == dict.fromkeys(returns)


def test_outperformer_rises_since_its_turn_and_leads():
    benchmark = dated(np.full(200, 100.0))
    # Flat relative strength for 120 sessions, then steady outperformance.
    close = dated(np.r_[np.full(120, 50.0), 50 * 1.004 ** np.arange(1, 81)])
    strength = relative_strength(relative_ratio(close, benchmark), "^BM", average=50, lookback=10)
    assert strength.trend == "rising"
    assert strength.since == close.index[120].date()   # ratio above a mean that turned up 10 bars earlier
    row = rotation_row("X", "X", close, benchmark, benchmark="^BM", average=50, lookback=10, long_period=100)
    assert row.quadrant in ("leading", "weakening") and row.rs_ratio > 100
    assert row.above_200 is True and row.rs_trend == "rising"


def test_underperformer_falls():
    benchmark = dated(np.full(200, 100.0))
    # A steady fall with some wobble: a perfectly even one has no RS-Momentum (its change never varies).
    close = dated(50 * 0.997 ** np.arange(200) * (1 + 0.01 * np.sin(np.arange(200) / 3)))
    row = rotation_row("Y", "Y", close, benchmark, benchmark="^BM", average=50, lookback=10, long_period=100)
    assert row.rs_trend == "falling" and row.rs_ratio < 100 and row.above_200 is False


def _row(symbol, rs_ratio, rs_momentum) -> RotationRow:
    return RotationRow(symbol, symbol, {}, rs_ratio, rs_momentum, quadrant(rs_ratio, rs_momentum),
                       None, None, None, ())


def test_rank_by_quadrant_then_rs_ratio_keeps_the_order():
    rows = ranked((_row("A", 99, 99), _row("B", 103, 99), _row("C", None, None), _row("D", 100, 101)))
    assert [row.symbol for row in rows] == ["A", "B", "C", "D"]
    assert [row.rank for row in rows] == [3, 2, None, 1]   # lagging, weakening, none, leading


def test_an_improving_symbol_never_outranks_a_leading_one():
    """The old score (ratio + momentum − 200) put improving (98, 104: +2) above leading (100.5, 100.5: +1)."""
    rows = ranked((_row("IMPROVING", 98, 104), _row("LEADING", 100.5, 100.5)))
    assert [row.rank for row in rows] == [2, 1]


def test_rotation_words_name_leaders_laggers_moves_and_the_adjustment():
    config = Config()
    said = build_snapshot(config, bundled_data(config, date(2025, 9, 25))).rotation_commentary
    assert said.startswith("Against the S&P 500, leading: Technology, Energy; lagging: Health Care, Materials.")
    assert "Over the last 8 weeks Energy moved into leading, and Materials moved into lagging." in said
    assert "Sector ETFs are dividend-adjusted while indexes are price only" in said


def test_rs_swing_turns_only_after_the_reversal_and_names_its_extreme():
    days = pd.bdate_range("2024-01-01", periods=7)
    ratio = pd.Series([1.0, 1.3, 1.5, 1.4, 1.2, 1.3, 1.25], index=days)
    swing = rs_swing(ratio, 0.1)
    # Up from 1.0 to 1.5, then back 20% to 1.2: a falling swing since the high, its low 1.2 so far.
    assert (swing.trend, swing.since, swing.extreme_on) == ("falling", days[2].date(), days[4].date())
    assert swing.change == pytest.approx(1.2 / 1.5 - 1) and swing.from_extreme == pytest.approx(1.25 / 1.2 - 1)
    # A 7% bounce is not a 10% reversal: no new swing. At 25% the fall from 1.5 is not a swing yet.
    assert rs_swing(ratio, 0.25).trend == "rising" and rs_swing(ratio, 0.25).extreme_on == days[2].date()
    assert rs_swing(ratio.iloc[:4], 0.1).trend == "rising"       # at 1.4, only 7% off the high: no turn yet
    assert rs_swing(ratio.iloc[:1], 0.1) is None


def _zigzag_value_by_value(values: list[float], reversal: float) -> tuple[list[tuple[int, int, int]], int]:
    """The zigzag read one value at a time, as it was written first (the oracle of the block search):
    its swings, and the position of the last one's extreme."""
    swings, direction, turn, extreme = [], 0, 0, 0
    for position, value in enumerate(values):
        if direction == 0:
            if value >= values[0] * (1 + reversal) or value <= values[0] * (1 - reversal):
                direction, extreme = (1 if value > values[0] else -1), position
                turn = int(np.argmin(values[:position + 1]) if direction == 1 else np.argmax(values[:position + 1]))
                swings.append((position, direction, turn))
        elif (value - values[extreme]) * direction > 0:
            extreme = position
        elif (value <= values[extreme] * (1 - reversal) if direction == 1
              else value >= values[extreme] * (1 + reversal)):
            direction, turn, extreme = -direction, extreme, position
            swings.append((position, direction, turn))
    return swings, extreme


@given(st.lists(st.floats(min_value=0.5, max_value=2.0), min_size=1, max_size=400),
       st.sampled_from([0.01, 0.1, 0.2]))
def test_the_zigzag_swings_are_those_read_value_by_value(values, reversal):
    # Rounded to a few levels so that ties (a flat top, a value exactly at the reversal) happen.
    values = [round(value, 1) for value in values]
    assert zigzag(np.array(values), reversal) == _zigzag_value_by_value(values, reversal)[0]


def test_the_zigzag_of_every_bundled_ratio_is_that_read_value_by_value():
    config = Config()
    benchmark = bundled.load(config.benchmark)["Close"]
    for symbol in ("^RUT", "^NDX", "XLK", "XLE"):
        ratio = relative_ratio(bundled.load(symbol)["Close"], benchmark)
        values = ratio.to_numpy()
        for reversal in (config.analysis.rs_minor_reversal, config.analysis.rs_major_reversal):
            swings, extreme = _zigzag_value_by_value(values.tolist(), reversal)
            assert zigzag(values, reversal) == swings
            assert rs_swing(ratio, reversal).extreme_on == ratio.index[extreme].date()
