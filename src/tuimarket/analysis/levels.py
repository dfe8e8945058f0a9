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

from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from tuimarket.analysis.trend import swing_points
from tuimarket.data.model import dates_of

BREAKOUT_SESSIONS = 20
MAX_LEVELS = 3
# A highest close is called "all-time" only over a history at least this long: the bundled indexes
# reach back to 1990, but a live first load fetches only `data.history_years` (12 by default), and
# its highest close is then honestly a "12-year" high.
ALL_TIME_YEARS = 30
SESSIONS_A_YEAR = 252


@dataclass(frozen=True)
class Breakout:
    """A close above a resistance level, with the session it happened."""

    level: float
    date: date


@dataclass(frozen=True)
class Retest:
    """A pullback to a broken resistance whose low touched it while the close held above."""

    level: float
    date: date


@dataclass(frozen=True)
class Formation:
    """The swing points a level was formed by."""

    highs: tuple[date, ...]
    lows: tuple[date, ...]


@dataclass(frozen=True)
class Levels:
    support: tuple[float, ...]        # below the last close, nearest first
    resistance: tuple[float, ...]     # above the last close, nearest first
    breakout: Breakout | None
    retest: Retest | None
    # each level shown (and a breakout's) → its swing points
    formed_by: Mapping[float, Formation] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class AllTimeHigh:
    """The highest close in the loaded history and how far the last close is below it."""

    close: float
    date: date
    pct_below: float                  # a fraction: 0.006 means 0.6% below
    sessions: int = ALL_TIME_YEARS * SESSIONS_A_YEAR     # the length of the history searched

    @property
    def span(self) -> str:
        """What the high is the highest of: "all-time", "12-year" or "30-session" over a shorter history."""
        years = round(self.sessions / SESSIONS_A_YEAR)
        if years >= ALL_TIME_YEARS:
            return "all-time"
        return f"{years}-year" if years else f"{self.sessions}-session"


def find_levels(bars: pd.DataFrame, *, window: int, lookback: int, tolerance: float,
                min_touches: int, retest_away: float) -> Levels:
    """Support and resistance at the last bar, and any recent breakout and retest."""
    if bars.empty:
        return Levels((), (), None, None)
    highs, lows = swing_points(bars, window)
    recent_start = bars.index[max(len(bars) - lookback, 0)]
    close = bars["Close"]
    highs = _standing(highs.loc[highs.index >= recent_start], close, tolerance, direction=1)
    lows = _standing(lows.loc[lows.index >= recent_start], close, tolerance, direction=-1)
    pivots = pd.concat([highs, lows])
    values = pivots.to_numpy(dtype=float)
    is_high = np.r_[np.ones(len(highs), dtype=bool), np.zeros(len(lows), dtype=bool)]
    groups = cluster_groups(values, tolerance, min_touches)
    prices = [float(values[group].mean()) for group in groups]
    last_close = float(close.iloc[-1])
    breakout = find_breakout(close, prices)
    support = tuple(sorted((p for p in prices if p <= last_close), reverse=True)[:MAX_LEVELS])
    resistance = tuple(p for p in prices if p > last_close)[:MAX_LEVELS]
    shown = set(support + resistance) | ({breakout.level} if breakout else set())
    formed_by = {
        price: Formation(highs=_dates(pivots.index[group[is_high[group]]]),
                         lows=_dates(pivots.index[group[~is_high[group]]]))
        for price, group in zip(prices, groups) if price in shown
    }
    return Levels(
        support=support,
        resistance=resistance,
        breakout=breakout,
        retest=find_retest(bars, breakout, tolerance, retest_away) if breakout else None,
        formed_by=MappingProxyType(formed_by),
    )


def _standing(pivots: pd.Series, close: pd.Series, tolerance: float, direction: int) -> pd.Series:
    """The swing highs (direction 1) or lows (−1) that price has not traded through since: no close
    beyond the pivot by `tolerance` followed later by a close back on its own side. A level broken
    within the last BREAKOUT_SESSIONS still stands, so a recent breakout keeps its level."""
    closes = close.to_numpy(dtype=float) * direction          # a low is a high of the negated prices
    cutoff = max(len(closes) - BREAKOUT_SESSIONS - 1, 0)
    positions = close.index.get_indexer(pivots.index)
    prices = pivots.to_numpy(dtype=float) * direction
    margins = np.abs(prices) * tolerance
    # Most pivots were never broken at all: the best later close tells without a scan.
    best_after = np.r_[np.maximum.accumulate(closes[:cutoff][::-1])[::-1], -np.inf][np.minimum(positions + 1, cutoff)]
    keep: np.ndarray = best_after <= prices + margins
    for index in np.flatnonzero(~keep):
        later = closes[positions[index] + 1:cutoff]
        first_beyond = np.argmax(later > prices[index] + margins[index])
        keep[index] = not (later[first_beyond:] < prices[index] - margins[index]).any()
    return pivots[keep]


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


def _dates(days: pd.Index) -> tuple[date, ...]:
    return tuple(sorted(day.date() for day in days))


def find_breakout(close: pd.Series, levels: list[float]) -> Breakout | None:
    """The latest close crossing above a level in the last BREAKOUT_SESSIONS, price still above."""
    if len(close) < 2 or not levels:
        return None
    recent = close.iloc[-(BREAKOUT_SESSIONS + 1):].to_numpy()
    level_grid = np.asarray(levels)[:, None]
    crossed = (recent[:-1] <= level_grid) & (recent[1:] > level_grid) & (recent[-1] > level_grid)
    level_rows, sessions = np.nonzero(crossed)
    if len(sessions) == 0:
        return None
    latest = np.argmax(sessions)      # the most recent crossing (the highest level on a tie)
    day = close.index[len(close) - len(recent) + 1 + sessions[latest]]
    return Breakout(level=float(levels[level_rows[latest]]), date=day.date())


def find_retest(bars: pd.DataFrame, breakout: Breakout, tolerance: float, away: float) -> Retest | None:
    """The latest return to `breakout`'s level, after a close `away` above it, with closes holding above."""
    after = bars.loc[bars.index > pd.Timestamp(breakout.date)]
    if after.empty or (after["Close"] <= breakout.level).any():
        return None
    moved_away = after.index[after["Close"] >= breakout.level * (1 + away)]
    if moved_away.empty:
        return None
    back = after.loc[after.index > moved_away[0]]
    touched = back.index[back["Low"] <= breakout.level * (1 + tolerance)]
    return Retest(level=breakout.level, date=touched[-1].date()) if len(touched) else None


def all_time_high(close: pd.Series) -> AllTimeHigh | None:
    """The highest close in the history (its first date), the last close's distance below it, and
    how many sessions it is the highest of."""
    if close.empty:
        return None
    peak_day = dates_of(close)[int(close.argmax())]
    peak = float(close.loc[peak_day])
    return AllTimeHigh(close=peak, date=peak_day.date(), pct_below=1 - float(close.iloc[-1]) / peak,
                       sessions=len(close))
