"""Level clustering, breakouts, retests and the all-time high on hand-built series."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tuimarket.analysis.levels import all_time_high, cluster_levels, find_breakout, find_levels, find_retest
from tuimarket.analysis.results import AllTimeHigh, Breakout, Retest
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config

from ui_support import bundled_data

DATES = pd.bdate_range("2024-01-01", periods=400)


def closes(values) -> pd.Series:
    return pd.Series(values, index=DATES[: len(values)], dtype=float)


def bars(close, lows=None) -> pd.DataFrame:
    close = np.asarray(close, dtype=float)
    low = close - 0.5 if lows is None else np.asarray(lows, dtype=float)
    return pd.DataFrame({"Open": close, "High": close + 0.5, "Low": low, "Close": close, "Volume": 0.0},
                        index=DATES[: len(close)])


def test_cluster_levels_golden():
    prices = np.array([120.9, 100.0, 110.0, 101.0, 120.0, 100.5, 101.6])
    # 100, 100.5, 101 are within 1.5% of 100; 101.6 is not, and alone; 110 alone; 120 and 120.9 pair up.
    assert cluster_levels(prices, 0.015, 2) == pytest.approx([100.5, 120.45])
    assert cluster_levels(prices, 0.015, 3) == pytest.approx([100.5])
    assert cluster_levels(np.array([]), 0.015, 2) == []


def test_breakout_is_the_latest_close_crossing_above_a_level():
    close = closes([98, 99, 101, 102, 99.5, 103, 104])
    assert find_breakout(close, [100.0]) == Breakout(100.0, DATES[5].date())


def test_no_breakout_when_price_fell_back_below():
    assert find_breakout(closes([98, 101, 102, 99]), [100.0]) is None


def test_breakout_counts_for_twenty_sessions_only():
    twenty_ago = closes([98] + [101 + i * 0.1 for i in range(20)])
    assert find_breakout(twenty_ago, [100.0]) == Breakout(100.0, DATES[1].date())
    twenty_one_ago = closes([98] + [101 + i * 0.1 for i in range(21)])
    assert find_breakout(twenty_one_ago, [100.0]) is None


def test_retest_is_a_low_touching_the_broken_level_while_closes_hold():
    frame = bars([98, 101, 104, 105, 102, 106], lows=[97, 99, 103, 104, 100.8, 105])
    breakout = find_breakout(frame["Close"], [100.0])
    assert breakout == Breakout(100.0, DATES[1].date())
    assert find_retest(frame, breakout, 0.015, 0.03) == Retest(100.0, DATES[4].date())


def test_no_retest_when_a_close_broke_back_below():
    frame = bars([98, 101, 104, 99.5, 102, 106], lows=[97, 99, 103, 99, 100.8, 105])
    assert find_retest(frame, Breakout(100.0, DATES[1].date()), 0.015, 0.03) is None


def test_no_retest_without_first_moving_away():
    """Issue 12: the day after a breakout, or closes drifting just above the level, are not retests."""
    frame = bars([98, 101, 101.5, 102, 102.5], lows=[97, 99.5, 100.5, 101, 101.4])
    assert find_retest(frame, Breakout(100.0, DATES[1].date()), 0.015, 0.03) is None


def test_no_retest_when_lows_stay_far_above():
    frame = bars([98, 101, 106, 108], lows=[97, 99, 105, 107])
    assert find_retest(frame, Breakout(100.0, DATES[1].date()), 0.015, 0.03) is None


def test_find_levels_splits_support_and_resistance_around_the_last_close():
    # Peaks at 110 twice, troughs at 100 twice, then a close at 105 between them.
    path = [100, 102, 104, 106, 108, 110, 108, 106, 104, 102, 100, 102, 104, 106, 108, 110, 108, 106, 104, 102,
            100, 102, 104, 105, 105, 105]
    levels = find_levels(bars(path), window=2, lookback=250, tolerance=0.015, min_touches=2, retest_away=0.03)
    assert levels.resistance == pytest.approx((110.5,))   # swing highs use High = close + 0.5
    assert levels.support == pytest.approx((99.5,))
    assert levels.breakout is None and levels.retest is None


def test_find_levels_on_empty_bars():
    empty = bars([])
    levels = find_levels(empty, window=2, lookback=250, tolerance=0.015, min_touches=2, retest_away=0.03)
    assert (levels.support, levels.resistance, levels.breakout, levels.retest) == ((), (), None, None)


def test_all_time_high_golden():
    close = closes([10, 12, 15, 15, 12])
    assert all_time_high(close) == AllTimeHigh(15.0, DATES[2].date(), pytest.approx(0.2), sessions=5)
    assert all_time_high(close).span == "5-session"
    assert all_time_high(closes([])) is None


def test_russell_in_2016_is_below_its_2015_record_not_at_an_all_time_high():
    """The bundled ^RUT reaches back before 2016-06-28 (spliced from an older Yahoo copy)."""
    config = Config()
    russell = build_snapshot(config, bundled_data(config, date(2016, 8, 15))).indices[2]
    assert russell.all_time_high.close == pytest.approx(1295.80, abs=0.01)
    assert russell.all_time_high.date == date(2015, 6, 23)
    assert russell.all_time_high.pct_below == pytest.approx(1 - 1241.86 / 1295.80, abs=1e-4)
    assert "all-time closing high" not in russell.commentary


def test_a_level_price_has_traded_through_both_ways_is_dropped():
    """Two highs at 110 form resistance; price then closes above it and back below: that zone was re-traded,
    so the old highs no longer describe it."""
    twin_peaks = [100, 102, 104, 106, 108, 110, 108, 106, 104, 102, 100, 102, 104, 106, 108, 110, 108, 106, 104]
    through = [108, 112, 116, 120, 116, 112, 108, 104, 100]
    flat = [101, 102, 103, 104, 105, 104, 103, 104, 105, 104] * 3
    still = find_levels(bars(twin_peaks + [104, 103, 104] * 8), window=2, lookback=250, tolerance=0.015,
                        min_touches=2, retest_away=0.03)
    assert still.resistance == pytest.approx((110.5,))
    assert still.formed_by[still.resistance[0]].highs == (DATES[5].date(), DATES[15].date())
    traded = find_levels(bars(twin_peaks + through + flat), window=2, lookback=250, tolerance=0.015,
                         min_touches=2, retest_away=0.03)
    assert 110.5 not in [pytest.approx(level) for level in traded.resistance]
