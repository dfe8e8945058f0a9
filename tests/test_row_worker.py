"""The watchlist's row worker: a process of its own that reads a group's bars and computes its rows.

Its rows are the rows computed in this process from the same bars (from a real SQLite cache it
reads beside the writer, and from the bundle); a failure in it is a note in the rows it was
computing, never an error on screen; a killed worker is replaced and its stage tried again at
once; and it ends with the app: on `q`/SIGTERM/SIGHUP (the monitor closes it as it exits) and on
SIGKILL (it notices the app is gone). Real parts: the bundled history, a real cache filled through
the feed, the real worker process, the real monitor under a pty for the exits.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from fakes import FakeYahoo, no_sleep_recorder
from test_watchlist_source import END, NOW, history_of, symbols, tables, with_groups
from tuimarket.analysis.results import WatchlistRow
from tuimarket.analysis.watchlist import full_rows, quick_rows
from tuimarket.config import Config, Watchlist
from tuimarket.data import members
from tuimarket.data.feed import Feed
from tuimarket.data.lease import LOCK_NAME, FetchLease
from tuimarket.data.store import FILENAME, Store
from tuimarket.ui.watchlist_view import watchlist_line
from tuimarket.watchlist_source import ORPHAN_CHECK_SECONDS, GroupBars, NotComputed, RowWorker, WatchlistSource

EXIT_SECONDS = 2.0
MEMBERS = list(members.bundled().closes.columns[:25])


def die() -> None:
    """In the worker: end as the OOM killer would end it."""
    os.kill(os.getpid(), signal.SIGKILL)


def die_once(marker: Path) -> str:
    """In the worker: die the first time (leaving `marker`), compute the next."""
    if not marker.exists():
        marker.touch()
        die()
    return f"computed in {os.getpid()}"


def in_process_lines(config: Config, feed: Feed, group: Watchlist):
    """The group's final lines computed here, from the bars this process's feed reads."""
    bars = feed.for_symbols([*(entry.symbol for entry in group.symbols), config.benchmark], "watchlist").initial().bars
    rows = full_rows(config, quick_rows(config, group.symbols, bars), bars)
    return tuple(watchlist_line(row, position) for position, row in enumerate(rows))


@pytest.mark.parametrize("origin", ["cache", "bundled"])
def test_the_worker_reads_the_group_itself_and_its_rows_are_the_rows_computed_here(origin, tmp_path: Path) -> None:
    group = Watchlist("big", symbols(*MEMBERS, "^NDX"))
    config = replace(with_groups(group), data=replace(Config().data, cache_dir=str(tmp_path / "cache")))
    if origin == "cache":
        _, sleep = no_sleep_recorder()
        feed = Feed(config, download=FakeYahoo(end=END, history=history_of(MEMBERS)), now=NOW, sleep=sleep,
                    attempts=1)
        tables(WatchlistSource(config, lambda: feed, live=True, state_dir=tmp_path), "big", fetch=True)
    else:
        feed = Feed(config, source="bundled")
    published = tables(WatchlistSource(config, lambda: feed, live=False, state_dir=tmp_path), "big")
    final = published[-1]
    assert final.complete and len(published) >= 3      # names, prices and signals, then two chunks
    expected = in_process_lines(config, feed, group)
    assert final.lines == expected
    # The cache's bars end at the fake Yahoo's last session; the bundle's members go on to 2026-02-18.
    assert (f"as of {END}" in final.status) == (origin == "cache")


def test_a_stage_that_raises_is_a_note_in_its_rows() -> None:
    config, worker = Config(), RowWorker()
    try:
        claimed = WatchlistRow("NOSUCH", "no bars", date(2026, 2, 13), 1.0, None, None, None, None)
        bars = GroupBars.of(Feed(config, source="bundled").for_symbols(["NOSUCH", config.benchmark], "watchlist"))
        failed = worker.complete(config, bars, [claimed])
        assert [(row.complete, row.problem) for row in failed] == [(True, "not computed (KeyError)")]
    finally:
        worker.close()


def test_start_starts_the_process_without_waiting_for_its_start_up() -> None:
    # Called while the app is idle, so that a watchlist opened later finds the process ready.
    worker = RowWorker()
    before = spawned(os.getpid())
    try:
        worker.start()
        (started,) = spawned(os.getpid()) - before      # there already, still importing
        assert worker.call(os.getpid) == started
        worker.start()                                  # running: nothing more starts
        assert spawned(os.getpid()) - before == {started}
    finally:
        worker.close()


@pytest.mark.processes
def test_a_killed_worker_is_replaced_and_the_stage_tried_again_once(tmp_path: Path) -> None:
    worker = RowWorker()
    try:
        first = worker.call(os.getpid)
        computed = worker.call(die_once, tmp_path / "died")     # killed, then computed by a new process
        assert computed.startswith("computed in ") and computed != f"computed in {first}"
        with pytest.raises(NotComputed, match=r"^not computed \(BrokenProcessPool\)$"):
            worker.call(die)                                    # killed twice: the rows get the note
        assert worker.call(os.getpid) not in (first, int(computed.split()[-1]))    # and the next stage a new one
    finally:
        worker.close()


@pytest.mark.processes
def test_a_worker_killed_mid_load_costs_its_rows_nothing(tmp_path: Path) -> None:
    group = Watchlist("big", symbols(*MEMBERS))
    config = with_groups(group)
    source = WatchlistSource(config, lambda: Feed(config, source="bundled"), live=False, state_dir=tmp_path)
    source.worker = RowWorker()     # its own: the app's worker (an earlier test's) is not this test's to kill
    killed = []

    def publish(table) -> None:
        if not table.complete and any(line.cells[1] != "…" for line in table.lines) and not killed:
            pid = source.worker.call(os.getpid)         # the process computing the next chunk ...
            os.kill(pid, signal.SIGKILL)                 # ... killed before it starts
            killed.append(pid)
        published.append(table)

    published: list = []
    try:
        source.load("big", publish, fetch=False)
    finally:
        source.worker.close()
    assert killed and published[-1].complete
    assert published[-1].lines == in_process_lines(config, Feed(config, source="bundled"), group)


def children(pid: int) -> set[int]:
    """The live child processes of `pid` (Linux)."""
    return {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in proc_file(task / "children").split()}


def spawned(pid: int) -> set[int]:
    """The live processes that `pid` spawned as multiprocessing does (Linux)."""
    return {child for child in children(pid) if b"multiprocessing.spawn" in proc_file(Path(f"/proc/{child}/cmdline"))}


def proc_file(path: Path) -> bytes:
    """A file of /proc, empty when its thread or process ended meanwhile (the test's own threads
    come and go: one ended between listing the tasks and reading its children, seen once)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.processes
