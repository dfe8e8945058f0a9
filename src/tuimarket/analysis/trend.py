"""Trend structure: swing points, higher highs and higher lows, confirmation by the long average.

Swing points: bar i is a swing high when its High is above every High of the `window` bars
before it and at least every High of the `window` bars after it (a swing low mirrors this on
Low). The asymmetric tie rule keeps one pivot per flat top. A pivot needs `window` bars on its
right, so it is known only `window` bars later: at date D only pivots up to D − window exist.

Structure: among the last `swing_count` swing highs, they are *higher highs* when the last is
above the first and most steps between neighbours go up; *lower highs* mirror that (the same
for lows). Higher highs and higher lows make an up structure, lower highs and lower lows a down
structure, anything else is mixed. Fewer than `swing_count` swing highs or lows: no verdict.

The trend is a state that events move, read bar by bar (no bar sees a later one):
- a record close (above every earlier close of the history) starts or keeps an uptrend: a
  record close is never "sideways";
- the structure turning up starts an uptrend, turning down starts a downtrend;
- an uptrend ends (sideways) only when a close falls below the lowest of the last
  `trend_floor_swings` swing lows: a pullback that holds above them is a normal pullback, and a
  structure gone mixed does not end the trend by itself. A downtrend ends the same way, on a
  close above the highest of its last swing highs;
- before the first structure verdict there is no trend (None).

Confirmation (the rule): an uptrend is confirmed while the longest configured moving average
(the 200-day by default) is rising (above its value `slope_lookback` sessions earlier) and the
close is above it, or below it by no more than `confirm_band` (a normal pullback may dip under
the average); a downtrend is confirmed by a close below a falling average. A sideways trend is
never confirmed. Without enough bars for the long average: None.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from tuimarket.analysis.indicators import lagged
from tuimarket.analysis.results import SwingPoint, TrendState
from tuimarket.analysis.vocabulary import Trend
from tuimarket.config import AnalysisSettings

TREND_NAMES: dict[int, Trend] = {1: Trend.UPTREND, 0: Trend.SIDEWAYS, -1: Trend.DOWNTREND}


def swing_points(bars: pd.DataFrame, window: int) -> tuple[pd.Series, pd.Series]:
    """The swing highs (High prices) and swing lows (Low prices), each indexed by its date."""
    return (
        _pivots(bars["High"], window),
        -_pivots(-bars["Low"], window),  # a low is a high of the negated prices
    )


def _pivots(values: pd.Series, window: int) -> pd.Series:
    """The values that beat the `window` values before them and are not beaten by those after."""
    return values.iloc[pivot_positions(values.to_numpy(), window)]


def pivot_positions(prices: np.ndarray, window: int) -> np.ndarray:
    """The positions of `_pivots` (of the swing highs of the highs; of the lows, with -lows)."""
    centres = len(prices) - 2 * window       # the bars with `window` bars on either side
    if centres <= 0:
        return np.empty(0, dtype=np.int64)
    centre = prices[window:window + centres]
    # The best of the `window` bars before and after each centre, as `window` whole-array maxima:
    # 10-30x faster than reducing a sliding window view row by row. NaN propagates the same way.
    left_best, right_best = prices[:centres].copy(), prices[window + 1:window + 1 + centres].copy()
    for offset in range(1, window):
        np.maximum(left_best, prices[offset:offset + centres], out=left_best)
        np.maximum(right_best, prices[window + 1 + offset:window + 1 + offset + centres], out=right_best)
    is_pivot = (centre > left_best) & (centre >= right_best)
    return np.flatnonzero(is_pivot) + window


def structure_direction(points: pd.Series) -> int:
    """+1 when the points step higher (last above first, most steps up), −1 when lower, else 0."""
    return int(_directions(points.to_numpy(dtype=float), len(points))[-1])


def trend_table(bars: pd.DataFrame, long_average: pd.Series, settings: AnalysisSettings) -> pd.DataFrame:
    """Per bar (see the module docstring), as floats with NaN for "no verdict":
    `highs` / `lows`, the direction (+1, −1, 0) of the last `swing_count` swing highs / lows;
    `trend`, +1 uptrend, 0 sideways, −1 downtrend; `confirmed`, 1 or 0."""
    close = bars["Close"].to_numpy(dtype=float)
    reads = _swing_reads(bars["High"].to_numpy(dtype=float), bars["Low"].to_numpy(dtype=float), settings)
    trend = _trend_codes(close, _structure(reads.highs, reads.lows), reads.floor, reads.ceiling)
    return _table(reads.highs, reads.lows, trend, _confirmation(trend, close, long_average.to_numpy(dtype=float),
                                                                settings), index=bars.index)


def continued_trend_table(table: pd.DataFrame, bars: pd.DataFrame, long_average: pd.Series,
                          settings: AnalysisSettings) -> pd.DataFrame:
    """The `trend_table` of `bars`, which continue the bars of `table` by new sessions: its rows
    are kept, and the new ones are read from a tail of the bars holding the swing points they
    need (each reads the last few known), the state machine going on from its state at the
    last row. The same table as the whole history's, for a fraction of the work."""
    window, known = settings.swing_window, len(table)
    needed = max(settings.swing_count, settings.trend_floor_swings)
    high, low = bars["High"].to_numpy(dtype=float), bars["Low"].to_numpy(dtype=float)
    span = 32 * window
    while True:
        first = max(known - span, 0)
        # The swing points a tail finds are the history's from its `window`-th bar on.
        reads = _swing_reads(high[first:], low[first:], settings)
        if first == 0 or min(np.sum(at + window < known - first) for at in (reads.highs_at, reads.lows_at)) >= needed:
            break
        span *= 4
    high_direction, low_direction, floor, ceiling = (values[known - first:] for values in reads[:4])
    close = bars["Close"].to_numpy(dtype=float)
    old = [table[column].to_numpy() for column in TABLE_COLUMNS]
    state = old[2][-1] if known else np.nan
    # The state machine's last structure: none while it had no verdict (it skipped those bars).
    previous = _structure(old[0][-1:], old[1][-1:])[0] if known and state == state else np.nan
    trend = np.r_[old[2], _trend_codes(close[known:], _structure(high_direction, low_direction), floor, ceiling,
                                          state=state, previous=previous,
                                          best=float(close[:known].max()) if known else None)]
    # Confirmation reads the long average `slope_lookback` sessions back.
    recent = max(known - settings.slope_lookback, 0)
    confirmed = _confirmation(trend[recent:], close[recent:], long_average.to_numpy(dtype=float)[recent:], settings)
    return _table(np.r_[old[0], high_direction], np.r_[old[1], low_direction], trend,
                  np.r_[old[3], confirmed[known - recent:]], index=bars.index)


