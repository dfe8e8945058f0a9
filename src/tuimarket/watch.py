"""`tuimarket watch`: the refresh loop with no screen, turning each refresh into alerts.

Every pass refreshes the feed (the same cache as the monitor) and, with breadth on, the index
members' closes as the monitor does (once a session after its close, by the lease holder; a
watcher that does not hold the lease reads what the holder caches), computes the alerts of every
source from the bars, lets the alert store decide which are news, prints those one per line
(or as JSON lines) and hands them to the sinks, which deliver in their own threads. The next
pass follows the market's hours and waits longer after failures and rate limits (`data/schedule.py`,
as the monitor's). SIGTERM or SIGINT ends the loop between passes, and the watcher exits 0 with its
cache closed.

`--replay FROM..TO` runs the same sources and the same store logic (on a throwaway store) session
by session over the history at hand, so a user can see what their rules would have sent.

Nothing here imports Textual: the watcher runs where there is no terminal.
"""

from __future__ import annotations

import json
import logging
import signal
import tempfile
import threading
from bisect import bisect_right
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, TextIO

import pandas as pd

from tuimarket.alert_pass import alerts_of, event_kinds, record_refresh, wants_events
from tuimarket.alerts import Alert
from tuimarket.alerts.delivery import Deliveries
from tuimarket.analysis.alert_rules import KINDS as LEVEL_KINDS
from tuimarket.config import Config, ConfigError, did_you_mean
from tuimarket.data import calendar, schedule
from tuimarket.data.alert_store import AlertStore
from tuimarket.data.feed import CachedMembers, Feed
from tuimarket.data.model import MarketData
from tuimarket.data.store import Store

if TYPE_CHECKING:
    from tuimarket.analysis.events import EventHistory

log = logging.getLogger("tuimarket.alerts")

DRAIN_SECONDS = 10.0     # at exit, how long queued alerts may still take to leave


def known_kinds() -> tuple[str, ...]:
    return LEVEL_KINDS + event_kinds()


def check_event_kinds(config: Config) -> None:
    """`alerts.events` names only kinds the analysis has (ConfigError otherwise)."""
    kinds = event_kinds()
    for i, name in enumerate(config.alerts.events):
        if kinds and name != "all" and name not in kinds:
            raise ConfigError(config.path, f"alerts.events[{i}]",
                              f"unknown event kind {name!r}{did_you_mean(name, ['all', *kinds])}")


class Announcer:
    """Prints announced alerts (one line or one JSON object each), rings the bell, feeds the sinks."""

    def __init__(self, out: TextIO, deliveries: Deliveries, *, json_lines: bool = False, bell: bool = False) -> None:
        self.out, self.deliveries, self.json_lines = out, deliveries, json_lines
        self.bell = bell and out.isatty()

    def __call__(self, alerts: list[Alert]) -> None:
        for alert in alerts:
            if self.json_lines:
                self.out.write(json.dumps(alert.as_fields(), default=str) + "\n")
            else:
                self.out.write(f"{alert.title}: {alert.body}\n")
            self.deliveries.send(alert)
        if alerts and self.bell:
            self.out.write("\a")
        self.out.flush()


def watch_once(config: Config, feed: Feed, members: CachedMembers, alerts: AlertStore,
               announce: Announcer, history: EventHistory | None = None) -> MarketData:
    """One pass: refresh (the members too), compute, record, announce. `history` carries the
    analysis' events from one pass to the next, so a pass reads only the sessions added since."""
    data = members.refresh(feed.refresh())
    announce(record_refresh(config, data, alerts, history=history))
    return data


def run_watch(config: Config, feed: Feed, announce: Announcer, *, stop: threading.Event | None = None,
              now: Callable[[], datetime] = calendar.now_utc) -> int:
    """Pass after pass until SIGTERM or SIGINT (or `stop`); 0, with the queued alerts sent and the cache closed."""
    stop = stop or threading.Event()
    alerts = AlertStore(feed.store)
    members = CachedMembers(config, lambda: feed)
    history = _event_history(config)
    with _stopped_by_signals(stop):
        log.info("watching %d symbols; cache %s", len(config.all_symbols), feed.store.path)
        said: tuple[str, ...] = ()
        outcome = schedule.Outcome()
        while not stop.is_set():
            data = watch_once(config, feed, members, alerts, announce, history)
            notes = data.notes + ((data.error,) if data.error else ())
            for note in notes if notes != said else ():     # a note once, not every pass
                log.info("%s", note)
            said = notes
            outcome = schedule.Outcome(outcome.failures + 1 if data.error else 0, feed.lease.backoff().next_try)
            moment = now()
            stop.wait(schedule.next_delay(moment, schedule.interval(moment, calendar.market_hours(moment),
                                                                    config.refresh), outcome))
    announce.deliveries.drain(DRAIN_SECONDS)
    feed.store.close()
    return 0


def _event_history(config: Config) -> EventHistory | None:
    """The events carried from pass to pass, when the alerts include them."""
    if not wants_events(config):
        return None
    from tuimarket.analysis.events import EventHistory

    return EventHistory(config)


def replay(config: Config, data: MarketData, start: date, end: date, announce: Announcer, *,
           stop: threading.Event | None = None) -> int:
    """Session by session over start..end: the alerts that would have fired, flagged as replay.

    Every alert is computed once from the bars up to `end` (each depends only on bars up to its
    own date), then the sessions are fed to a throwaway store in order, as a watcher would have
    met them: the first session announces only itself, each later one what is new since.
    Returns how many alerts were announced.
    """
    stop = stop or threading.Event()
    bars = {symbol: frame.loc[: pd.Timestamp(end)] for symbol, frame in data.bars.items()}
    pending = sorted(alerts_of(config, bars), key=lambda alert: alert.date)
    dates = [alert.date for alert in pending]
    sessions = sorted({day.date() for frame in bars.values() for day in frame.index if day.date() >= start})
    lasts = {symbol: frame.index[-1].date() for symbol, frame in bars.items() if len(frame)}
    count = taken = 0
    with _stopped_by_signals(stop), _throwaway_store() as store:
        alerts = AlertStore(store)
        for session in sessions:
            if stop.is_set():
                break
            upto = bisect_right(dates, session)
            due, taken = pending[taken:upto], upto
            through = {symbol: min(last, session) for symbol, last in lasts.items()}
            announced = alerts.record(due, through) or []
            announce([alert.as_replay() for alert in announced])
            count += len(announced)
    announce.deliveries.drain(DRAIN_SECONDS)
    return count


@contextmanager
def _throwaway_store() -> Iterator[Store]:
    with tempfile.TemporaryDirectory(prefix="tuimarket-replay-") as directory:
        store = Store(Path(directory) / "replay.sqlite3")
        try:
            yield store
        finally:
            store.close()


@contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop` (the loop ends between passes); the old handlers come back after."""
    def handler(signum, frame) -> None:
        log.info("%s: stopping", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
