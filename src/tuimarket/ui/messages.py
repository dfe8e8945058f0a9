"""The messages the app handles: from the refresh thread, exactly one per refresh whichever way it
ended; from the screens, what they ask of the app (they never call it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from textual.message import Message

from tuimarket.ui.viewmodels import AlertLine, Dashboard, MarketHours
from tuimarket.ui.widgets.charts import Figure


@dataclass
class SnapshotReady(Message):
    """A refresh finished: the dashboard to show, built off the event loop."""

    dashboard: Dashboard
    live: bool                     # from the live path (not the start-up cache read)
    error: str | None = None       # the live fetch failed; `dashboard` is the last good data
    figures: Mapping[str, Figure] = field(default_factory=dict)   # price charts drawn off the loop, by symbol
    hours: MarketHours | None = None   # the exchange's hours as of this refresh
    announced: tuple[AlertLine, ...] = ()   # the alerts this refresh found to be news
    unread: int = 0                    # alerts in the log not yet marked read
    retry_at: datetime | None = None   # Yahoo rate-limits us: no request before then


@dataclass
class RefreshFailed(Message):
    """A refresh raised (a bug, or a pipeline breaking its promise not to): nothing new to show."""

    error: str


@dataclass
class OpenDetail(Message):
    """Open the detail screen of an index on the dashboard."""

    symbol: str


@dataclass
class OpenRotationGraph(Message):
    """Open the Relative Rotation Graph, `selected` (a rotation table's symbol) highlighted."""

    selected: str | None = None


@dataclass
class OpenBreadth(Message):
    """Open the breadth screen."""


@dataclass
class SavedViewUnusable(Message):
    """The dashboard could not show the last session's view: forget it; today's data will paint."""


@dataclass
class UnreadChanged(Message):
    """Alerts were marked read: the market bar's count follows."""

    unread: int
