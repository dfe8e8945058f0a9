"""The watchlist screen's side of the port: the user's groups, their rows, adding and removing.

Groups are config.toml's `[watchlists]` with the run-time edits over them (`watchlists.json` in
the user's state dir, written whole or not at all; config.toml is never rewritten). A group's
bars come through the feed, on the monitor's cache and fetch lease: a refresh of the group asks
each symbol only for what it lacks, and an added symbol costs one request for itself. Rows are
published in stages so that 200 symbols show at once: names, then prices and signals, then the
trend and the latest event a few symbols at a time (kept while a symbol's last bar is unchanged).

The rows are computed in a process of its own (`RowWorker`), which reads the group's bars itself
(the cache read-only, or the bundle) once per load: the monitor's process sends it symbols and
settings and gets rows back, and never holds 200 histories. Reading, building and pickling them
here, in a thread, held the interpreter lock away from the screen (a 200-symbol list stalled the
event loop for 155-376 ms).
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence, TypeVar

import platformdirs

from tuimarket.config import APP_NAME, Config, Symbol, Watchlist
from tuimarket.ui.atomic import write_atomically
from tuimarket.ui.watchlist_view import WatchlistTable, watchlist_line
from tuimarket.watchlists import EDITS_FILE, Edits, normalise_symbol

if TYPE_CHECKING:
    from tuimarket.analysis.results import WatchlistRow
    from tuimarket.data.feed import Feed
    from tuimarket.data.model import MarketData

CHUNK = 20                  # symbols whose trend and latest event are computed between two publications
UNKNOWN = "unknown to Yahoo"
ORPHAN_CHECK_SECONDS = 1.0  # how often the row worker looks whether the app that started it still runs
WORKER_NICENESS = 10        # the row worker yields the processor to the screen's process
LOADS = itertools.count(1)  # numbers every load of every source, for GroupBars

Publish = Callable[[WatchlistTable], None]
Result = TypeVar("Result")


@dataclass(frozen=True)
class GroupBars:
    """What the row worker reads a group's bars from: the monitor's feed as it would read them,
    on the same cache file (read-only) or bundle. `load` numbers the loads: each reads them anew."""

    symbols: tuple[str, ...]        # the group's and the benchmark
    source: str
    as_of: date | None
    cache: Path
    load: int

    @classmethod
    def of(cls, feed: Feed) -> GroupBars:
        """What `feed` reads, for this load."""
        return cls(feed.symbols, feed.source, feed.as_of, feed.store.path, next(LOADS))


class WatchlistSource:
    def __init__(self, config: Config, feed: Callable[[], Feed], *, live: bool, state_dir: Path | None = None) -> None:
        """`feed()` is the monitor's feed (made on first use); `live`: Yahoo may be asked."""
        self.config = config
        self._feed = feed
        self.live = live
        self.path = (state_dir or Path(platformdirs.user_state_dir(APP_NAME))) / EDITS_FILE
        self.unknown: set[str] = set()          # symbols Yahoo said it has no data for
        self._complete: dict[tuple[str, date, float], WatchlistRow] = {}   # by symbol and last bar
        self._lock = threading.Lock()           # one edit of the file at a time
        self.worker = ROW_WORKER

    def groups(self) -> tuple[Watchlist, ...]:
        return self._edits().apply(self.config.watchlists)

    def names(self) -> tuple[str, ...]:
        return tuple(group.name for group in self.groups())

    def prepare(self) -> None:
        self.worker.start()

    def load(self, name: str, publish: Publish, *, fetch: bool) -> None:
        """Publish the group's table as it is computed; `fetch`: bring its bars up to date first."""
        groups = self.groups()
        group = next((g for g in groups if g.name == name), groups[0])
        names = tuple(g.name for g in groups)
        entries = group.symbols
        feed = self._feed().for_symbols([*(entry.symbol for entry in entries), self.config.benchmark], "watchlist")
        publish(self._table(group.name, names, [_placeholder(entry) for entry in entries], "loading…"))
        if fetch and self.live:
            fetched = feed.update_cache()           # where the row worker reads them
            self.unknown = (self.unknown - fetched) | feed.no_data
        bars = GroupBars.of(feed)
        quick, source = self.worker.quick(self.config, bars, entries)
        rows = [self._complete.get(_key(row), row) for row in quick]
        status = _status(source, rows, feed.offline)
        while True:
            computing = [row for row in rows if not row.complete]
            count, dated = status       # what is computing goes between them, where 80 columns still show it
            publish(self._table(group.name, names, rows, " · ".join(
                [count, *([f"{len(computing)} computing…"] if computing else []), *dated])))
            if not computing:
                return
            done = {row.symbol: row for row in self.worker.complete(self.config, bars, computing[:CHUNK])}
            for row in done.values():
                if row.problem is None:     # a failed chunk is tried again at the next load
                    self._complete[_key(row)] = row
            rows = [done.get(row.symbol, row) for row in rows]

    def add(self, group: str, text: str) -> str:
        """Add a symbol to a group, kept for the next launch and fetched at once (only it). The
        message to show; the group's table is then reloaded by the caller."""
        symbol = normalise_symbol(text)
        if symbol is None:
            return f"{text.strip()[:20]!r} is not a ticker (letters, digits and ^ . - = only, at most 15)"
        if any(symbol in g for g in self.groups() if g.name == group):
            return f"{symbol} is already in {group}"
        problem = self._edit(lambda edits: edits.add(group, symbol))
        if problem:
            return problem
        if self.live:
            feed = self._feed().for_symbols([symbol], "added symbol")
            data = feed.refresh()
            if symbol in feed.no_data:
                self.unknown.add(symbol)
                return f"Added {symbol} to {group}; Yahoo has no data for it"
            if data.error:
                return f"Added {symbol} to {group}; not fetched: {data.error}"
        return f"Added {symbol} to {group}"

    def remove(self, group: str, symbol: str) -> str:
        problem = self._edit(lambda edits: edits.remove(group, symbol))
        return problem or f"Removed {symbol} from {group}"

    def _edit(self, change: Callable[[Edits], None]) -> str | None:
        """Apply `change` to the file's edits and write them back whole; a message if that failed."""
        with self._lock:
            edits = self._edits()
            change(edits)
            try:
                write_atomically(self.path, edits.to_json())
            except OSError as error:
                return f"Not saved to {self.path}: {error.strerror or error}"
        return None

    def _edits(self) -> Edits:
        try:
            return Edits.from_json(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return Edits()      # none yet, or unreadable: the configured groups as they are

    def _table(self, group: str, names: tuple[str, ...], rows: Sequence[WatchlistRow], status: str) -> WatchlistTable:
        lines = tuple(watchlist_line(row, position, UNKNOWN if row.symbol in self.unknown else "")
                      for position, row in enumerate(rows))
        return WatchlistTable(group, names, lines, status, all(row.complete for row in rows))


class NotComputed(Exception):
    """The row worker could not compute a stage; `note` is what its rows show."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


class RowWorker:
    """Computes rows (`quick_rows`, then `full_rows`) in a process of its own, started on first
    use and ended by `close` (the monitor closes it as it exits) or, should the app die without
    closing it, by itself within ORPHAN_CHECK_SECONDS. A process that dies on a stage (the OOM
    killer) is replaced and the stage tried once more at once; a stage that fails again, or raises,
    completes with a note in its rows, never an error on screen."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def quick(self, config: Config, bars: GroupBars,
              entries: Sequence[Symbol]) -> tuple[list[WatchlistRow], str]:
        """Each entry's row without its trend and latest event, and where the bars came from."""
        try:
            return self.call(_quick_rows, config, bars, entries)
        except NotComputed as failure:
            return [replace(_placeholder(entry), complete=True, problem=failure.note) for entry in entries], "none"

    def complete(self, config: Config, bars: GroupBars, rows: Sequence[WatchlistRow]) -> list[WatchlistRow]:
        """`rows` with their trend and latest event."""
        try:
            return self.call(_full_rows, config, bars, rows)
        except NotComputed as failure:
            return [replace(row, complete=True, problem=failure.note) for row in rows]

    def start(self) -> None:
        """Start the process, if it is not running, without waiting for it: its start-up (a new
        interpreter, which imports the app's main module again) then happens before a load needs it."""
        with contextlib.suppress(BrokenProcessPool):    # died since it started: the next stage replaces it
            self._executor().submit(os.getpid)      # a process pool starts its process with its first task

    def call(self, stage: Callable[..., Result], *args: object) -> Result:
        """`stage(*args)` in the worker process; NotComputed when it raised, or when the process
        died on it twice (each time replaced by a fresh one)."""
        for attempt in (1, 2):
            pool = self._executor()
            try:
                return pool.submit(stage, *args).result()
            except BrokenProcessPool:
                with self._lock:
                    closed = self._pool is not pool     # by `close`, as the app exits: not to be restarted
                self.close()
                if closed or attempt == 2:
                    raise NotComputed("not computed (BrokenProcessPool)") from None
            except Exception as error:  # noqa: BLE001 - whatever the worker met is these rows' note
                raise NotComputed(f"not computed ({type(error).__name__})") from None
        raise AssertionError("not reached: the second attempt returns or raises")

    def close(self) -> None:
        """End the process now, whatever it is computing."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            processes = list((getattr(pool, "_processes", None) or {}).values())   # not public before 3.14
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.kill()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # Spawned, not forked: the app has threads, and a fork copies their locks mid-use.
                # The pool's first lock starts multiprocessing's resource tracker, which is handed
                # sys.stderr's descriptor: Textual's capture of sys.stderr has none, the real one has.
                captured, sys.stderr = sys.stderr, sys.__stderr__
                try:
                    self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=_serve_quietly, initargs=(os.getpid(),))
                finally:
                    sys.stderr = captured
            return self._pool


ROW_WORKER = RowWorker()    # one process for the app's watchlists, however many sources it makes


def _serve_quietly(app_pid: int) -> None:
    """In the row worker: nothing on the app's terminal (its stderr is the screen), Ctrl+C is the
    app's to handle, a lower priority than the app's (on a busy machine the screen's repaints come
    first), and the process ends itself once the app that started it is gone."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)

    def watch_parent() -> None:
        while os.getppid() == app_pid:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()


