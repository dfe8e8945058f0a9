"""Relative strength against the benchmark, period returns and RRG-style quadrants.

Relative strength (RS) is close / benchmark close on the dates both have. Its trend at a bar:
`rising` when RS is above its `average`-session mean and that mean is above its value
`lookback` sessions earlier, `falling` when RS is below a falling mean, otherwise `flat`;
`since` is the first session of the current unbroken run of that trend. That short view flips
often (14 times in 2024's second half for the Russell 2000), so RS is also read on two longer views,
as swings: a swing of RS ends when RS has come back `reversal` (a fraction) from its extreme, like
a zigzag. `rs_minor_reversal` (10%) gives the medium view, `rs_major_reversal` (20%) the long one;
each says which way RS has gone since the last such turn (`since`), and the extreme it has reached
on the way (`extreme_on`). A turn is known only once the reversal has happened: no lookahead.

Rotation: RS-Ratio and RS-Momentum are the weekly Relative Rotation Graph's (`analysis.rrg`, the open
RRGPy / RRG-Lite way, not JdK's proprietary formulas), so the table and the graph always agree.
Both hover around 100. Quadrants: leading (ratio ≥ 100, momentum ≥ 100), weakening (ratio ≥ 100,
momentum < 100), lagging (both < 100), improving (ratio < 100, momentum ≥ 100).
Rank: by quadrant, in the order leading, weakening, improving, lagging (relative strength above
100 first, then rising momentum: a symbol improving from below never outranks one leading), and
within a quadrant by RS-Ratio, highest first; rank 1 is the strongest. Symbols without both
values get no rank.

Returns are fractions over 1W = 5, 1M = 21, 3M = 63, 6M = 126 and 1Y = 252 sessions; YTD runs from
the last close of the previous calendar year.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Mapping, NamedTuple

import numpy as np
import pandas as pd

from tuimarket.analysis.indicators import lagged, sma
from tuimarket.analysis.quadrants import quadrant
from tuimarket.analysis.results import RETURN_PERIODS, RelativeStrength, RotationRow, RsSwing
from tuimarket.analysis.rrg import TAIL, WINDOW, rrg_points
from tuimarket.analysis.vocabulary import Direction, Quadrant
from tuimarket.data.model import dates_of

SESSIONS_BACK = {"1W": 5, "1M": 21, "3M": 63, "6M": 126, "1Y": 252}
TREND_NAMES = {1: Direction.RISING, -1: Direction.FALLING, 0: Direction.FLAT}


def relative_ratio(close: pd.Series, benchmark_close: pd.Series) -> pd.Series:
    """close / benchmark close on the dates both have, and where it is a number above zero (a
    missing or impossible price is no turn and no extreme of relative strength)."""
    numerator, denominator = close.align(benchmark_close, join="inner")
    ratio = numerator / denominator
    values = ratio.to_numpy(dtype=float)
    usable: np.ndarray = np.isfinite(values) & (values > 0)
    return ratio[usable]


def rs_trend_codes(ratio: pd.Series, average: int, lookback: int) -> pd.Series:
    """Per bar: 1 rising, −1 falling, 0 flat, NaN while the mean or its slope is unknown."""
    return pd.Series(rs_codes(ratio.to_numpy(dtype=float), sma(ratio, average).to_numpy(), lookback),
                     index=ratio.index)


def rs_codes(ratio: np.ndarray, mean: np.ndarray, lookback: int) -> np.ndarray:
    """`rs_trend_codes` of the ratio and its mean, as arrays (NaN for the first `lookback`)."""
    earlier = lagged(mean, lookback)
    with np.errstate(invalid="ignore"):
        codes = np.select([(ratio > mean) & (mean > earlier), (ratio < mean) & (mean < earlier)], [1, -1], 0)
    out: np.ndarray = codes.astype(float)
    out[np.isnan(earlier)] = np.nan
    return out


def relative_strength(ratio: pd.Series, benchmark: str, average: int, lookback: int,
                      reversals: tuple[float, float] | None = None) -> RelativeStrength:
    """The last ratio and the trend it has held, with the session that trend began; with
    `reversals` (minor, major), the medium and long swings too."""
    if ratio.empty:
        return RelativeStrength(benchmark, None, None, None)
    codes = rs_trend_codes(ratio, average, lookback)
    last_ratio = float(ratio.iloc[-1])
    medium, long = (rs_swing(ratio, reversal) for reversal in reversals) if reversals else (None, None)
    if pd.isna(codes.iloc[-1]):
        return RelativeStrength(benchmark, last_ratio, None, None, medium, long)
    different = np.flatnonzero(codes.to_numpy() != codes.iloc[-1])
    # NaN compares unequal, so the run never reaches back into the warm-up.
    since = codes.index[different[-1] + 1 if len(different) else 0]
    return RelativeStrength(benchmark, last_ratio, TREND_NAMES[int(codes.iloc[-1])], since.date(), medium, long)


def rs_swing(ratio: pd.Series, reversal: float) -> RsSwing | None:
    """The current zigzag swing of `ratio` at `reversal` (None until RS has moved that much)."""
    values = ratio.to_numpy(dtype=float)
    swings = zigzag(values, reversal)
    if not swings:
        return None
    known, direction, turn = swings[-1]
    # Its extreme so far: the first highest (lowest) value since it became known.
    extreme = known + int(np.argmax(values[known:]) if direction == 1 else np.argmin(values[known:]))
    return RsSwing(
        reversal=reversal,
        trend=TREND_NAMES[direction],
        since=ratio.index[turn].date(),
        change=float(values[extreme] / values[turn] - 1),
        extreme_on=ratio.index[extreme].date(),
        from_extreme=float(values[-1] / values[extreme] - 1),
    )


class Swing(NamedTuple):
    """One zigzag swing of RS."""

    known: int        # the position it became known at: RS had come `reversal` back from the last extreme
    direction: int    # +1 rising, −1 falling
    turn: int         # the position of the extreme it began at


def zigzag(values: np.ndarray, reversal: float, after: Swing | None = None) -> list[Swing]:
    """The swings of positive `values`, in order. The first is known once a value is `reversal`
    away from the first value (beginning at the lowest before it when it rises, the highest when
    it falls); each later one once a value has come back `reversal` from the extreme of the swing
    before (reached after that swing became known; its first position on a tie), where it begins.
    With `after`, one of the swings, only those after it: they depend on no value before it."""
    if after is not None:
        swings, known, direction = [], after.known, after.direction
    elif not len(values):
        return []
    else:
        beyond_first = np.flatnonzero((values >= values[0] * (1 + reversal)) | (values <= values[0] * (1 - reversal)))
        if not len(beyond_first):
            return []
        known = int(beyond_first[0])
        direction = 1 if values[known] > values[0] else -1
        swings = [Swing(known, direction, int(np.argmin(values[:known + 1]) if direction == 1
                                              else np.argmax(values[:known + 1])))]
    while (back := _came_back(values, known, direction, reversal)) is not None:
        turn = known + int(np.argmax(values[known:back]) if direction == 1 else np.argmin(values[known:back]))
        known, direction = back, -direction
        swings.append(Swing(known, direction, turn))
    return swings


def _came_back(values: np.ndarray, start: int, direction: int, reversal: float) -> int | None:
    """The first position after `start` where the values have come back `reversal` from their
    extreme since `start` (down from the highest when `direction` is +1, up from the lowest when
    −1), None when they never do. Searched in blocks that double: most swings are short."""
    accumulate = np.maximum.accumulate if direction == 1 else np.minimum.accumulate
    factor = 1 - reversal if direction == 1 else 1 + reversal
    extreme, begin, width = values[start], start + 1, 64
    while begin < len(values):
        block = values[begin:begin + width]
        running = accumulate(np.r_[extreme, block])[1:]
        came_back = np.flatnonzero(block * direction <= running * factor * direction)
        if len(came_back):
            return begin + int(came_back[0])
        extreme, begin, width = running[-1], begin + width, width * 2
    return None


def period_returns(close: pd.Series) -> Mapping[str, float | None]:
    """RETURN_PERIODS → the fractional change to the last close (None when too short)."""
    returns: dict[str, float | None] = dict.fromkeys(RETURN_PERIODS)
    if close.empty:
        return MappingProxyType(returns)
    last = float(close.iloc[-1])
    for label, sessions in SESSIONS_BACK.items():
        if len(close) > sessions:
            returns[label] = last / float(close.iloc[-1 - sessions]) - 1
    dates = dates_of(close)
    prior_years = close.loc[dates.year < dates[-1].year]
    if not prior_years.empty:
        returns["YTD"] = last / float(prior_years.iloc[-1]) - 1
    return MappingProxyType(returns)


def rotation_row(symbol: str, name: str, close: pd.Series, benchmark_close: pd.Series, *,
                 benchmark: str, average: int, lookback: int, long_period: int, window: int = WINDOW) -> RotationRow:
    """One symbol's returns, weekly RRG position and trend against the benchmark (rank left unset)."""
    ratio = relative_ratio(close, benchmark_close)
    weeks = rrg_points(close, benchmark_close, window)
    # Only the point of the ratio's last week is current; an older one would be stale.
    current = weeks[-1] if weeks and not ratio.empty and weeks[-1].week >= ratio.index[-1].date() else None
    long_average = sma(close, long_period)
    above = None if close.empty or pd.isna(long_average.iloc[-1]) else bool(close.iloc[-1] > long_average.iloc[-1])
    rs_ratio = current.rs_ratio if current else None
    rs_momentum = current.rs_momentum if current else None
    return RotationRow(
        symbol=symbol,
        name=name,
        returns=period_returns(close),
        rs_ratio=rs_ratio,
        rs_momentum=rs_momentum,
        quadrant=quadrant(rs_ratio, rs_momentum),
        rank=None,
        above_200=above,
        rs_trend=relative_strength(ratio, benchmark, average, lookback).trend,
        weeks=weeks,
    )


