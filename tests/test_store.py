"""The SQLite cache: round trips in a real file, concurrent writers, corrupt and foreign files."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import date, datetime, timezone

import pandas as pd
import pytest

from support import damage_pages
from tuimarket.config import Config
from tuimarket.data import bundled, store
from tuimarket.data.store import Store

FETCHED = datetime(2025, 9, 26, 14, 30, tzinfo=timezone.utc)


@pytest.fixture
def cache():
    opened = Store.for_config(Config())
    yield opened
    opened.close()


def xlk(start="2025-08-01", end="2025-09-25") -> pd.DataFrame:
    return bundled.load("XLK").loc[start:end]


def test_path_follows_cache_dir_and_open_is_lazy(cache, tmp_path):
    assert cache.path == tmp_path / "cache" / "market.sqlite3"
    assert not cache.path.exists()
    assert cache.read("XLK") is None
    assert cache.path.is_file() and cache.problem is None


def test_upsert_round_trip(cache):
    bars = xlk()
    assert cache.upsert("XLK", bars, source="yahoo", fetched_at=FETCHED, partial_date=date(2025, 9, 25))
    pd.testing.assert_frame_equal(cache.read("XLK"), bars, check_freq=False)
    meta = cache.meta("XLK")
    assert meta == store.SymbolMeta(FETCHED, "yahoo", date(2025, 9, 25))
    assert meta.fetched_at.tzinfo is not None
    assert cache.read("XLF") is None and cache.meta("XLF") is None


def test_the_rows_written_are_the_bars_as_sqlite_keeps_them(cache):
    """A row per bar: its ISO date, every price a REAL (a whole volume too), a missing one NULL."""
    bars = xlk("2025-09-22", "2025-09-24").assign(Volume=[100, 200, 300])
    bars.iloc[1, bars.columns.get_loc("Open")] = float("nan")
    assert cache.upsert("XLK", bars, source="yahoo", fetched_at=FETCHED)
    with sqlite3.connect(cache.path) as connection:
        rows = connection.execute("SELECT *, typeof(open), typeof(volume) FROM bars ORDER BY date").fetchall()
    connection.close()
    assert [row[:2] for row in rows] == [("XLK", "2025-09-22"), ("XLK", "2025-09-23"), ("XLK", "2025-09-24")]
    assert [row[2:7] for row in rows] == [tuple(None if pd.isna(value) else float(value) for value in values)
                                          for values in bars.itertuples(index=False, name=None)]
    assert [row[7:] for row in rows] == [("real", "real"), ("null", "real"), ("real", "real")]


def test_upsert_overwrites_overlap_and_keeps_the_rest(cache):
    cache.upsert("XLK", xlk(end="2025-09-10"), source="yahoo", fetched_at=FETCHED)
    newer = xlk(start="2025-09-05").copy()
    newer["Close"] += 1.0
    cache.upsert("XLK", newer, source="yahoo", fetched_at=FETCHED)
    merged = cache.read("XLK")
    assert merged.index[0] == pd.Timestamp("2025-08-01") and merged.index[-1] == pd.Timestamp("2025-09-25")
    assert merged.index.is_unique
    assert merged.loc["2025-09-05", "Close"] == pytest.approx(bundled.load("XLK").loc["2025-09-05", "Close"] + 1)
    assert merged.loc["2025-09-04", "Close"] == bundled.load("XLK").loc["2025-09-04", "Close"]


def test_replace_rewrites_one_symbol_only(cache):
    cache.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED)
    cache.upsert("XLF", bundled.load("XLF").loc["2025-09-01":], source="yahoo", fetched_at=FETCHED)
    halved = xlk() / 2
    assert cache.replace("XLK", halved, source="yahoo", fetched_at=FETCHED)
    pd.testing.assert_frame_equal(cache.read("XLK"), halved, check_freq=False)
    assert set(cache.read_many(["XLK", "XLF", "XLE"])) == {"XLK", "XLF"}


@pytest.mark.parametrize("shorter", [xlk(start="2025-08-04"), xlk().iloc[::2], xlk().iloc[:0]],
                         ids=["starts later", "fewer bars", "nothing"])
def test_replace_never_shrinks_a_history(cache, shorter):
    cache.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED)
    assert not cache.replace("XLK", shorter / 2, source="yahoo", fetched_at=FETCHED)
    pd.testing.assert_frame_equal(cache.read("XLK"), xlk(), check_freq=False)
    assert "kept the cached history of XLK" in cache.problem


def test_schema_version_recorded(cache):
    cache.read("XLK")
    with sqlite3.connect(cache.path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_garbage_file_moved_aside_and_rebuilt(cache):
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(b"this is not a database \x00\xff" * 100)
    assert cache.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED)
    assert len(cache.read("XLK")) == len(xlk())
    aside = list(cache.path.parent.glob("market.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    assert "moved aside" in cache.problem


@pytest.mark.parametrize("setup", [
    "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)",
    "CREATE TABLE bars (x); CREATE TABLE symbols (y); PRAGMA user_version = 99",
], ids=["other-tables", "wrong-version"])
def test_foreign_database_moved_aside_and_rebuilt(cache, setup):
    cache.path.parent.mkdir(parents=True)
    with sqlite3.connect(cache.path) as foreign:
        foreign.executescript(setup)
    foreign.close()
    assert cache.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED)
    assert cache.read("XLK") is not None
    assert len(list(cache.path.parent.glob("market.sqlite3.corrupt-*"))) == 1


def _writer(path: str, offset: float, rounds: int) -> None:
    writer = Store(path)
    bars = bundled.load("XLK").loc["2024-01-01":"2025-09-25"] + offset
    for _ in range(rounds):
        assert writer.upsert("XLK", bars, source="yahoo", fetched_at=FETCHED), writer.problem
        assert writer.read("XLK") is not None
    writer.close()


def test_two_processes_write_overlapping_rows(tmp_path):
    path = tmp_path / "market.sqlite3"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(path), offset, 15)) for offset in (0.0, 1000.0)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    bars = Store(path).read("XLK")
    expected = bundled.load("XLK").loc["2024-01-01":"2025-09-25"]
    assert len(bars) == len(expected)
    # every row comes whole from one writer or the other: the offset is 0 or 1000 across a row
    offset = (bars["Close"] - expected["Close"]).round(6)
    assert set(offset) <= {0.0, 1000.0}
    assert ((bars["Open"] - expected["Open"]).round(6) == offset).all()


def test_lock_held_too_long_degrades(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 0.1)
    path = tmp_path / "market.sqlite3"
    first = Store(path)
    first.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED)
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    second = Store(path)
    try:
        assert second.upsert("XLF", xlk(), source="yahoo", fetched_at=FETCHED) is False
        assert "locked" in second.problem
        assert path.exists() and not list(tmp_path.glob("*.corrupt-*"))
    finally:
        blocker.rollback()
        blocker.close()
    assert second.upsert("XLF", xlk(), source="yahoo", fetched_at=FETCHED)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_directory_reads_but_never_writes(tmp_path):
    folder = tmp_path / "ro"
    writer = Store(folder / "market.sqlite3")
    writer.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED)
    writer.close()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        reader = Store(folder / "market.sqlite3")
        assert len(reader.read("XLK")) == len(xlk())
        assert reader.upsert("XLF", xlk(), source="yahoo", fetched_at=FETCHED) is False
        assert "read-only" in reader.problem
        nowhere = Store(folder / "sub" / "market.sqlite3")
        assert nowhere.read("XLK") is None and nowhere.problem
    finally:
        folder.chmod(stat.S_IRWXU)


def test_unwritable_cache_falls_back_to_reading(tmp_path, monkeypatch):
    """What a read-only directory does, simulated so it also runs as root."""
    path = tmp_path / "market.sqlite3"
    writer = Store(path)
    writer.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED)
    writer.close()

    def refuse(path):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(store, "_open", refuse)
    reader = Store(path)
    assert len(reader.read("XLK")) == len(xlk())
    assert reader.upsert("XLF", xlk(), source="yahoo", fetched_at=FETCHED) is False
    assert "read-only" in reader.problem
    assert Store(tmp_path / "absent.sqlite3").read("XLK") is None


def _create_together(path: str, offset: float, barrier, results) -> None:
    bars = bundled.load("XLK").loc["2025-06-01":"2025-09-25"] + offset
    barrier.wait()                  # every writer opens the brand-new file at the same moment
    writer = Store(path)
    results.put(writer.upsert("XLK", bars, source="yahoo", fetched_at=FETCHED) or writer.problem)


# Three writers creating a cache together, again and again: a few times in the default run,
# fifteen in the slow step's stress run (`make test-slow`).
@pytest.mark.parametrize("trials", [5, pytest.param(15, marks=pytest.mark.slow)])
def test_instances_creating_the_cache_at_the_same_moment_all_write(tmp_path, trials):
    """Two monitors started together: neither is refused a lock, neither moves the other's file aside."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    for trial in range(trials):
        path = str(tmp_path / f"trial-{trial}" / "market.sqlite3")
        barrier = context.Barrier(3)
        writers = [context.Process(target=_create_together, args=(path, offset, barrier, results))
                   for offset in (0.0, 1000.0, 2000.0)]
        for writer in writers:
            writer.start()
        outcomes = [results.get(timeout=30) for _ in writers]
        for writer in writers:
            writer.join(30)
        assert outcomes == [True, True, True], (trial, outcomes)
    assert not list(tmp_path.rglob("*.corrupt-*"))


