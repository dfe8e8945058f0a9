"""Trend structure: swing points, higher highs and higher lows, confirmation by the long average.

Swing points: bar i is a swing high when its High is above every High of the `window` bars
before it and at least every High of the `window` bars after it (a swing low mirrors this on
Low). The asymmetric tie rule keeps one pivot per flat top. A pivot needs `window` bars on its
right, so it is known only `window` bars later: at date D only pivots up to D − window exist.

Structure: among the last `swing_count` swing highs, they are *higher highs* when the last is
above the first and most steps between neighbours go up; *lower highs* mirror that (the same
for lows). Higher highs and higher lows make an uptrend, lower highs and lower lows a downtrend,
anything else is sideways. Fewer than `swing_count` swing highs or lows: no verdict (None).

Confirmation (the rule): an uptrend is confirmed when the last close is above the longest
configured moving average (the 200-day by default) and that average is rising (above its value
`slope_lookback` sessions earlier); a downtrend is confirmed by a close below a falling one.
A sideways structure is never confirmed. Without enough bars for the long average: None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from tuimarket.analysis.indicators import SmaState

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


def swing_points(bars: pd.DataFrame, window: int) -> tuple[pd.Series, pd.Series]:
    """The swing highs (High prices) and swing lows (Low prices), each indexed by its date."""
    return (
        _pivots(bars["High"], window),
        -_pivots(-bars["Low"], window),  # a low is a high of the negated prices
    )


def _pivots(values: pd.Series, window: int) -> pd.Series:
    """The values that beat the `window` values before them and are not beaten by those after."""
    prices = values.to_numpy()
    span = 2 * window + 1
    if len(prices) < span:
        return values.iloc[:0]
    neighbours = sliding_window_view(prices, span)
    centre = neighbours[:, window]
    left_best = neighbours[:, :window].max(axis=1)
    right_best = neighbours[:, window + 1:].max(axis=1)
    is_pivot = (centre > left_best) & (centre >= right_best)
    positions = np.flatnonzero(is_pivot) + window
    return values.iloc[positions]


def structure_direction(points: pd.Series) -> int:
    """+1 when the points step higher (last above first, most steps up), −1 when lower, else 0."""
    steps = np.diff(points.to_numpy())
    if points.iloc[-1] > points.iloc[0] and (steps > 0).sum() > len(steps) / 2:
        return 1
    if points.iloc[-1] < points.iloc[0] and (steps < 0).sum() > len(steps) / 2:
        return -1
    return 0


def trend_state(bars: pd.DataFrame, long_average: SmaState | None, window: int, count: int) -> TrendState:
    """The swing structure at the last bar, confirmed (or not) by the long moving average."""
    highs, lows = swing_points(bars, window)
    highs, lows = highs.iloc[-count:], lows.iloc[-count:]
    points = (_as_points(highs), _as_points(lows))
    if len(highs) < count or len(lows) < count:
        return TrendState(None, None, None, None, None, None, *points)
    high_direction, low_direction = structure_direction(highs), structure_direction(lows)
    if high_direction == low_direction == 1:
        state: TrendName = "uptrend"
    elif high_direction == low_direction == -1:
        state = "downtrend"
    else:
        state = "sideways"
    return TrendState(
        state=state,
        confirmed=_confirmed(state, long_average),
        higher_highs=high_direction == 1,
        higher_lows=low_direction == 1,
        lower_highs=high_direction == -1,
        lower_lows=low_direction == -1,
        swing_highs=points[0],
        swing_lows=points[1],
    )


def _confirmed(state: TrendName, long_average: SmaState | None) -> bool | None:
    if long_average is None or long_average.rising is None:
        return None
    if state == "uptrend":
        return long_average.above and long_average.rising
    if state == "downtrend":
        return not long_average.above and not long_average.rising
    return False


def _as_points(points: pd.Series) -> tuple[SwingPoint, ...]:
    return tuple((day.date(), float(price)) for day, price in points.items())
