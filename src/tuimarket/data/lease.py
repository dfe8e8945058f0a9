"""The fetch lease: of all the viewers sharing a cache dir, one process asks Yahoo.

The lease is an exclusive `flock` on `fetch.lock` beside the cache. The first process to refresh
takes it and keeps it for as long as it runs; the OS releases it when that process exits or dies
(SIGKILL included), and the next viewer to refresh takes over. The others show what the holder
caches. Every Feed of one process on one cache dir shares the process's lease.

A follower may watch symbols the holder does not: it lists them in `fetch-wants/<its pid>`, and
the holder fetches those too, while that process lives.

The rate-limit backoff lives beside it, in `fetch-state.json` (written whole, then renamed into
place), so a viewer that takes over, or a monitor started again, keeps waiting as Yahoo told the
last fetcher to, instead of asking at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

LOCK_NAME = "fetch.lock"
STATE_NAME = "fetch-state.json"
WANTS_DIR = "fetch-wants"
SYMBOL = re.compile(r"[A-Za-z0-9^.=-]{1,24}")    # what a wants file may ask Yahoo for


@dataclass(frozen=True)
class Backoff:
    """Refreshes in a row that met a rate limit, and no request to Yahoo before `next_try` (UTC)."""

    rate_limits: int = 0
    next_try: datetime | None = None


class FetchLease:
    """The lease on one cache dir. Construction is free; `acquire` takes it."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._descriptor: int | None = None
        self._remembered = Backoff()      # what this process knows when the state file cannot be written
        self._wanted: list[str] | None = None     # what this process last asked the holder for
        self._wants: dict[str, frozenset[str]] = {}     # by asker: the dashboard's feed, a watchlist's
        self._lock = threading.Lock()

    @classmethod
    def for_dir(cls, directory: Path) -> FetchLease:
        """This process's lease on `directory` (two leases of one process would lock each other out)."""
        key = Path(directory).resolve()
        with _LEASES_LOCK:
            return _LEASES.setdefault(key, cls(key))

    def acquire(self) -> bool:
        """Take the lease, or keep it; False while another process holds it.

        A cache dir where no lock file can be opened (read-only, say) has no lease to share:
        every process there fetches for itself, as before leases existed.
        """
        with self._lock:
            if self._descriptor is not None:
                return True
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                # O_CLOEXEC: a child process must not inherit the lock and outlive its parent with it.
                descriptor = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError:
                return True
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(descriptor)
                return False
            os.ftruncate(descriptor, 0)
            os.write(descriptor, f"{os.getpid()}\n".encode())    # who fetches, for the others' note
            self._descriptor = descriptor
            return True

    def holder(self) -> int | None:
        """The process id of the lease's holder, as it wrote it (None if unknown)."""
        try:
            text = (self.directory / LOCK_NAME).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() else None

    def backoff(self) -> Backoff:
        """The backoff the last fetcher recorded (this process's own if none could be read)."""
        try:
            state = json.loads((self.directory / STATE_NAME).read_text(encoding="utf-8"))
            next_try = datetime.fromisoformat(state["next_try"]) if state["next_try"] else None
            if next_try is not None and next_try.tzinfo is None:
                raise ValueError("next_try without a timezone")
            return Backoff(int(state["rate_limits"]), next_try)
        except (OSError, ValueError, KeyError, TypeError):
            return self._remembered

    def record(self, backoff: Backoff) -> None:
        """Share `backoff` with the other viewers (a write only when it changed)."""
        known, self._remembered = self.backoff(), backoff
        if backoff == known:
            return
        state = {"rate_limits": backoff.rate_limits,
                 "next_try": backoff.next_try.isoformat() if backoff.next_try else None}
        temporary = self.directory / f"{STATE_NAME}.{os.getpid()}"
        try:
            temporary.write_text(json.dumps(state), encoding="utf-8")
            os.replace(temporary, self.directory / STATE_NAME)    # readers see the old or the new, whole
        except OSError:
            pass     # a read-only cache dir: this process remembers it alone

    def want(self, symbols: Sequence[str], asker: str = "monitor") -> None:
        """Ask the holder to fetch these symbols too, in place of what `asker` asked before: the
        process asks for every asker's at once (the dashboard's feed and a watchlist's shared one
        list, and each replaced the other's in turn). Written only when the whole changed."""
        with self._lock:     # the feeds of one process refresh in threads of their own
            self._wants[asker] = frozenset(symbols)
            wanted = sorted(set().union(*self._wants.values()))
            if wanted == self._wanted:
                return
            directory = self.directory / WANTS_DIR
            temporary = directory / f".{os.getpid()}.tmp"
            try:
                directory.mkdir(exist_ok=True)
                temporary.write_text("\n".join(wanted), encoding="utf-8")
                os.replace(temporary, directory / str(os.getpid()))
            except OSError:
                return     # a read-only cache dir: the holder fetches only its own symbols
            self._wanted = wanted

    def wanted(self) -> list[str]:
        """The symbols living followers asked for; the lists of ended processes are removed."""
        try:
            entries = [entry for entry in (self.directory / WANTS_DIR).iterdir() if entry.name.isdigit()]
        except OSError:
            return []
        symbols: set[str] = set()
        for entry in entries:
            try:
                if not _alive(int(entry.name)):
                    entry.unlink()
                    continue
                text = entry.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            symbols.update(symbol for symbol in text.split() if SYMBOL.fullmatch(symbol))
        return sorted(symbols)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True     # another user's process, sharing the cache dir
    return True


_LEASES: dict[Path, FetchLease] = {}
_LEASES_LOCK = threading.Lock()
