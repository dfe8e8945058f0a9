"""Relative strength against the benchmark, period returns and RRG-style quadrants.

Relative strength (RS) is close / benchmark close on the dates both have. Its trend at a bar:
`rising` when RS is above its `average`-session mean and that mean is above its value
`lookback` sessions earlier, `falling` when RS is below a falling mean, otherwise `flat`;
`since` is the first session of the current unbroken run of that trend.

Rotation, in the spirit of Relative Rotation Graphs (this is NOT JdK's proprietary RS-Ratio):
    RS-Ratio    = 100 × SMA(RS, SMOOTHING) / SMA(RS, average)
    RS-Momentum = 100 × RS-Ratio / (RS-Ratio MOMENTUM_LAG sessions earlier)
Both hover around 100. Quadrants: leading (ratio ≥ 100, momentum ≥ 100), weakening (ratio ≥ 100,
momentum < 100), lagging (both < 100), improving (ratio < 100, momentum ≥ 100).
Rank score: (RS-Ratio − 100) + (RS-Momentum − 100), how far up and right a symbol sits on the
graph; rank 1 is the highest score. Symbols without both values get no rank.

Returns are fractions over 1W = 5, 1M = 21, 3M = 63, 6M = 126 and 1Y = 252 sessions; YTD runs from
the last close of the previous calendar year.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Literal, Mapping

import numpy as np
import pandas as pd

from tuimarket.analysis.indicators import rising, sma

RsTrend = Literal["rising", "falling", "flat"]
Quadrant = Literal["leading", "weakening", "lagging", "improving"]
SESSIONS_BACK = {"1W": 5, "1M": 21, "3M": 63, "6M": 126, "1Y": 252}
RETURN_PERIODS = ("1W", "1M", "3M", "6M", "YTD", "1Y")
SMOOTHING = 10
MOMENTUM_LAG = 10
TAIL_SESSIONS = 10
TREND_NAMES: dict[int, RsTrend] = {1: "rising", -1: "falling", 0: "flat"}


@dataclass(frozen=True)
class RelativeStrength:
    """close / benchmark close on common dates, and the direction it has held since `since`."""

    benchmark: str
    ratio: float | None
    trend: RsTrend | None
    since: date | None


@dataclass(frozen=True)
class RotationPoint:
    """One point of an RRG tail."""

    date: date
    rs_ratio: float
    rs_momentum: float


@dataclass(frozen=True)
class RotationRow:
    symbol: str
    name: str
    returns: Mapping[str, float | None]      # RETURN_PERIODS → fraction, None when too short
    rs_ratio: float | None
    rs_momentum: float | None
    quadrant: Quadrant | None
    rank: int | None                         # 1 = strongest by the rank score
    above_200: bool | None                   # close above its longest configured average
    rs_trend: RsTrend | None
    tail: tuple[RotationPoint, ...]          # the last few sessions, oldest first, for a chart


def relative_ratio(close: pd.Series, benchmark_close: pd.Series) -> pd.Series:
    """close / benchmark close on the dates both have."""
    numerator, denominator = close.align(benchmark_close, join="inner")
    return numerator / denominator


def rs_trend_codes(ratio: pd.Series, average: int, lookback: int) -> pd.Series:
    """Per bar: 1 rising, −1 falling, 0 flat, NaN while the mean or its slope is unknown."""
    mean = sma(ratio, average)
    earlier = mean.shift(lookback)
    codes = np.select(
        [(ratio > mean) & rising(mean, lookback), (ratio < mean) & (mean < earlier)], [1, -1], 0
    ).astype(float)
    codes[earlier.isna().to_numpy()] = np.nan
    return pd.Series(codes, index=ratio.index)


def relative_strength(ratio: pd.Series, benchmark: str, average: int, lookback: int) -> RelativeStrength:
    """The last ratio and the trend it has held, with the session that trend began."""
    if ratio.empty:
        return RelativeStrength(benchmark, None, None, None)
    codes = rs_trend_codes(ratio, average, lookback)
    last_ratio = float(ratio.iloc[-1])
    if pd.isna(codes.iloc[-1]):
        return RelativeStrength(benchmark, last_ratio, None, None)
    different = np.flatnonzero(codes.to_numpy() != codes.iloc[-1])
    # NaN compares unequal, so the run never reaches back into the warm-up.
    since = codes.index[different[-1] + 1 if len(different) else 0]
    return RelativeStrength(benchmark, last_ratio, TREND_NAMES[int(codes.iloc[-1])], since.date())


def period_returns(close: pd.Series) -> Mapping[str, float | None]:
    """RETURN_PERIODS → the fractional change to the last close (None when too short)."""
    returns: dict[str, float | None] = dict.fromkeys(RETURN_PERIODS)
    if close.empty:
        return MappingProxyType(returns)
    last = float(close.iloc[-1])
    for label, sessions in SESSIONS_BACK.items():
        if len(close) > sessions:
            returns[label] = last / float(close.iloc[-1 - sessions]) - 1
    prior_years = close.loc[close.index.year < close.index[-1].year]
    if not prior_years.empty:
        returns["YTD"] = last / float(prior_years.iloc[-1]) - 1
    return MappingProxyType(returns)


def rrg_lines(ratio: pd.Series, average: int) -> pd.DataFrame:
    """RS-Ratio and RS-Momentum per bar (formulas in the module docstring)."""
    rs_ratio = 100 * sma(ratio, SMOOTHING) / sma(ratio, average)
    return pd.DataFrame({"rs_ratio": rs_ratio, "rs_momentum": 100 * rs_ratio / rs_ratio.shift(MOMENTUM_LAG)})


def quadrant(rs_ratio: float | None, rs_momentum: float | None) -> Quadrant | None:
    if rs_ratio is None or rs_momentum is None:
        return None
    if rs_ratio >= 100:
        return "leading" if rs_momentum >= 100 else "weakening"
    return "improving" if rs_momentum >= 100 else "lagging"


def rotation_row(symbol: str, name: str, close: pd.Series, benchmark_close: pd.Series, *,
                 benchmark: str, average: int, lookback: int, long_period: int) -> RotationRow:
    """One symbol's returns, RRG position and trend against the benchmark (rank left unset)."""
    ratio = relative_ratio(close, benchmark_close)
    lines = rrg_lines(ratio, average).dropna()
    recent = lines.iloc[-TAIL_SESSIONS:]
    tail = tuple(
        RotationPoint(day.date(), ratio_value, momentum)
        for day, ratio_value, momentum in zip(recent.index, recent["rs_ratio"].tolist(), recent["rs_momentum"].tolist())
    )
    # Only a value at the ratio's last date is current; an older one would be stale.
    current = tail[-1] if tail and lines.index[-1] == ratio.index[-1] else None
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
        tail=tail,
    )


def ranked(rows: tuple[RotationRow, ...]) -> tuple[RotationRow, ...]:
    """The rows in their original order, each given its rank by the documented score."""
    scored = [row for row in rows if row.rs_ratio is not None and row.rs_momentum is not None]
    order = sorted(scored, key=lambda row: row.rs_ratio + row.rs_momentum, reverse=True)
    rank_of = {row.symbol: position for position, row in enumerate(order, start=1)}
    return tuple(replace(row, rank=rank_of.get(row.symbol)) for row in rows)
