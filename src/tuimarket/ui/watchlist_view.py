"""A watchlist row → the cells its table shows: text already formatted, states already named.

Pure, like `viewmodels`: no Textual, and the analysis only for annotations, so the watchlist's
lines are made in the worker that computed its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tuimarket.analysis.vocabulary import Direction, MacdSide, Trend
from tuimarket.formatting import NA, below_record, known, percent, price
from tuimarket.ui.viewmodels import RotationLine

if TYPE_CHECKING:   # only for annotations, as in viewmodels
    from tuimarket.analysis.results import WatchlistRow

# The symbol stays put on 80 columns; what may need scrolling to is the event and the name.
WATCHLIST_COLUMNS = ("Symbol", "Last", "Chg", "Trend", "MACD", "RS", "From ATH", "Latest event", "Name")
PENDING = "…"             # computed in a moment
TREND_ORDER = {Trend.UPTREND: 1.0, Trend.SIDEWAYS: 0.0, Trend.DOWNTREND: -1.0}
MACD_ORDER = {MacdSide.BUY: 1.0, MacdSide.SELL: -1.0}
RS_ORDER = {Direction.RISING: 1.0, Direction.FLAT: 0.0, Direction.FALLING: -1.0}
MISSING = float("-inf")   # sorts last, whichever way a column sorts first (see WatchlistTable.SORTABLE)


@dataclass(frozen=True)
class WatchlistTable:
    """One group as its screen shows it."""

    group: str
    groups: tuple[str, ...]               # every group, in order, for switching
    lines: tuple[RotationLine, ...]       # in the group's order
    status: str                           # "14 symbols · 3 computing…", the data's freshness
    complete: bool                        # every row has its trend and latest event


def watchlist_line(row: WatchlistRow, position: int, note: str = "") -> RotationLine:
    """The cells of one row, `position` its place in the group; `note` ("unknown to Yahoo") says
    why a row has no data."""
    if row.as_of is None:   # the note where it is seen on 80 columns too: beside the symbol
        blank = ("",) * (len(WATCHLIST_COLUMNS) - 3)
        shown = PENDING if not row.complete else note or row.problem or "no data"
        return RotationLine(row.symbol, (row.symbol, shown, *blank, _name(row)),
                            ("symbol", "note", *("na",) * len(blank), "name"),
                            (float(position), *(MISSING,) * (len(WATCHLIST_COLUMNS) - 1)))
    trend = PENDING if not row.complete else (row.trend.short if row.trend else NA) + (" ✓" if row.confirmed else "")
    event = row.latest_event
    cells = (
        row.symbol,
        price(row.close),
        percent(row.change_pct),
        trend,
        row.macd.label if row.macd else NA,
        row.rs or NA,
        below_record(row.below_record),
        PENDING if not row.complete else row.problem or (_event_text(event.kind.words, event.subject, event.date)
                                                         if event else ""),
        _name(row),
    )
    states = ("symbol", "price", _sign(row.change_pct), {Trend.UPTREND: "up", Trend.DOWNTREND: "down"}.get(row.trend, "na") if row.trend else "na",
              {MacdSide.BUY: "up", MacdSide.SELL: "down"}.get(row.macd, "na") if row.macd else "na",
              {Direction.RISING: "up", Direction.FALLING: "down"}.get(row.rs, "na") if row.rs else "na",
              "na", "event", "name")
    sort_keys = (
        float(position),
        _key(row.close),
        _key(row.change_pct),
        (TREND_ORDER[row.trend] if row.trend else MISSING) + (0.5 if row.confirmed else 0.0),
        MACD_ORDER[row.macd] if row.macd else MISSING,
        RS_ORDER[row.rs] if row.rs else MISSING,
        _key(None if row.below_record is None else -row.below_record),
        float(event.date.toordinal()) if event else MISSING,
        0.0,
    )
    return RotationLine(row.symbol, cells, states, sort_keys)


def _name(row: WatchlistRow) -> str:
    return "" if row.name == row.symbol else row.name     # a symbol added by hand has no other name


def _event_text(words: str, subject: str, day: date) -> str:
    """"MACD buy Feb 13", "above average (200) Jan 05"."""
    return f"{words} ({subject}) {day:%b %d}" if subject else f"{words} {day:%b %d}"


def _sign(value: float | None) -> str:
    value = known(value)
    return "na" if value is None else "up" if value > 0 else "down" if value < 0 else "na"


def _key(value: float | None) -> float:
    value = known(value)
    return MISSING if value is None else value