def test_a_version_1_cache_is_migrated_keeping_its_bars(cache):
    cache.path.parent.mkdir(parents=True)
    with sqlite3.connect(cache.path) as old:
        old.executescript("""
            CREATE TABLE bars (symbol TEXT NOT NULL, date TEXT NOT NULL, open REAL, high REAL, low REAL,
                               close REAL, volume REAL, PRIMARY KEY (symbol, date)) WITHOUT ROWID;
            CREATE TABLE symbols (symbol TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, source TEXT NOT NULL,
                                  partial_date TEXT);
            INSERT INTO bars VALUES ('XLK', '2025-09-25', 1.0, 2.0, 0.5, 1.5, 100.0);
            INSERT INTO symbols VALUES ('XLK', '2025-09-26T14:30:00+00:00', 'yahoo', NULL);
            PRAGMA user_version = 1;""")
    old.close()
    assert cache.read("XLK")["Close"].tolist() == [1.5]
    assert cache.meta("XLK") == store.SymbolMeta(FETCHED, "yahoo", None, None)
    assert cache.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED, complete_from=date(2013, 9, 26))
    assert cache.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED)     # None keeps what was known
    assert cache.meta("XLK").complete_from == date(2013, 9, 26)
    assert _user_version(cache.path) == store.SCHEMA_VERSION
    assert not list(cache.path.parent.glob("market.sqlite3.corrupt-*")) and cache.problem is None


