"""The watchlist screen's side of the port: the user's groups, their rows, adding and removing.

Groups are config.toml's `[watchlists]` with the run-time edits over them (`watchlists.json` in
the user's state dir, written whole or not at all; config.toml is never rewritten). A group's
bars come through the feed, on the monitor's cache and fetch lease: a refresh of the group asks
each symbol only for what it lacks, and an added symbol costs one request for itself. Rows are
published in stages so that 200 symbols show at once: names, then prices and signals, then the
trend and the latest event a few symbols at a time (kept while a symbol's last bar is unchanged).
Everything here runs in a worker thread.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import platformdirs

from tuimarket.config import APP_NAME, Config, Symbol, Watchlist
from tuimarket.ui.atomic import write_atomically
from tuimarket.ui.watchlist_view import WatchlistTable, watchlist_line
from tuimarket.watchlists import EDITS_FILE, Edits, normalise_symbol

if TYPE_CHECKING:
    from tuimarket.analysis.results import WatchlistRow
    from tuimarket.data.feed import Feed

CHUNK = 20                  # symbols whose trend and latest event are computed between two publications
UNKNOWN = "unknown to Yahoo"

Publish = Callable[[WatchlistTable], None]


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

    def groups(self) -> tuple[Watchlist, ...]:
        return self._edits().apply(self.config.watchlists)

    def names(self) -> tuple[str, ...]:
        return tuple(group.name for group in self.groups())

    def load(self, name: str, publish: Publish, *, fetch: bool) -> None:
        """Publish the group's table as it is computed; `fetch`: bring its bars up to date first."""
        from tuimarket.analysis.watchlist import full_rows, quick_rows

        groups = self.groups()
        group = next((g for g in groups if g.name == name), groups[0])
        names = tuple(g.name for g in groups)
        entries = group.symbols
        feed = self._feed().for_symbols([*(entry.symbol for entry in entries), self.config.benchmark])
        publish(self._table(group.name, names, [_placeholder(entry) for entry in entries], "loading…"))
        if fetch and self.live:
            data = feed.refresh()
            self.unknown = (self.unknown - set(data.bars)) | feed.no_data
        else:
            data = feed.initial()
        rows = [self._complete.get(_key(row), row) for row in quick_rows(self.config, entries, data.bars)]
        status = _status(data.source, rows, feed.offline)
        while True:
            computing = [row for row in rows if not row.complete]
            count, dated = status       # what is computing goes between them, where 80 columns still show it
            publish(self._table(group.name, names, rows, " · ".join(
                [count, *([f"{len(computing)} computing…"] if computing else []), *dated])))
            if not computing:
                return
            done = {row.symbol: row for row in full_rows(self.config, computing[:CHUNK], data.bars)}
            for row in done.values():
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
            feed = self._feed().for_symbols([symbol])
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