_READ: dict[GroupBars, MarketData] = {}     # in the row worker: the bars of the group being loaded


def _group_data(config: Config, bars: GroupBars) -> MarketData:
    """In the row worker: the group's bars as the monitor's feed reads them, read once per load
    (one query: a consistent set, whatever the fetch lease holder writes meanwhile)."""
    if bars not in _READ:
        from tuimarket.data.feed import Feed
        from tuimarket.data.store import Store

        _READ.clear()
        feed = Feed(config, source=bars.source, as_of=bars.as_of, store=Store(bars.cache, reader=True),
                    symbols=bars.symbols)
        _READ[bars] = feed.initial()
        feed.store.close()
    return _READ[bars]


def _quick_rows(config: Config, bars: GroupBars, entries: Sequence[Symbol]) -> tuple[list[WatchlistRow], str]:
    from tuimarket.analysis.watchlist import quick_rows

    data = _group_data(config, bars)
    return quick_rows(config, entries, data.bars), data.source


def _full_rows(config: Config, bars: GroupBars, rows: Sequence[WatchlistRow]) -> list[WatchlistRow]:
    from tuimarket.analysis.watchlist import full_rows

    return full_rows(config, rows, _group_data(config, bars).bars)


def _placeholder(entry: Symbol) -> WatchlistRow:
    from tuimarket.analysis.results import WatchlistRow

    return WatchlistRow(entry.symbol, entry.name, None, None, None, None, None, None)


def _key(row: WatchlistRow) -> tuple[str, date, float]:
    return row.symbol, row.as_of or date.min, row.close or 0.0


def _status(source: str, rows: Sequence[WatchlistRow], offline: bool) -> tuple[str, list[str]]:
    """"200 symbols", and what the data is: ["as of 2026-02-18", "offline, bundled"]."""
    dated = [row.as_of for row in rows if row.as_of is not None]
    count = f"{len(rows)} symbol{'s' if len(rows) != 1 else ''}"
    if not dated:
        return count, ["no data yet" + (" (offline)" if offline else "")]
    return count, [f"as of {max(dated).isoformat()}", "offline, bundled" if offline else source]
