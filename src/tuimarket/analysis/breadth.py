"""Market breadth over index members: how many stocks take part in the index's move.

Everything is computed on one dates x members matrix of closes, column-wise in numpy, in one
pass (never a Python loop per member or per day). A member without a close on a day, or outside
the index that day, is missing: it is left out of that day's denominator, never counted as zero.

- % above the 20/50/200-day simple averages (a member needs `period` closes for its average);
- new 52-week highs and lows, on closes (a close at the highest or lowest of the last 252);
- advances and declines (close against the previous session's close), the advance/decline line
  (their running difference from the first date);
- the McClellan oscillator, ratio-adjusted: the 19-day minus the 39-day EMA of
  (advances - declines) / (advances + declines) x 1000, so a day with fewer members counted
  weighs the same; and its summation index, the running sum of the oscillator from zero;
- % above 50/200 per GICS sector.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from tuimarket.analysis.indicators import ema
from tuimarket.data.members import Members

AVERAGE_PERIODS = (20, 50, 200)
SECTOR_PERIODS = (50, 200)
YEAR = 252                      # sessions in 52 weeks
MCCLELLAN_FAST, MCCLELLAN_SLOW = 19, 39
RATIO_SCALE = 1000              # ratio-adjusted net advances are per mille of the members counted


@dataclass(frozen=True, eq=False)
class BreadthHistory:
    """Every breadth series, indexed by date (pandas: for the analysis and the history)."""

    members: pd.Series                        # members counted each day (a close, in the index)
    above: Mapping[int, pd.Series]            # period -> fraction of the members with an average
    new_highs: pd.Series
    new_lows: pd.Series
    advances: pd.Series
    declines: pd.Series
    ad_line: pd.Series
    mcclellan: pd.Series
    summation: pd.Series
    sector_members: pd.DataFrame              # dates x sectors: members counted
    sector_above: Mapping[int, pd.DataFrame]  # period -> dates x sectors, fractions

    @property
    def net_new_highs(self) -> pd.Series:
        return self.new_highs - self.new_lows


@dataclass(frozen=True)
class SectorBreadth:
    sector: str
    above: Mapping[int, float | None]         # period -> fraction (None: no member counted)
    members: int                              # members of the sector counted on the day


@dataclass(frozen=True)
class BreadthReading:
    """Breadth on one date, pandas-free: what the snapshot, the report and the UI show."""

    as_of: date
    members: int                              # members counted on the day (a close, in the index)
    above: Mapping[int, float | None]         # period -> fraction above its average
    new_highs: int
    new_lows: int
    advances: int
    declines: int
    ad_line: float
    mcclellan: float | None
    summation: float | None
    sectors: tuple[SectorBreadth, ...]
    source: str                               # where the member list came from
    caveat: str                               # what the member list leaves out (survivorship)
    missing: tuple[str, ...] = ()             # listed members without any close

    @property
    def net_new_highs(self) -> int:
        return self.new_highs - self.new_lows


def member_breadth(members: Members | None, as_of: date | None) -> BreadthReading | None:
    """Breadth of `members` on `as_of` (or their last date before it): None when breadth is off.

    Only closes up to `as_of` are read, so a replay sees what was known that day.
    """
    if members is None:
        return None
    known = members.until(pd.Timestamp(as_of) if as_of else None)
    history = breadth_history(known.closes, in_index=known.in_index, sectors=known.sectors)
    return reading(history, source=known.source, caveat=known.caveat, missing=known.missing)


def breadth_history(closes: pd.DataFrame, *, in_index: pd.DataFrame | None = None,
                    sectors: pd.Series | None = None) -> BreadthHistory:
    """All breadth series of `closes` (dates x members).

    `in_index` (same shape, bools) says when each member was in the index: a member counts only
    then, though its averages use every close it has. `sectors` maps a member to its sector.
    """
    values = np.ascontiguousarray(closes.to_numpy(dtype=np.float64).T)   # members x dates: each row contiguous
    member = np.isfinite(values)
    if in_index is not None:
        member &= in_index.reindex(index=closes.index, columns=closes.columns, fill_value=False).to_numpy(bool).T
    dates = closes.index

    sector_rows = _sector_rows(closes.columns, sectors)
    above, sector_above = {}, {}
    for period, average in _moving_averages(values, AVERAGE_PERIODS).items():
        has_average = member & np.isfinite(average)
        is_above = has_average & (values > average)
        above[period] = _fraction(is_above.sum(axis=0), has_average.sum(axis=0))
        if period in SECTOR_PERIODS:
            counted = _per_sector(has_average, sector_rows, dates)
            sector_above[period] = _per_sector(is_above, sector_rows, dates) / counted.where(counted > 0)

    highest, lowest = _rolling_extremes(values, YEAR)
    full_year = member & np.isfinite(highest)
    new_highs = (full_year & (values >= highest)).sum(axis=0)
    new_lows = (full_year & (values <= lowest)).sum(axis=0)

    previous = np.empty_like(values)
    previous[:, :1] = np.nan
    previous[:, 1:] = values[:, :-1]
    compared = member & np.isfinite(previous)
    advances = (compared & (values > previous)).sum(axis=0)
    declines = (compared & (values < previous)).sum(axis=0)
    net = pd.Series(advances - declines, index=dates, dtype="float64")
    moving = pd.Series(advances + declines, index=dates, dtype="float64")
    ratio = (net / moving.where(moving > 0)) * RATIO_SCALE
    mcclellan = ema(ratio, MCCLELLAN_FAST) - ema(ratio, MCCLELLAN_SLOW)

    return BreadthHistory(
        members=pd.Series(member.sum(axis=0), index=dates),
        above=MappingProxyType({period: pd.Series(share, index=dates) for period, share in above.items()}),
        new_highs=pd.Series(new_highs, index=dates),
        new_lows=pd.Series(new_lows, index=dates),
        advances=pd.Series(advances, index=dates),
        declines=pd.Series(declines, index=dates),
        ad_line=net.cumsum(),
        mcclellan=mcclellan,
        summation=mcclellan.cumsum(),   # cumsum skips the NaN warm-up, which stays NaN
        sector_members=_per_sector(member, sector_rows, dates),
        sector_above=MappingProxyType(sector_above),
    )


def reading(history: BreadthHistory, *, source: str, caveat: str,
            missing: tuple[str, ...] = ()) -> BreadthReading | None:
    """The history's last date as a BreadthReading (None when it has no dates)."""
    if history.advances.empty:
        return None
    last = history.advances.index[-1]
    sectors = tuple(
        SectorBreadth(str(sector), MappingProxyType({p: _at(history.sector_above[p][sector]) for p in SECTOR_PERIODS}),
                      members=int(counted))
        for sector, counted in history.sector_members.iloc[-1].items()
    )
    return BreadthReading(
        as_of=last.date(),
        members=int(history.members.iloc[-1]),
        above=MappingProxyType({period: _at(series) for period, series in history.above.items()}),
        new_highs=int(history.new_highs.iloc[-1]),
        new_lows=int(history.new_lows.iloc[-1]),
        advances=int(history.advances.iloc[-1]),
        declines=int(history.declines.iloc[-1]),
        ad_line=float(history.ad_line.iloc[-1]),
        mcclellan=_at(history.mcclellan),
        summation=_at(history.summation),
        sectors=sectors,
        source=source,
        caveat=caveat,
        missing=missing,
    )


