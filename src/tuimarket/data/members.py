"""The index members breadth is measured over: their daily closes as one dates x members matrix.

The bundle (data/sp500, built by tools/build_members.py) holds the 503 S&P 500 members of early
2026 with split- and dividend-adjusted closes from 2018. They are today's members only
(survivorship: stocks that left the index are missing, so past breadth leans bullish), but each
member's stays in the index are known, so a member counts only while it was in the index.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

PACKAGE = "tuimarket.data.sp500"
SURVIVORSHIP = ("today's S&P 500 members only: stocks that left the index are missing, "
                "so past breadth leans bullish")


@dataclass(frozen=True, eq=False)
class Members:
    """Closes of the members (dates x symbols, NaN where a member has no close that day)."""

    closes: pd.DataFrame
    sectors: pd.Series                 # symbol -> GICS sector
    in_index: pd.DataFrame | None      # dates x symbols, True while a member; None: always counted
    source: str                        # "bundled", or the user's file
    caveat: str = SURVIVORSHIP

    def until(self, last: pd.Timestamp | None) -> Members:
        """The members' history up to and including `last` (everything when None): no lookahead."""
        if last is None:
            return self
        in_index = None if self.in_index is None else self.in_index.loc[:last]
        return Members(self.closes.loc[:last], self.sectors, in_index, self.source, self.caveat)


@functools.cache
def _bundled_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with resources.as_file(resources.files(PACKAGE) / "closes.npz") as path, np.load(path) as archive:
        return archive["dates"], archive["symbols"], archive["closes"]


@functools.cache
def _bundled_table() -> pd.DataFrame:
    with resources.as_file(resources.files(PACKAGE) / "members.csv.gz") as path:
        return pd.read_csv(path, dtype=str, keep_default_na=False)


def bundled() -> Members:
    """The bundled S&P 500 members, each counted only during its stays in the index."""
    dates, symbols, closes = _bundled_arrays()
    frame = pd.DataFrame(closes.astype(np.float64), index=pd.DatetimeIndex(dates, name="Date"),
                         columns=pd.Index(symbols, name="Symbol"))
    table = _bundled_table()
    return Members(frame, _sectors(table), stays_mask(table, frame.index, frame.columns), "bundled")


def stays_mask(table: pd.DataFrame, dates: pd.DatetimeIndex, symbols: pd.Index) -> pd.DataFrame:
    """True where a symbol was in the index on a date, from rows of Symbol, Start, End (empty: still in)."""
    day = dates.to_numpy()
    mask = np.zeros((len(dates), len(symbols)), dtype=bool)
    column = {symbol: position for position, symbol in enumerate(symbols)}
    for symbol, start, end in table[["Symbol", "Start", "End"]].itertuples(index=False):   # one row per stay
        if symbol in column:
            inside = day >= np.datetime64(start) if start else np.ones(len(day), dtype=bool)
            if end:
                inside &= day <= np.datetime64(end)   # the last day of the stay
            mask[:, column[symbol]] |= inside
    return pd.DataFrame(mask, index=dates, columns=symbols)


def _sectors(table: pd.DataFrame) -> pd.Series:
    return table.drop_duplicates("Symbol").set_index("Symbol")["Sector"].rename("Sector")
