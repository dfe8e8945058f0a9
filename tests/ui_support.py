"""A Pipeline for driving the app in tests: real bundled history, real analysis, scripted refreshes.

Only the feed is replaced: each refresh returns the next scripted as-of date (or a failure), so a
test can make a signal change between two refreshes and watch the app react.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config
from tuimarket.data import bundled
from tuimarket.data.model import Freshness, FreshnessState, MarketData, clip
from tuimarket.ui.port import Loaded
from tuimarket.ui.viewmodels import MarketHours

NEW_YORK = ZoneInfo("America/New_York")
FIXED_NOW = datetime(2025, 9, 26, 8, 15, tzinfo=NEW_YORK)


def bundled_data(config: Config, as_of: date) -> MarketData:
    bars = {symbol: clip(bundled.load(symbol), as_of) for symbol in config.all_symbols}
    freshness = {symbol: Freshness(FreshnessState.BUNDLED, as_of) for symbol in config.all_symbols}
    return MarketData(bars, freshness, as_of, "bundled")


def loaded(config: Config, as_of: date, error: str | None = None) -> Loaded:
    return Loaded(build_snapshot(config, bundled_data(config, as_of)), f"offline bundled as of {as_of}", error)


@dataclass
class ScriptedPipeline:
    """`initial()` shows `start`; each `refresh()` takes the next step: a date, or an error string."""

    config: Config
    start: date
    steps: list[date | str] = field(default_factory=list)
    live: bool = True
    replay: date | None = None
    saved_view: Path | None = None
    initials: int = 0
    interval: float = 60.0
    refreshes: int = 0
    _last: Loaded | None = None

    def initial(self) -> Loaded:
        self.initials += 1
        self._last = loaded(self.config, self.start)
        return self._last

    def refresh(self) -> Loaded:
        self.refreshes += 1
        step = self.steps.pop(0) if self.steps else None
        if isinstance(step, str):
            return Loaded(self._last.snapshot, "stale", error=step)
        if step is not None:
            self._last = loaded(self.config, step)
        return self._last

    def market_hours(self, now: datetime) -> MarketHours:
        return MarketHours(False, datetime(2025, 9, 26, 9, 30, tzinfo=NEW_YORK))

    def refresh_interval(self, now: datetime) -> float:
        return self.interval