QUADRANT_ORDER = (Quadrant.LEADING, Quadrant.WEAKENING, Quadrant.IMPROVING, Quadrant.LAGGING)


def ranked(rows: tuple[RotationRow, ...]) -> tuple[RotationRow, ...]:
    """The rows in their original order, each given its rank by the documented convention."""
    scored = [(row, ratio) for row in rows if (ratio := row.rs_ratio) is not None and row.rs_momentum is not None]
    order = sorted(scored, key=lambda scored_row: (QUADRANT_ORDER.index(scored_row[0].quadrant), -scored_row[1]))
    rank_of = {row.symbol: position for position, (row, _) in enumerate(order, start=1)}
    return tuple(replace(row, rank=rank_of.get(row.symbol)) for row in rows)


def describe_rotation(rows: tuple[RotationRow, ...], benchmark_name: str, tail: int = TAIL) -> str:
    """Who leads and who lags the benchmark, who moved quadrant over the tail, and the caveat that
    sector ETFs (dividend-adjusted) and indexes (price only) are compared on different footings."""
    row_of_rank = {row.rank: row for row in rows if row.rank is not None}
    by_rank = [row_of_rank[rank] for rank in sorted(row_of_rank)]
    if not by_rank:
        return ""
    named = {where: [row.name for row in by_rank if row.quadrant == where]
             for where in (Quadrant.LEADING, Quadrant.LAGGING)}
    sides = [f"{where}: {', '.join(names)}" for where, names in named.items() if names]
    sentences = [f"Against the {benchmark_name}, " + "; ".join(sides)] if sides else []
    moves = {where: [row.name for row in by_rank if row.quadrant == where and len(row.weeks) >= tail
                     and quadrant(row.weeks[-tail].rs_ratio, row.weeks[-tail].rs_momentum) != where]
             for where in (Quadrant.LEADING, Quadrant.LAGGING)}
    if any(moves.values()):
        moved = [f"{_and(names)} moved into {where}" for where, names in moves.items() if names]
        sentences.append(f"Over the last {tail} weeks {', and '.join(moved)}")
    kinds = {row.symbol.startswith("^") for row in rows}
    if kinds == {True, False}:
        sentences.append("Sector ETFs are dividend-adjusted while indexes are price only, so an ETF's relative "
                         "strength runs above an index's by about its dividend yield")
    return " ".join(sentence + "." for sentence in sentences)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
