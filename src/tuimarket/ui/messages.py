"""Messages the refresh thread posts to the app: exactly one per refresh, whichever way it ended."""

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
