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
from datetime import date
from typing import Literal

import pandas as pd

MacdSide = Literal["buy", "sell"]
Direction = Literal["rising", "falling"]


@dataclass(frozen=True)
class SmaState:
    """One simple moving average at the last bar: its value, its slope and where price is."""

    period: int
    value: float | None
    rising: bool | None       # higher than `slope_lookback` sessions ago
    above: bool | None        # the close is above it


@dataclass(frozen=True)
class MacdState:
    """MACD at the last bar. Every field is None when the history is too short."""

    macd: float | None
    signal: float | None
    histogram: float | None
    state: MacdSide | None            # "buy" while the MACD line is above its signal line
    crossed_on: date | None           # the session the current state began (the last crossover)
    momentum: Direction | None        # the histogram's direction over the last session
