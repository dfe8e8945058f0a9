"""The index members breadth is measured over: their daily closes as one dates x members matrix.

The bundle (data/sp500, built by tools/build_members.py) holds the 503 S&P 500 members of early
2026 with split- and dividend-adjusted closes from 2018. They are today's members only
(survivorship: stocks that left the index are missing, so past breadth leans bullish), but each
member's stays in the index are known, so a member counts only while it was in the index.

A user's own member list (`[breadth] members = "path.csv"`) is a CSV with Symbol and Sector
columns, optionally Start and End (the first and last day in the index). `members =
"pytickersymbols"` takes today's S&P 500 list from that package, when it is installed (`pip
install 'tuimarket[members]'`; it is rebuilt weekly). Either list's closes come from the bundle
where it has the symbol, else from the cache; members with neither are named in `missing`.

Live, the feed caches the members' closes after the bundle ends (`Feed.refresh_members`), and
every list's closes are the shipped ones followed by the cached ones (`feed.CachedMembers`
keeps a process's copy current).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from tuimarket.config import SYMBOL_PATTERN, Config, ConfigError

PACKAGE = "tuimarket.data.sp500"
PYTICKERSYMBOLS = "pytickersymbols"
PYTICKERSYMBOLS_INDEX = "S&P 500"
GICS_SECTORS = ("Communication Services", "Consumer Discretionary", "Consumer Staples", "Energy", "Financials",
                "Health Care", "Industrials", "Information Technology", "Materials", "Real Estate", "Utilities")
COMPLETE_SHARE = 0.9            # a date counts once this share of the most members ever counted have a close
SURVIVORSHIP = ("today's S&P 500 members, each counted while in the index; stocks that left it "
                "are missing, so past breadth leans bullish")

# Cached bars of the symbols asked that have some (the store's read_many).
ReadCloses = Callable[[list[str]], Mapping[str, pd.DataFrame]]


@dataclass(frozen=True, eq=False)
class Members:
    """Closes of the members (dates x symbols, NaN where a member has no close that day)."""

    closes: pd.DataFrame
    sectors: pd.Series                 # symbol -> GICS sector
    in_index: pd.DataFrame | None      # dates x symbols, True while a member; None: always counted
    source: str                        # "bundled", or the user's file
    caveat: str = SURVIVORSHIP
    missing: tuple[str, ...] = ()      # listed members without any close
    # The last `until` made: the snapshot's breadth and the members' events of one refresh ask for
    # the same date, and read the one history computed for it (`analysis.breadth.members_history`).
    _last_until: dict[pd.Timestamp, Members] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def as_of(self) -> date | None:
        """Breadth's date: the last date with the closes of (nearly) every member."""
        return self.closes.index[-1].date() if len(self.closes) else None

    def last_closes(self) -> dict[str, date]:
        """Each member's last close date, of those still in the index on the last date."""
        counted = self.closes.notna()
        if self.in_index is not None:
            counted = counted.loc[:, self.in_index.iloc[-1].reindex(counted.columns, fill_value=False)]
        dates, known = pd.DatetimeIndex(self.closes.index), counted.to_numpy()
        last_rows = len(dates) - 1 - np.argmax(known[::-1], axis=0)      # the first True from the end
        return {str(symbol): dates[row].date()
                for symbol, row, has_close in zip(counted.columns, last_rows, counted.any().tolist()) if has_close}

    def until(self, last: pd.Timestamp | None) -> Members:
        """The members' history up to and including `last` (everything when None): no lookahead."""
        if last is None:
            return self
        known = self._last_until.get(last)
        if known is None:     # (threads asking for two dates at once each get their own)
            in_index = None if self.in_index is None else self.in_index.loc[:last]
            known = Members(self.closes.loc[:last], self.sectors, in_index, self.source, self.caveat, self.missing)
            self._last_until.clear()
            self._last_until[last] = known
        return known


