"""A seeded monkey for the monitor: random keys and resizes on every screen and theme, bad data meanwhile.

The app is the real one, over the real pipeline and feed (a real SQLite file, the bundled history),
with `yfinance.download` replaced by `ChaoticYahoo`: each call answers well, fails, hangs for a
while or returns garbage. The refresh timeout is 1 s and the interval 8 s, so refreshes are given
up as stuck, retried, and blocked by a hanging one all through the walk.

Keys come from the bindings themselves (every screen's, the rotation table's, the command
palette's), so a binding added later is pressed too. A quit (a rare `q`, or Quit picked in the
palette) ends a session, as does its 2,500th step; the next starts from the view that one saved, as
a real launch would. Every second session is a replay (`--as-of` a day drawn since 1988), stepped
by `,` `.` `<` `>` like any other keys: it never fetches, so a refresh that fails in it is a bug.

`walk()` is run by tools/monkey.py (as many steps as asked), which tests/test_monkey.py runs for
10,000. The keys, sizes and feed answers follow the seed; the threads' timing does not, so a
replay with the same seed repeats the keys, not every interleaving. Which screen a key of a burst
lands on depends on that timing, so the walk first opens each view once on its keys and waits for
it (`tour_views`): every run reaches every screen, or fails saying which key did not open its view.
"""

from __future__ import annotations

import faulthandler
import random
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from textual import events
from textual.binding import Binding
from textual.command import CommandPalette

from tuimarket.config import Config, RefreshSettings
from tuimarket.data.feed import Feed
from tuimarket.data.store import Store
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import DashboardScreen, TuimarketApp
from tuimarket.ui.screens.alerts import AlertScreen
from tuimarket.ui.screens.breadth import BreadthScreen
from tuimarket.ui.screens.detail import DetailScreen
from tuimarket.ui.screens.help import HelpScreen
from tuimarket.ui.screens.rrg import RrgScreen
from tuimarket.ui.screens.watchlist import WatchlistScreen
from tuimarket.ui.viewmodels import MarketHours
from tuimarket.ui.widgets.market_bar import MarketBar
from tuimarket.ui.widgets.rotation_table import RotationTable

from fakes import FakeYahoo
from ui_support import messages_queued, record_notifications, resize_without_waiting, wait_for_screen

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2025, 9, 26, 11, 0, tzinfo=NEW_YORK)    # the market open: the shortest refresh interval
SMALLEST, LARGEST = (20, 8), (250, 70)
QUIT_KEYS = ("q", "ctrl+q")
KEY_CHARACTERS = {"space": " ", "question_mark": "?", "plus": "+", "minus": "-", "left_square_bracket": "[",
                  "right_square_bracket": "]"}
PALETTE_TYPING = ("a", "e", "r", "n", "s", "t", "o", "1", "space", "backspace")
# A resize lays out and redraws every chart, a screenshot renders the screen to SVG: each costs
# as much as a hundred other keys, so they come rarely (still about 75 resizes in 10,000 steps).
RESIZE_CHANCE, QUIT_CHANCE = 0.008, 0.0004
RARE_KEYS = {"s": 0.15, "r": 0.3}        # relative to the other keys' 1 (a refresh costs CPU too)
MAX_BURST = 24
MAX_SETTLE_ROUNDS = 50      # a key's way from the app to a widget and back up takes a round per queue
# A burst takes well under a second: this long without one ends the walk with every thread's
# stack, rather than leaving it busy and silent (a full-speed run once stalled that way, cause unknown).
STALL_SECONDS = 120
# Refreshes are given up after 1 s (the file's lower bound is 10 s) and come every 8 s.
CONFIG = Config(refresh=RefreshSettings(timeout_seconds=1))
REFRESH_SECONDS = 8.0
# A replay fetches nothing; its steps compute for seconds on a loaded machine, never a minute.
REPLAY_CONFIG = Config(refresh=RefreshSettings(timeout_seconds=60))
REPLAY_SPAN = (date(1988, 1, 1), date(2025, 9, 30))    # before some indexes' first bar, to past the last
SESSION_STEPS = 2_500


# Each view with the keys that open it from the dashboard (the first panel's detail: `1`, then enter).
VIEW_KEYS = ((DetailScreen, ("1", "enter")), (HelpScreen, ("question_mark",)), (CommandPalette, ("ctrl+p",)),
             (RrgScreen, ("g",)), (BreadthScreen, ("b",)), (AlertScreen, ("a",)), (WatchlistScreen, ("W",)))


