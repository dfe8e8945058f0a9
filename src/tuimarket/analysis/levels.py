"""Support and resistance from clustered swing points; breakouts, retests and the all-time high.

Levels: the swing highs and lows (see `trend.swing_points`) of the last `lookback` sessions
(about 20 years by default) that price has not since traded through: a swing high is dropped
once a later close has gone above it and a close after that has come back below it (a swing low
mirrors this), so each price zone is described by the swing points of the last time price
traded there, however many years ago (the S&P 500's 2022 peak is its resistance until 2024).
Those are sorted by price and grouped greedily: a price joins the current group while it is
within `tolerance` (a fraction) of the group's lowest price. A group with at least `min_touches`
points is a level at its mean price, and `formed_by` keeps the dates of its swing highs and lows.
Levels above the last close are resistance, the others support (a former resistance that price
has climbed over becomes support); the snapshot keeps the MAX_LEVELS nearest on each side.

Breakout: the most recent session within the last BREAKOUT_SESSIONS whose close crossed above a
level (previous close at or below it, this close above) while the last close is still above it.
Retest: after that breakout price must first move away, a close at least `retest_away` (a
fraction) above the level, and then come back: the most recent later session whose low came
within `tolerance` of the level (or below it) while every close since the breakout stayed above
it: the old resistance held as support. The day after a breakout, or a record close drifting
just above the level, is not a retest.
"""

from __future__ import annotations

import bisect
import copy
from datetime import date
from types import MappingProxyType
from typing import Iterable, Iterator, NamedTuple

import numpy as np
import pandas as pd

from tuimarket.analysis.results import AllTimeHigh, Breakout, Formation, Levels, Retest
from tuimarket.analysis.trend import pivot_positions
from tuimarket.data.model import dates_of

BREAKOUT_SESSIONS = 20
MAX_LEVELS = 3


def find_levels(bars: pd.DataFrame, *, window: int, lookback: int, tolerance: float,
                min_touches: int, retest_away: float) -> Levels:
    """Support and resistance at the last bar, and any recent breakout and retest."""
    if bars.empty:
        return Levels((), (), None, None)
    tracker = LevelTracker(bars, window=window, lookback=lookback, tolerance=tolerance, min_touches=min_touches)
    return tracker.levels(len(bars) - 1, retest_away)


