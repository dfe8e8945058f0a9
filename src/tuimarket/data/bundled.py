"""The daily history shipped inside the package (in data/history, built by tools/build_bundled.py).

Files end on different dates (the sector ETFs in 2025-09, the indexes in 2026), so a view clips at
the last date every symbol it shows has: one coherent date. The feed takes that date over every
bundled series it shows, index members' closes too (data/members.py, ending 2026-02); `common_as_of`
gives it for these files alone (the tests' and benchmarks' views).
"""

from __future__ import annotations

import functools
from datetime import date
from importlib import resources

import pandas as pd

from tuimarket.data.model import COLUMNS

PACKAGE = "tuimarket.data.history"


@functools.cache
def symbols() -> frozenset[str]:
    """Every symbol the bundle holds."""
    return frozenset(
        entry.name.removesuffix(".csv.gz")
        for entry in resources.files(PACKAGE).iterdir()
        if entry.name.endswith(".csv.gz")
    )


@functools.cache
def _read(symbol: str) -> pd.DataFrame:
    with resources.as_file(resources.files(PACKAGE) / f"{symbol}.csv.gz") as path:
        frame = pd.read_csv(path, index_col="Date", parse_dates=["Date"], compression="gzip")
    return frame[list(COLUMNS)].astype("float64")


def load(symbol: str) -> pd.DataFrame | None:
    """The bundled bars of one symbol (a copy, free to change), or None when not bundled."""
    if symbol not in symbols():
        return None
    return _read(symbol).copy()


def common_as_of(wanted: list[str] | tuple[str, ...]) -> date | None:
    """The last date every bundled symbol among `wanted` has: the coherent offline as-of date."""
    ends = [_read(s).index[-1].date() for s in wanted if s in symbols()]
    return min(ends) if ends else None