def binding_keys() -> list[str]:
    """Every key bound on a screen the walk can reach, but those that quit."""
    owners = [TuimarketApp, DashboardScreen, RotationTable, *(view for view, _ in VIEW_KEYS)]
    keys = {key.strip()
            for owner in owners for cls in owner.__mro__ for binding in vars(cls).get("BINDINGS", [])
            for key in (binding.key if isinstance(binding, Binding) else binding[0]).split(",")}
    return sorted(keys - set(QUIT_KEYS)) + ["ctrl+p", *PALETTE_TYPING]


class ChaoticYahoo:
    """`yfinance.download` on a bad day: good data, errors, hangs and garbage, in an order its seed shuffles.

    Answers are drawn from a bag holding each kind (good ones 4 times over) and refilled when
    empty, so every kind comes within the first 17 calls, however few refreshes a walk makes.
    """

    ANSWERS = {"good": 4, "error": 2, "empty": 1, "hang": 2, "text prices": 1, "impossible prices": 1,
               "not a frame": 1, "last bar only": 1, "dates shuffled": 1, "no close": 1, "other timezone": 1}

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.served = FakeYahoo()
        self.release = threading.Event()    # set as the walk ends: every hang returns
        self.answers: Counter[str] = Counter()
        self._bag: list[str] = []
        self._lock = threading.Lock()       # a hung call and the next one may overlap

    def _next_answer(self) -> str:
        if not self._bag:
            self._bag = [answer for answer, count in self.ANSWERS.items() for _ in range(count)]
            self.rng.shuffle(self._bag)
        return self._bag.pop()

    def __call__(self, tickers, **kwargs):
        with self._lock:
            answer = self._next_answer()
            hang_seconds = self.rng.uniform(0.5, 4.0)
            row = self.rng.random()
            self.answers[answer] += 1
        if answer == "hang":
            self.release.wait(hang_seconds)
            return self.served(tickers, **kwargs)
        if answer == "error":
            raise ConnectionError("[Errno 111] Connection refused")
        if answer == "empty":
            return pd.DataFrame()
        if answer == "not a frame":
            return "<html>Too Many Requests</html>"
        frame = self.served(tickers, **kwargs)
        return GARBAGE.get(answer, lambda frame, row: frame)(frame, row)


def _text_prices(frame: pd.DataFrame, row: float) -> pd.DataFrame:
    frame = frame.astype(object)
    frame.loc[frame.index[-1], "Close"] = "N/A"
    return frame


def _impossible_prices(frame: pd.DataFrame, row: float) -> pd.DataFrame:
    frame = frame.copy()
    where = frame.index[int(row * (len(frame) - 1))]
    frame.loc[where, "Close"] = [0.0, -1.0, np.inf, 1e300][int(row * 4) % 4]
    return frame


def _shuffled(frame: pd.DataFrame, row: float) -> pd.DataFrame:
    return pd.concat([frame.iloc[::-1], frame.iloc[-3:]])


def _other_timezone(frame: pd.DataFrame, row: float) -> pd.DataFrame:
    frame = frame.copy()
    frame.index = frame.index.tz_localize("Asia/Tokyo")
    return frame


GARBAGE = {
    "text prices": _text_prices,
    "impossible prices": _impossible_prices,
    "last bar only": lambda frame, row: frame.iloc[-1:],
    "dates shuffled": _shuffled,
    "no close": lambda frame, row: frame.drop(columns="Close", level=0),
    "other timezone": _other_timezone,
}


class MonkeyPipeline(MarketPipeline):
    """The real pipeline, with a fixed exchange state and a short interval (no calendar build)."""

    def market_hours(self, now: datetime) -> MarketHours:
        return MarketHours(True, NOW.replace(hour=16))

    def refresh_interval(self, now: datetime) -> float:
        return REFRESH_SECONDS