class LevelTracker:
    """The levels of one history as of any of its bars, from one pass over the swing points.

    A swing point stands at bar t (see the module docstring) while it is known (`window` bars
    after it formed), within the last `lookback` sessions, and not traded through before the last
    BREAKOUT_SESSIONS sessions. When it is traded through depends only on the closes after it, so
    it is found once per point, for all bars: `find_levels` at the last bar and the dated events of
    `analysis.events` at every bar are the same computation.
    """

    def __init__(self, bars: pd.DataFrame, *, window: int, lookback: int, tolerance: float,
                 min_touches: int) -> None:
        self.bars, self.tolerance, self.min_touches = bars, tolerance, min_touches
        self.window, self.lookback = window, lookback
        # The swing points of `trend.swing_points`, read as positions: no Series to build and join.
        high, low = bars["High"].to_numpy(dtype=float), bars["Low"].to_numpy(dtype=float)
        highs_at, lows_at = pivot_positions(high, window), pivot_positions(-low, window)
        self.is_high = np.r_[np.ones(len(highs_at), dtype=bool), np.zeros(len(lows_at), dtype=bool)]
        self.prices = np.concatenate([high[highs_at], low[lows_at]])
        self.positions = np.concatenate([highs_at, lows_at])
        self.beyond, self.through = _traded_through(bars["Close"].to_numpy(dtype=float), self.positions, self.prices,
                                                    tolerance, np.where(self.is_high, 1, -1))
        self.dates: list[date] = dates_of(bars)[self.positions].date.tolist()
        self.fresh = 1       # a session from which following the crossings starts afresh (`analysis.events`)
        self._standing()

    def _standing(self) -> None:
        """A point stands on the bars [first, last): known, in the lookback, not traded through
        before the last BREAKOUT_SESSIONS sessions."""
        self.first = self.positions + self.window
        self.last = np.minimum(self.positions + self.lookback, self.through + BREAKOUT_SESSIONS + 1)
        self.high_flags: list[bool] = self.is_high.tolist()

    def extended(self, bars: pd.DataFrame) -> LevelTracker:
        """The tracker of `bars`, which continue this tracker's bars by new sessions, made from
        this one: the swing points whose `window` bars on the right are now there join, and the
        points not yet traded through are followed over the new closes. The same tracker as
        one made from `bars`, for a fraction of the work."""
        known, window = len(self.bars), self.window
        closes = bars["Close"].to_numpy(dtype=float)
        new = copy.copy(self)
        new.bars = bars
        # Points not yet traded through: the new closes may take them beyond, then back.
        direction = np.where(self.is_high, 1, -1)
        beyond, through = self.beyond.copy(), self.through.copy()
        pending = np.flatnonzero(through >= known)
        waiting = pending[beyond[pending] >= known]
        margins = self.prices * self.tolerance
        beyond[waiting] = known + _first_beyond(closes[known:], np.zeros(len(waiting), dtype=np.int64),
                                                (self.prices + direction * margins)[waiting], direction[waiting])
        through[pending] = known + _first_beyond(closes[known:], np.maximum(beyond[pending] + 1 - known, 0),
                                                 (self.prices - direction * margins)[pending], -direction[pending])
        # Swing points from `known - window` on were not known in the shorter history.
        first = max(known - 2 * window, 0)
        highs = int(self.is_high.sum())
        added = [_joined(prices, first + pivot_positions(way * prices[first:], window), way, dates_of(bars), closes,
                         self.tolerance, known - window)
                 for prices, way in ((bars["High"].to_numpy(dtype=float), 1), (bars["Low"].to_numpy(dtype=float), -1))]
        new.prices, new.positions, new.beyond, new.through = (
            np.concatenate([values[:highs], added[0][at], values[highs:], added[1][at]])
            for at, values in enumerate((self.prices, self.positions, beyond, through)))
        new.dates = self.dates[:highs] + added[0].dates + self.dates[highs:] + added[1].dates
        new.is_high = np.r_[np.ones(highs + len(added[0].prices), dtype=bool),
                            np.zeros(len(self.prices) - highs + len(added[1].prices), dtype=bool)]
        new._standing()
        return new

    def prices_at(self, bar: int) -> tuple[list[float], list[np.ndarray]]:
        """The level prices at `bar`, ascending, and the positions in `prices` of each one's points."""
        standing = np.flatnonzero((self.first <= bar) & (bar < self.last))
        groups = [standing[group] for group in cluster_groups(self.prices[standing], self.tolerance, self.min_touches)]
        return [float(self.prices[group].mean()) for group in groups], groups

    def crossings(self, start: int = 1) -> Iterator[tuple[int, int, float, list[int]]]:
        """Every session from `start` on whose close crosses a level standing then: (session, +1
        above or −1 below, the level, its points' positions in `prices`). Where several are crossed
        at once, the lowest, as `find_breakout` picks it. One pass over the sessions keeps the
        standing points in price order as they come and go (those standing the session before
        `start` to begin with), and clusters only around each move, from the nearest point that
        must start a group (one more than `tolerance` above the point below it): the same groups as
        `cluster_groups`, so the same levels as `prices_at`. Plain lists and one loop: it runs for
        every session of every symbol's history."""
        start = max(start, 1)
        closes = self.bars["Close"].to_numpy(dtype=float)[start - 1:].tolist()
        stop = start - 1 + len(closes)
        arriving = _by_session(self.first, self.last, start, stop)
        leaving = _by_session(self.last, self.last, start, stop, self.first)
        changing = arriving.keys() | leaving.keys()
        prices = self.prices.tolist()
        standing = sorted((prices[point], point)     # (price, point), sorted as a stable sort orders them
                          for point in np.flatnonzero((self.first <= start - 1) & (start - 1 < self.last)).tolist())
        at_price = [price for price, _ in standing]  # their prices, for bisect
        widen, min_touches = 1 + self.tolerance, self.min_touches
        for bar, before, now in zip(range(start, stop), closes, closes[1:]):
            if bar in changing:
                for point in leaving.get(bar, ()):
                    gone = bisect.bisect_left(standing, (prices[point], point))
                    del standing[gone], at_price[gone]
                for point in arriving.get(bar, ()):
                    place = bisect.bisect_right(standing, (prices[point], point))
                    standing.insert(place, (prices[point], point))
                    at_price.insert(place, prices[point])
            direction, low, high = (1, before, now) if now > before else (-1, now, before)
            size = len(at_price)
            start = bisect.bisect_right(at_price, low / widen)
            if start == size or at_price[start] > high:
                continue                               # no point near the move: no level either
            start -= 1
            while start > 0 and at_price[start] <= at_price[start - 1] * widen:
                start -= 1
            start = max(start, 0)
            # The groups from `start` up to `high`, ascending: the first whose mean the move crossed.
            for end in range(start + 1, size + 1):
                if end == size or at_price[end] > at_price[start] * widen:
                    if end - start >= min_touches and at_price[end - 1] >= low:
                        level = _mean(at_price[start:end])
                        if low <= level <= high and before * direction <= level * direction < now * direction:
                            yield bar, direction, level, [point for _, point in standing[start:end]]
                            break
                    if end == size or at_price[end] > high:
                        break
                    start = end

    def levels(self, bar: int, retest_away: float) -> Levels:
        """`find_levels` of the bars up to and including `bar`."""
        bars = self.bars.iloc[:bar + 1]
        close = bars["Close"]
        prices, groups = self.prices_at(bar)
        last_close = float(close.iloc[-1])
        breakout = find_breakout(close, prices)
        support = tuple(sorted((p for p in prices if p <= last_close), reverse=True)[:MAX_LEVELS])
        resistance = tuple(p for p in prices if p > last_close)[:MAX_LEVELS]
        shown = set(support + resistance) | ({breakout.level} if breakout else set())
        formed_by = {price: self.formation(group) for price, group in zip(prices, groups) if price in shown}
        return Levels(
            support=support,
            resistance=resistance,
            breakout=breakout,
            retest=find_retest(bars, breakout, self.tolerance, retest_away) if breakout else None,
            formed_by=MappingProxyType(formed_by),
        )

    def formation(self, group: Iterable[int]) -> Formation:
        """The dates of the swing highs and lows at positions `group` of `prices`. The highs come
        first in `prices`, then the lows, each in date order: sorting the positions sorts the dates."""
        points = sorted(int(point) for point in group)
        return Formation(highs=tuple([self.dates[point] for point in points if self.high_flags[point]]),
                         lows=tuple([self.dates[point] for point in points if not self.high_flags[point]]))


