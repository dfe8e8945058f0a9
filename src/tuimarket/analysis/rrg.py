"""The Relative Rotation Graph, computed the open way (as RRGPy and RRG-Lite do), on weekly bars.

    weekly close   the close of the last session of each week (Friday's, or the last before a holiday)
    RS             = 100 × weekly close / the benchmark's weekly close
    RS-Ratio       = 100 + (RS − mean of RS over `window` weeks) / its standard deviation over them
    RS-Momentum    = 100 + the same standardisation of RS-Ratio's one-week rate of change (in %)

Both are z-scores over a ROLLING window (population standard deviation), centred on 100, so a
point depends only on the `window` weeks up to it: a point, once its week has closed, never changes
when later data arrives (standardising over the whole history would move every old tail point).
The week still forming has a provisional point, at its latest close. A week is labelled with its
Friday. Quadrants as in `rotation.quadrant`: leading (both ≥ 100), weakening, lagging, improving.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

WINDOW = 14
TAIL = 8


@dataclass(frozen=True)
class RrgPoint:
    week: date               # the Friday of the week
    rs_ratio: float
    rs_momentum: float


def weekly_closes(close: pd.Series) -> pd.Series:
    """The last close of each week, labelled with the week's Friday."""
    if close.empty:
        return close.iloc[:0]
    last = close.groupby(close.index.to_period("W-FRI")).last()
    last.index = last.index.end_time.normalize()
    return last


def _standardised(values: pd.Series, window: int) -> pd.Series:
    mean = values.rolling(window).mean()
    spread = values.rolling(window).std(ddof=0)
    return 100 + (values - mean) / spread.where(spread > 0)


def rrg_lines(close: pd.Series, benchmark_close: pd.Series, window: int = WINDOW) -> pd.DataFrame:
    """Weekly `rs_ratio` and `rs_momentum`, by the week's Friday; the weeks before both are known are left out."""
    price, benchmark = weekly_closes(close).align(weekly_closes(benchmark_close), join="inner")
    rs = 100 * price / benchmark.where(benchmark > 0)
    rs_ratio = _standardised(rs.replace([np.inf, -np.inf], np.nan), window)
    change = 100 * (rs_ratio / rs_ratio.shift(1) - 1)
    rs_momentum = _standardised(change, window)
    return pd.DataFrame({"rs_ratio": rs_ratio, "rs_momentum": rs_momentum}).dropna()


def rrg_points(close: pd.Series, benchmark_close: pd.Series, window: int = WINDOW) -> tuple[RrgPoint, ...]:
    """Every weekly RRG point, oldest first."""
    lines = rrg_lines(close, benchmark_close, window)
    return tuple(RrgPoint(week.date(), ratio, momentum) for week, ratio, momentum
                 in zip(lines.index, lines["rs_ratio"].tolist(), lines["rs_momentum"].tolist()))
