"""Breadth indicators over the bundled S&P 500 members, against independent computations.

The oracles here are written the slow, obvious way (a loop per member, pandas rolling windows,
TA-Lib), so a shortcut in the vectorised code shows up as a difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib

from tuimarket.analysis import breadth
from tuimarket.data import members

# From ../shared/data/sp500/README.md: % of these members above their own 200-day average.
README_ABOVE_200 = {"2020-03-23": 3.5, "2022-06-16": 13.9, "2024-11-29": 78.4, "2025-04-08": 18.8}
# The same dates counting a member only while it was in the index (fewer stocks, all of them real members).
MEMBERS_ONLY_ABOVE_200 = {"2020-03-23": 2.99, "2022-06-16": 13.33, "2024-11-29": 77.45, "2025-04-08": 18.39}


@pytest.fixture(scope="module")
def bundle() -> members.Members:
    return members.bundled()


@pytest.fixture(scope="module")
def sample(bundle: members.Members) -> pd.DataFrame:
    """Sixty members, some listed after 2018 (GEV, SOLV, KVUE), with a gap punched into one."""
    symbols = list(bundle.closes.columns[::9][:57]) + ["GEV", "SOLV", "KVUE"]
    closes = bundle.closes[symbols].copy()
    closes.iloc[1000:1003, 0] = np.nan     # three missing closes mid-history
    return closes


@pytest.fixture(scope="module")
def history(sample: pd.DataFrame, bundle: members.Members) -> breadth.BreadthHistory:
    return breadth.breadth_history(sample, sectors=bundle.sectors)


def oracle_above(closes: pd.DataFrame, period: int) -> pd.Series:
    above, counted = pd.Series(0.0, index=closes.index), pd.Series(0.0, index=closes.index)
    for symbol in closes:
        close = closes[symbol]
        average = close.rolling(period).mean()     # NaN while any of the window's closes is missing
        known = average.notna() & close.notna()
        above += (known & (close > average)).astype(float)
        counted += known.astype(float)
    return (above / counted).where(counted > 0)


@pytest.mark.parametrize("period", breadth.AVERAGE_PERIODS)
def test_percent_above_average_matches_a_loop_over_members(sample, history, period) -> None:
    pd.testing.assert_series_equal(history.above[period], oracle_above(sample, period), check_names=False,
                                   check_freq=False)


@pytest.mark.parametrize("period", (50, 200))
def test_percent_above_average_matches_talib_sma(sample, history, period) -> None:
    above = np.zeros(len(sample))
    counted = np.zeros(len(sample))
    for symbol in sample:
        close = sample[symbol].to_numpy()
        start = np.flatnonzero(np.isfinite(close))[0]   # TA-Lib wants no leading NaN; the gap column has none
        if np.isnan(close[start:]).any():
            continue
        average = np.full(len(close), np.nan)
        average[start:] = talib.SMA(close[start:], period)
        known = np.isfinite(average)
        above += known & (close > average)
        counted += known
    ours = breadth.breadth_history(sample.drop(columns=sample.columns[0])).above[period].to_numpy()
    expected = np.where(counted > 0, above / np.maximum(counted, 1), np.nan)
    np.testing.assert_allclose(ours, expected, equal_nan=True)


def test_new_highs_and_lows_match_a_loop_over_members(sample, history) -> None:
    highs, lows = pd.Series(0, index=sample.index), pd.Series(0, index=sample.index)
    for symbol in sample:
        close = sample[symbol]
        window = close.rolling(breadth.YEAR)
        highs += (close == window.max()).astype(int)   # NaN windows compare False
        lows += (close == window.min()).astype(int)
    pd.testing.assert_series_equal(history.new_highs, highs, check_names=False, check_dtype=False,
                                   check_freq=False)
    pd.testing.assert_series_equal(history.new_lows, lows, check_names=False, check_dtype=False,
                                   check_freq=False)


def test_advances_declines_and_mcclellan_match_a_loop_and_talib_ema(sample, history) -> None:
    advances, declines = pd.Series(0, index=sample.index), pd.Series(0, index=sample.index)
    for symbol in sample:
        change = sample[symbol].diff()
        advances += (change > 0).astype(int)
        declines += (change < 0).astype(int)
    pd.testing.assert_series_equal(history.advances, advances, check_names=False, check_dtype=False,
                                   check_freq=False)
    pd.testing.assert_series_equal(history.declines, declines, check_names=False, check_dtype=False,
                                   check_freq=False)
    np.testing.assert_allclose(history.ad_line.to_numpy(), np.cumsum(advances - declines).to_numpy())
    ratio = np.array((advances - declines) / (advances + declines) * 1000, dtype=float)
    ratio[0] = np.nan   # the first day has nothing to compare with
    oscillator = np.full(len(ratio), np.nan)
    oscillator[1:] = talib.EMA(ratio[1:], 19) - talib.EMA(ratio[1:], 39)
    np.testing.assert_allclose(history.mcclellan.to_numpy(), oscillator, equal_nan=True)
    np.testing.assert_allclose(history.summation.dropna().to_numpy(), np.nancumsum(oscillator)[38 + 1:])


def test_sector_breadth_matches_the_members_of_each_sector(sample, history, bundle) -> None:
    for sector in bundle.sectors.loc[sample.columns].unique():
        symbols = [s for s in sample if bundle.sectors[s] == sector]
        pd.testing.assert_series_equal(history.sector_above[50][sector], oracle_above(sample[symbols], 50),
                                       check_names=False, check_freq=False)


def test_a_missing_member_is_left_out_never_counted_as_zero(sample) -> None:
    day = sample.index[1500]
    before = breadth.breadth_history(sample)
    gone = sample.copy()
    gone.loc[day] = np.nan                      # nobody has a close that day
    after = breadth.breadth_history(gone)
    assert after.members[day] == 0
    assert np.isnan(after.above[50][day])       # unknown, not 0 %
    assert after.advances[day] == after.declines[day] == 0
    one_missing = sample.copy()
    one_missing.loc[day, "ADM"] = np.nan
    changed = breadth.breadth_history(one_missing)
    assert changed.members[day] == before.members[day] - 1
    # the others' share that day, as if ADM were not a member at all
    assert changed.above[20][day] == pytest.approx(oracle_above(sample.drop(columns="ADM"), 20)[day])


@pytest.mark.parametrize("day", README_ABOVE_200)
def test_percent_above_200_day_matches_the_sp500_readme(bundle, day) -> None:
    everyone = breadth.breadth_history(bundle.closes)
    assert everyone.above[200][day] * 100 == pytest.approx(README_ABOVE_200[day], abs=0.05)
    members_only = breadth.breadth_history(bundle.closes, in_index=bundle.in_index)
    assert members_only.above[200][day] * 100 == pytest.approx(MEMBERS_ONLY_ABOVE_200[day], abs=0.005)


def test_a_member_outside_the_index_is_not_counted(bundle) -> None:
    jabil = bundle.closes[["JBL", "AAPL"]]
    history = breadth.breadth_history(jabil, in_index=bundle.in_index)
    assert history.members["2023-10-17"] == 1 and history.members["2023-10-18"] == 2


def test_the_reading_is_the_last_date_in_plain_numbers(bundle) -> None:
    cut = bundle.until(pd.Timestamp("2024-11-29"))
    history = breadth.breadth_history(cut.closes, in_index=cut.in_index, sectors=cut.sectors)
    reading = breadth.reading(history, source="bundled", caveat=cut.caveat)
    assert reading.as_of.isoformat() == "2024-11-29"
    assert reading.above[200] == pytest.approx(0.7745, abs=5e-4)
    assert reading.members == 481
    assert reading.net_new_highs == reading.new_highs - reading.new_lows > 0
    assert sum(sector.members for sector in reading.sectors) == reading.members
    assert all(type(value) is float for value in (reading.ad_line, reading.mcclellan, reading.summation))


@pytest.mark.parametrize("sessions", [0, 1, 2, 30, 251, 252])
def test_a_short_or_empty_history_gives_what_it_can(bundle, sessions) -> None:
    closes = bundle.closes.iloc[:sessions, :40]
    history = breadth.breadth_history(closes, sectors=bundle.sectors)
    assert len(history.advances) == sessions
    reading = breadth.reading(history, source="bundled", caveat="")
    if sessions == 0:
        assert reading is None
        return
    assert all((reading.above[period] is None) == (sessions < period) for period in breadth.AVERAGE_PERIODS)
    assert (history.new_highs + history.new_lows).iloc[:breadth.YEAR - 1].sum() == 0   # no full year yet
    assert reading.advances + reading.declines <= reading.members == closes.iloc[-1].notna().sum()


def test_a_close_a_hair_under_the_years_extreme_is_no_new_high_or_low(bundle) -> None:
    """Closes float32 cannot tell apart (the bundle's are all float32, a cache's scaled ones are not):
    a close 1e-9 under the year's high is no new high, 1e-9 over its low no new low."""
    closes = bundle.closes.iloc[:300, :3].copy()
    high_day, low_day = 260, 270
    for column in range(closes.shape[1]):
        closes.iloc[high_day, column] = closes.iloc[high_day - breadth.YEAR + 1:high_day, column].max() - 1e-9
        closes.iloc[low_day, column] = closes.iloc[low_day - breadth.YEAR + 1:low_day, column].min() + 1e-9
    high_day, low_day = closes.index[high_day], closes.index[low_day]
    history = breadth.breadth_history(closes)
    window = closes.rolling(breadth.YEAR)
    assert history.new_highs[high_day] == (closes == window.max()).loc[high_day].sum() == 0
    assert history.new_lows[low_day] == (closes == window.min()).loc[low_day].sum() == 0