# ---- the vectorised parts -------------------------------------------------------------------------

def _moving_averages(values: np.ndarray, periods: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Simple averages along each row from one running sum; NaN unless `period` closes are all there."""
    missing = ~np.isfinite(values)
    running = np.cumsum(np.where(missing, 0.0, values), axis=1)
    averages = {}
    for period in periods:
        average = _window_sums(running, period)
        average /= period
        average[_incomplete(missing, period)] = np.nan
        averages[period] = average
    return averages


def _window_sums(running: np.ndarray, period: int) -> np.ndarray:
    """The sum of the last `period` values along each row, from the row's running sum (in place of a copy)."""
    total = running.copy()
    np.subtract(total[:, period:], running[:, :-period], out=total[:, period:])
    return total


def _incomplete(missing: np.ndarray, period: int) -> np.ndarray:
    """Where a window of `period` values ending there lacks one: its first period-1 dates, and gaps.

    Only the rows that miss a value anywhere (members listed later) need the running count.
    """
    incomplete = np.zeros(missing.shape, dtype=bool)
    incomplete[:, :period - 1] = True
    rows = np.flatnonzero(missing.any(axis=1))
    if len(rows):
        incomplete[rows] |= _window_sums(np.cumsum(missing[rows], axis=1, dtype=np.int32), period) > 0
    return incomplete


def _rolling_extremes(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The highest and lowest of the last `window` values along each row (NaN unless all present).

    van Herk / Gil-Werman: cut the dates into blocks of `window`; a window spans the tail of one
    block and the head of the next, so its extreme is that of a suffix and a prefix extreme,
    each one running accumulate. O(values), whatever the window. The accumulates run down the
    dates with the members side by side (a dates x members copy), which numpy vectorises.
    """
    members, length = values.shape
    if length < window:
        return np.full(values.shape, np.nan), np.full(values.shape, np.nan)
    padded = np.full((-(-length // window) * window, members), np.nan)
    padded[:length] = values.T
    blocks = padded.reshape(-1, window, members)
    incomplete = _incomplete(~np.isfinite(values), window).T
    results = []
    for extreme in (np.fmax, np.fmin):
        prefix = extreme.accumulate(blocks, axis=1).reshape(-1, members)
        suffix = extreme.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].reshape(-1, members)
        result = np.full((length, members), np.nan)
        # the window ending at t starts at t - window + 1: suffix from there, prefix up to t
        extreme(suffix[:length - window + 1], prefix[window - 1:length], out=result[window - 1:])
        result[incomplete] = np.nan
        results.append(result.T)
    return results[0], results[1]


def _sector_rows(symbols: pd.Index, sectors: pd.Series | None) -> dict[str, np.ndarray]:
    """Each sector's member rows (none without sectors; a member without one is "Unknown")."""
    if sectors is None:
        return {}
    labels = sectors.reindex(symbols).fillna("Unknown").to_numpy()
    return {name: np.flatnonzero(labels == name) for name in sorted(set(labels))}


def _per_sector(flags: np.ndarray, sector_rows: dict[str, np.ndarray], dates: pd.Index) -> pd.DataFrame:
    """Dates x sectors: how many members of each sector are flagged."""
    return pd.DataFrame({name: flags[rows].sum(axis=0) for name, rows in sector_rows.items()}, index=dates,
                        columns=list(sector_rows), dtype="int64")


def _fraction(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where nothing was counted (missing, never zero)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _at(series: pd.Series) -> float | None:
    value = series.iloc[-1] if len(series) else float("nan")
    return None if pd.isna(value) else float(value)
