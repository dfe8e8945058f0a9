"""NYSE sessions: is the market open, when does it open or close next.

exchange_calendars takes a while to import and to build, so the calendar is built on first use
(never at import) and kept. Its span is limited to a few years back and one year ahead, which
covers every "now" the monitor meets and keeps the build fast; an older day (a replay's, stepping
through the history) is read in a calendar of its own year, built when first asked.
All datetimes in and out are tz-aware; `now` is always passed in so tests can fix the clock.
"""

from __future__ import annotations

import functools
import warnings
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from typing import Callable, Protocol

import pandas as pd

from tuimarket.data.schedule import MarketHours

NEW_YORK = ZoneInfo("America/New_York")
YEARS_BACK = 3
DAYS_AHEAD = 400
# The first year of the bundled history (^GSPC's first bar is 1927-12-30): the calendar of older
# days spans every year since, built once.
EARLIEST_YEAR = 1927


class _ExchangeCalendar(Protocol):
    """The part of exchange_calendars' ExchangeCalendar used here (the package ships no types)."""

    closes: pd.Series[pd.Timestamp]
    first_session: pd.Timestamp

    def is_session(self, session: pd.Timestamp) -> bool: ...
    def session_open(self, session: pd.Timestamp) -> pd.Timestamp: ...
    def session_close(self, session: pd.Timestamp) -> pd.Timestamp: ...
    def date_to_session(self, day: pd.Timestamp, direction: str) -> pd.Timestamp: ...
    def next_open(self, minute: pd.Timestamp) -> pd.Timestamp: ...
    def next_close(self, minute: pd.Timestamp) -> pd.Timestamp: ...


@functools.cache
def _calendar() -> _ExchangeCalendar:
    today = date.today()
    return _built(f"{today.year - YEARS_BACK}-01-01", (today + timedelta(days=DAYS_AHEAD)).isoformat())


def _earlier(day: date) -> _ExchangeCalendar:
    """A calendar from `day` (before the monitor's calendar) to the monitor's first year: one of
    every year since EARLIEST_YEAR (0.12 s to build, about what a single year's costs; a replay
    stepping across years once built one a year), or from the year of a day older still."""
    return _calendar_of_years(min(day.year, EARLIEST_YEAR), _calendar().first_session.year)


@functools.cache
def _calendar_of_years(first: int, last: int) -> _ExchangeCalendar:
    # A month either side: a day before a calendar's first session or after its last is out of
    # its bounds (raises), and a year begins and may end on a holiday or a weekend.
    return _built(f"{first - 1}-12-01", f"{last + 1}-01-31")


def _built(start: str, end: str) -> _ExchangeCalendar:
    import exchange_calendars  # lazy: slow to import, and not needed before the first paint

    # exchange_calendars 4.13 trips pandas 3.1's deprecation warnings; they are its business, and
    # printed from a worker thread they would scribble over the terminal UI.
    warnings.filterwarnings("ignore", category=DeprecationWarning,
                            message=r"(Series|DatetimeIndex)\.values returning an ndarray that drops timezone")
    calendar: _ExchangeCalendar = exchange_calendars.get_calendar("XNYS", start=start, end=end)
    return calendar


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def is_session(day: date) -> bool:
    return _session_bounds(day) is not None


def session_open(day: date) -> datetime | None:
    """When the session of `day` opens, or None when the market is closed that day."""
    bounds = _session_bounds(day)
    return bounds[0] if bounds else None


def session_close(day: date) -> datetime | None:
    """When the session of `day` closes (13:00 New York on early-close days), or None if no session."""
    bounds = _session_bounds(day)
    return bounds[1] if bounds else None


@functools.lru_cache(maxsize=1024)
def _session_bounds(day: date) -> tuple[datetime, datetime] | None:
    """The open and close of `day`'s session (None: no session). A day's hours never change, and a
    refresh asks for today's once per symbol it saves (1.7 ms each from exchange_calendars)."""
    calendar, session = _holding(day), pd.Timestamp(day)
    if not calendar.is_session(session):
        return None
    return calendar.session_open(session).to_pydatetime(), calendar.session_close(session).to_pydatetime()


def _holding(day: date) -> _ExchangeCalendar:
    """The calendar whose span holds `day`: the monitor's, or for an older day (a replay's) the earlier years'."""
    calendar = _calendar()
    return calendar if pd.Timestamp(day) >= calendar.first_session else _earlier(day)


def is_open(now: datetime) -> bool:
    day = _new_york_date(now)
    opens, closes = session_open(day), session_close(day)
    return opens is not None and closes is not None and opens <= now < closes


def last_session(now: datetime) -> date:
    """The latest session that has opened by `now`: today once the bell rang, else the one before."""
    return _latest_session(now, session_open)


def last_closed_session(now: datetime) -> date:
    """The latest session whose close has passed by `now`: its daily bar is final."""
    return _latest_session(now, session_close)


def _latest_session(now: datetime, passed: Callable[[date], datetime | None]) -> date:
    """Today when its `passed` moment (open or close) is behind `now`, else the session before."""
    day = _new_york_date(now)
    moment = passed(day)
    if moment is not None and now >= moment:
        return day
    return _calendar().date_to_session(pd.Timestamp(day) - pd.Timedelta(days=1), direction="previous").date()


def sessions_since(day: date, now: datetime) -> int:
    """Sessions that closed after `day` and by `now`: how many daily bars data ending on `day` lacks."""
    calendar = _calendar()
    closes = calendar.closes
    counted = int(((closes.index > pd.Timestamp(day)) & (closes <= pd.Timestamp(now))).sum())
    if pd.Timestamp(day) < calendar.first_session:      # and those before the monitor's calendar begins
        sessions = _earlier(day).closes.index
        counted += int(((sessions > pd.Timestamp(day)) & (sessions < calendar.first_session)).sum())
    return counted


def next_open(now: datetime) -> datetime:
    """The next opening bell strictly after `now`."""
    return _calendar().next_open(_minute(now)).to_pydatetime()


def next_close(now: datetime) -> datetime:
    """The next closing bell strictly after `now`."""
    return _calendar().next_close(_minute(now)).to_pydatetime()


def market_hours(now: datetime) -> MarketHours:
    """Open or closed at `now`, and until when: what the refresh schedule and the market bar read."""
    if is_open(now):
        return MarketHours(True, next_close(now))
    return MarketHours(False, next_open(now))


def _new_york_date(now: datetime) -> date:
    if now.tzinfo is None:
        raise ValueError("calendar times must be tz-aware")
    return now.astimezone(NEW_YORK).date()


def _minute(now: datetime) -> pd.Timestamp:
    """exchange_calendars wants minute resolution; flooring keeps 'strictly after' correct."""
    return pd.Timestamp(now).tz_convert("UTC").floor("min")
