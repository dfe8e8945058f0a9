"""The watchlist's row worker: a process of its own for the trend and latest event of each row.

A failure in it is a note in the rows it was computing, never an error on screen; a killed worker
is replaced at the next chunk; and it ends with the app: on `q`/SIGTERM/SIGHUP (the monitor closes
it as it exits) and on SIGKILL (it notices the app is gone). Real parts: the bundled history, the
real worker process, the real monitor under a pty for the exits.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tuimarket.config import Config, Symbol
from tuimarket.data.feed import Feed
from tuimarket.watchlist_source import ORPHAN_CHECK_SECONDS, RowWorker

ENTRIES = (Symbol("^NDX", "Nasdaq 100"), Symbol("^RUT", "Russell 2000"))
EXIT_SECONDS = 2.0


@pytest.fixture(scope="module")
def bars():
    return Feed(Config(), source="bundled").initial().bars


def test_rows_the_worker_fails_on_carry_a_note_and_a_killed_worker_is_replaced(bars) -> None:
    config, worker = Config(), RowWorker()
    # The app's own worker (started by an earlier test in this process) is not this test's to kill:
    # killing it once failed a later watchlist test's first chunk (BrokenProcessPool) under xdist.
    others = set(multiprocessing.active_children())
    try:
        rows = worker.quick(config, ENTRIES, bars)
        assert all(row.close is not None and row.problem is None for row in rows)
        without_highs = {**bars, "^RUT": bars["^RUT"].drop(columns=["High"])}     # the trend needs them
        failed = worker.complete(config, rows, without_highs)
        assert all(row.complete for row in failed)
        assert [row.problem for row in failed] == ["not computed (KeyError)"] * 2   # the chunk's rows, not a crash

        for process in set(multiprocessing.active_children()) - others:
            process.kill()                          # as the OOM killer would
            process.join()
        broken = worker.complete(config, rows, bars)
        assert {row.problem for row in broken} == {"not computed (BrokenProcessPool)"}
        again = worker.complete(config, rows, bars)     # a new process takes the next chunk
        assert all(row.problem is None and row.trend is not None for row in again)
    finally:
        worker.close()


def children(pid: int) -> set[int]:
    """The live child processes of `pid` (Linux)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


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
            workers = {pid for pid in children(app.pid)
                       if b"multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_bytes()}
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
