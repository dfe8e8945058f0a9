"""Alerts in the real SQLite cache: stored once, never replayed, gaps, mutes, read marks, two processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from tuimarket.alerts import Alert
from tuimarket.data import store
from tuimarket.data.alert_store import AlertStore
from tuimarket.data.store import Store

SEEN = datetime(2025, 9, 26, 21, 0, tzinfo=timezone.utc)
DAY = date(2025, 9, 25)


def alert(symbol="^GSPC", kind="close_above", day=DAY, subject="6000", final=True) -> Alert:
    return Alert(key=f"{symbol}|{kind}/{subject}|{day.isoformat()}|1", symbol=symbol, kind=kind, date=day,
                 title=f"{symbol} {kind} {subject}", body=f"on {day}", fields={"level": 6000.0}, final=final,
                 subject=subject)


@pytest.fixture
def path(tmp_path):
    return tmp_path / store.FILENAME


@pytest.fixture
def alerts(path):
    opened = Store(path)
    yield AlertStore(opened)
    opened.close()


def test_an_alert_is_announced_once_and_never_again_after_a_restart(alerts, path):
    first = alert()
    assert alerts.record([first], {"^GSPC": DAY}, seen_at=SEEN) == [first]
    assert alerts.record([first], {"^GSPC": DAY}) == []
    alerts.store.close()
    restarted = AlertStore(Store(path))
    assert restarted.record([first], {"^GSPC": DAY}) == []
    [stored] = restarted.recent()
    assert stored.alert == first and stored.first_seen == SEEN and stored.announced and not stored.read
    restarted.store.close()


def test_a_long_history_stores_each_key_once_those_stored_before_left_as_they_were(alerts):
    """More alerts than one lookup of stored keys takes, some stored before, one key given twice:
    each key is stored once, as first given, and those stored before keep when they were first seen."""
    days = [DAY - timedelta(days=n) for n in range(1200, 0, -1)]
    history = [alert(day=day) for day in days]
    alerts.record(history[::3], {"^GSPC": days[-1]}, seen_at=SEEN)
    twice = replace(history[1], title="given again")
    alerts.record([*history, twice], {"^GSPC": DAY}, seen_at=SEEN + timedelta(days=1))
    stored = {entry.alert.key: entry for entry in alerts.recent(limit=5000)}
    assert sorted(stored) == sorted(entry.key for entry in history)
    assert stored[history[1].key].alert == history[1]
    assert [entry.first_seen for entry in map(stored.get, (h.key for h in history[:3]))] == \
        [SEEN, SEEN + timedelta(days=1), SEEN + timedelta(days=1)]


def test_a_provisional_alert_is_neither_stored_nor_announced(alerts):
    assert alerts.record([alert(final=False)], {"^GSPC": DAY}) == []
    assert alerts.recent() == []


def test_after_a_gap_every_missed_alert_is_recorded_and_only_the_newest_per_series_announced(alerts):
    alerts.record([], {"^GSPC": DAY})
    week = [alert(day=DAY + timedelta(days=n)) for n in (1, 4, 5)]
    other_level = alert(day=DAY + timedelta(days=1), subject="6100")
    other_kind = alert(day=DAY + timedelta(days=4), kind="close_below")
    announced = alerts.record(week + [other_level, other_kind], {"^GSPC": DAY + timedelta(days=5)})
    assert announced == [other_level, other_kind, week[-1]]
    assert len(alerts.recent()) == 5
    assert sum(stored.announced for stored in alerts.recent()) == 3


def test_history_before_the_first_watch_is_recorded_quietly(alerts):
    history = [alert(day=DAY - timedelta(days=n)) for n in (400, 30, 2)]
    assert alerts.record(history, {"^GSPC": DAY}) == []
    assert len(alerts.recent()) == 3
    today = alert(day=DAY, subject="6100")
    old = alert(day=DAY - timedelta(days=90), subject="5000")   # a rule added today: its past is not news
    assert alerts.record([today, old], {"^GSPC": DAY}) == []    # DAY is already watched through
    tomorrow = alert(day=DAY + timedelta(days=1))
    assert alerts.record([tomorrow, old], {"^GSPC": DAY + timedelta(days=1)}) == [tomorrow]


def test_a_symbol_never_watched_announces_its_latest_session_only(alerts):
    alerts.record([], {"^GSPC": DAY})
    latest, older = alert("^RUT", day=DAY), alert("^RUT", day=DAY - timedelta(days=3))
    assert alerts.record([older, latest], {"^RUT": DAY}) == [latest]


def test_the_markets_own_alerts_go_by_the_latest_session(alerts):
    stance = alert("market", kind="stance_changed", subject="")
    assert alerts.record([stance], {"^GSPC": DAY}) == [stance]


def test_mutes_persist_and_muted_alerts_are_recorded_but_not_announced(alerts, path):
    assert alerts.mute("symbol", "^RUT") and alerts.mute("kind", "close_below")
    alerts.store.close()
    reopened = AlertStore(Store(path))
    assert reopened.mutes() == {("symbol", "^RUT"), ("kind", "close_below")}
    loud = alert()
    quiet = [alert("^RUT"), alert(kind="close_below")]
    assert reopened.record(quiet + [loud], {"^GSPC": DAY, "^RUT": DAY}) == [loud]
    assert len(reopened.recent()) == 3
    assert reopened.unmute("symbol", "^RUT") and reopened.mutes() == {("kind", "close_below")}
    with pytest.raises(ValueError):
        reopened.mute("date", "2025-09-25")
    reopened.store.close()


def test_mark_read_and_the_unread_count(alerts):
    one, two = alert(), alert(subject="6100")
    alerts.record([one, two], {"^GSPC": DAY})
    assert alerts.unread_count() == 2
    assert alerts.mark_read([one.key])
    assert alerts.unread_count() == 1
    assert [stored.alert for stored in alerts.recent(unread_only=True)] == [two]
    assert alerts.mark_read()
    assert alerts.unread_count() == 0


def test_unread_counts_news_only_never_history_recorded_quietly_nor_muted_alerts(alerts):
    history = [alert(day=DAY - timedelta(days=n), subject=str(n)) for n in range(1, 400)]
    assert alerts.record(history, {"^GSPC": DAY}) == []
    alerts.mute("symbol", "^RUT")
    muted = alert("^RUT", day=DAY + timedelta(days=1))
    news = alert(day=DAY + timedelta(days=1))
    assert alerts.record([muted, news], {"^GSPC": news.date, "^RUT": news.date}) == [news]
    assert alerts.unread_count() == 1
    assert [stored.alert for stored in alerts.recent(unread_only=True)] == [news]
    assert [stored.alert for stored in alerts.recent(500) if not stored.read] == [news]
    assert len(alerts.recent(500)) == 401


def test_a_schema_4_cache_with_history_stored_unread_counts_only_its_news(path):
    """Before unread meant news only, quiet history was stored as `read = 0`: thousands unread.
    The same file, as that code wrote it, now counts only what was announced."""
    created = Store(path)
    assert AlertStore(created).unread_count() == 0 and store.SCHEMA_VERSION == 4
    created.close()
    with sqlite3.connect(path) as written_before:
        written_before.executemany(
            "INSERT INTO alerts VALUES (?, '^GSPC', 'macd_buy', '', ?, 't', 'b', '{}', ?, ?, 0)",
            [(f"^GSPC|macd_buy|{DAY - timedelta(days=n)}|1", (DAY - timedelta(days=n)).isoformat(), SEEN.isoformat(),
              int(n == 0)) for n in range(3000)])
    written_before.close()
    alerts = AlertStore(Store(path))
    assert alerts.unread_count() == 1
    assert [stored.alert.date for stored in alerts.recent(unread_only=True)] == [DAY]
    alerts.store.close()


def test_a_version_2_cache_gains_the_alert_tables_and_keeps_its_bars(path):
    with sqlite3.connect(path) as old:
        old.executescript("""
            CREATE TABLE bars (symbol TEXT NOT NULL, date TEXT NOT NULL, open REAL, high REAL, low REAL,
                               close REAL, volume REAL, PRIMARY KEY (symbol, date)) WITHOUT ROWID;
            CREATE TABLE symbols (symbol TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, source TEXT NOT NULL,
                                  partial_date TEXT, complete_from TEXT);
            INSERT INTO bars VALUES ('XLK', '2025-09-25', 1.0, 2.0, 0.5, 1.5, 100.0);
            INSERT INTO symbols VALUES ('XLK', '2025-09-26T14:30:00+00:00', 'yahoo', NULL, '2013-09-26');
            PRAGMA user_version = 2;""")
    old.close()
    cache = Store(path)
    assert cache.read("XLK")["Close"].tolist() == [1.5]
    assert cache.meta("XLK").complete_from == date(2013, 9, 26)
    assert AlertStore(cache).record([alert()], {"^GSPC": DAY}) == [alert()]
    assert cache.problem is None and not list(path.parent.glob("*.corrupt-*"))
    cache.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION == 4
    connection.close()


def _watch(path, start, results) -> None:
    """One watcher process: records the same 40 sessions as its twin, one pass per session."""
    alerts = AlertStore(Store(path))
    start.wait()
    announced = []
    for n in range(40):
        day = DAY + timedelta(days=n)
        batch = [alert(day=day), alert("^RUT", day=day)]
        announced += [a.key for a in alerts.record(batch, {"^GSPC": day, "^RUT": day}) or []]
    alerts.store.close()
    results.put(announced)


def test_two_watcher_processes_on_one_cache_never_announce_an_alert_twice(path):
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    watchers = [context.Process(target=_watch, args=(path, start, results)) for _ in range(2)]
    for watcher in watchers:
        watcher.start()
    start.set()
    announced = [results.get(timeout=60) for _ in watchers]
    for watcher in watchers:
        watcher.join(30)
    together = announced[0] + announced[1]
    assert len(together) == len(set(together)), "an alert was announced by both"
    # and none was lost: whichever insert landed announced it
    assert len(together) == 80