class _Joined(NamedTuple):
    """Swing points joining a tracker: their prices, positions, first closes beyond them and the
    bars they were traded through on (see `_traded_through`), and dates."""

    prices: np.ndarray
    positions: np.ndarray
    beyond: np.ndarray
    through: np.ndarray
    dates: list[date]


def _joined(prices: np.ndarray, pivots: np.ndarray, direction: int, days: pd.DatetimeIndex, closes: np.ndarray,
            tolerance: float, since: int) -> _Joined:
    """The swing points at positions `pivots` of `prices` (the bars' highs or lows) from `since` on."""
    positions = pivots[pivots >= since]
    prices = prices[positions]
    start = int(positions.min()) if len(positions) else len(closes)     # only the closes after them count
    beyond, through = _traded_through(closes[start:], positions - start, prices, tolerance,
                                      np.full(len(prices), direction))
    return _Joined(prices, positions, beyond + start, through + start, days[positions].date.tolist())


def _mean(prices: list[float]) -> float:
    """numpy's mean, bit for bit: it adds fewer than 8 values one by one, as `sum` does, and more
    in pairs."""
    return sum(prices) / len(prices) if len(prices) < 8 else float(np.mean(prices))


def _by_session(sessions: np.ndarray, last: np.ndarray, start: int, end: int,
                first: np.ndarray | None = None) -> dict[int, list[int]]:
    """Session → the points at `sessions` in [start, end) (those ever standing: first < last), in
    point order."""
    first = sessions if first is None else first
    points = np.flatnonzero((first < last) & (sessions >= start) & (sessions < end))
    grouped: dict[int, list[int]] = {}
    for session, point in zip(sessions[points].tolist(), points.tolist()):
        grouped.setdefault(session, []).append(point)
    return grouped


