"""What the data layer hands to the rest: bar frames and per-symbol freshness.

A *bars frame* has float columns Open, High, Low, Close, Volume and a sorted, unique, tz-naive
DatetimeIndex named "Date" holding New York session dates (midnight). Prices are adjusted for
splits and dividends, as yfinance's `auto_adjust=True` gives them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Mapping, cast

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from tuimarket.data.members import Members

COLUMNS = ("Open", "High", "Low", "Close", "Volume")
_COLUMN_INDEX = pd.Index(COLUMNS)
MAX_PRICE = 1e9     # far above any traded price; 1e300 is a broken feed, not a market
SPIKE = 10.0        # a bar ten times off both neighbours is a glitch: in 35 years of 521 US indexes,
                    # ETFs and S&P 500 members no close moved more than 1.75x or 0.46x in a day


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
    members: Members | None = None     # the index members breadth is measured over (None: breadth off)


def dates_of(frame: pd.DataFrame | pd.Series) -> pd.DatetimeIndex:
    """The session dates a frame or series of ours is indexed by, as a type checker cannot know."""
    return cast(pd.DatetimeIndex, frame.index)


def empty_bars() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in COLUMNS})
    frame.index = pd.DatetimeIndex([], name="Date")
    return frame


def impossible_bars(bars: pd.DataFrame) -> pd.Index:
    """The dates of bars no market could have printed.

    Every price must be positive, finite and below MAX_PRICE, the high at least the low, the
    volume not negative; and a close must not be SPIKE times away from the closes on both sides
    of it (the first and last bars have one side). Such bars are glitches of a feed or a disk:
    they would show a -100% day and flip every average, so they never reach the analysis.
    """
    # numpy rather than pandas: this runs on every cache read, and pandas is ten times slower here.
    with np.errstate(invalid="ignore", divide="ignore"):
        values = bars.to_numpy()[:, bars.columns.get_indexer(_COLUMN_INDEX)]   # selecting columns first: 0.4 ms
        prices, volume = values[:, :4], values[:, 4]
        high, low = prices[:, 1], prices[:, 2]
        impossible = ~(((prices > 0) & (prices < MAX_PRICE)).all(axis=1) & (high >= low) & ~(volume < 0))
        possible_rows = np.flatnonzero(~impossible)
        close = prices[possible_rows, 3]
        far = _far(close[1:] / close[:-1])        # far[i]: close i+1 is far from close i
    # a bar is a spike when far from every neighbour it has; a lone bar has none to be far from
    if len(close) > 1:
        spike = np.concatenate([far[:1], far[:-1] & far[1:], far[-1:]])
        impossible[possible_rows[spike]] = True
    return bars.index[impossible]


def _far(ratio: np.ndarray) -> np.ndarray:
    return (ratio > SPIKE) | (ratio < 1 / SPIKE)


def clip(bars: pd.DataFrame, as_of: date | None) -> pd.DataFrame:
    """The bars up to and including `as_of` (all of them when it is None)."""
    if as_of is None:
        return bars
    return bars.loc[: pd.Timestamp(as_of)]
