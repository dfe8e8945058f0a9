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

import numpy as np
import pandas as pd

from tuimarket.analysis.results import RrgPoint
from tuimarket.analysis.timeframe import week_ends
from tuimarket.data.model import dates_of

WINDOW = 14
TAIL = 8
HISTORY_WEEKS = 156      # the weeks kept: how far back the graph's tails can be stepped (three years)


def weekly_closes(close: pd.Series) -> pd.Series:
    """The last close of each week, labelled with the week's Friday."""
    if close.empty:
        return close.iloc[:0]
    weeks = week_ends(dates_of(close))
    if close.isna().any():      # a week's last close is its last known one
        return close.groupby(weeks).last()
    # The sessions are sorted, so each week is a run: its last row, without a groupby's cost.
    keys = weeks.asi8
    last_of_week = np.flatnonzero(np.r_[keys[1:] != keys[:-1], True])
    return pd.Series(close.to_numpy()[last_of_week], index=weeks[last_of_week], name=close.name)


def _standardised(values: np.ndarray, window: int) -> np.ndarray:
    """100 + (value − mean) / population std of the `window` values up to each; NaN before, or where flat."""
    out = np.full(len(values), np.nan)
    if len(values) >= window:
        windows = np.lib.stride_tricks.sliding_window_view(values, window)
        spread = windows.std(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[window - 1:] = 100 + (values[window - 1:] - windows.mean(axis=1)) / np.where(spread > 0, spread, np.nan)
    return out


def rrg_lines(close: pd.Series, benchmark_close: pd.Series, window: int = WINDOW) -> pd.DataFrame:
    """Weekly `rs_ratio` and `rs_momentum`, by the week's Friday; the weeks before both are known are left out."""
    weeks, rs_ratio, rs_momentum = _lines(close, benchmark_close, window)
    return pd.DataFrame({"rs_ratio": rs_ratio, "rs_momentum": rs_momentum}, index=weeks)


def _lines(close: pd.Series, benchmark_close: pd.Series,
           window: int) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """`rrg_lines` as arrays: a frame is built and cleaned in more time than the lines take."""
    price, benchmark = weekly_closes(close), weekly_closes(benchmark_close)
    if not price.index.equals(benchmark.index):
        price, benchmark = price.align(benchmark, join="inner")
    with np.errstate(invalid="ignore", divide="ignore"):
        benchmark_values = benchmark.to_numpy(dtype=float)
        rs = 100 * price.to_numpy(dtype=float) / np.where(benchmark_values > 0, benchmark_values, np.nan)
        rs[~np.isfinite(rs)] = np.nan
        rs_ratio = _standardised(rs, window)
        change = np.r_[np.nan, 100 * (rs_ratio[1:] / rs_ratio[:-1] - 1)]
    rs_momentum = _standardised(change, window)
    known = ~(np.isnan(rs_ratio) | np.isnan(rs_momentum))
    return price.index[known], rs_ratio[known], rs_momentum[known]


def rrg_points(close: pd.Series, benchmark_close: pd.Series, window: int = WINDOW,
               keep: int = HISTORY_WEEKS) -> tuple[RrgPoint, ...]:
    """The last `keep` weekly RRG points, oldest first.

    A point depends on the 2 × `window` weeks up to it, so only those before the first point kept
    are read: the same points, a fraction of the work (decades of daily history are bundled).
    """
    if not close.empty:
        start = close.index[-1] - pd.Timedelta(weeks=keep + 2 * window + 2)
        close, benchmark_close = close.loc[start:], benchmark_close.loc[start:]
    weeks, rs_ratio, rs_momentum = _lines(close, benchmark_close, window)
    return tuple(map(RrgPoint, weeks[-keep:].date, rs_ratio[-keep:].tolist(), rs_momentum[-keep:].tolist()))
