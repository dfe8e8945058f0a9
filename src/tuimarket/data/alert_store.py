"""Alerts in the SQLite cache: each stored once, with when it was first seen; read marks and mutes.

The tables live in the cache file (`store.py` creates and migrates them with the rest), and every
statement runs through the `Store`'s connection, so a damaged or locked cache is handled the same
way as for bars. Whether an alert is news is decided by the insert: `INSERT OR IGNORE` on its key,
inside one IMMEDIATE transaction, so of two watchers on one cache only the one whose insert
landed announces it, and a restart never announces it again.

A gap (the watcher was off for a week) leaves several alerts of one series unseen: all are
recorded, only the newest is announced. What happened on or before the last session a symbol
was already watched through is recorded quietly (a new rule's old crossings, say); a symbol never
watched before announces only its latest session, never years of history dressed as news.

Unread counts news only: an alert recorded quietly (history, a muted symbol or kind) was never
announced, so it is never unread (`read` stays the user's mark; `UNREAD` joins the two).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, TypeVar

from tuimarket.alerts import Alert, newest_per_series
from tuimarket.data.sql import batches

if TYPE_CHECKING:
    from tuimarket.data.store import Store

# Created with a new cache and added to an older one by store.py's migration from version 2.
ALERT_SCHEMA = (
    """CREATE TABLE alerts (
        key TEXT PRIMARY KEY, symbol TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
        date TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, fields TEXT NOT NULL,
        first_seen TEXT NOT NULL, announced INTEGER NOT NULL, read INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX alerts_by_date ON alerts (date)",
    # The last session each symbol's alerts were computed through.
    "CREATE TABLE alert_watermarks (symbol TEXT PRIMARY KEY, through TEXT NOT NULL)",
    # ('symbol', '^RUT') or ('kind', 'macd_sell'): recorded, never announced.
    "CREATE TABLE alert_mutes (what TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (what, value))",
)
MUTABLE = ("symbol", "kind")
UNREAD = "announced = 1 AND read = 0"
T = TypeVar("T")


@dataclass(frozen=True)
class StoredAlert:
    alert: Alert
    first_seen: datetime      # UTC
    announced: bool
    read: bool                # marked read, or never news (recorded quietly)


