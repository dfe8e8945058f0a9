"""One immutable MarketSnapshot for a date: everything the report and the UI show.

Every result type lives here or is re-exported from here, so consumers import from one place.
Containers are tuples and read-only mappings; a value that cannot be computed (a missing symbol,
a history shorter than the longest average) is None, never NaN and never invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

from tuimarket.analysis.indicators import MacdState, SmaState
from tuimarket.analysis.levels import AllTimeHigh, Breakout, Levels, Retest
from tuimarket.analysis.regime import Regime
from tuimarket.analysis.rotation import RelativeStrength, RotationPoint, RotationRow
from tuimarket.analysis.trend import TrendState
from tuimarket.config import Config
from tuimarket.data.model import MarketData

__all__ = [
    "AllTimeHigh", "Breakout", "IndexAnalysis", "Levels", "MacdState", "MarketSnapshot",
    "PriceSeries", "Regime", "RelativeStrength", "Retest", "RotationPoint", "RotationRow",
    "SmaState", "TrendState", "build_snapshot",
]

CHART_SESSIONS = 1260   # about five years of daily bars: the longest chart range

OptionalFloats = tuple[float | None, ...]


@dataclass(frozen=True)
class PriceSeries:
    """Chart data for the last CHART_SESSIONS bars, aligned on `dates` (None where undefined)."""

    dates: tuple[date, ...]
    close: tuple[float, ...]
    sma: Mapping[int, OptionalFloats]      # period → values
    macd: OptionalFloats
    signal: OptionalFloats
    histogram: OptionalFloats
    rs_ratio: OptionalFloats               # close / benchmark close (None off common dates)


@dataclass(frozen=True)
class IndexAnalysis:
    symbol: str
    name: str
    as_of: date | None                     # this symbol's last bar (None when it has no data)
    close: float | None
    change: float | None                   # the last session's change, in points
    change_pct: float | None               # the same as a fraction of the previous close
    smas: tuple[SmaState, ...]             # one per configured period, shortest first
    stacked: bool | None                   # each average above the next longer one (50 > 100 > 200)
    macd: MacdState
    trend: TrendState
    all_time_high: AllTimeHigh | None
    levels: Levels
    relative_strength: RelativeStrength | None   # None for the benchmark itself
    commentary: str
    series: PriceSeries


@dataclass(frozen=True)
class MarketSnapshot:
    as_of: date | None
    source: str
    benchmark: str
    indices: tuple[IndexAnalysis, ...]
    rotation: tuple[RotationRow, ...]
    regime: Regime
    freshness: Mapping[str, str]           # symbol → a human label such as "offline bundled as of ..."
    notes: tuple[str, ...]


def build_snapshot(config: Config, data: MarketData) -> MarketSnapshot:
    """Analyse `data.bars` (clipped to `data.as_of`) into one snapshot. Pure: no I/O, no clock."""
    raise NotImplementedError("being written: the shape above is stable")
