"""What the data layer hands to the rest: bar frames and per-symbol freshness.

A *bars frame* has float columns Open, High, Low, Close, Volume and a sorted, unique, tz-naive
DatetimeIndex named "Date" holding New York session dates (midnight). Prices are adjusted for
splits and dividends, as yfinance's `auto_adjust=True` gives them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Mapping

import pandas as pd

COLUMNS = ("Open", "High", "Low", "Close", "Volume")


class FreshnessState(enum.StrEnum):
    LIVE = "live"          # fetched from Yahoo during this session, within the refresh interval
    DELAYED = "delayed"    # from Yahoo, but older than one refresh interval
    STALE = "stale"        # the last fetch failed; showing what the cache had
    BUNDLED = "bundled"    # offline: the history shipped with tuimarket
    MISSING = "missing"    # no data at all for this symbol


@dataclass(frozen=True)
class Freshness:
    state: FreshnessState
    as_of: date | None = None          # the last session date in the data
    since: datetime | None = None      # when it was fetched (UTC), for live/delayed/stale
    partial: bool = False              # the last bar is today's still-forming session

    def label(self) -> str:
        """A short human label: 'live', 'stale since 14:05', 'offline bundled as of 2025-09-25'."""
        match self.state:
            case FreshnessState.LIVE | FreshnessState.DELAYED:
                text = self.state.value
            case FreshnessState.STALE:
                text = f"stale since {self.since:%Y-%m-%d %H:%M} UTC" if self.since else "stale"
            case FreshnessState.BUNDLED:
                text = f"offline bundled as of {self.as_of}" if self.as_of else "offline bundled"
            case _:
                text = "missing"
        return text + (" (partial bar)" if self.partial else "")


@dataclass(frozen=True)
class MarketData:
    """Everything one refresh produced: bars and freshness per symbol, at one as-of date."""

    bars: Mapping[str, pd.DataFrame]
    freshness: Mapping[str, Freshness]
    as_of: date | None
    source: str                        # "yahoo", "cache", "bundled" or a mix such as "yahoo+cache"
    notes: tuple[str, ...] = field(default=())   # human-readable remarks (fallbacks, clipping)
    error: str | None = None           # why the last live fetch failed (the data shown is older)
    origins: Mapping[str, str] = field(default_factory=dict)   # per symbol: "yahoo", "cache" or "bundled"


def empty_bars() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in COLUMNS})
    frame.index = pd.DatetimeIndex([], name="Date")
    return frame


def clip(bars: pd.DataFrame, as_of: date | None) -> pd.DataFrame:
    """The bars up to and including `as_of` (all of them when it is None)."""
    if as_of is None:
        return bars
    return bars.loc[: pd.Timestamp(as_of)]
