"""Wires the monitor together: the feed, the market calendar and the analysis behind the UI's port.

This is the one place that knows both sides, so `ui/` never imports the data layer.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date, datetime

from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config
from tuimarket.data import calendar
from tuimarket.data.feed import Feed
from tuimarket.data.model import FreshnessState, MarketData
from tuimarket.ui.port import Loaded
from tuimarket.ui.viewmodels import MarketHours


def data_status(data: MarketData) -> str:
    """One line on freshness: the label most symbols share, then how many differ and how."""
    if not data.freshness:
        return "no data"
    labels = Counter(f.label() for f in data.freshness.values())
    common, _ = labels.most_common(1)[0]
    others = Counter(f.state.value for f in data.freshness.values() if f.label() != common)
    if not others:
        return common
    return common + " (" + ", ".join(f"{n} {state}" for state, n in others.most_common()) + ")"


class MarketPipeline:
    """The UI's `Pipeline`: cache-first start-up, live refreshes, the exchange's hours."""

    def __init__(self, config: Config, feed: Feed, *, source: str | None = None, as_of: date | None = None) -> None:
        self.config = config
        self.feed = feed
        self.replay = as_of
        self.live = as_of is None and (source or config.data.source) != "bundled"

    def _loaded(self, data: MarketData) -> Loaded:
        offline = bool(data.freshness) and all(f.state == FreshnessState.BUNDLED for f in data.freshness.values())
        return Loaded(build_snapshot(self.config, data), data_status(data), data.error, offline)

    def initial(self) -> Loaded:
        return self._loaded(self.feed.initial())

    def refresh(self) -> Loaded:
        return self._loaded(self.feed.refresh())

    def market_hours(self, now: datetime) -> MarketHours:
        if calendar.is_open(now):
            return MarketHours(True, calendar.next_close(now))
        return MarketHours(False, calendar.next_open(now))

    def refresh_interval(self, now: datetime) -> float:
        return calendar.refresh_interval(self.config, now)


def run_monitor(config: Config, *, source: str | None = None, as_of: date | None = None) -> int:
    # A dashboard needs no 60 fps: a lower cap keeps bursts (scrolling, resizing) light on an SSH
    # link. Textual reads it once, at import; a user's own TEXTUAL_FPS still wins.
    os.environ.setdefault("TEXTUAL_FPS", "20")
    from tuimarket.ui.app import TuimarketApp

    feed = Feed(config, source=source, as_of=as_of)
    app = TuimarketApp(config, MarketPipeline(config, feed, source=source, as_of=as_of))
    app.run()
    return 0 if app.return_code in (None, 0) else app.return_code