@dataclass
class Walk:
    """What a walk did: enough to tell it went everywhere it should."""

    seed: int
    steps: int = 0
    sessions: int = 0
    replays: list[date] = field(default_factory=list)
    keys: Counter[str] = field(default_factory=Counter)
    screens: set[str] = field(default_factory=set)
    themes: set[str] = field(default_factory=set)
    sizes: set[tuple[int, int]] = field(default_factory=set)
    resizes: int = 0
    stuck_seen: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    last: deque = field(default_factory=lambda: deque(maxlen=40))
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"seed": self.seed, "steps": self.steps, "sessions": self.sessions,
                "replays": [day.isoformat() for day in self.replays], "screens": sorted(self.screens),
                "themes": sorted(self.themes), "sizes": sorted(self.sizes), "resizes": self.resizes,
                "stuck_seen": self.stuck_seen, "answers": dict(self.answers), "seconds": round(self.seconds, 1)}

    def summary(self) -> str:
        return (f"seed {self.seed}: {self.steps} steps in {self.seconds:.0f} s, {self.sessions} sessions "
                f"(replays of {', '.join(map(str, self.replays)) or 'none'}), "
                f"{len(self.themes)} themes, screens {sorted(self.screens)}, {self.resizes} resizes, "
                f"stuck seen on {self.stuck_seen} steps, feed answers {dict(self.answers)}")


class MonkeyFailure(AssertionError):
    pass


CORNERS = (SMALLEST, LARGEST, (SMALLEST[0], LARGEST[1]), (LARGEST[0], SMALLEST[1]))


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def random_size(rng: random.Random, record: Walk) -> tuple[int, int]:
    """The corners first (a uniform draw would rarely reach them), then anywhere between, corners now and then."""
    if record.resizes < len(CORNERS):
        return CORNERS[record.resizes]
    if rng.random() < 0.1:
        return rng.choice(CORNERS)
    return rng.randint(SMALLEST[0], LARGEST[0]), rng.randint(SMALLEST[1], LARGEST[1])


async def walk(steps: int, seed: int, workdir: Path) -> Walk:
    """Press `steps` keys and resizes; raises MonkeyFailure (naming the seed and the last steps)."""
    rng = random.Random(seed)
    yahoo = ChaoticYahoo(seed + 1)
    keys = binding_keys()
    weights = [RARE_KEYS.get(key, 1.0) for key in keys]
    record = Walk(seed)
    started = time.monotonic()
    store = Store(workdir / "market.sqlite3")
    try:
        while record.steps < steps:
            record.sessions += 1
            replay = random_day(rng, *REPLAY_SPAN) if record.sessions % 2 == 0 else None
            config = CONFIG if replay is None else REPLAY_CONFIG
            feed = Feed(config, download=yahoo, store=store, now=NOW, sleep=lambda _: None, as_of=replay)
            app = TuimarketApp(config, MonkeyPipeline(config, feed, as_of=replay), now=lambda: NOW,
                               screenshot_dir=workdir)
            size = (rng.randint(SMALLEST[0], LARGEST[0]), rng.randint(SMALLEST[1], LARGEST[1]))
            record.last.append(f"launch at {size[0]}x{size[1]}" + (f", replaying {replay}" if replay else ""))
            if replay is not None:
                record.replays.append(replay)
            session_ends = min(steps, record.steps + SESSION_STEPS)
            async with app.run_test(size=size) as pilot:
                notified = record_notifications(app)
                # Every screen made current counts, those a burst opens and closes again too.
                record.screens.add(type(app.screen).__name__)
                app.screen_change_signal.subscribe(app, lambda screen: record.screens.add(type(screen).__name__),
                                                   immediate=True)
                if record.sessions == 1:
                    await tour_views(pilot, app, record)
                while record.steps < session_ends and app.is_running:
                    burst = min(rng.randint(1, MAX_BURST), session_ends - record.steps)
                    await _burst(pilot, app, rng, keys, weights, record, burst)
                    faulthandler.dump_traceback_later(STALL_SECONDS, exit=True, file=sys.__stderr__)
                    if replay is not None and app.failures:
                        raise MonkeyFailure(f"a refresh failed replaying {replay}: "
                                            + " | ".join(n.message for n in notified if n.severity != "information"))
                if app.is_running:
                    await still_answering(pilot, app)
                    record.last.append("still answering")
                    app.exit()
    except Exception as exc:
        raise MonkeyFailure(f"the monkey found {type(exc).__name__}: {exc}\n{record.summary()}\n"
                            "last steps: " + " | ".join(record.last)) from exc
    finally:
        faulthandler.cancel_dump_traceback_later()
        yahoo.release.set()
        record.answers = yahoo.answers
        record.seconds = time.monotonic() - started
    return record


