"""Messages the refresh worker posts to the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from textual.message import Message

from tuimarket.ui.viewmodels import Dashboard
from tuimarket.ui.widgets.charts import Figure


@dataclass
class SnapshotReady(Message):
    """A refresh finished: the dashboard to show, built off the event loop."""

    dashboard: Dashboard
    live: bool                     # from the live path (not the start-up cache read)
    error: str | None = None       # the live fetch failed; `dashboard` is the last good data
    figures: Mapping[str, Figure] = field(default_factory=dict)   # price charts drawn off the loop, by symbol
