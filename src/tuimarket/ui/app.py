"""The tuimarket App: composition and lifecycle, the refresh's wiring, the views over the dashboard,
and the messages the screens send it (they never call it).

Its parts live beside it: the dashboard in ui/screens/dashboard.py, every key in ui/actions.py, the
command palette and the help in ui/commands.py, a refresh's work in ui/refresh.py.

Refresh flow: a thread asks the pipeline for data and builds the whole dashboard view model off
the event loop, then posts one `SnapshotReady` (or `RefreshFailed`); the handler updates the
widgets in one batch and schedules the next refresh only then, so a slow feed can never stack polls.

A refresh still running after `[refresh] timeout_seconds` is given up as stuck: the market bar
says since when and when the next try is, and no second refresh starts while it hangs (a thread
blocked in a socket cannot be stopped, only left alone). That thread is a daemon the app never
joins, so `q`, SIGHUP and SIGTERM end the process at once whatever a download is doing.
"""

from __future__ import annotations

import asyncio
import gc
import io
import os
import signal
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

from textual.app import App
from textual.notifications import Notify
from textual.screen import Screen
from textual.theme import ThemeProvider
from textual.timer import Timer
from textual.widget import AwaitMount

from tuimarket.config import CHART_RANGES, Config
from tuimarket.data import schedule
from tuimarket.data.schedule import Outcome
from tuimarket.ui import saved_view
from tuimarket.ui.atomic import write_atomically
from tuimarket.ui.actions import APP_ACTIONS, bindings
from tuimarket.ui.commands import MonitorCommands, help_sections
from tuimarket.ui.messages import (OpenBreadth, OpenDetail, OpenRotationGraph, RefreshFailed, SavedViewUnusable,
                                   SnapshotReady, UnreadChanged)
from tuimarket.ui.palette import CommandPalette
from tuimarket.ui.port import Pipeline
from tuimarket.ui.refresh import load_view
from tuimarket.ui.saved_view import SavedView
from tuimarket.ui.screens.alerts import AlertScreen
from tuimarket.ui.screens.breadth import BreadthScreen
from tuimarket.ui.screens.dashboard import DashboardScreen
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.screens.help import HelpScreen
from tuimarket.ui.screens.rrg import RrgScreen
from tuimarket.ui.screens.watchlist import WatchlistScreen
from tuimarket.ui.screens.responsive import BREAKPOINTS, VERTICAL_BREAKPOINTS
from tuimarket.ui.viewmodels import (TIMEFRAMES, AlertLine, Dashboard, MarketBarModel, MarketHours, market_bar_text,
                                     refresh_text)
from tuimarket.ui.widgets.charts import Canvas, Chart

NEW_YORK = ZoneInfo("America/New_York")
CLOCK_SECONDS = 15
MAX_TOASTS = 3            # at once; the oldest make way for a new one
MAX_ALERT_LINES = 5       # alerts listed in one toast
EXIT_SIGNALS = (signal.SIGHUP, signal.SIGTERM)   # a dropped SSH link; kill, timeout, systemd
WATCHLIST = "watchlist"   # the watchlist screen's name: made once, shown again and again
PREPARE_SECONDS = 1.0     # after the first computed view, the watchlist screen is made unseen


class TuimarketApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")    # absolute, so a subclass elsewhere finds it too
    # Below 120 columns every screen gets `-narrow`: one pane at a time, charts stacked.
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    # Below 42 rows every screen gets `-short`: wide, the panels and the table take turns.
    VERTICAL_BREAKPOINTS = VERTICAL_BREAKPOINTS
    TITLE = "tuimarket"
    COMMANDS = App.COMMANDS | {MonitorCommands}
    BINDINGS = bindings(APP_ACTIONS)

    def __init__(self, config: Config, pipeline: Pipeline, *, now: Callable[[], datetime] | None = None,
                 screenshot_dir: Path | None = None) -> None:
        # NO_COLOR asks for no colour at all; Textual turns colours grey unless ANSI colours are
        # allowed, in which case it removes them (bold and reverse stay: badges remain badges).
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self.config = config
        self.pipeline = pipeline
        self.now = now or (lambda: datetime.now(NEW_YORK))
        self.screenshot_dir = screenshot_dir or config.screenshot_dir
        self.chart_range: str = config.chart.range
        self.timeframe = "daily"                     # the panels' bars: daily or weekly (TIMEFRAMES)
        self.board: Dashboard | None = None          # on screen (perhaps the last session's view)
        self.saved: SavedView | None = None          # the last session's view, as the launch found it
        self.computed: Dashboard | None = None       # the latest computed this session
        self.hours: MarketHours | None = None
        self.failures = 0
        self.retry_at: datetime | None = None        # Yahoo rate-limits us: no request before then
        self.last_refresh: datetime | None = None
        self.next_refresh: datetime | None = None
        self.refreshing_since: datetime | None = None   # a refresh is in flight (at most one ever is)
        self.stuck_since: datetime | None = None        # ... and has outlived the timeout
        self._refresh_timer: Timer | None = None
        self._refresh_handled: asyncio.Event | None = None   # set once the refresh in flight is handled
        self.live_started = False
        self.frozen = False
        self.unread = 0                  # alerts in the log not yet marked read
        self.pending_steps = 0           # replay sessions asked for while a step is computed
        self.theme = config.ui.theme     # one of Textual's built-in themes: the config checked it

    def on_load(self) -> None:
        self._handle_exit_signals(True)

    def on_mount(self) -> None:
        # Mounting and painting the dashboard allocates tens of thousands of objects that all live on:
        # the cyclic collector, run again and again meanwhile, finds nothing to free. It runs again
        # once the first frame is out (or as the app ends, should it end before).
        gc.disable()
        self.call_after_refresh(_resume_collector)
        saved = saved_view.load(self.pipeline.saved_view)
        if saved is not None:
            status = f"{saved.board.data_status} · last session's view, updating…"
            saved = replace(saved, board=replace(saved.board, data_status=status))
            self.board = saved.board
            self.timeframe = saved.timeframe
        self.saved = saved
        self.push_screen(DashboardScreen(self.config, self.market_bar(), saved))
        self.set_interval(CLOCK_SECONDS, self.update_market_bar)
        if saved is None:
            self.start_load(False)   # nothing to show yet: compute at once, beside the first paint
        else:   # compute today's view once the last session's is on screen, taking no time from it
            self.call_after_refresh(self.start_load, False)

    def on_saved_view_unusable(self) -> None:
        saved_view.discard(self.pipeline.saved_view)
        self.saved = None
        if self.computed is None:
            self.board = None
            self.update_market_bar()

    def on_unmount(self) -> None:
        gc.enable()
        self._handle_exit_signals(False)

    def on_exit_app(self) -> None:
        # `exit()` posts ExitApp however the app is closed (q, the palette, SIGHUP), while the widgets
        # are still there. The latest view, with its charts as drawn now, is saved then for the next
        # launch to paint at once; not after every refresh, since encoding it holds the GIL for tens
        # of ms, long enough to stall the screen.
        if self.computed is not None:
            saved_view.save(self.pipeline.saved_view, self.computed, self.dashboard_screen.drawn_figures(),
                            self.timeframe)

    def _handle_exit_signals(self, handled: bool) -> None:
        """SIGHUP and SIGTERM end the app as `q` does: the terminal restored, the view saved, status 0.

        Unhandled, SIGTERM kills the process with the terminal still in the alternate screen and
        reporting the mouse. Set from the app's first event (before the driver takes the terminal)
        and removed as it ends, so a test's event loop is left as it was found.
        """
        try:
            loop = asyncio.get_running_loop()
            for signum in EXIT_SIGNALS:
                if handled:
                    loop.add_signal_handler(signum, self.exit)
                else:
                    loop.remove_signal_handler(signum)
        except (NotImplementedError, RuntimeError, ValueError):   # no signals here, or not the main thread
            pass

    @property
    def dashboard_screen(self) -> DashboardScreen:
        return next(s for s in self.screen_stack if isinstance(s, DashboardScreen))

    @property
    def view(self) -> Screen | None:
        """The view open over the dashboard (perhaps under the help or the palette), if one is."""
        above = self.screen_stack[self.screen_stack.index(self.dashboard_screen) + 1:]
        return next((screen for screen in above if not screen.is_modal), None)

    @property
    def ending(self) -> bool:
        """Whether the app is quitting (asked to exit, or shutting down without being asked, as a
        test's app does): its screens' widgets are being removed, a message at a time."""
        return self._exit or not self.is_running

    def _open_view(self, kind: type[Screen], build: Callable[[], Screen]) -> None:
        """Show a view of `kind`: the one open, brought to the top, or else a new one in place of any
        other, so that the stack never holds more than the dashboard, one view and a modal. None once
        the app is ending: a view's key typed after `q` would mount a screen whose widgets are gone."""
        if self.ending:
            return
        self._close_views(keep=kind)
        if not isinstance(self.screen, kind):
            self.push_screen(build())

    def _close_views(self, keep: type[Screen] | None = None) -> None:
        """Back to the dashboard, or to the open view of kind `keep`."""
        while self.screen is not self.dashboard_screen and not (keep and isinstance(self.screen, keep)):
            self.pop_screen()

    # --- refresh -------------------------------------------------------------------------------

    def start_load(self, live: bool, step: int = 0) -> None:
        """Start a refresh, unless one is still in flight; the charts' canvases are read here, on the loop.
        `step`: in a replay, move its date that many sessions (back when negative) and recompute."""
        if self.refreshing_since is not None:
            self._wait_for_stuck_refresh()
            return
        canvases = self.dashboard_screen.canvases()
        self.refreshing_since = self.now()
        # A daemon thread of its own, not a Textual thread worker: those run in asyncio's default
        # executor, whose threads the interpreter joins on the way out, so a download that never
        # returns kept the process alive after `q` (and an exclusive worker can't be cancelled).
        threading.Thread(target=self._load, args=(live, canvases, step, self.timeframe), name="tuimarket-refresh",
                         daemon=True).start()
        self._refresh_handled = handled = asyncio.Event()
        self.run_worker(self._watch_refresh(handled), group="refresh", exit_on_error=False)

    def _load(self, live: bool, canvases: Mapping[str, tuple[Chart, Canvas]], step: int, timeframe: str) -> None:
        """The refresh thread: posts exactly one message, whatever happens."""
        outcome = load_view(self.pipeline, self.now, live, canvases, step, timeframe)
        try:
            self.post_message(outcome)
        except RuntimeError:   # the app ended while this refresh hung: nobody is waiting for it
            pass

    async def _watch_refresh(self, handled: asyncio.Event) -> None:
        """The refresh's watchdog, on the loop. Being a worker, it lets `app.workers.wait_for_complete()`
        wait until the refresh's outcome is shown, or the refresh given up."""
        try:
            await asyncio.wait_for(handled.wait(), self.config.refresh.timeout_seconds)
        except TimeoutError:
            self._give_up_on_refresh()

    def _give_up_on_refresh(self) -> None:
        """The refresh outlived the timeout: say so, and try again later (once it has ended)."""
        self.stuck_since = self.refreshing_since
        self._record_outcome(f"No answer in {self.config.refresh.timeout_seconds} s; "
                             "no new download starts until that one ends")
        self._schedule_next()

    def _wait_for_stuck_refresh(self) -> None:
        """A retry found the stuck refresh still hanging: starting another would only pile up threads."""
        self.failures += 1
        self._schedule_next()

    def _refresh_ended(self, error: str | None) -> None:
        if self._refresh_handled is not None:
            self._refresh_handled.set()
        self.refreshing_since = self.stuck_since = None
        self._record_outcome(error)
        self._schedule_next()
        self._take_pending_steps()

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        if self.ending:     # computed as the app quits: the panels it would fill are going
            return
        self.board = message.dashboard
        self.hours = message.hours
        self.unread = message.unread
        with self.batch_update():
            self.dashboard_screen.show(message.dashboard, self.chart_range, message.figures, self.timeframe)
            view = self.view     # an open view follows the data too, even under the help
            if isinstance(view, (DetailScreen, BreadthScreen, RrgScreen)):
                view.follow(message.dashboard, self.timeframe)
            elif message.live and isinstance(view, WatchlistScreen):
                view.reload(fetch=True)     # the watchlist follows the dashboard's refreshes
        self.computed = message.dashboard
        self.last_refresh = self.now()
        self.retry_at = message.retry_at
        self._refresh_ended(message.error)
        if not self.frozen:
            # What start-up built (modules, the bundled history, the widgets) lives as long as the
            # app: keeping it out of full collections stops them pausing the screen tens of ms.
            gc.freeze()
            self.frozen = True
            if self.config.watchlists:
                self.set_timer(PREPARE_SECONDS, self._prepare_watchlist)
        self._alert(message.announced)

    def on_refresh_failed(self, message: RefreshFailed) -> None:
        if not self.ending:
            self._refresh_ended(message.error)

    def _schedule_next(self) -> None:
        # The next refresh is scheduled only once this one has ended (or is given up), so polls never stack.
        if self.pipeline.live:
            self._schedule(self._next_delay())

    def _next_delay(self) -> float:
        if not self.live_started:
            return 0    # painted from the cache; now fetch live data in the background
        now = self.now()
        return schedule.next_delay(now, self.pipeline.refresh_interval(now), Outcome(self.failures, self.retry_at))

    def _record_outcome(self, error: str | None) -> None:
        if error:
            self.failures += 1
            if self.failures == 1:
                self.notify(f"Refresh failed; showing the last good data. {error}",   # e.g. "[Errno 111]"
                            title="Data stale", severity="warning", timeout=8, markup=False)
        else:
            self.failures = 0
        self.update_market_bar()

    def _schedule(self, delay: float) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        self.next_refresh = self.now() + timedelta(seconds=delay)
        self.live_started = True
        if delay <= 0:
            self.call_after_refresh(self._start_live_load)
        else:
            self._refresh_timer = self.set_timer(delay, partial(self.start_load, True))
        self.update_market_bar()

    def _start_live_load(self) -> None:
        """A live refresh asked for at once, started after the screen's next refresh: the charts'
        canvases are read once the layout of a view just shown has settled, so the refresh draws
        them at their size (read at once, the first live refresh after start-up drew every chart
        twice, once at a stale size). Not when a refresh started meanwhile (`r` twice in a frame):
        that one is the refresh asked for; a stuck one is retried as a timer retries it."""
        if self.refreshing_since is None or self.stuck_since is not None:
            self.start_load(True)

    def _alert(self, alerts: tuple[AlertLine, ...]) -> None:
        """One toast for all of a refresh's alerts, so that a busy day does not bury the screen."""
        if not alerts:
            return
        lines = [alert.title for alert in alerts[:MAX_ALERT_LINES]]
        if len(alerts) > MAX_ALERT_LINES:
            lines.append(f"and {len(alerts) - MAX_ALERT_LINES} more")
        self.notify("\n".join(lines), title="Alert" if len(alerts) == 1 else "Alerts",
                    timeout=10, markup=False)   # names are the user's
        if self.config.ui.bell or self.config.alerts.bell:
            self.bell()

    def on_notify(self, event: Notify) -> None:
        # Runs before Textual's own handler adds the new toast: the oldest make way, so that at
        # most MAX_TOASTS ever cover the charts.
        while len(self._notifications) >= MAX_TOASTS:
            self._unnotify(next(iter(self._notifications)), refresh=False)

    def update_market_bar(self) -> None:
        self.dashboard_screen.show_market_bar(self.market_bar())

    def market_bar(self) -> MarketBarModel:
        board = self.board
        now = self.now().astimezone(NEW_YORK)
        clock = market_bar_text(now, self.hours, self.pipeline.replay)
        following = self.next_refresh if self.pipeline.live else None
        if self.stuck_since is not None:
            refresh = f"refresh stuck since {self.stuck_since:%H:%M}"
            refresh += f", retrying at {following:%H:%M}" if following is not None else ""
        else:
            refresh = refresh_text(self.last_refresh, following)
        if board is None:
            return MarketBarModel(clock, "LOADING", "na", (), "reading cache and bundled history", refresh)
        # A failed fetch over the bundled history means offline, not that live data went stale.
        problem = ("OFFLINE" if board.offline else "STALE") if self.failures else None
        summary = (board.uptrends, board.breadth, *([board.members_breadth.bar] if board.members_breadth else []))
        return MarketBarModel(clock, board.stance, board.stance_state, summary,
                              board.data_status, refresh, problem, board.age, self.unread,
                              stuck=self.stuck_since is not None)

    # --- actions -------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if not self.pipeline.live:
            self.notify("Offline or replaying history: there is nothing newer to fetch.", timeout=4)
        elif self.stuck_since is not None:
            self.notify(f"A download has hung since {self.stuck_since:%H:%M}; no new one starts until it ends "
                        f"(next try {self.next_refresh:%H:%M}).", title="Refresh stuck", severity="warning",
                        timeout=6)
        elif self.refreshing_since is not None:
            self.notify("Already refreshing…", timeout=2)
        else:
            self.notify("Refreshing…", timeout=2)
            self._schedule(0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step":
            return self.pipeline.replay is not None
        return True

    def action_step(self, sessions: int) -> None:
        # Steps asked for while one is computed add up, and go as one when it ends: a key held
        # down never piles up recomputations.
        self.pending_steps += sessions
        if self.refreshing_since is None:
            self._take_pending_steps()

    def _take_pending_steps(self) -> None:
        sessions, self.pending_steps = self.pending_steps, 0
        if sessions:
            self.start_load(False, sessions)

    def action_range(self, step: int) -> None:
        position = CHART_RANGES.index(self.chart_range) + step
        self.action_set_range(CHART_RANGES[max(0, min(position, len(CHART_RANGES) - 1))])

    def action_set_range(self, name: str) -> None:
        self.chart_range = name
        self.dashboard_screen.show_range(name)
        if isinstance(view := self.view, (DetailScreen, BreadthScreen)):
            view.show_range(name)
        self.notify(f"Chart range {name}", timeout=2)

    def action_toggle_timeframe(self) -> None:
        self.action_set_timeframe(TIMEFRAMES[(TIMEFRAMES.index(self.timeframe) + 1) % len(TIMEFRAMES)])

    def action_set_timeframe(self, name: str) -> None:
        """Show every panel, and an open detail screen, on daily or weekly bars."""
        self.timeframe = name
        if self.board is not None:
            self.dashboard_screen.show(self.board, self.chart_range, {}, name)
        if isinstance(view := self.view, DetailScreen) and self.board is not None:
            view.follow(self.board, name)
        self.notify(f"{name.capitalize()} bars", timeout=2)

    def action_jump(self, number: int) -> None:
        self._close_views()
        self.dashboard_screen.goto_pane(number)

    def on_open_detail(self, message: OpenDetail) -> None:
        model = self.board.panel(message.symbol, self.timeframe) if self.board is not None else None
        if model is not None:
            self._open_view(DetailScreen, lambda: DetailScreen(model, self.chart_range, _macd_title(self.config),
                                                               self.pipeline.event_timeline))

    def on_open_rotation_graph(self, message: OpenRotationGraph) -> None:
        if (board := self.board) is not None:
            self._open_view(RrgScreen, lambda: RrgScreen(board.rrg, self.config.rrg.tail, self.config.benchmark,
                                                         message.selected))

    def on_open_breadth(self) -> None:
        breadth = self.board.members_breadth if self.board is not None else None
        if breadth is not None:
            self._open_view(BreadthScreen, lambda: BreadthScreen(breadth, self.chart_range))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections(self, self.dashboard_screen)))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG screenshot (`filename` and `path` as in the Textual action this replaces)."""
        folder = Path(path).expanduser() if path else self.screenshot_dir
        target = folder / (filename or f"tuimarket-{self.now():%Y%m%d-%H%M%S}.svg")
        if self.is_web:     # in a browser tab (`tuimarket serve`) the file is for the browser, not the server's disk
            self.deliver_text(io.StringIO(self.export_screenshot()), save_filename=target.name)
            self.notify(f"Downloading {target.name}", title="Screenshot", timeout=6, markup=False)
            return
        try:
            write_atomically(target, self.export_screenshot())
        except OSError as error:   # a full disk or a read-only dir: say so, and carry on
            self.notify(f"Not saved to {target}: {error.strerror or error}", title="Screenshot", severity="error",
                        timeout=8, markup=False)
        else:
            self.notify(f"Saved {target}", title="Screenshot", timeout=6, markup=False)

    # Textual's two palettes (ctrl+p, and "Change theme" from it) opened as ours: see ui/palette.py.
    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Search for themes…"))

    def action_alerts(self) -> None:
        self._open_view(AlertScreen, lambda: AlertScreen(self.pipeline))

    def action_watchlists(self) -> None:
        self._open_view(WatchlistScreen, self._watchlist_screen)

    def _watchlist_screen(self) -> WatchlistScreen:
        """The watchlist screen, made on first use and kept: mounting it (its table, its footer)
        held the loop for 20-60 ms as `W` opened it."""
        if not self.is_screen_installed(WATCHLIST):
            self.install_screen(WatchlistScreen(self.pipeline.watchlists, live=self.pipeline.live), WATCHLIST)
        return self.get_screen(WATCHLIST, WatchlistScreen)

    async def _prepare_watchlist(self) -> None:
        """Mount the watchlist screen unseen while the app is idle, and start its row worker, so that
        `W` only shows it."""
        screen = self._watchlist_screen()
        if not screen.is_running and not self.ending:
            # What push_screen does first; in no stack, the screen is not drawn.
            await AwaitMount(screen, self._register(self, screen))
            gc.freeze()     # it lives as long as the app: collections need not walk it (12 ms as W opened it)
            # Started at W, the worker's start-up ran beside the rows' first paint: on a busy machine
            # that paint waited for a processor (stalls of 60-140 ms). In a thread: a worker that
            # cannot start (a sandbox without semaphores) fails that thread, not the app.
            self.run_worker(self.pipeline.watchlists.prepare, thread=True, group="watchlist-prepare",
                            exit_on_error=False)

    def on_unread_changed(self, message: UnreadChanged) -> None:
        self.unread = message.unread
        self.update_market_bar()

    def action_next_theme(self) -> None:
        themes = sorted(self.available_themes)
        self.theme = themes[(themes.index(self.theme) + 1) % len(themes)] if self.theme in themes else themes[0]
        self.notify(f"Theme {self.theme}", timeout=2)


def _resume_collector() -> None:
    # What was built meanwhile lives as long as the app: frozen, the first collections after the
    # pause need not walk all of it (that walk would pause the screen instead).
    gc.freeze()
    gc.enable()


def _macd_title(config: Config) -> str:
    macd = config.analysis.macd
    return f"MACD ({macd.fast}, {macd.slow}, {macd.signal})"