async def _burst(pilot, app: TuimarketApp, rng: random.Random, keys: list[str], weights: list[float],
                 record: Walk, steps: int) -> None:
    """A few keys and resizes sent at once, as a fast typist's; then wait until the screen has handled them.

    `pilot.press` and `pilot.resize_terminal` also wait for the process's CPU to fall idle, 20 ms
    at least and up to 1 s while a refresh computes, and most of a step's time is painting: one
    at a time, 1,000 steps took 4 minutes. So this sends the events Pilot would send, a burst at
    a time, and the screen paints at its own rate, between bursts and during them.
    """
    for _ in range(steps):
        roll = rng.random()
        if roll < RESIZE_CHANCE:
            size = random_size(rng, record)
            record.resizes += 1
            record.last.append(f"resize {size[0]}x{size[1]}")
            resize_without_waiting(app, size)
            record.sizes.add(size)
        else:
            key = rng.choice(QUIT_KEYS) if roll < RESIZE_CHANCE + QUIT_CHANCE else rng.choices(keys, weights)[0]
            record.last.append(key)
            record.keys[key] += 1
            send_key(app, key)
        record.steps += 1
    await until_handled(pilot, app)
    if app.is_running:
        record.themes.add(app.theme)
        record.stuck_seen += app.stuck_since is not None


def send_key(app: TuimarketApp, key: str) -> None:
    """The key as a terminal sends it: posted to the app, without Pilot's wait."""
    app.post_message(events.Key(key, KEY_CHARACTERS.get(key, key if len(key) == 1 else None)))


async def until_handled(pilot, app: TuimarketApp) -> None:
    """Until every key sent has been acted on, and what the actions posted handled.

    A key goes from the app's queue to the focused widget's, then bubbles back up, a queue at a
    time, to the bindings of the screen and of the app. Pilot's wait covers the first hop only: the
    walk read the screen before `W` had opened the watchlist (seed 20261201). So it waits again
    until no queue on any screen of the stack holds a message.
    """
    for _ in range(MAX_SETTLE_ROUNDS):
        await wait_for_screen(pilot)
        if not messages_queued(app):
            return


VIEW_WAIT_SECONDS = 60      # the first load may meet a hanging feed and be given up as stuck first


async def tour_views(pilot, app: TuimarketApp, record: Walk) -> None:
    """Open each view on its keys, wait until it is up, and close it again: every walk reaches
    every screen whatever the timing (a burst's keys land on whichever screen is up by then;
    a CI run once never had the detail screen up as a burst ended)."""
    await until_or_fail(pilot, app, lambda: app.board is not None, "the dashboard's first load")
    for view, keys in VIEW_KEYS:
        for key in keys:
            send_key(app, key)
            record.last.append(key)
        opened = f"{' '.join(keys)} opening {view.__name__}"
        await until_or_fail(pilot, app, lambda: isinstance(app.screen, view), opened)
        send_key(app, "escape")
        closed = f"escape closing {view.__name__}"
        await until_or_fail(pilot, app, lambda: isinstance(app.screen, DashboardScreen), closed)
    record.last.append("views toured")


async def until_or_fail(pilot, app: TuimarketApp, condition, what: str) -> None:
    """Wait until `condition()` holds, keys handled and the feed's hangs given up, or fail naming `what`."""
    deadline = time.monotonic() + VIEW_WAIT_SECONDS
    while True:
        await until_handled(pilot, app)
        if condition():
            return
        if time.monotonic() > deadline:
            raise MonkeyFailure(f"{what}: not done after {VIEW_WAIT_SECONDS} s (on {type(app.screen).__name__})")
        await pilot.pause(0.05)


async def still_answering(pilot, app: TuimarketApp) -> None:
    """Back on the dashboard, a key still does what it says and the market bar is drawn."""
    for _ in range(6):
        if isinstance(app.screen, DashboardScreen):
            break
        send_key(app, "escape")
        await until_handled(pilot, app)
    assert isinstance(app.screen, DashboardScreen), f"stuck on {type(app.screen).__name__}"
    before = app.chart_range
    send_key(app, "left_square_bracket" if before == "5Y" else "right_square_bracket")
    await until_handled(pilot, app)
    assert app.chart_range != before, "the range key did nothing"
    send_key(app, "3")
    await until_handled(pilot, app)
    assert app.dashboard_screen.active == 2, "the panel key did nothing"
    # At 80x24 the bar has room for the stance and the clock (a narrower one leaves the clock out).
    await pilot.resize_terminal(80, 24)
    await until_handled(pilot, app)
    bar = app.dashboard_screen.query_one(MarketBar)
    assert bar.model is not None and bar.model.stance in bar.render().plain and "NY " in bar.render().plain, \
        f"the market bar at 80x24 reads {bar.render().plain!r}"