def test_a_version_2_cache_is_migrated_keeping_every_bar(cache):
    """Version 3 reads packed series; a version 2 cache (rows only) gets them built from its rows."""
    cache.path.parent.mkdir(parents=True)
    history = {"XLK": xlk(), "XLF": bundled.load("XLF").loc["2025-06-02":"2025-09-25"]}
    history["XLF"].iloc[3, 2] = float("nan")     # a NULL low, as an old writer may have left
    with sqlite3.connect(cache.path) as old:
        for statement in store.SCHEMA[:2]:
            old.execute(statement)
        for symbol, bars in history.items():
            old.executemany("INSERT INTO bars VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(symbol, day.date().isoformat(), *values) for day, values
                             in zip(bars.index, bars.itertuples(index=False, name=None))])
            old.execute("INSERT INTO symbols VALUES (?, '2025-09-26T14:30:00+00:00', 'yahoo', NULL, NULL)",
                        (symbol,))
        old.execute("PRAGMA user_version = 2")
    old.close()
    read = cache.read_many(["XLF", "XLK"])
    pd.testing.assert_frame_equal(read["XLK"], history["XLK"], check_freq=False)
    pd.testing.assert_frame_equal(read["XLF"], history["XLF"].drop(history["XLF"].index[3]), check_freq=False)
    assert _user_version(cache.path) == store.SCHEMA_VERSION and cache.problem is None


def test_reading_many_symbols_is_one_query_per_500(cache):
    for number in range(600):
        cache.upsert(f"S{number}", xlk("2025-09-01"), source="yahoo", fetched_at=FETCHED)
    statements: list[str] = []
    reader = Store(cache.path, trace=statements.append)
    read = reader.read_many([f"S{number}" for number in range(600)] + ["ABSENT"])
    reader.close()
    assert len(read) == 600 and list(read)[:2] == ["S0", "S1"]
    assert len([sql for sql in statements if sql.startswith("SELECT")]) == 2
    pd.testing.assert_frame_equal(read["S599"], xlk("2025-09-01"), check_freq=False)


