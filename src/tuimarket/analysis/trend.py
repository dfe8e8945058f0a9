"""Trend structure: swing points, higher highs and higher lows, confirmation by the long average."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

TrendName = Literal["uptrend", "downtrend", "sideways"]
SwingPoint = tuple[date, float]


@dataclass(frozen=True)
class TrendState:
    """The trend at the last bar. `state` is None when there are too few swing points to judge."""

    state: TrendName | None
    confirmed: bool | None
    higher_highs: bool | None
    higher_lows: bool | None
    lower_highs: bool | None
    lower_lows: bool | None
    swing_highs: tuple[SwingPoint, ...]      # the last `swing_count`, oldest first
    swing_lows: tuple[SwingPoint, ...]
