"""When the next refresh starts: one pure decision, shared by the monitor and `tuimarket watch`.

Two steps. The market sets the pace (`interval`): every `open_seconds` while the exchange is
open; while it is closed every `closed_seconds`, but never past the opening bell, so a session's
first bars are not missed. The last refreshes then stretch it (`next_delay`): failures in a row
double it, up to half an hour (or the interval itself, when that is longer); while Yahoo
rate-limits us, nothing is asked before the time it allows, and never sooner than the pace.

Pure: no clock, no calendar lookup, no I/O and no Textual. Callers pass the time and what the
exchange calendar says (`data/calendar.market_hours`), so tests can pass any moment they like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tuimarket.config import RefreshSettings

MAX_BACKOFF_SECONDS = 1800.0


@dataclass(frozen=True)
class MarketHours:
    """The exchange's state at a moment, from the calendar."""

    is_open: bool
    next_change: datetime | None     # the next close while open, the next open while closed


@dataclass(frozen=True)
class Outcome:
    """How the refreshes so far went."""

    failures: int = 0                    # in a row, since the last that succeeded
    retry_at: datetime | None = None     # a rate limit: Yahoo takes no request before then


def interval(now: datetime, hours: MarketHours, refresh: RefreshSettings) -> float:
    """Seconds between refreshes that succeed, at `now`."""
    if hours.is_open:
        return float(refresh.open_seconds)
    if hours.next_change is None:
        return float(refresh.closed_seconds)
    until_open = (hours.next_change - now).total_seconds()
    return max(1.0, min(float(refresh.closed_seconds), until_open))


def next_delay(now: datetime, pace: float, outcome: Outcome) -> float:
    """Seconds from `now` until the next refresh, given the market's `pace` and how the last ones went."""
    if outcome.retry_at is not None and outcome.retry_at > now:
        return max(pace, (outcome.retry_at - now).total_seconds())
    if not outcome.failures:
        return pace
    return min(pace * 2.0 ** outcome.failures, max(pace, MAX_BACKOFF_SECONDS))