def test_the_members_history_is_computed_once_and_its_series_are_those_without_sectors(bundle, monkeypatch) -> None:
    # A refresh's snapshot (its sectors' breadth) and its members' events (no sectors) read one history.
    known = bundle.until(pd.Timestamp("2024-11-29"))
    assert bundle.until(pd.Timestamp("2024-11-29")) is known          # the same date: the same members
    plain = breadth.breadth_history(known.closes, in_index=known.in_index)
    computed = []
    real = breadth.breadth_history
    monkeypatch.setattr(breadth, "breadth_history", lambda *args, **options: computed.append(1) or real(*args, **options))
    shared = breadth.members_history(known)
    assert breadth.members_history(bundle.until(pd.Timestamp("2024-11-29"))) is shared and computed == [1]
    assert set(shared.sector_members.columns) == set(bundle.sectors.unique())
    for field in ("members", "new_highs", "new_lows", "advances", "declines", "ad_line", "mcclellan", "summation"):
        pd.testing.assert_series_equal(getattr(shared, field), getattr(plain, field), check_exact=True)
    for period, above in plain.above.items():
        pd.testing.assert_series_equal(shared.above[period], above, check_exact=True)
    breadth.members_history(bundle.until(pd.Timestamp("2024-11-27")))     # another date: another history
    assert computed == [1, 1]
