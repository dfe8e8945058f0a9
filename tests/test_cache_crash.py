"""The cache under violence: writers killed mid-transaction, and two writers at once.

Writers are forked from the test process (pandas is already imported, so a writer starts in
milliseconds, not the second a fresh interpreter needs). Each writer upserts numbered batches
and, only after a batch's transaction has committed, appends the batch's name to a side file:
every name in that file must be in the cache afterwards, however the writer died.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tuimarket.data.model import COLUMNS
from tuimarket.data.store import Store

# Writers killed: a few in the default run, fifty in the slow step's stress run (`make test-slow`).
KILLS = [10, pytest.param(50, marks=pytest.mark.slow)]
BATCH_ROWS = 400
FETCHED_AT = datetime(2025, 9, 26, 21, 0, tzinfo=timezone.utc)
BATCH = pd.DataFrame(np.random.default_rng(0).uniform(10, 20, (BATCH_ROWS, len(COLUMNS))), columns=list(COLUMNS),
                     index=pd.bdate_range("2000-01-03", periods=BATCH_ROWS, name="Date"))


def write_batches(path: Path, journal: Path, writer: str, batches: int | None) -> bool:
    """Upsert batches named '<writer>-<n>' (forever when `batches` is None), journaling each commit."""
    store = Store(path)
    log = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    number = 0
    while batches is None or number < batches:
        name = f"{writer}-{number}"
        if not store.upsert(name, BATCH, source="yahoo", fetched_at=FETCHED_AT):
            return False
        os.write(log, f"{name}\n".encode())
        number += 1
    return True


def fork_writer(path: Path, journal: Path, writer: str, batches: int | None = None) -> int:
    pid = os.fork()
    if pid == 0:    # the child: never returns into pytest
        ok = False
        try:
            ok = write_batches(path, journal, writer, batches)
        finally:
            os._exit(0 if ok else 1)
    return pid


def committed(journal: Path) -> list[str]:
    return journal.read_text().split("\n")[:-1]    # a torn last line (no newline yet) is not a commit


def wait_for_first_commit(journal: Path, prefix: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not (journal.exists() and any(name.startswith(prefix) for name in committed(journal))):
        assert time.monotonic() < deadline, f"no batch of {prefix} committed within {timeout} s"
        time.sleep(0.001)


def assert_intact_with(path: Path, names: list[str]) -> None:
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = dict(connection.execute("SELECT symbol, count(*) FROM bars GROUP BY symbol"))
    lost = [name for name in names if counts.get(name) != BATCH_ROWS]
    assert not lost, f"committed batches lost or torn: {lost[:5]}"


@pytest.mark.parametrize("kills", KILLS)
def test_writers_killed_mid_write_lose_no_committed_batch(tmp_path: Path, kills: int) -> None:
    path, journal = tmp_path / "market.sqlite3", tmp_path / "committed.txt"
    rng = random.Random(5)
    for kill in range(kills):
        pid = fork_writer(path, journal, f"K{kill}")
        # Killed at a random moment once its first batch is in: on a loaded machine a writer can take
        # longer to open the cache than a fixed pause, and a kill before any commit proves nothing.
        wait_for_first_commit(journal, f"K{kill}-")
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), "the writer finished before it was killed"
    names = committed(journal)
    assert {name.split("-")[0] for name in names} == {f"K{kill}" for kill in range(kills)}
    assert_intact_with(path, names)
    store = Store(path)
    assert store.read(names[-1]) is not None and store.problem is None   # not moved aside, still ours


def test_two_writers_at_once_both_finish(tmp_path: Path) -> None:
    path, journal = tmp_path / "market.sqlite3", tmp_path / "committed.txt"
    pids = [fork_writer(path, journal, writer, batches=25) for writer in ("A", "B")]
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    names = committed(journal)
    assert len(names) == 50
    assert_intact_with(path, names)
