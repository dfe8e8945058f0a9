"""Helpers shared by tests that need no app: market data from the bundled history, and what an
import (or a command) loads in a fresh interpreter."""

from __future__ import annotations

import functools
import json
import sqlite3
import subprocess
import sys
import time
from datetime import date
from typing import Callable, Sequence

import pandas as pd
import pytest

from tuimarket.analysis.results import MarketSnapshot
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config
from tuimarket.data import bundled
from tuimarket.data.model import Freshness, FreshnessState, MarketData


def bundled_data(config: Config | None = None, as_of: date | None = None, *, symbols: Sequence[str] | None = None,
                 bars_of: Callable[[str], pd.DataFrame] = bundled.load, notes: tuple[str, ...] = ()) -> MarketData:
    """The bundled history as the feed would give it offline (unclipped: the snapshot clips at `as_of`).

    Every symbol of `config` (the defaults when None), or just `symbols`; `as_of` defaults to the
    last date they all have; `bars_of` may stand in for the bundled bars of a symbol.
    """
    symbols = tuple(symbols or (config or Config()).all_symbols)
    as_of = as_of or bundled.common_as_of(symbols)
    return MarketData(bars={symbol: bars_of(symbol) for symbol in symbols},
                      freshness={symbol: Freshness(FreshnessState.BUNDLED, as_of) for symbol in symbols},
                      as_of=as_of, source="bundled", notes=notes)


def bundled_snapshot(config: Config | None = None, as_of: date | None = None) -> MarketSnapshot:
    """The snapshot of the bundled history at `as_of` (`bundled_data`'s defaults), built once per
    test process and shared: a frozen value, so no test can change what another reads."""
    config = config or Config()
    return _bundled_snapshot(config, as_of or bundled.common_as_of(config.all_symbols))


@functools.cache
def _bundled_snapshot(config: Config, as_of: date) -> MarketSnapshot:
    return build_snapshot(config, bundled_data(config, as_of))


def sampled(values: Sequence, every: int = 3) -> list:
    """`values` to parametrize a test that runs the same check on many inputs: every `every`-th in
    `make test`, the others marked slow, so `make test-slow` (and CI) runs them too. A test over
    whole histories costs a CPU-second an input: the default suite keeps a spread of them. A tuple
    is the values of several argument names."""
    return [value if position % every == 0 else pytest.param(*value if isinstance(value, tuple) else (value,),
                                                             marks=pytest.mark.slow)
            for position, value in enumerate(values)]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    """Poll `condition` every 0.1 s; fail the test, naming `what`, after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def modules_loaded_by(code: str, *argv: str) -> set[str]:
    """Every module, and every top-level package, that a fresh interpreter holds after running `code`
    (with `argv` as its arguments); `code` may print, as long as it succeeds."""
    script = f"{code}\nimport json as _json, sys as _sys\nprint(_json.dumps(sorted(_sys.modules)))"
    output = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True).stdout
    names = json.loads(output.splitlines()[-1])
    return set(names) | {name.split(".")[0] for name in names}


BTREE_PAGE_TYPES = {2, 5, 10, 13}     # interior and leaf pages of indexes and tables


def damage_pages(path, pages=3) -> None:
    """Overwrite the middle of a few b-tree pages in the middle of the file, leaving its header sound.

    B-tree pages only: a blob's overflow pages carry no structure for SQLite's check to miss.
    """
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")     # every page in the main file
        page_size, page_count = (connection.execute(f"PRAGMA {name}").fetchone()[0]
                                 for name in ("page_size", "page_count"))
    connection.close()
    with open(path, "r+b") as file:
        content = file.read()
        btree = [page for page in range(page_count // 2, page_count)
                 if content[page * page_size] in BTREE_PAGE_TYPES][:pages]
        for page in btree:
            file.seek(page * page_size + 100)
            file.write(b"\xde\xad\xbe\xef" * 400)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA quick_check").fetchone()[0] != "ok"
        assert connection.execute("PRAGMA user_version").fetchone()[0] > 0     # the header still reads
    connection.close()
