"""Daily and weekly bars: the weekly timeframe technicians switch to for the longer view.

A weekly bar is one exchange week of daily bars (Monday to Friday): the open of its first
session, the highest high, the lowest low, the close of its last session and the summed volume.
It is labelled with its LAST SESSION, not with a calendar Friday: the week of Good Friday 2025 is
dated Thursday 2025-04-17, so every date a weekly analysis names is a session with a daily bar.

The week still forming is a bar like the others, at its latest close, and provisional exactly as
a forming day is: its close, and any signal on it, is final only once the week's last session
has closed (`week_forming`).

Weekly settings (`weekly_settings`): spans of time are divided by the five sessions of a week,
so the 50-, 100- and 200-day averages become the 10-, 20- and 40-week averages, the 10-session
slope a 2-week slope and 5000 sessions of levels 1000 weeks; counts of bars stay as they are, as
technicians use them on any timeframe: MACD 12/26/9 on weekly closes, swing points of 5 bars each
side, the last 4 swings.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from tuimarket.analysis.results import Timeframe
from tuimarket.config import AnalysisSettings
from tuimarket.data.model import COLUMNS, dates_of

TIMEFRAMES: tuple[Timeframe, ...] = ("daily", "weekly")
SESSIONS_A_WEEK = 5
FRIDAY = 4


def week_ends(days: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The Friday ending each day's exchange week (Monday to Friday): the key that groups a week."""
    # In numpy's day numbers: half the time of pandas' weekday, timedelta and normalize.
    day = days.to_numpy().astype("datetime64[D]")
    weekday = (day.astype(np.int64) + 3) % 7          # 1970-01-01 was a Thursday (3)
    return pd.DatetimeIndex((day + (FRIDAY - weekday) % 7).astype(f"datetime64[{days.unit}]"), name=days.name)


def weekly_bars(bars: pd.DataFrame) -> pd.DataFrame:
    """Daily bars (a bars frame, see data.model) resampled to one bar per exchange week, each
    labelled with the week's last session. NaN-blind like pandas' weekly resampling: the high and
    low skip a missing price, the volume counts it as none."""
    if bars.empty:
        return bars.copy()
    days = dates_of(bars)
    # The sessions are sorted, so each week is a run of rows: numpy's reduceat over the runs takes
    # a tenth of the time of a pandas groupby, and this runs for every index on every refresh.
    keys = week_ends(days).asi8
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)] - 1
    column = {name: bars[name].to_numpy(dtype=float) for name in COLUMNS}
    return pd.DataFrame({
        "Open": column["Open"][starts],
        "High": np.fmax.reduceat(column["High"], starts),
        "Low": np.fmin.reduceat(column["Low"], starts),
        "Close": column["Close"][ends],
        "Volume": np.add.reduceat(np.nan_to_num(column["Volume"]), starts),
    }, index=days[ends])


def week_forming(last_session: date) -> bool:
    """Whether the week of `last_session` may still have a session to come (the week's bar is then
    provisional): any day before Friday. Pure, with no calendar: a week cut short by a Friday holiday
    reads provisional until the next week's first bar arrives."""
    return last_session.weekday() < FRIDAY


def weekly_settings(settings: AnalysisSettings) -> AnalysisSettings:
    """`settings` for weekly bars (see the module docstring): spans of time in weeks, counts of bars kept."""
    def in_weeks(sessions: int) -> int:
        return max(1, round(sessions / SESSIONS_A_WEEK))

    return replace(settings, sma_periods=tuple(in_weeks(period) for period in settings.sma_periods),
                   slope_lookback=in_weeks(settings.slope_lookback), level_lookback=in_weeks(settings.level_lookback))
