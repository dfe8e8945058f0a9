"""Moving averages and MACD: small functions over a price Series, returning named Series.

EMA seeding follows TA-Lib, so the two agree exactly rather than only after the warm-up:
the first EMA value sits at bar `period - 1` and is the simple mean of the first `period`
values; after that EMA[t] = EMA[t-1] + k × (x[t] − EMA[t-1]) with k = 2 / (period + 1).
Bars before the seed are NaN.

MACD follows TA-Lib's alignment too: both EMAs start at bar `slow - 1`, so the fast EMA is
seeded with the mean of the `fast` closes *ending* at that bar (the first `slow - fast` closes
are not used by it). The signal line is the EMA of the MACD line, seeded the same way from its
first `signal` values, so the first complete MACD row is bar `slow + signal - 2`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from tuimarket.analysis.results import MacdState, SmaState
from tuimarket.analysis.vocabulary import Direction, MacdSide


@dataclass(frozen=True)
class Macd:
    """The three MACD series, aligned on the input's index."""

    macd: pd.Series
    signal: pd.Series
    histogram: pd.Series


def sma(values: pd.Series, period: int) -> pd.Series:
    """The simple moving average; NaN until `period` values exist."""
    return values.rolling(period, min_periods=period).mean()


def ema(values: pd.Series, period: int) -> pd.Series:
    """The exponential moving average, seeded TA-Lib style from the first `period` valid values."""
    return pd.Series(_ema(values.to_numpy(dtype=float), period), index=values.index, name=values.name)


def macd(close: pd.Series, fast: int = 12, slow: int = 26, signal: int = 9) -> Macd:
    """MACD line (fast EMA − slow EMA), its signal EMA and the histogram (line − signal)."""
    fast_ema, slow_ema, signal_line = macd_emas(close.to_numpy(dtype=float), fast, slow, signal)
    line = fast_ema - slow_ema
    return Macd(*(pd.Series(values, index=close.index) for values in (line, signal_line, line - signal_line)))


def macd_emas(closes: np.ndarray, fast: int, slow: int, signal: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fast and slow EMAs of the closes and the signal line, MACD's three averages."""
    # TA-Lib starts both EMAs at bar slow-1, so the fast one skips the first slow-fast closes.
    fast_ema = np.full(len(closes), np.nan)
    fast_ema[slow - fast:] = _ema(closes[slow - fast:], fast)
    slow_ema = _ema(closes, slow)
    return fast_ema, slow_ema, _ema(fast_ema - slow_ema, signal)


def macd_emas_continued(last: tuple[float, float, float], closes: np.ndarray, fast: int, slow: int,
                        signal: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`macd_emas` on the closes after a bar whose three averages were `last` (all known)."""
    fast_ema = ema_continued(last[0], closes, fast)
    slow_ema = ema_continued(last[1], closes, slow)
    return fast_ema, slow_ema, ema_continued(last[2], fast_ema - slow_ema, signal)


def ema_continued(last: float, values: np.ndarray, period: int) -> np.ndarray:
    """`ema` on the values (all known) after a bar where it was `last`: pandas' recurrence for
    `ewm(adjust=False)` step for step, so the values are exactly those of the whole history."""
    com = (1 - 2.0 / (period + 1)) / (2.0 / (period + 1))    # pandas turns alpha into a centre of mass
    alpha = 1 / (1 + com)
    keep = 1 - alpha
    out = []
    for value in values.tolist():
        if last != value:          # as pandas: a constant run stays exactly constant
            last = (keep * last + alpha * value) / (keep + alpha)
        out.append(last)
    return np.array(out, dtype=float)


def _ema(values: np.ndarray, period: int) -> np.ndarray:
    """`ema` on positions, in plain arrays: MACD's three run on every refresh, and aligning
    indexes cost more than the averages themselves."""
    valid = np.flatnonzero(~np.isnan(values))
    out = np.full(len(values), np.nan)
    if len(valid) < period:
        return out
    seeded = values[valid[period - 1:]]
    seeded[0] = pd.Series(values[valid[:period]]).mean()
    out[valid[period - 1:]] = pd.Series(seeded).ewm(alpha=2.0 / (period + 1), adjust=False).mean().to_numpy()
    return out


def lagged(values: np.ndarray, sessions: int) -> np.ndarray:
    """`values` as they stood `sessions` bars before, NaN where there was no bar yet (also when
    the series is shorter than `sessions`)."""
    earlier = np.full(len(values), np.nan)
    if sessions < len(values):
        earlier[sessions:] = values[:len(values) - sessions]
    return earlier


def rising(values: pd.Series, lookback: int) -> pd.Series:
    """True where the value is above its value `lookback` bars earlier (NaN-safe: False)."""
    return values > values.shift(lookback)


def sma_states(close: pd.Series, averages: Mapping[int, pd.Series], slope_lookback: int) -> tuple[SmaState, ...]:
    """Each average (period → series) at the last bar: value, direction and the close's side of it."""
    states = []
    for period, average in sorted(averages.items()):
        value = _last(average)
        then = _last(average.shift(slope_lookback))
        states.append(SmaState(
            period=period,
            value=value,
            rising=None if value is None or then is None else value > then,
            above=None if value is None else bool(close.iloc[-1] > value),
        ))
    return tuple(states)


def stacked(states: tuple[SmaState, ...]) -> bool | None:
    """Shorter averages above longer ones all the way down (None while any is unknown)."""
    values = [s.value for s in sorted(states, key=lambda s: s.period)]
    known = [value for value in values if value is not None]
    if not values or len(known) < len(values):
        return None
    return all(short > long for short, long in zip(known, known[1:]))


def macd_state(result: Macd) -> MacdState:
    """Buy or sell at the last bar, the date that state began, and the histogram's direction."""
    histogram = result.histogram.dropna()
    if len(histogram) < 2:
        return MacdState(None, None, None, None, None, None)
    side = histogram > 0
    # The current state began right after the last bar on the other side, if there was one.
    changed = side.ne(side.shift()).to_numpy().nonzero()[0]
    last_change = changed[-1]
    crossed_on = histogram.index[last_change].date() if last_change > 0 else None
    return MacdState(
        macd=float(result.macd.iloc[-1]),
        signal=float(result.signal.iloc[-1]),
        histogram=float(histogram.iloc[-1]),
        state=MacdSide.BUY if side.iloc[-1] else MacdSide.SELL,
        crossed_on=crossed_on,
        momentum=Direction.RISING if histogram.iloc[-1] > histogram.iloc[-2] else Direction.FALLING,
    )


def _last(values: pd.Series) -> float | None:
    """The last value as a float, or None when it is missing."""
    if values.empty or pd.isna(values.iloc[-1]):
        return None
    return float(values.iloc[-1])
