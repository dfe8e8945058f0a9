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
from tuimarket.analysis.results import AVERAGE_PERIODS, SECTOR_PERIODS, BreadthReading, SectorBreadth
from tuimarket.data.members import Members

YEAR = 252                      # sessions in 52 weeks
MCCLELLAN_FAST, MCCLELLAN_SLOW = 19, 39
RATIO_SCALE = 1000              # ratio-adjusted net advances are per mille of the members counted
CHUNK_ROWS = 64                 # members computed together (see `_moving_averages`)


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
    # Members x dates, each row contiguous (the frame's own block, not a copy, when all are floats).
    values = np.ascontiguousarray(closes.to_numpy(dtype=np.float64).T)
    member = np.isfinite(values)
    if in_index is not None:
        member &= in_index.reindex(index=closes.index, columns=closes.columns, fill_value=False).to_numpy(bool).T
    dates = closes.index

    sector_rows = _sector_rows(closes.columns, sectors)
    above, sector_above = {}, {}
    for period, (has_average, is_above) in _moving_averages(values, member, AVERAGE_PERIODS).items():
        above[period] = _fraction(_count(is_above), _count(has_average))
        if period in SECTOR_PERIODS:
            sector_above[period] = pd.DataFrame(
                _fraction(_per_sector(is_above, sector_rows), _per_sector(has_average, sector_rows)),
                index=dates, columns=list(sector_rows))

    at_high, at_low = _rolling_extremes(values, member, YEAR)
    new_highs, new_lows = _count(at_high), _count(at_low)

    today, previous = values[:, 1:], values[:, :-1]
    compared = member[:, 1:] & np.isfinite(previous)      # the first date has no previous close
    advances, declines = np.zeros(len(dates), dtype=np.int64), np.zeros(len(dates), dtype=np.int64)
    advances[1:] = _count(compared & (today > previous))
    declines[1:] = _count(compared & (today < previous))
    net = pd.Series(advances - declines, index=dates, dtype="float64")
    moving = pd.Series(advances + declines, index=dates, dtype="float64")
    ratio = (net / moving.where(moving > 0)) * RATIO_SCALE
    mcclellan = ema(ratio, MCCLELLAN_FAST) - ema(ratio, MCCLELLAN_SLOW)

    return BreadthHistory(
        members=pd.Series(_count(member), index=dates),
        above=MappingProxyType({period: pd.Series(share, index=dates) for period, share in above.items()}),
        new_highs=pd.Series(new_highs, index=dates),
        new_lows=pd.Series(new_lows, index=dates),
        advances=pd.Series(advances, index=dates),
        declines=pd.Series(declines, index=dates),
        ad_line=net.cumsum(),
        mcclellan=mcclellan,
        summation=mcclellan.cumsum(),   # cumsum skips the NaN warm-up, which stays NaN
        sector_members=pd.DataFrame(_per_sector(member, sector_rows), index=dates, columns=list(sector_rows)),
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

def _moving_averages(values: np.ndarray, member: np.ndarray,
                     periods: tuple[int, ...]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per period, where a member has its simple average (all `period` closes there) and where its
    close is above it. The averages come from one running sum per row, CHUNK_ROWS rows at a time:
    the float temporaries stay small, in cache and in memory already mapped (a fresh matrix of
    the whole costs more in page faults than numpy's passes over it)."""
    has_average = {period: np.empty(values.shape, dtype=bool) for period in periods}
    is_above = {period: np.empty(values.shape, dtype=bool) for period in periods}
    for first in range(0, len(values), CHUNK_ROWS):
        rows = slice(first, first + CHUNK_ROWS)
        block = values[rows]
        missing = ~np.isfinite(block)
        running = np.cumsum(np.where(missing, 0.0, block), axis=1)
        for period in periods:
            average = _window_sums(running, period)
            average /= period
            np.logical_and(member[rows], ~_incomplete(missing, period), out=has_average[period][rows])
            np.logical_and(has_average[period][rows], block > average, out=is_above[period][rows])
    return {period: (has_average[period], is_above[period]) for period in periods}


def _window_sums(running: np.ndarray, period: int) -> np.ndarray:
    """The sum of the last `period` values along each row, from the rows' running sums (a
    contiguous matrix): one subtraction over the rows laid end to end, which numpy runs 3-4x
    faster than row by row; the first `period` dates of each row, which that mixes with the row
    before, are the running sums themselves."""
    total = np.empty_like(running)
    end_to_end = running.reshape(-1)
    np.subtract(end_to_end[period:], end_to_end[:-period], out=total.reshape(-1)[period:])
    total[:, :period] = running[:, :period]
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


def _rolling_extremes(values: np.ndarray, member: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Where a member's close is the highest, and where the lowest, of its last `window` closes
    (all of them there).

    The extremes by doubling: of spans of 1, 2, 4, ... values, each from two of the span before
    (`fmax`/`fmin` skip a missing value: a window lacking one is left out after), then a window is
    two overlapping spans of the largest power of two within it. About 2 log2(window) passes,
    CHUNK_ROWS rows at a time (see `_moving_averages`), over the rows laid end to end as in
    `_window_sums`: a span reaching back into the row before lies in the first `window` - 1
    dates of a row, which no full window ends on.
    """
    at_high, at_low = np.zeros(values.shape, dtype=bool), np.zeros(values.shape, dtype=bool)
    if values.shape[1] < window:
        return at_high, at_low
    full_window = member & ~_incomplete(~np.isfinite(values), window)
    for first in range(0, len(values), CHUNK_ROWS):
        rows = slice(first, first + CHUNK_ROWS)
        block = values[rows]
        end_to_end = block.reshape(-1)
        for extreme, at_extreme in ((np.fmax, at_high), (np.fmin, at_low)):
            spans, span = end_to_end, 1     # spans[i]: the extreme of the `span` values ending at i
            longer, spare = np.empty_like(end_to_end), np.empty_like(end_to_end)
            while span < window:
                # the next span doubles, or (the last step) reaches just the window
                reach = min(span, window - span)
                longer[:reach] = np.nan
                extreme(spans[reach:], spans[:-reach], out=longer[reach:])
                spans, span, longer, spare = longer, span + reach, spare, longer
            reached = end_to_end >= spans if extreme is np.fmax else end_to_end <= spans
            np.logical_and(full_window[rows], reached.reshape(block.shape), out=at_extreme[rows])
    return at_high, at_low


def _sector_rows(symbols: pd.Index, sectors: pd.Series | None) -> dict[str, np.ndarray]:
    """Each sector's member rows (none without sectors; a member without one is "Unknown")."""
    if sectors is None:
        return {}
    labels = sectors.reindex(symbols).fillna("Unknown").to_numpy()
    return {name: np.flatnonzero(labels == name) for name in sorted(set(labels))}


def _per_sector(flags: np.ndarray, sector_rows: dict[str, np.ndarray]) -> np.ndarray:
    """Dates x sectors: how many members of each sector are flagged."""
    counts = np.zeros((flags.shape[1], len(sector_rows)), dtype=np.int64)
    for column, rows in enumerate(sector_rows.values()):
        counts[:, column] = _count(flags[rows])
    return counts


def _count(flags: np.ndarray) -> np.ndarray:
    """Per date, how many members are flagged (added up in int32, twice as fast as bool's sum in int64)."""
    counts: np.ndarray = np.add.reduce(flags, axis=0, dtype=np.int32)
    return counts.astype(np.int64)


def _fraction(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where nothing was counted (missing, never zero)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _at(series: pd.Series) -> float | None:
    value = series.iloc[-1] if len(series) else float("nan")
    return None if pd.isna(value) else float(value)