@pytest.mark.parametrize("ending", ["q", signal.SIGTERM, signal.SIGKILL], ids=["q", "SIGTERM", "SIGKILL"])
def test_the_row_worker_ends_with_the_app(tmp_path: Path, ending) -> None:
    (tmp_path / "config" / "tuimarket").mkdir(parents=True)
    (tmp_path / "config" / "tuimarket" / "config.toml").write_text('[watchlists.big]\nsymbols = ["AAPL", "MSFT", "NVDA"]\n')
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    environment = os.environ | {"TUIMARKET_CACHE_DIR": str(tmp_path / "cache"), "TERM": "xterm-256color",
                                "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path)}
    app = subprocess.Popen([sys.executable, "-m", "tuimarket", "--source", "bundled"], stdin=slave, stdout=slave,
                           stderr=slave, env=environment, start_new_session=True, close_fds=True)
    os.close(slave)
    os.set_blocking(master, False)
    try:
        deadline = time.monotonic() + 90
        workers: set[int] = set()
        while not workers:
            assert app.poll() is None and time.monotonic() < deadline, "no row worker started"
            try:
                os.read(master, 65536)
            except BlockingIOError:
                pass
            os.write(master, b"W")      # again until the watchlist screen is up and its worker runs
            time.sleep(0.5)
            workers = spawned(app.pid)
        if ending == "q":
            os.write(master, b"\x1b")       # back to the dashboard (alone: ESC q would read as Alt+q) ...
            time.sleep(1.0)
            os.write(master, b"q")          # ... and quit
        else:
            app.send_signal(ending)
        limit = EXIT_SECONDS + (ORPHAN_CHECK_SECONDS if ending == signal.SIGKILL else 0.0)
        deadline = time.monotonic() + limit + 10        # a loaded machine's slack, then the verdict
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            try:
                os.read(master, 65536)
            except (BlockingIOError, OSError):
                pass
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers), "the row worker outlived the app"
        app.wait(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        os.close(master)


def test_a_follower_refreshing_a_group_reads_none_of_its_histories(tmp_path: Path) -> None:
    # Another viewer holds the fetch lease: it fetches the group, the row worker reads its cache,
    # and the monitor's thread (beside the screen) reads no history at all.
    group = Watchlist("big", symbols(*MEMBERS))
    cache = tmp_path / "cache"
    config = replace(with_groups(group), data=replace(Config().data, cache_dir=str(cache)))
    cache.mkdir()
    held = os.open(cache / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)      # another process's lease
    try:
        statements: list[str] = []
        fake = FakeYahoo(end=END, history=history_of(MEMBERS))
        _, sleep = no_sleep_recorder()
        feed = Feed(config, download=fake, now=NOW, sleep=sleep, attempts=1,
                    store=Store(cache / FILENAME, trace=statements.append))
        final = tables(WatchlistSource(config, lambda: feed, live=True, state_dir=tmp_path), "big", fetch=True)[-1]
        assert final.complete and not fake.calls                 # the holder fetches, not this process
        assert not [statement for statement in statements if "FROM series" in statement]
        assert set(MEMBERS) <= set(FetchLease(cache).wanted())   # it was asked to
    finally:
        os.close(held)
