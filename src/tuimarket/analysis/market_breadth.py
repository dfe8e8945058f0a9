"""The members' breadth as the snapshot carries it: the reading of the day, its recent series for
charts, and whether it confirms the benchmark (one breadth computation for all three).

When the members' closes end before the indexes' (live, before their closes are fetched, or
when fetching them failed), breadth is of its own date and says so (`stale`), and no note
compares it with the later index: the note says why there is none."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

import pandas as pd

from tuimarket.analysis.breadth import members_history, reading
from tuimarket.analysis.divergence import breadth_note
from tuimarket.analysis.results import BreadthNote, BreadthSeries, MarketBreadth, OptionalFloats
from tuimarket.data.members import Members
from tuimarket.data.model import dates_of

SERIES_SESSIONS = 1260          # the longest chart range (5Y), as the index charts


def market_breadth(members: Members | None, as_of: date | None, benchmark_close: pd.Series,
                   benchmark_name: str) -> MarketBreadth | None:
    """Breadth of `members` up to `as_of` (no lookahead) against the benchmark; None when off or empty."""
    if members is None:
        return None
    known = members.until(pd.Timestamp(as_of) if as_of else None)
    history = members_history(known)
    today = reading(history, source=known.source, caveat=known.caveat, missing=known.missing)
    if today is None:
        return None
    window = dates_of(history.advances)[-SERIES_SESSIONS:]
    series = BreadthSeries(
        dates=tuple(window.date),
        above=MappingProxyType({period: _optional(values.loc[window]) for period, values in history.above.items()}),
        ad_line=_optional(history.ad_line.loc[window]),
        mcclellan=_optional(history.mcclellan.loc[window]),
        summation=_optional(history.summation.loc[window]),
        net_new_highs=_optional(history.net_new_highs.loc[window].astype(float)),
    )
    if as_of is not None and today.as_of < as_of:
        return MarketBreadth(today, series, withheld_note(today.as_of, as_of, benchmark_name), index_as_of=as_of)
    return MarketBreadth(today, series, breadth_note(history, benchmark_close, benchmark_name))


def withheld_note(members_as_of: date, index_as_of: date, benchmark_name: str) -> BreadthNote:
    """No confirmation across two dates: the members' breadth of one day against the index of a later one."""
    return BreadthNote("", f"No breadth note on the {benchmark_name}: the members' closes end {members_as_of}, "
                           f"the index's {index_as_of}.")


def _optional(values: pd.Series) -> OptionalFloats:
    return tuple(None if value != value else float(value) for value in values.tolist())   # NaN != NaN