TABLE_COLUMNS = ("highs", "lows", "trend", "confirmed")


def _table(*columns: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """The columns as a trend table: one block of floats (a quarter of the cost of four)."""
    return pd.DataFrame(np.column_stack(columns), index=index, columns=list(TABLE_COLUMNS))


class _SwingReads(NamedTuple):
    """Per bar, from the swing points known then: the direction of the last `swing_count` swing
    highs and lows, the lowest of the last `trend_floor_swings` lows and the highest of the
    highs; and the positions of the swing highs and lows."""

    highs: np.ndarray
    lows: np.ndarray
    floor: np.ndarray
    ceiling: np.ndarray
    highs_at: np.ndarray
    lows_at: np.ndarray


def _swing_reads(high: np.ndarray, low: np.ndarray, settings: AnalysisSettings) -> _SwingReads:
    window, count, floor_swings = settings.swing_window, settings.swing_count, settings.trend_floor_swings
    highs_at, lows_at = pivot_positions(high, window), pivot_positions(-low, window)   # a low is a high of -prices
    highs, lows = high[highs_at], low[lows_at]
    bars = len(high)
    return _SwingReads(_known_at_each_bar(highs_at, bars, window, _directions(highs, count)),
                       _known_at_each_bar(lows_at, bars, window, _directions(lows, count)),
                       _known_at_each_bar(lows_at, bars, window, _rolling(lows, floor_swings, np.min)),
                       _known_at_each_bar(highs_at, bars, window, _rolling(highs, floor_swings, np.max)),
                       highs_at, lows_at)


def _structure(high_direction: np.ndarray, low_direction: np.ndarray) -> np.ndarray:
    """+1 (−1) where the highs and the lows both step up (down), 0 where they disagree, NaN unknown."""
    structure = np.where(high_direction == low_direction, high_direction, 0.0)
    structure[np.isnan(high_direction) | np.isnan(low_direction)] = np.nan
    return structure


def _directions(values: np.ndarray, count: int) -> np.ndarray:
    """Per swing point k: `structure_direction` of the points k−count+1..k (NaN for the first ones)."""
    directions = np.full(len(values), np.nan)
    if len(values) < count:
        return directions
    groups = sliding_window_view(values, count)
    steps = np.diff(groups, axis=1)
    up = (groups[:, -1] > groups[:, 0]) & ((steps > 0).sum(axis=1) > (count - 1) / 2)
    down = (groups[:, -1] < groups[:, 0]) & ((steps < 0).sum(axis=1) > (count - 1) / 2)
    directions[count - 1:] = np.select([up, down], [1.0, -1.0], 0.0)
    return directions


def _rolling(prices: np.ndarray, count: int, extreme: Callable[..., np.ndarray]) -> np.ndarray:
    """The extreme of each `count` prices up to each one (NaN for the first ones)."""
    out = np.full(len(prices), np.nan)
    if len(prices) >= count:
        out[count - 1:] = extreme(sliding_window_view(prices, count), axis=1)
    return out


def _known_at_each_bar(positions: np.ndarray, bars: int, window: int, per_point: np.ndarray) -> np.ndarray:
    """`per_point[k]` (computed from the swing points 0..k, at `positions`) on every bar from the
    one where point k becomes known, `window` bars after it forms, until the next point is known;
    NaN before."""
    latest = np.searchsorted(positions + window, np.arange(bars), side="right") - 1
    values = np.full(bars, np.nan)
    values[latest >= 0] = per_point[latest[latest >= 0]]
    return values


def _trend_codes(close: np.ndarray, structure: np.ndarray, floor: np.ndarray, ceiling: np.ndarray, *,
                 state: float = np.nan, previous: float = np.nan, best: float | None = None) -> np.ndarray:
    """The trend state machine of the module docstring, one bar at a time (a state, not a formula);
    from the first bar of the history, or going on from a `state`, the `previous` structure and the
    `best` close before the first bar given."""
    if best is None:     # above every earlier close
        record = np.r_[False, close[1:] > np.maximum.accumulate(close)[:-1]]
    else:
        record = close > np.maximum.accumulate(np.r_[best, close[:-1]])
    # The state changes only on a record close, a close through the floor or the ceiling, or the
    # structure changing (its first verdict among them): the machine steps through those bars
    # alone, and holds its state over the others.
    if state != state:
        previous = np.nan      # without a state, the first verdict starts one, whatever came before
    with np.errstate(invalid="ignore"):
        moves = record | (close < floor) | (close > ceiling) | (structure != np.r_[previous, structure[:-1]])
    bars = np.flatnonzero(moves)
    states = np.full(len(bars) + 1, np.nan)
    states[0] = state
    shapes, befores = structure.tolist(), np.r_[previous, structure][bars].tolist()
    for at, (bar, at_record, price, low, high) in enumerate(
            zip(bars.tolist(), record[bars].tolist(), close[bars].tolist(), floor[bars].tolist(),
                ceiling[bars].tolist()), 1):
        shape, previous = shapes[bar], befores[at - 1]
        if shape != shape and state != state:      # NaN: no structure verdict yet
            continue
        if state != state:
            state = shape
        elif at_record:
            state = 1.0
        elif state == 1:                            # only a break of the floor ends an uptrend
            state = (-1.0 if shape == -1 else 0.0) if price < low else state
        elif state == -1:                           # only a break of the ceiling ends a downtrend
            state = (1.0 if shape == 1 else 0.0) if price > high else state
        elif shape != previous and shape in (1.0, -1.0):   # sideways: the structure turning decides
            state = shape
        states[at] = state
    return states[np.searchsorted(bars, np.arange(len(close)), side="right")]


def _confirmation(trend: np.ndarray, close: np.ndarray, long_average: np.ndarray,
                  settings: AnalysisSettings) -> np.ndarray:
    """1 where the long average confirms the trend, 0 where not, NaN where it is unknown."""
    earlier = lagged(long_average, settings.slope_lookback)
    with np.errstate(invalid="ignore"):
        up = (trend == 1) & (long_average > earlier) & (close >= long_average * (1 - settings.confirm_band))
        down = (trend == -1) & (long_average < earlier) & (close < long_average)
    confirmed: np.ndarray = (up | down).astype(float)
    confirmed[np.isnan(earlier) | np.isnan(trend)] = np.nan
    return confirmed


def trend_state(bars: pd.DataFrame, table: pd.DataFrame, settings: AnalysisSettings) -> TrendState:
    """The trend at the last bar (the last row of the bars' `trend_table`), with its swing points."""
    highs, lows = swing_points(bars, settings.swing_window)
    count = settings.swing_count
    points = (_as_points(highs.iloc[-count:]), _as_points(lows.iloc[-count:]))
    last = table.iloc[-1] if len(table) else None
    if last is None or pd.isna(last["trend"]):
        return TrendState(None, None, None, None, None, None, *points)
    return TrendState(
        state=TREND_NAMES[int(last["trend"])],
        confirmed=None if pd.isna(last["confirmed"]) else bool(last["confirmed"]),
        higher_highs=bool(last["highs"] == 1),
        higher_lows=bool(last["lows"] == 1),
        lower_highs=bool(last["highs"] == -1),
        lower_lows=bool(last["lows"] == -1),
        swing_highs=points[0],
        swing_lows=points[1],
    )


def _as_points(points: pd.Series) -> tuple[SwingPoint, ...]:
    return tuple((day.date(), float(price)) for day, price in zip(points.index, points))