def _traded_through(closes: np.ndarray, positions: np.ndarray, prices: np.ndarray, tolerance: float,
                    direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per swing high (direction 1) or low (−1) at `positions`: the first bar whose close went
    beyond it by `tolerance`, and the first bar after that on which price has traded through it, a
    close back beyond it the other way (each len(closes) when never)."""
    margins = prices * tolerance
    beyond = _first_beyond(closes, positions + 1, prices + direction * margins, direction)
    return beyond, _first_beyond(closes, beyond + 1, prices - direction * margins, -direction)


def _first_beyond(values: np.ndarray, starts: np.ndarray, thresholds: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Per query, the first position ≥ its start whose value is above its threshold (direction 1)
    or below it (−1), else len(values): a binary descent over sparse tables of range extremes,
    all queries at once rather than a scan each."""
    size = len(values)
    highest, lowest = [values], [values]         # [k][i]: the extreme of values[i:i + 2**k]
    while 2 ** len(highest) <= size:
        step = 2 ** (len(highest) - 1)
        highest.append(np.maximum(highest[-1][:-step], highest[-1][step:]))
        lowest.append(np.minimum(lowest[-1][:-step], lowest[-1][step:]))
    found = np.minimum(np.asarray(starts, dtype=np.int64), size)
    up = direction > 0
    for power in range(len(highest) - 1, -1, -1):
        step = 2 ** power
        # Skip a block of 2**power values when none of them is beyond the threshold.
        fits = np.flatnonzero(found + step <= size)
        at = found[fits]
        none_beyond = np.where(up[fits], highest[power][at] <= thresholds[fits], lowest[power][at] >= thresholds[fits])
        found[fits[none_beyond]] += step
    return found


def cluster_levels(prices: np.ndarray, tolerance: float, min_touches: int) -> list[float]:
    """Mean prices of the groups of at least `min_touches` prices within `tolerance`, ascending."""
    return [float(prices[group].mean()) for group in cluster_groups(prices, tolerance, min_touches)]


def cluster_groups(prices: np.ndarray, tolerance: float, min_touches: int) -> list[np.ndarray]:
    """Positions in `prices` of each group of `cluster_levels`, groups in ascending price."""
    order = np.argsort(prices, kind="stable")
    groups: list[np.ndarray] = []
    start = 0
    for end in range(1, len(order) + 1):
        if end == len(order) or prices[order[end]] > prices[order[start]] * (1 + tolerance):
            if end - start >= min_touches:
                groups.append(order[start:end])
            start = end
    return groups


def find_breakout(close: pd.Series, levels: list[float], direction: int = 1) -> Breakout | None:
    """The latest close crossing above a level in the last BREAKOUT_SESSIONS, price still above
    (with `direction` −1: below a level, price still below: a breakdown)."""
    if len(close) < 2 or not levels:
        return None
    recent = close.iloc[-(BREAKOUT_SESSIONS + 1):].to_numpy() * direction
    level_grid = np.asarray(levels)[:, None] * direction
    crossed = (recent[:-1] <= level_grid) & (recent[1:] > level_grid) & (recent[-1] > level_grid)
    level_rows, sessions = np.nonzero(crossed)
    if len(sessions) == 0:
        return None
    latest = np.argmax(sessions)      # the most recent crossing (the first level in `levels` on a tie)
    day = close.index[len(close) - len(recent) + 1 + sessions[latest]]
    return Breakout(level=float(levels[level_rows[latest]]), date=day.date())


def find_retest(bars: pd.DataFrame, breakout: Breakout, tolerance: float, away: float,
                direction: int = 1) -> Retest | None:
    """The latest return to `breakout`'s level, after a close `away` above it, with closes holding
    above (with `direction` −1, a breakdown's: a rally back up to the level, closes holding below)."""
    after = bars.loc[bars.index > pd.Timestamp(breakout.date)]
    closes = after["Close"].to_numpy(dtype=float)
    if (closes * direction <= breakout.level * direction).any():
        return None
    reach = after["Low" if direction == 1 else "High"].to_numpy(dtype=float)
    touched = np.flatnonzero(retest_touches(closes, reach, breakout.level, tolerance, away, direction))
    return Retest(level=breakout.level, date=after.index[touched[-1]].date()) if len(touched) else None


def retest_touches(closes: np.ndarray, reach: np.ndarray, level: float | np.ndarray, tolerance: float, away: float,
                   direction: int | np.ndarray = 1) -> np.ndarray:
    """Where, in the bars after a break of `level`, price came back to it: the lows (`reach`; the
    highs of a breakdown) within `tolerance` of it, after a first close `away` beyond it (True
    there). Whether the closes held is the caller's to check. `closes` and `reach` may be rows, one
    per break, with `level` and `direction` columns: events follow thousands of breaks at once (a
    NaN close or reach is neither away nor a touch)."""
    moved_away = np.logical_or.accumulate(closes * direction >= level * (1 + direction * away) * direction, axis=-1)
    after_moving_away = np.zeros_like(moved_away)
    after_moving_away[..., 1:] = moved_away[..., :-1]
    return after_moving_away & (reach * direction <= level * (1 + direction * tolerance) * direction)


def all_time_high(close: pd.Series) -> AllTimeHigh | None:
    """The highest close in the history (its first date), the last close's distance below it, and
    how many sessions it is the highest of; None before a second close (one close is no record)."""
    if len(close) < 2:
        return None
    peak_at = int(close.argmax())          # the first highest close; NaN skipped
    peak = float(close.iloc[peak_at])
    return AllTimeHigh(close=peak, date=dates_of(close)[peak_at].date(), pct_below=1 - float(close.iloc[-1]) / peak,
                       sessions=len(close))
