"""Breadth against the index: whether the members confirm the benchmark's move, dated as events.

Two events of the market (symbol MARKET), each from the breadth of `analysis/breadth.py` and the
benchmark's closes up to its date (nothing dated D reads a later close):
- breadth divergence: the benchmark closes at a record while fewer than DIVERGENCE_BELOW of the
  members are above their 50-day average, and fewer than FALLING_OVER sessions before (the
  record is carried by fewer stocks); the first such record after QUIET_SESSIONS without one;
- breadth thrust (Zweig's): the 10-day EMA of advances / (advances + declines) rises above
  THRUST_HIGH within THRUST_SESSIONS sessions of being below THRUST_LOW (a rush of buying after
  a washout); the first after QUIET_SESSIONS without one.

The rules were set on 2018-2021 (the first two breadth years and the 2020 crash) and checked,
never tuned, on 2022 on; they find the narrow records of June 2021 and June 2024 and the thrusts
of January 2019 and November 2023 (tests hold these dates). `breadth_note` says the same on the
last date in words, for the report and the market bar: breadth does not change the stance's rules
(`tools/breadth_stance_design.py` measured that it would not improve them out of sample).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tuimarket.analysis.breadth import BreadthHistory, members_history
from tuimarket.analysis.events import MARKET, QUIET_SESSIONS, Event, EventKind
from tuimarket.analysis.indicators import ema
from tuimarket.analysis.results import BreadthNote
from tuimarket.data.members import Members

DIVERGENCE_PERIOD = 50          # the average whose share of members a record should carry
DIVERGENCE_BELOW = 0.6
FALLING_OVER = 20               # sessions: "fewer than then"
THRUST_EMA = 10
THRUST_LOW, THRUST_HIGH = 0.40, 0.615
THRUST_SESSIONS = 10
NEAR_RECORD = 0.02              # the note calls the benchmark near its record within this fraction
CONFIRMS_FROM = 0.6             # ... and breadth confirming from this share above the 50-day
NOTE_SESSIONS = 20              # a thrust stays in the note this many sessions


def member_events(members: Members | None, benchmark_close: pd.Series, *, since: date | None = None,
                  forming_day: date | None = None) -> tuple[Event, ...]:
    """The breadth events of `members` against the benchmark (none when breadth is off)."""
    if members is None:
        return ()
    return breadth_events(members_history(members), benchmark_close, since=since, forming_day=forming_day)


def breadth_events(history: BreadthHistory, benchmark_close: pd.Series, *, since: date | None = None,
                   forming_day: date | None = None) -> tuple[Event, ...]:
    """Divergences and thrusts by date, from `since` on; an event on `forming_day` is provisional."""
    close = _benchmark_on(history, benchmark_close)
    days = history.advances.index
    found = [(EventKind.BREADTH_DIVERGENCE, position, share)
             for position, share in _divergences(history, close)]
    found += [(EventKind.BREADTH_THRUST, position, average) for position, average in _thrusts(history)]
    first = 0 if since is None else int(days.searchsorted(pd.Timestamp(since)))
    events = [Event(MARKET, kind, days[position].date(), float(close.iloc[position]), value=float(value),
                    final=days[position].date() != forming_day)
              for kind, position, value in found if position >= first and close.iloc[position] == close.iloc[position]]
    return tuple(sorted(events, key=lambda event: (event.date, event.kind.importance)))


def breadth_note(history: BreadthHistory, benchmark_close: pd.Series, benchmark_name: str) -> BreadthNote:
    """Whether breadth confirms the benchmark on the history's last date, in one sentence."""
    close = _benchmark_on(history, benchmark_close)
    share = history.above[DIVERGENCE_PERIOD]
    if close.dropna().empty or pd.isna(share.iloc[-1]):
        return BreadthNote("", "")
    below_record = 1 - close.iloc[-1] / close.cummax().iloc[-1]
    thrusts = [position for position, _ in _thrusts(history)]
    last = len(close) - 1
    if thrusts and last - thrusts[-1] < NOTE_SESSIONS:
        day = history.advances.index[thrusts[-1]].date()
        return BreadthNote("confirms", f"Breadth thrust on {day}: a rush of advancing members after a washout.")
    if below_record > NEAR_RECORD:
        return BreadthNote("", "")
    near = "at its record" if below_record == 0 else f"within {below_record:.1%} of its record"
    members = f"{share.iloc[-1]:.0%} of members above their {DIVERGENCE_PERIOD}-day average"
    if share.iloc[-1] < DIVERGENCE_BELOW:
        return BreadthNote("diverges", f"Breadth diverges: the {benchmark_name} is {near} with only {members}.")
    if share.iloc[-1] >= CONFIRMS_FROM:
        return BreadthNote("confirms", f"Breadth confirms: the {benchmark_name} is {near} with {members}.")
    return BreadthNote("", "")


def _benchmark_on(history: BreadthHistory, benchmark_close: pd.Series) -> pd.Series:
    """The benchmark's close on each breadth date (its last close on or before it), from its whole
    history: a record is a record of all its closes, not of the members' span."""
    closes = benchmark_close.dropna()
    every = closes.index.union(history.advances.index)
    return closes.reindex(every).ffill().reindex(history.advances.index)


def _divergences(history: BreadthHistory, close: pd.Series) -> list[tuple[int, float]]:
    full = _benchmark_record_flags(close)
    share = history.above[DIVERGENCE_PERIOD]
    narrow = full & (share < DIVERGENCE_BELOW).to_numpy() & (share < share.shift(FALLING_OVER)).to_numpy()
    return [(position, float(share.iloc[position])) for position in _after_quiet(np.flatnonzero(narrow))]


def _benchmark_record_flags(close: pd.Series) -> np.ndarray:
    """True where the close is above every earlier close (the first close is no record)."""
    values = close.to_numpy(dtype=float)
    best_before = np.r_[np.inf, np.fmax.accumulate(values)[:-1]]
    with np.errstate(invalid="ignore"):
        records: np.ndarray = values > best_before
    return records


def _thrusts(history: BreadthHistory) -> list[tuple[int, float]]:
    counted = (history.advances + history.declines).astype(float)
    share = history.advances / counted.where(counted > 0)
    average = ema(share, THRUST_EMA)
    washed_out = (average < THRUST_LOW).astype(float).rolling(THRUST_SESSIONS, min_periods=1).max() > 0
    thrust = (average > THRUST_HIGH) & washed_out
    return [(position, float(average.iloc[position])) for position in _after_quiet(np.flatnonzero(thrust.to_numpy()))]


def _after_quiet(positions: np.ndarray) -> list[int]:
    """Those of `positions` more than QUIET_SESSIONS after the previous one (the first always)."""
    previous = np.r_[-QUIET_SESSIONS - 1, positions[:-1]]
    return [int(position) for position in positions[positions - previous > QUIET_SESSIONS]]
