"""Driving the app in tests: a Pipeline on real bundled history and real analysis with scripted
refreshes, and the waits and readings every app test needs.

Only the feed is replaced: each refresh returns the next scripted as-of date (or a failure), so a
test can make a signal change between two refreshes and watch the app react.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, NamedTuple
from zoneinfo import ZoneInfo

from textual import events
from textual.app import App
from textual.command import CommandInput, CommandList, CommandPalette
from textual.geometry import Size
from textual.keys import _character_to_key
from textual.pilot import Pilot
# Textual exports neither widget: a toast and a footer key are read here as the user sees them.
from textual.widgets._footer import FooterKey  # noqa: F401 - for the tests that read the footer
from textual.widgets._toast import Toast

from tuimarket.config import Config
from tuimarket.data.feed import Feed
from tuimarket.monitor import MarketPipeline
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
    """`initial()` shows `start`; each `refresh()` takes the next step: a date, or an error string,
    and announces the next of `announcing` (the alerts a real pipeline would find news)."""

    config: Config
    start: date
    steps: list[date | str] = field(default_factory=list)
    announcing: list[tuple[AlertLine, ...]] = field(default_factory=list)
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
        return replace(self._last, announced=self.announcing.pop(0)) if self.announcing else self._last

    def market_hours(self, now: datetime) -> MarketHours:
        return MarketHours(False, datetime(2025, 9, 26, 9, 30, tzinfo=NEW_YORK))

    def refresh_interval(self, now: datetime) -> float:
        return self.interval

    def event_timeline(self, symbol: str) -> EventTimeline:
        """The real timeline of the bundled history as of the date shown."""
        return bundled_timeline(self.config, self._last.snapshot.as_of, symbol)

    def alert_log(self, limit: int) -> list[AlertLine]:
        return []       # scripted refreshes announce nothing: the alert tests use the real pipeline

    def mark_read(self, keys: list[str] | None) -> int:
        return 0

    def mute(self, what: str, value: str) -> bool:
        return True


@functools.cache
def bundled_view(config: Config) -> Loaded:
    """The real pipeline's first view of the bundled history under `config`, members and breadth
    included: computed once per test process and shared (a frozen value), half a CPU-second each."""
    return MarketPipeline(config, Feed(config, source="bundled"), source="bundled").initial()


class BundledPipeline(MarketPipeline):
    """The real pipeline over the bundled history for the app tests whose subject is not its first
    view (the shell, the watchlists, a hung download): that view is `bundled_view`, computed once.

    Everything else is the pipeline's own; the detail screen's event timeline is empty, since it is
    made of the data that a load of this pipeline read.
    """

    def __init__(self, config: Config, feed: Feed | None = None) -> None:
        super().__init__(config, feed or Feed(config, source="bundled"), source="bundled")

    def initial(self) -> Loaded:
        return bundled_view(self.config)


@functools.cache
def bundled_timeline(config: Config, as_of: date, symbol: str) -> EventTimeline:
    """`symbol`'s event timeline in the bundled history at `as_of`, made once per test process and
    shared: a frozen value, and its events over 35 years take a second."""
    return event_timeline(config, bundled_data(config, as_of), symbol)


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


async def search_palette(app: App, pilot: Pilot, query: str) -> None:
    """Open the command palette and type `query` as a fast typist does, each key before the last is
    handled; return once the palette lists the hits for all of it, so that Enter runs the first.

    Pilot waits 40 ms or more after each key (until the process is idle: never, while a refresh
    computes), so a palette search cost seconds; the palette searches in a worker of its own."""
    await pilot.press("ctrl+p")
    for character in query:
        type_ahead(app, character)
    await until(app, pilot, lambda: isinstance(app.screen, CommandPalette)
                and app.screen.query_one(CommandInput).value == query
                and app.screen.query_one(CommandList).option_count > 0)


def bar_text(app: TuimarketApp) -> str:
    """The market bar as the user reads it."""
    return app.dashboard_screen.query_one(MarketBar).render().plain


class Notified(NamedTuple):
    message: str
    title: str
    severity: str
    timeout: float          # seconds on screen


def record_notifications(app: App) -> list[Notified]:
    """Every toast the app raises from now on, recorded as it calls Textual's public `notify`.

    Unlike the toasts on screen, a recorded one never expires before the test reads it.
    """
    notified: list[Notified] = []
    notify = app.notify

    def recording_notify(message: str, *, title: str = "", severity: str = "information",
                         timeout: float | None = None, **options: Any) -> None:
        notified.append(Notified(message, title, severity, app.NOTIFICATION_TIMEOUT if timeout is None else timeout))
        notify(message, title=title, severity=severity, timeout=timeout, **options)

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


def toasts_shown(app: App) -> list[str]:
    """The toasts on the screen, oldest first, each its title and message as the user reads them."""
    return [toast.render().plain for toast in app.screen.query(Toast)]


# ---- where only Textual's internals do the job -------------------------------------------------
# The monkey's walk sends keys and resizes in bursts, without Pilot's wait after each event (one at
# a time, 1,000 steps took 4 minutes), then waits until every queue is empty. Textual has no public
# way to do either, so its internals are reached here, and only here.

def resize_without_waiting(app: App, size: tuple[int, int]) -> None:
    """What `Pilot.resize_terminal` does for the headless driver, without its wait."""
    app._driver._size = Size(*size)
    app.post_message(events.Resize(Size(*size), Size(*size)))


def type_ahead(app: App, character: str) -> None:
    """What `Pilot.press` sends for a typed character, without its wait."""
    app.post_message(events.Key(_character_to_key(character), character))


async def wait_for_screen(pilot: Pilot) -> None:
    """Pilot's wait until the screen's widgets have handled what is queued for them (one hop)."""
    await pilot._wait_for_screen()


def messages_queued(app: App) -> bool:
    """Whether the app or any widget of any screen on the stack still holds a message to handle."""
    pumps = [app, *(node for screen in app.screen_stack for node in screen.walk_children(with_self=True))]
    return any(pump._message_queue.qsize() for pump in pumps)
