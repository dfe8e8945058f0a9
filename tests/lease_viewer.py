"""One viewer of a shared cache, a process of its own: tests/test_lease.py forks three (`main`).

    python tests/lease_viewer.py CACHE_DIR DOWNLOADS_LOG REFRESHES_LOG STOP_FILE

Refreshes a real Feed on CACHE_DIR every 0.1 s until STOP_FILE exists. Its download is the
bundled-history fake, which first appends this process's id to DOWNLOADS_LOG (one line per call:
the count of requests every viewer made, in one file); each refresh appends "pid last-date" to
REFRESHES_LOG.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fakes import FakeYahoo  # noqa: E402
from tuimarket.config import Config, RotationSettings, Symbol  # noqa: E402
from tuimarket.data.feed import Feed  # noqa: E402
from tuimarket.data.store import FILENAME, Store  # noqa: E402

SPY_ONLY = Config(rotation=RotationSettings(include_indexes=False, symbols=(Symbol("SPY", "SPY"),)))


def append(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as log:    # O_APPEND: one short line is one atomic write
        log.write(line + "\n")


def main(cache_dir: str, downloads: str, refreshes: str, stop: str) -> None:
    fake = FakeYahoo()

    def counted_download(*args, **kwargs):
        append(Path(downloads), str(os.getpid()))
        return fake(*args, **kwargs)

    feed = Feed(SPY_ONLY, download=counted_download, store=Store(Path(cache_dir) / FILENAME), attempts=1)
    while not Path(stop).exists():
        data = feed.refresh()
        append(Path(refreshes), f"{os.getpid()} {data.bars['SPY'].index[-1].date() if 'SPY' in data.bars else '-'}")
        time.sleep(0.1)


if __name__ == "__main__":
    main(*sys.argv[1:])
