"""Driving the app in tests: a Pipeline on real bundled history and real analysis with scripted
refreshes, and the waits and readings every app test needs.

Only the feed is replaced: each refresh returns the next scripted as-of date (or a failure), so a
test can make a signal change between two refreshes and watch the app react.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, NamedTuple
from zoneinfo import ZoneInfo

from textual.app import App
from textual.pilot import Pilot

from tuimarket.config import Config
from tuimarket.ui.port import Loaded
from tuimarket.ui.app import DashboardScreen, TuimarketApp
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.screens.help import HelpScreen
from tuimarket.ui.timeline_model import EventTimeline, event_timeline
from tuimarket.ui.viewmodels import AlertLine, MarketHours
from tuimarket.ui.widgets.market_bar import MarketBar

from support import bundled_data, bundled_snapshot

NEW_YORK = ZoneInfo("America/New_York")
FIXED_NOW = datetime(2025, 9, 26, 8, 15, tzinfo=NEW_YORK)


def loaded(config: Config, as_of: date, error: str | None = None) -> Loaded:
    return Loaded(bundled_snapshot(config, as_of), f"offline bundled as of {as_of}", error)


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

    def event_timeline(self, symbol: str) -> EventTimeline:
        """The real timeline of the bundled history as of the date shown."""
        return event_timeline(self.config, bundled_data(self.config, self._last.snapshot.as_of), symbol)

    def alert_log(self, limit: int) -> list[AlertLine]:
        return []       # scripted refreshes announce nothing: the alert tests use the real pipeline

    def mark_read(self, keys: list[str] | None) -> int:
        return 0

    def mute(self, what: str, value: str) -> bool:
        return True


async def settle(app: App, pilot: Pilot) -> None:
    """Until every worker has finished and the messages it posted are handled."""
    await app.workers.wait_for_complete()
    await pilot.pause()


async def until(app: App, pilot: Pilot, happened: Callable[[], Any], seconds: float = 15) -> None:
    """Wait for an outcome of a background refresh, however loaded the machine is."""
    for _ in range(int(seconds / 0.05)):
        await settle(app, pilot)
        if happened():
            return
        await pilot.pause(0.05)


def bar_text(app: TuimarketApp) -> str:
    """The market bar as the user reads it."""
    return app.dashboard_screen.query_one(MarketBar).render().plain


class Notified(NamedTuple):
    message: str
    title: str


def record_notifications(app: App) -> list[Notified]:
    """Every toast the app raises from now on, recorded as it calls Textual's public `notify`.

    Unlike the toasts on screen, a recorded one never expires before the test reads it.
    """
    notified: list[Notified] = []
    notify = app.notify

    def recording_notify(message: str, *, title: str = "", **options: Any) -> None:
        notified.append(Notified(message, title))
        notify(message, title=title, **options)

    app.notify = recording_notify
    return notified


async def paint_detail_and_help(app: TuimarketApp, pilot: Pilot) -> None:
    """Open the first index's detail screen and help over it, paint each, and come back to the dashboard."""
    await pilot.press("1", "enter")
    assert isinstance(app.screen, DetailScreen)
    await pilot.pause()
    app.export_screenshot()
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    app.export_screenshot()
    await pilot.press("escape", "escape")
    await pilot.pause()
    assert isinstance(app.screen, DashboardScreen)
