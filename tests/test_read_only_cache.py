"""A cache in a directory its reader may not write to, with no -shm file beside it (no writer
connected): the watchlist's row worker, and the monitor itself, still read the user's cached bars,
and read them anew once someone with the right to write there changed them.

The directory is really read-only: the kernel refuses the reader (run as root, the reader runs in
a user namespace where it is not root, so file permissions hold for it).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tuimarket.data import bundled
from tuimarket.data.store import Store

FETCHED = datetime(2025, 9, 26, 14, 30, tzinfo=timezone.utc)
READ_ONLY = 0o555     # r-x for everyone: nobody may create the -shm file there
READER = """
import sys
from pathlib import Path
from tuimarket.data.store import Store

cache = Store(Path(sys.argv[1]), reader=sys.argv[2] == "worker")
for _ in sys.stdin:     # a line: read again
    bars = cache.read("XLK")
    print(None if bars is None else bars.index[-1].date(), cache.problem, flush=True)
"""


def without_write_permission() -> list[str]:
    """The command prefix that runs a process for which file permissions hold."""
    if os.geteuid() != 0:
        return []
    prefix = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
    if shutil.which("unshare") is None or subprocess.run([*prefix, "true"], capture_output=True).returncode:
        pytest.skip("root, and no user namespace to be anyone else in")
    return prefix


def write(path: Path, end: str) -> None:
    """Cache XLK's bars up to `end`, closing the cache as a monitor exits (its -wal and -shm go)."""
    folder = path.parent
    folder.chmod(stat.S_IRWXU)
    writer = Store(path)
    assert writer.upsert("XLK", bundled.load("XLK").loc["2025-08-01":end], source="yahoo", fetched_at=FETCHED)
    writer.close()
    folder.chmod(READ_ONLY)
    assert sorted(folder.iterdir()) == [path]


@pytest.mark.parametrize("who", ["worker", "monitor"])
def test_a_read_only_cache_without_its_shm_file_is_read_and_read_anew_when_changed(tmp_path: Path, who: str) -> None:
    path = tmp_path / "cache" / "market.sqlite3"
    path.parent.mkdir()
    write(path, "2025-09-24")
    reader = subprocess.Popen([*without_write_permission(), sys.executable, "-c", READER, str(path), who],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdin is not None and reader.stdout is not None

        def read() -> str:
            reader.stdin.write("\n")
            reader.stdin.flush()
            return reader.stdout.readline().strip()

        assert read() == "2025-09-24 None"      # the cache, not "None cache unavailable: ..."
        write(path, "2025-09-25")               # someone who may write there did, while it was open
        assert read() == "2025-09-25 None"
    finally:
        reader.communicate("")
        path.parent.chmod(stat.S_IRWXU)
    assert reader.returncode == 0, reader.stderr
