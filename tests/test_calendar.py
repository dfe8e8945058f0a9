"""NYSE sessions around Thanksgiving 2025 and a weekend."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tuimarket.data import calendar

from support import modules_loaded_by

NY = ZoneInfo("America/New_York")


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def test_thanksgiving_closed():
    assert not calendar.is_session(date(2025, 11, 27))
    assert calendar.session_close(date(2025, 11, 27)) is None
    assert not calendar.is_open(ny("2025-11-27 11:00"))
    assert calendar.last_session(ny("2025-11-27 11:00")) == date(2025, 11, 26)


def test_black_friday_closes_early():
    assert calendar.session_close(date(2025, 11, 28)) == ny("2025-11-28 13:00")
    assert calendar.is_open(ny("2025-11-28 12:59"))
    assert not calendar.is_open(ny("2025-11-28 13:00"))
    assert calendar.next_close(ny("2025-11-28 10:00")) == ny("2025-11-28 13:00")


@pytest.mark.parametrize("moment, expected", [
    ("2025-11-25 09:29:59", False), ("2025-11-25 09:30", True), ("2025-11-25 15:59:59", True),
    ("2025-11-25 16:00", False), ("2025-11-25 20:00", False),
])
def test_regular_session_930_to_1600(moment, expected):
    assert calendar.is_open(ny(moment)) is expected
    assert calendar.session_open(date(2025, 11, 25)) == ny("2025-11-25 09:30")
    assert calendar.session_close(date(2025, 11, 25)) == ny("2025-11-25 16:00")


def test_weekend_closed_and_next_open_is_monday():
    saturday = ny("2025-11-29 12:00")
    assert not calendar.is_open(saturday)
    assert calendar.next_open(saturday) == ny("2025-12-01 09:30")
    assert calendar.last_session(saturday) == date(2025, 11, 28)


def test_next_open_is_strictly_after_now():
    assert calendar.next_open(ny("2025-11-25 09:30:30")) == ny("2025-11-26 09:30")
    assert calendar.next_open(ny("2025-11-25 09:29:30")) == ny("2025-11-25 09:30")


def test_last_session_before_the_bell():
    assert calendar.last_session(ny("2025-12-01 08:00")) == date(2025, 11, 28)
    assert calendar.last_session(ny("2025-12-01 09:45")) == date(2025, 12, 1)


def test_naive_time_rejected():
    with pytest.raises(ValueError):
        calendar.is_open(datetime(2025, 11, 25, 11, 0))


def test_import_is_lazy():
    assert "exchange_calendars" not in modules_loaded_by("import tuimarket.data.calendar")


@pytest.mark.parametrize("day, expected", [
    (date(2020, 3, 23), True), (date(2020, 3, 21), False),        # the Covid low; a Saturday
    (date(2012, 10, 29), False), (date(2001, 9, 11), False),      # Hurricane Sandy, 9/11: closed on a weekday
    (date(1927, 12, 30), True),                                   # the bundled S&P 500's first bar
    (date(1990, 1, 1), False), (date(2017, 12, 31), False),       # a year's first and last days, no sessions
])
def test_a_replays_day_years_before_today_is_known(day, expected):
    # A replay steps by sessions from any date of the history (`tuimarket --as-of 2016-06-01`, then
    # `.`); the monitor's own calendar spans only a few years back, and a day before it raised
    # DateOutOfBounds ("Refresh failed" on every step; found by hand while fuzzing the replay).
    assert calendar.is_session(day) is expected
