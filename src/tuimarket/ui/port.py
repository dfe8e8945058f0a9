"""What the monitor needs from the outside world, and nothing more.

`tuimarket.monitor` implements `Pipeline` over the feed, the calendar and the analysis, so the
UI never imports yfinance or SQLite, and tests drive the app with a pipeline of their own.
Every method but `refresh_interval` runs in the refresh worker, off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Protocol

from tuimarket.ui.viewmodels import AlertLine, LatestEvent, MarketHours
from tuimarket.ui.watchlist_view import WatchlistTable

if TYPE_CHECKING:   # only for annotations: the UI's start-up path never imports pandas
    from tuimarket.analysis.results import MarketSnapshot
    from tuimarket.ui.timeline_model import EventTimeline


@dataclass(frozen=True)
class Loaded:
    snapshot: MarketSnapshot
    data_status: str              # one line on the data's freshness, for the market bar
    error: str | None = None      # the live fetch failed; the snapshot holds the last good data
    offline: bool = False         # every series is the bundled history (nothing was ever fetched)
    sessions_old: int = 0         # sessions closed since the data's last bar (0: nothing is missing)
    announced: tuple[AlertLine, ...] = ()   # the alerts this refresh found to be news (never at start-up)
    unread: int = 0               # alerts in the log not yet marked read
    latest_events: Mapping[str, LatestEvent] = field(default_factory=dict)   # by index symbol
    retry_at: datetime | None = None   # Yahoo rate-limits us: no request before then


class Watchlists(Protocol):
    """The user's groups of symbols (`tuimarket.watchlist_source` implements it). Run in a worker."""

    def names(self) -> tuple[str, ...]:
        """Every group, in order."""

    def prepare(self) -> None:
        """Start what computes the rows, without waiting for it, so that the first load finds it ready."""

    def load(self, name: str, publish: Callable[[WatchlistTable], None], *, fetch: bool) -> None:
        """Publish the group's table as it is computed (several times); `fetch`: update its bars first."""

    def add(self, group: str, text: str) -> str:
        """Add the symbol typed, keep it for the next launch and fetch it; the message to show."""

    def remove(self, group: str, symbol: str) -> str:
        """Remove a symbol from a group, for the next launch too; the message to show."""


class Pipeline(Protocol):
    # Read-only for the UI: a plain attribute or a computed property satisfies each.
    @property
    def live(self) -> bool:
        """False offline or in a replay: nothing new will ever arrive."""

    @property
    def replay(self) -> date | None:
        """The --as-of date of a replay."""

    @property
    def saved_view(self) -> Path | None:
        """Where the last dashboard is kept for the next launch (None: nowhere)."""

    def initial(self) -> Loaded:
        """Cache and bundled history only: never touches the network."""

    def refresh(self) -> Loaded:
        """The live path; never raises for a feed fault (it reports it in `Loaded.error`)."""

    def market_hours(self, now: datetime) -> MarketHours:
        """Whether the exchange is open and when that changes."""

    def refresh_interval(self, now: datetime) -> float:
        """Seconds between refreshes that succeed, at `now`: the market's pace (`data.schedule.interval`),
        which the app stretches after failures and rate limits (`data.schedule.next_delay`)."""

    def step(self, sessions: int) -> Loaded:
        """In a replay: move `replay` that many sessions (back when negative), within the history
        at hand, and recompute the dashboard for the new date."""

    def event_timeline(self, symbol: str) -> EventTimeline:
        """`symbol`'s events over the sessions its chart holds, up to the data last loaded (a
        replay's date), newest first; run in a worker thread of the detail screen."""

    def alert_log(self, limit: int) -> list[AlertLine]:
        """The newest alerts first, read or not."""

    def mark_read(self, keys: list[str] | None) -> int:
        """Mark these alerts read (all when None); the unread count after."""

    def mute(self, what: str, value: str) -> bool:
        """Never announce a symbol's or a kind's alerts again (`what`: "symbol" or "kind"); False: not saved."""

    @property
    def watchlists(self) -> Watchlists:
        """The user's watchlists."""
