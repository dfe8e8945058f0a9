"""Relative strength against the benchmark, period returns and RRG-style quadrants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Mapping

RsTrend = Literal["rising", "falling", "flat"]
Quadrant = Literal["leading", "weakening", "lagging", "improving"]
RETURN_PERIODS = ("1W", "1M", "3M", "6M", "YTD", "1Y")


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
