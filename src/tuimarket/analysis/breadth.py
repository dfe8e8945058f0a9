"""Market breadth over index members: how many stocks take part in the index's move.

Everything is computed on one dates x members matrix of closes in numpy, a chunk of one
sector's members at a time (never a Python loop per member or per day). A member without a close on a day, or outside
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

import weakref
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
CHUNK_ROWS = 64                 # members computed together (see `_tally`)
SPANS = tuple(2 ** level for level in range(1, max(AVERAGE_PERIODS).bit_length()))  # 2 ... 128: see `_Chunk`


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
    history = members_history(known)
    return reading(history, source=known.source, caveat=known.caveat, missing=known.missing)


_HISTORIES: weakref.WeakKeyDictionary[Members, BreadthHistory] = weakref.WeakKeyDictionary()


def members_history(members: Members) -> BreadthHistory:
    """`breadth_history` of the members, their sectors' included, computed once for a Members (a
    value no one changes): a refresh's snapshot and its members' events read one history (each
    was 30-60 ms). The overall series are the same with sectors or without: every member counts in
    exactly one sector."""
    history = _HISTORIES.get(members)
    if history is None:
        history = _HISTORIES[members] = breadth_history(members.closes, in_index=members.in_index,
                                                        sectors=members.sectors)
    return history


def breadth_history(closes: pd.DataFrame, *, in_index: pd.DataFrame | None = None,
                    sectors: pd.Series | None = None) -> BreadthHistory:
    """All breadth series of `closes` (dates x members).

    `in_index` (same shape, bools) says when each member was in the index: a member counts only
    then, though its averages use every close it has. `sectors` maps a member to its sector.
    """
    dates = closes.index
    # Members x dates, each row contiguous (the frame's own block, not a copy, when all are floats).
    values = closes.to_numpy(dtype=np.float64).T
    listed = None if in_index is None else in_index.reindex(
        index=dates, columns=closes.columns, fill_value=False).to_numpy(bool).T
    sector_rows = _sector_rows(closes.columns, sectors)
    tally = _tally(values, listed, list(sector_rows.values()) or [np.arange(len(values))])
    in_sectors = slice(len(sector_rows))      # without sectors, the one group of everyone is no sector

    def per_sector(counts: np.ndarray) -> np.ndarray:
        return counts[in_sectors].T

    advances, declines = tally.advances.sum(axis=0), tally.declines.sum(axis=0)
    net = pd.Series(advances - declines, index=dates, dtype="float64")
    ratio = pd.Series(_fraction(advances - declines, advances + declines) * RATIO_SCALE, index=dates)
    mcclellan = ema(ratio, MCCLELLAN_FAST) - ema(ratio, MCCLELLAN_SLOW)

    return BreadthHistory(
        members=pd.Series(tally.members.sum(axis=0), index=dates),
        above=MappingProxyType({
            period: pd.Series(_fraction(tally.above[period].sum(axis=0), tally.has_average[period].sum(axis=0)),
                              index=dates)
            for period in AVERAGE_PERIODS}),
        new_highs=pd.Series(tally.new_highs.sum(axis=0), index=dates),
        new_lows=pd.Series(tally.new_lows.sum(axis=0), index=dates),
        advances=pd.Series(advances, index=dates),
        declines=pd.Series(declines, index=dates),
        ad_line=net.cumsum(),
        mcclellan=mcclellan,
        summation=mcclellan.cumsum(),   # cumsum skips the NaN warm-up, which stays NaN
        sector_members=pd.DataFrame(per_sector(tally.members), index=dates, columns=list(sector_rows)),
        sector_above=MappingProxyType({
            period: pd.DataFrame(_fraction(per_sector(tally.above[period]), per_sector(tally.has_average[period])),
                                 index=dates, columns=list(sector_rows))
            for period in SECTOR_PERIODS}),
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

@dataclass(frozen=True)
class _Tally:
    """How many members are flagged, per group of members (a sector) and date: groups x dates."""

    members: np.ndarray                   # counted (a close, in the index)
    has_average: dict[int, np.ndarray]    # period -> counted, with all `period` closes for the average
    above: dict[int, np.ndarray]          # period -> of those, closing above it
    new_highs: np.ndarray
    new_lows: np.ndarray
    advances: np.ndarray
    declines: np.ndarray

    @classmethod
    def zeros(cls, groups: int, dates: int) -> _Tally:
        def zero() -> np.ndarray:
            return np.zeros((groups, dates), dtype=np.int64)
        return cls(zero(), {period: zero() for period in AVERAGE_PERIODS},
                   {period: zero() for period in AVERAGE_PERIODS}, zero(), zero(), zero(), zero())


def _tally(values: np.ndarray, listed: np.ndarray | None, groups: list[np.ndarray]) -> _Tally:
    """The counts of each group of rows of `values` (members x dates), `listed` saying where a
    member is in the index.

    A group is computed CHUNK_ROWS rows at a time: the chunk is a copy that stays in the CPU's
    cache through the dozens of passes over it (one pass over the whole matrix goes to memory),
    and its flags are added up per date as soon as they are known (no matrix of each is kept).
    """
    tally = _Tally.zeros(len(groups), values.shape[1])
    chunk = _Chunk(min(CHUNK_ROWS, len(values)), values.shape[1])
    for group, rows in enumerate(groups):
        for some_rows in np.array_split(rows, max(1, -(-len(rows) // CHUNK_ROWS))):
            chunk.load(values, listed, some_rows)
            _tally_chunk(tally, group, chunk)
    return tally


def _tally_chunk(tally: _Tally, group: int, chunk: _Chunk) -> None:
    """Add the counts of the members in `chunk` to `group`'s.

    A window missing a close has a NaN sum or extreme, and NaN compares False: only a member's
    first dates, whose windows reach into the row before (see `_Chunk`), are left out by hand.
    """
    closes, flags = chunk.closes, chunk.flags
    tally.members[group] += chunk.member_counts

    for period in AVERAGE_PERIODS:
        average = chunk.window_sum(period)
        average /= period
        tally.has_average[period][group] += chunk.count_full_windows(average, period)
        tally.above[period][group] += chunk.count_members(np.greater(closes, average, out=flags), period)

    if chunk.dates >= YEAR:
        for extreme, at_extreme, count in ((np.maximum, np.greater_equal, tally.new_highs),
                                           (np.minimum, np.less_equal, tally.new_lows)):
            reached = at_extreme(chunk.narrow, chunk.window_extreme(extreme, YEAR), out=flags)
            count[group] += chunk.count_members(reached, YEAR)

    narrow = _flat(chunk.narrow)
    for direction, count in ((np.greater, tally.advances), (np.less, tally.declines)):
        direction(narrow[1:], narrow[:-1], out=_flat(flags)[1:])    # against the previous close
        count[group] += chunk.count_members(flags, window=2)


class _Chunk:
    """Some members' closes (rows x dates, contiguous) and what is computed from them.

    Windows are computed over the rows laid end to end (a pass over the chunk, not one per row):
    a window ending on one of a row's first dates reaches into the row before, and is not counted.
    The arrays are allocated once for all chunks (`load` takes views of their first rows): a fresh
    array of this size is mapped anew by the allocator each time, and its page faults cost more
    than the passes over it.
    """

    def __init__(self, rows: int, dates: int) -> None:
        self.dates = dates
        self._floats = [np.empty((rows, dates)) for _ in range(2 + len(SPANS))]
        self._float32 = np.empty((rows, dates), np.float32)
        self._bools = [np.empty((rows, dates), bool) for _ in range(3)]

    def load(self, values: np.ndarray, listed: np.ndarray | None, rows: np.ndarray) -> None:
        """Take these rows of `values` (and of `listed`, where each member is in the index)."""
        count = len(rows)
        self.closes, self.window, *self.sums = (floats[:count] for floats in self._floats)
        self.has_close, self.member, self.flags = (flags[:count] for flags in self._bools)
        np.take(values, rows, axis=0, out=self.closes, mode="clip")    # "clip" writes straight to `out`
        np.isfinite(self.closes, out=self.has_close)
        if listed is None:
            self.member[...] = self.has_close
        else:
            np.logical_and(self.has_close, np.take(listed, rows, axis=0, out=self.flags, mode="clip"), out=self.member)
        self.member_counts = _count(self.member).astype(np.int64)     # per date, members counted
        self.gappy = np.flatnonzero(~self.has_close.all(axis=1))      # members listed later, gaps
        # float32 halves what the extremes' passes read, where it holds every close exactly (the bundle's)
        float32, round_trip = self._float32[:count], self.window
        np.copyto(float32, self.closes, casting="same_kind")
        np.copyto(round_trip, float32)
        inexact = np.count_nonzero(np.not_equal(round_trip, self.closes, out=self.flags))   # NaN too
        missing = self.closes.size - np.count_nonzero(self.has_close)
        self.narrow = float32 if inexact == missing else self.closes
        self._sums_of_spans()

    def count_members(self, flags: np.ndarray, window: int) -> np.ndarray:
        """Per date, how many members are flagged, none on the first `window` - 1 dates (`flags`
        is overwritten)."""
        flags &= self.member
        counts = _count(flags)
        counts[:window - 1] = 0
        return counts

    def count_full_windows(self, window_values: np.ndarray, window: int) -> np.ndarray:
        """Per date, how many members have every close of the `window` ending there, from the
        window's sums or extremes (NaN where one is missing): only rows with a gap need them."""
        broken = ~np.isfinite(window_values[self.gappy])
        broken &= self.member[self.gappy]
        counts: np.ndarray = self.member_counts - _count(broken)
        counts[:window - 1] = 0
        return counts

    def _sums_of_spans(self) -> None:
        """The sums of each span of SPANS closes ending at each position, each the sum of two of
        the span before (NaN where one is missing)."""
        shorter = _flat(self.closes)
        for span, sums in zip(SPANS, self.sums):
            longer = _flat(sums)
            longer[:span // 2] = np.nan
            np.add(shorter[span // 2:], shorter[:-(span // 2)], out=longer[span // 2:])
            shorter = longer

    def window_sum(self, period: int) -> np.ndarray:
        """The sum of the `period` closes ending at each date (NaN where one is missing), in
        `window`: the sums of the spans of `period`'s binary digits laid back to back (200 = 128
        + 64 + 8). A pairwise sum, as exact as pandas' compensated one."""
        spans = dict(zip((1, *SPANS), map(_flat, (self.closes, *self.sums))))
        first, *others = [span for span in reversed(spans) if period & span]
        total = _flat(self.window)
        total[:first] = np.nan
        if not others:
            total[first:] = spans[first][first:]
        else:
            np.add(spans[first][first:], spans[others[0]][:-first], out=total[first:])
        reach = first
        for previous, span in zip(others, others[1:]):
            reach += previous
            total[reach:] += spans[span][:-reach]
        return self.window

    def window_extreme(self, extreme: np.ufunc, window: int) -> np.ndarray:
        """The `extreme` (np.maximum or np.minimum) of the `window` closes ending at each date, in
        `narrow`'s type (NaN where one is missing).

        By doubling, as `_sums_of_spans`, until a span is the window (the last step reaches just
        that far: two overlapping spans). Written over two of the spans' sums, which are done with
        (their first `narrow.size` values, as float32 or float64).
        """
        spans, span = _flat(self.narrow), 1
        longer, spare = (_flat(buffer).view(spans.dtype)[:spans.size] for buffer in (self.window, self.sums[0]))
        while span < window:
            reach = min(span, window - span)
            longer[:reach] = np.nan
            extreme(spans[reach:], spans[:-reach], out=longer[reach:])
            spans, span, longer, spare = longer, span + reach, spare, longer
        return spans.reshape(self.narrow.shape)


def _flat(matrix: np.ndarray) -> np.ndarray:
    """A contiguous matrix's rows laid end to end (a view)."""
    return matrix.reshape(-1)


def _sector_rows(symbols: pd.Index, sectors: pd.Series | None) -> dict[str, np.ndarray]:
    """Each sector's member rows (none without sectors; a member without one is "Unknown")."""
    if sectors is None:
        return {}
    names, of_member = np.unique(sectors.reindex(symbols).fillna("Unknown").to_numpy(str), return_inverse=True)
    by_sector = np.argsort(of_member, kind="stable")
    return dict(zip(names.tolist(), np.split(by_sector, np.cumsum(np.bincount(of_member))[:-1])))


def _count(flags: np.ndarray) -> np.ndarray:
    """Per date, how many of a chunk's members are flagged (added up in uint8, CHUNK_ROWS < 256:
    3x faster than in int32)."""
    counts: np.ndarray = np.add.reduce(flags, axis=0, dtype=np.uint8)
    return counts


def _fraction(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where nothing was counted (missing, never zero)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _at(series: pd.Series) -> float | None:
    value = series.iloc[-1] if len(series) else float("nan")
    return None if pd.isna(value) else float(value)