@functools.cache
def _bundled_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with resources.as_file(resources.files(PACKAGE) / "closes.npz") as path, np.load(path) as archive:
        return archive["dates"], archive["symbols"], archive["closes"]


@functools.cache
def _bundled_table() -> pd.DataFrame:
    with resources.as_file(resources.files(PACKAGE) / "members.csv.gz") as path:
        return pd.read_csv(path, dtype=str, keep_default_na=False)


def bundled(read_closes: ReadCloses | None = None) -> Members:
    """The bundled S&P 500 members, each counted only during its stays in the index; with
    `read_closes`, their closes go on with what the cache holds after the bundle ends."""
    frame = _bundled_closes()
    if read_closes is not None:
        frame = _with_cached(frame, read_closes(list(frame.columns)))
    table = _bundled_table()
    return Members(frame, _sectors(table), stays_mask(table, frame.index, frame.columns), "bundled")


def _bundled_closes() -> pd.DataFrame:
    dates, symbols, closes = _bundled_arrays()
    return pd.DataFrame(closes.astype(np.float64), index=pd.DatetimeIndex(dates, name="Date"),
                        columns=pd.Index(symbols, name="Symbol"))


def _with_cached(shipped: pd.DataFrame, cached: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The shipped closes followed by the cached ones, up to the last date on which at least
    COMPLETE_SHARE of the members have a close (a date fetched for a few would be their breadth).

    Yahoo re-adjusts a member's past closes after each dividend or split, and breadth compares a
    member's closes only with each other: its shipped closes are put on the cache's scale (times
    the ratio of the two on the last date both have). A shipped member whose cache shares no date
    with the bundle keeps its shipped closes only; a member the bundle lacks takes the cache's.
    """
    if not cached:
        return shipped
    later = pd.DataFrame({symbol: bars["Close"] for symbol, bars in cached.items()})
    later.index = pd.DatetimeIndex(later.index).as_unit(pd.DatetimeIndex(shipped.index).unit)
    dates = shipped.index.union(later.index)
    symbols = shipped.columns.union(later.columns, sort=False)
    old = shipped.reindex(index=dates, columns=symbols).to_numpy()
    new = later.reindex(index=dates, columns=symbols).to_numpy()
    both = np.isfinite(old) & np.isfinite(new)
    overlaps = both.any(axis=0)
    last_common = len(dates) - 1 - np.argmax(both[::-1], axis=0)
    columns = np.arange(len(symbols))
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(overlaps, new[last_common, columns] / old[last_common, columns], 1.0)
    merged = np.where(overlaps & np.isfinite(new), new, old * scale)
    cached_only = ~np.isfinite(old).any(axis=0)
    merged[:, cached_only] = new[:, cached_only]
    counts = np.isfinite(merged).sum(axis=1)
    complete = np.flatnonzero(counts >= COMPLETE_SHARE * counts.max())
    end = complete[-1] + 1 if len(complete) else 0
    frame = pd.DataFrame(merged[:end], index=dates[:end], columns=symbols)
    frame.index.name, frame.columns.name = "Date", "Symbol"
    return frame


def bundled_bars(symbol: str) -> pd.DataFrame | None:
    """A bundled member's daily closes as bars (open, high and low equal to the close; no volume),
    or None when the bundle has no such member: offline, a watchlist of stocks still has a history."""
    dates, symbols, closes = _bundled_arrays()
    column = np.flatnonzero(symbols == symbol)
    if not len(column):
        return None
    close = closes[:, column[0]].astype(np.float64)
    known = ~np.isnan(close)
    index = pd.DatetimeIndex(dates[known], name="Date").as_unit("us")
    return pd.DataFrame({"Open": close[known], "High": close[known], "Low": close[known], "Close": close[known],
                         "Volume": 0.0}, index=index)


def for_config(config: Config, read_closes: ReadCloses | None = None) -> Members | None:
    """The members `config` names, or None when breadth is off.

    `read_closes(symbols)` gives cached bars frames for a user's members the bundle lacks (the
    store's read_many). A file that cannot be read or lacks the columns is the user's mistake:
    ConfigError naming `breadth.members`.
    """
    settings = config.breadth
    if not settings.enabled:
        return None
    if settings.members == "bundled":
        return bundled(read_closes)
    if settings.members == PYTICKERSYMBOLS:
        return _from_pytickersymbols(config.path, read_closes)
    return _from_file(Path(settings.members).expanduser(), config.path, read_closes)


def _from_pytickersymbols(config_path: str, read_closes: ReadCloses | None) -> Members:
    try:
        from pytickersymbols import PyTickerSymbols
    except ImportError:
        raise ConfigError(config_path, "breadth.members",
                          '"pytickersymbols" needs that package: pip install \'tuimarket[members]\' '
                          '(or use "bundled", or a CSV file of members)') from None
    table = companies_table(PyTickerSymbols().get_stocks_by_index(PYTICKERSYMBOLS_INDEX))
    caveat = (f"today's {PYTICKERSYMBOLS_INDEX} members as pytickersymbols lists them, counted on every date; "
              "stocks that left the index are missing, so past breadth leans bullish")
    return _with_closes(table, PYTICKERSYMBOLS, caveat, read_closes)


def companies_table(companies: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Symbol and Sector of pytickersymbols' companies: the Yahoo symbol, and the GICS sector
    among the industries it lists (pytickersymbols mixes GICS sectors with other taxonomies)."""
    rows = [(company["symbol"], next((name for name in company.get("industries", ()) if name in GICS_SECTORS),
                                     "Unclassified"))
            for company in companies if SYMBOL_PATTERN.match(company.get("symbol") or "")]
    return pd.DataFrame(rows, columns=["Symbol", "Sector"])


def _from_file(path: Path, config_path: str, read_closes: ReadCloses | None) -> Members:
    def mistake(problem: str) -> ConfigError:
        return ConfigError(config_path, "breadth.members", f"{path}: {problem}")

    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise mistake("no such file") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise mistake(f"not a readable CSV file ({type(exc).__name__})") from None
    if not {"Symbol", "Sector"} <= set(table.columns):
        raise mistake("needs a Symbol and a Sector column")
    table = table.assign(Symbol=table["Symbol"].str.strip(), Sector=table["Sector"].str.strip())
    if bad := [symbol for symbol in table["Symbol"] if not SYMBOL_PATTERN.match(symbol)][:1]:
        raise mistake(f"{bad[0]!r} is not a ticker")
    try:
        return _with_closes(table, str(path), f"the members listed in {path.name} only: stocks it leaves out "
                            "are not counted", read_closes)
    except ValueError:
        raise mistake("Start and End must be dates written YYYY-MM-DD") from None


def _with_closes(table: pd.DataFrame, source: str, caveat: str, read_closes: ReadCloses | None) -> Members:
    """The members of `table` (Symbol, Sector, perhaps Start and End) with the closes at hand.

    Raises ValueError when Start or End is not a date."""
    symbols = list(dict.fromkeys(table["Symbol"]))
    shipped = _bundled_closes()
    closes = shipped[[symbol for symbol in symbols if symbol in shipped]]
    if read_closes is not None:
        closes = _with_cached(closes, read_closes(symbols))
    closes = closes[[symbol for symbol in symbols if symbol in closes]].dropna(how="all")
    stays = table if {"Start", "End"} <= set(table.columns) else None
    in_index = None if stays is None else stays_mask(stays, closes.index, closes.columns)
    return Members(closes, _sectors(table), in_index, source, caveat,
                   missing=tuple(symbol for symbol in symbols if symbol not in closes))


def stays_mask(table: pd.DataFrame, dates: pd.Index, symbols: pd.Index) -> pd.DataFrame:
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