class AlertStore:
    """The alerts of the cache behind `store` (sharing its connection, lock and fault handling)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def problem(self) -> str | None:
        return self.store.problem

    def record(self, alerts: Iterable[Alert], through: Mapping[str, date], *,
               seen_at: datetime | None = None) -> list[Alert] | None:
        """Store every final alert not stored before; return those to announce now (None: the
        cache could not be written, `problem` says why).

        `through` is, per symbol, the last final session the alerts were computed from.
        """
        final = [alert for alert in alerts if alert.final]
        # a symbol without its own date (the market's stance) goes by the latest session of all
        latest = max(through.values(), default=None)
        through = {**{alert.symbol: latest for alert in final if latest}, **through}
        stamp = (seen_at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat()

        def work(connection: sqlite3.Connection) -> list[Alert]:
            watermarks = dict(connection.execute("SELECT symbol, through FROM alert_watermarks").fetchall())
            muted = set(connection.execute("SELECT what, value FROM alert_mutes").fetchall())
            new = _insert_new(connection, final, stamp)
            fresh = [alert for alert in new if _is_news(alert, watermarks.get(alert.symbol), through)
                     and ("symbol", alert.symbol) not in muted and ("kind", alert.kind) not in muted]
            announced = newest_per_series(fresh)
            connection.executemany("UPDATE alerts SET announced = 1 WHERE key = ?",
                                   [(alert.key,) for alert in announced])
            connection.executemany(
                "INSERT INTO alert_watermarks VALUES (?, ?) ON CONFLICT (symbol) DO UPDATE"
                " SET through = max(through, excluded.through)",
                [(symbol, day.isoformat()) for symbol, day in through.items()])
            return announced

        return self._transaction(work)

    def watermarks(self) -> dict[str, date]:
        """Per symbol, the last session its alerts were computed through (none when the cache is unreadable)."""
        rows = self.store._query("SELECT symbol, through FROM alert_watermarks", ())
        return {symbol: date.fromisoformat(through) for symbol, through in rows}

    def recent(self, limit: int = 100, *, unread_only: bool = False) -> list[StoredAlert]:
        """The newest alerts first (by session, then by when they were seen)."""
        where = f"WHERE {UNREAD}" if unread_only else ""
        rows = self.store._query(
            "SELECT key, symbol, kind, subject, date, title, body, fields, first_seen, announced, read"
            f" FROM alerts {where} ORDER BY date DESC, first_seen DESC, key LIMIT ?", (limit,))
        return [_stored(row) for row in rows]

    def unread_count(self) -> int:
        rows = self.store._query(f"SELECT count(*) FROM alerts WHERE {UNREAD}", ())
        return rows[0][0] if rows else 0

    def mark_read(self, keys: Iterable[str] | None = None) -> bool:
        """Mark these alerts read (all of them when `keys` is None)."""
        if keys is None:
            return self._transaction(lambda connection: connection.execute("UPDATE alerts SET read = 1")) is not None
        chosen = [(key,) for key in keys]
        return self._transaction(
            lambda connection: connection.executemany("UPDATE alerts SET read = 1 WHERE key = ?", chosen)) is not None

    def mute(self, what: str, value: str) -> bool:
        """Mute a symbol or a kind: its alerts are still recorded, never announced."""
        _check_mutable(what)
        return self._transaction(lambda connection: connection.execute(
            "INSERT OR IGNORE INTO alert_mutes VALUES (?, ?)", (what, value))) is not None

    def unmute(self, what: str, value: str) -> bool:
        _check_mutable(what)
        return self._transaction(lambda connection: connection.execute(
            "DELETE FROM alert_mutes WHERE what = ? AND value = ?", (what, value))) is not None

    def mutes(self) -> set[tuple[str, str]]:
        return set(self.store._query("SELECT what, value FROM alert_mutes", ()))

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T | None:
        """Run `work(connection)` in one IMMEDIATE transaction: the write lock is taken before the
        first read, so two processes deciding what is new never interleave."""
        def run(connection: sqlite3.Connection) -> T:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
            except BaseException:
                connection.rollback()
                raise
            connection.commit()
            return result

        return self.store._run(run, writing=True)


_encode_fields = json.JSONEncoder(default=str).encode    # json.dumps(fields, default=str), its encoder made once


def _insert_new(connection: sqlite3.Connection, alerts: list[Alert], stamp: str) -> list[Alert]:
    """Store the alerts not stored before (by us or another process; the first of a key given
    twice); return those, in order. The keys already stored are looked up a batch at a time and
    the new ones written by one statement: a first watch stores some 70,000 alerts (0.57 s for
    72,054, which a statement each took 0.66 s to store)."""
    first_of_key: dict[str, Alert] = {}
    for alert in alerts:
        first_of_key.setdefault(alert.key, alert)
    stored = {key for marks, batch in batches(first_of_key)
              for key, in connection.execute(f"SELECT key FROM alerts WHERE key IN ({marks})", batch)}
    new = [alert for key, alert in first_of_key.items() if key not in stored]
    connection.executemany(
        "INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
        [(alert.key, alert.symbol, alert.kind, alert.subject, alert.date.isoformat(), alert.title, alert.body,
          _encode_fields(dict(alert.fields)), stamp) for alert in new])
    return new


def _is_news(alert: Alert, watermark: str | None, through: Mapping[str, date]) -> bool:
    if watermark is not None:
        return alert.date.isoformat() > watermark
    return alert.date == through.get(alert.symbol)     # first watched: its latest session only


def _stored(row: tuple[Any, ...]) -> StoredAlert:
    key, symbol, kind, subject, day, title, body, fields, first_seen, announced, read = row
    alert = Alert(key=key, symbol=symbol, kind=kind, date=date.fromisoformat(day), title=title, body=body,
                  fields=json.loads(fields), subject=subject)
    return StoredAlert(alert, datetime.fromisoformat(first_seen), bool(announced), bool(read) or not announced)


def _check_mutable(what: str) -> None:
    if what not in MUTABLE:
        raise ValueError(f"can mute a symbol or a kind, not {what!r}")