def test_reading_matches_the_rows_after_every_kind_of_write(cache):
    """The packed series follow the rows: merges (the new bar wins a date), gaps, replaces."""
    cache.upsert("XLK", xlk("2025-08-01", "2025-08-29"), source="yahoo", fetched_at=FETCHED)
    later = xlk("2025-08-25", "2025-09-25") * 1.0001     # overlapping: these win their dates
    cache.upsert("XLK", later.drop(later.index[5]), source="yahoo", fetched_at=FETCHED)
    cache.replace("XLF", bundled.load("XLF").loc["2025-01-02":], source="yahoo", fetched_at=FETCHED)
    cache.replace("XLF", bundled.load("XLF").loc["2024-01-02":] / 2, source="yahoo", fetched_at=FETCHED)
    with sqlite3.connect(cache.path) as connection:
        for symbol in ("XLK", "XLF"):
            rows = pd.read_sql("SELECT date, open, high, low, close, volume FROM bars WHERE symbol = ? ORDER BY date",
                               connection, params=(symbol,), parse_dates=["date"], index_col="date")
            pd.testing.assert_frame_equal(cache.read(symbol), rows.set_axis(list(store.COLUMNS), axis=1),
                                          check_freq=False, check_names=False, check_index_type=False)
    connection.close()
    assert cache.read("XLK").loc["2025-08-29", "Close"] == later.loc["2025-08-29", "Close"]


def _user_version(path) -> int:
    with sqlite3.connect(path) as connection:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.close()
    return version


def test_no_wal_or_shm_file_is_left_after_a_clean_exit(tmp_path):
    # The monitor holds its cache in a reference cycle and freezes the collector after start-up
    # (ui/app.py), so the connection is never freed at exit: only closing it explicitly checkpoints
    # the write-ahead log and removes -wal and -shm.
    code = ("import gc; from datetime import datetime, timezone; from tuimarket.data import bundled; "
            "from tuimarket.data.store import Store; "
            "store = Store(__import__('sys').argv[1]); store.cycle = store; "
            "store.upsert('XLK', bundled.load('XLK'), source='yahoo', fetched_at=datetime.now(timezone.utc)); "
            "gc.freeze()")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "market.sqlite3")], check=True, timeout=60)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["market.sqlite3"]
    assert len(Store(tmp_path / "market.sqlite3").read("XLK")) == len(bundled.load("XLK"))


def test_a_page_damaged_while_the_cache_is_open_is_moved_aside_and_rebuilt(cache):
    for symbol in ("XLK", "XLF", "XLE", "SPY", "QQQ"):
        cache.upsert(symbol, bundled.load(symbol), source="yahoo", fetched_at=FETCHED)
    assert cache.read("XLK") is not None and cache.problem is None    # opened, checked, sound
    damage_pages(cache.path)
    with sqlite3.connect(cache.path) as other:    # another instance writes: our page cache is dropped
        other.execute("UPDATE symbols SET source = 'yahoo'")
    other.close()
    cache.read_many(["XLK", "XLF", "XLE", "SPY", "QQQ"])      # some of these reach a damaged page
    assert "cache was damaged; moved aside" in cache.problem
    assert len(list(cache.path.parent.glob("market.sqlite3.corrupt-*"))) == 1
    assert cache.upsert("XLK", xlk(), source="yahoo", fetched_at=FETCHED)
    assert len(cache.read("XLK")) == len(xlk())
    with sqlite3.connect(cache.path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()




def test_a_reader_sees_what_the_writer_commits_and_never_what_it_has_not(cache):
    """The watchlist's row worker reads the cache beside the fetch lease holder: it reads committed
    bars from the write-ahead log, a write in progress neither blocks it nor shows half-done."""
    assert cache.upsert("XLK", xlk(end="2025-09-24"), source="yahoo", fetched_at=FETCHED)
    reader = Store(cache.path, reader=True)
    try:
        assert reader.read("XLK").index[-1] == pd.Timestamp("2025-09-24")
        assert cache.upsert("XLK", xlk(start="2025-09-25"), source="yahoo", fetched_at=FETCHED), cache.problem
        assert reader.read("XLK").index[-1] == pd.Timestamp("2025-09-25")     # in the writer's log, not checkpointed
        writing = sqlite3.connect(cache.path)
        writing.execute("BEGIN IMMEDIATE")
        writing.execute("DELETE FROM series")       # a writer mid-transaction
        assert len(reader.read("XLK")) == len(xlk())
        writing.rollback()
        writing.close()
        assert reader.upsert("XLF", xlk(), source="yahoo", fetched_at=FETCHED) is False
        assert "read-only" in reader.problem
    finally:
        reader.close()


@pytest.mark.parametrize("content", [None, b"this is not a database \x00\xff" * 100], ids=["missing", "garbage"])
def test_a_reader_never_creates_nor_moves_aside_a_cache(tmp_path, content):
    path = tmp_path / "market.sqlite3"
    if content is not None:
        path.write_bytes(content)
    reader = Store(path, reader=True)
    assert reader.read("XLK") is None and reader.problem.startswith("cache unavailable")
    assert sorted(tmp_path.iterdir()) == ([path] if content else [])
    assert content is None or path.read_bytes() == content
