"""Delivery beyond the screen: apprise URLs and commands, each in its own background thread.

`Deliveries.send` only puts the alert on each sink's queue, so a sink that fails or hangs never
delays a refresh: its thread retries with backoff and, when every attempt failed, says so in the
log (logger "tuimarket.alerts"). Each sink has its own rate limit (a cooldown between deliveries
and a daily cap) so a volatile day cannot flood a phone; an alert it holds back is only logged,
since the store and the watcher's output keep every alert anyway.

apprise is imported when the sinks are built (once, by `watch` with a URL configured: it must
reject a URL it cannot parse before the watcher starts), never by the monitor, `report` or `--help`.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Callable, Protocol, Sequence

from tuimarket.alerts import Alert
from tuimarket.config import AlertSink, Config, ConfigError

log = logging.getLogger("tuimarket.alerts")

BACKOFF_SECONDS = (5.0, 30.0, 120.0)    # waits before the 2nd, 3rd and 4th attempts
COMMAND_TIMEOUT_SECONDS = 30.0
ENV_PREFIX = "TUIMARKET_ALERT_"


class DeliveryError(Exception):
    """One attempt failed; the sink's thread may try again."""


class Sink(Protocol):
    name: str

    def deliver(self, alert: Alert) -> None:
        """Deliver once or raise DeliveryError (or OSError)."""


class AppriseSink:
    """Any URL apprise understands: ntfy://, slack://, discord://, mailto://, json:// ..."""

    def __init__(self, url: str) -> None:
        import apprise   # lazy: 0.9 s to import and load its plugins

        self._apprise = apprise.Apprise()
        if not self._apprise.add(url):
            raise ValueError(f"apprise cannot parse the URL {url!r}")
        self.name = url.split("://", 1)[0] + "://…"    # never the whole URL in a log: it may hold a token

    def deliver(self, alert: Alert) -> None:
        if not self._apprise.notify(body=alert.body, title=alert.title):
            raise DeliveryError(f"{self.name} refused or did not answer")


class CommandSink:
    """A program run with the alert in its environment (TUIMARKET_ALERT_TITLE, ..._SYMBOL, ...)."""

    def __init__(self, argv: Sequence[str], timeout: float = COMMAND_TIMEOUT_SECONDS) -> None:
        self.argv, self.timeout = tuple(argv), timeout
        self.name = self.argv[0]

    def deliver(self, alert: Alert) -> None:
        env = os.environ | alert_environment(alert)
        try:
            done = subprocess.run(self.argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise DeliveryError(f"{self.name} still running after {self.timeout:g} s (killed)") from None
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise DeliveryError(f"{self.name} exited with status {done.returncode} {said[0]}".rstrip())


def alert_environment(alert: Alert) -> dict[str, str]:
    """TUIMARKET_ALERT_<FIELD> for every field: strings as they are, booleans as true/false."""
    def text(value) -> str:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    return {ENV_PREFIX + name.upper(): text(value) for name, value in alert.as_fields().items()}


@dataclass
class RateLimit:
    cooldown_seconds: float = 0.0
    daily_cap: int = 0
    _last: float | None = None
    _day: date | None = None
    _today: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, now: datetime) -> bool:
        """Count a delivery at `now` (UTC) and say yes, or say no: too soon after the last, or the
        day's cap reached."""
        with self._lock:
            stamp = now.timestamp()
            if self._day != now.date():
                self._day, self._today = now.date(), 0
            if self._last is not None and stamp - self._last < self.cooldown_seconds:
                return False
            if self.daily_cap and self._today >= self.daily_cap:
                return False
            self._last, self._today = stamp, self._today + 1
            return True


class _Worker:
    """One sink's queue and thread."""

    def __init__(self, sink: Sink, limit: RateLimit, backoff: Sequence[float], sleep: Callable[[float], None]):
        self.sink, self.limit, self.backoff, self.sleep = sink, limit, tuple(backoff), sleep
        self.queue: queue.Queue[Alert] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name=f"alert sink {sink.name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            alert = self.queue.get()
            try:
                self._deliver(alert)
            finally:
                self.queue.task_done()

    def _deliver(self, alert: Alert) -> None:
        for attempt, wait in enumerate((0.0, *self.backoff), start=1):
            self.sleep(wait)
            try:
                self.sink.deliver(alert)
                return
            except Exception as exc:  # noqa: BLE001 - a sink's failure must never end its thread
                problem = str(exc) or type(exc).__name__
                if attempt <= len(self.backoff):
                    log.info("alert %s to %s: attempt %d failed (%s); retrying in %g s",
                             alert.key, self.sink.name, attempt, problem, self.backoff[attempt - 1])
        log.warning("alert %s not delivered to %s after %d attempts: %s",
                    alert.key, self.sink.name, attempt, problem)


class Deliveries:
    """The configured sinks, each behind its own queue, thread and rate limit."""

    def __init__(self, sinks: Sequence[tuple[Sink, RateLimit]], *, backoff: Sequence[float] = BACKOFF_SECONDS,
                 now: Callable[[], datetime] | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._workers = [_Worker(sink, limit, backoff, sleep) for sink, limit in sinks]

    def send(self, alert: Alert) -> None:
        """Queue the alert for every sink whose rate limit allows it; returns at once."""
        now = self._now()
        for worker in self._workers:
            if worker.limit.allow(now):
                worker.queue.put(alert)
            else:
                log.info("alert %s held back from %s by its rate limit", alert.key, worker.sink.name)

    def drain(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the queued alerts to be delivered (or given up);
        True when all were. The threads are daemons: what is left is dropped at exit."""
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            while worker.queue.unfinished_tasks:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.02)
        return True


def build_deliveries(config: Config, **options) -> Deliveries:
    """The sinks of config.alerts; a URL apprise cannot parse is a ConfigError naming its key."""
    sinks: list[tuple[Sink, RateLimit]] = []
    for i, spec in enumerate(config.alerts.sinks):
        sinks.append((_sink(spec, config.path, f"alerts.sinks[{i}].url"),
                      RateLimit(spec.cooldown_seconds, spec.daily_cap)))
    return Deliveries(sinks, **options)


def _sink(spec: AlertSink, path: str, key: str) -> Sink:
    if spec.command:
        return CommandSink(spec.command)
    try:
        return AppriseSink(spec.url)
    except ValueError:
        raise ConfigError(path, key, "apprise cannot parse this URL (see https://github.com/caronc/apprise/wiki "
                                     "for the URL of each service)") from None
