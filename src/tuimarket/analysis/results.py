"""What the analysis finds, as the report, the alerts and the UI read it: frozen dataclasses of
plain values, declared apart from the pandas code that computes them.

No pandas and no numpy here (an import-linter contract and a test in a fresh interpreter hold
this), so a reader of a result, a view model say, never loads them: a field holds floats, ints,
dates, words of the vocabulary, tuples and read-only mappings, None where a value is unknown,
never NaN and never a frame. The types a computation keeps to itself (a `Macd` of Series, the
breadth history) stay beside it; `Event` and `EventKind` stay in `analysis.events`.

Declaring these two dozen frozen dataclasses takes tens of milliseconds (dataclasses writes their
methods with exec: 50-120 ms on a loaded 2-core machine), so the UI's start-up path names them
under TYPE_CHECKING only: the snapshot brings them with the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, Mapping

from tuimarket.analysis.vocabulary import Direction, MacdSide, Quadrant, Stance, Trend

if TYPE_CHECKING:   # for annotations only: events are computed with pandas
    from tuimarket.analysis.events import Event

Timeframe = Literal["daily", "weekly"]
OptionalFloats = tuple[float | None, ...]
SwingPoint = tuple[date, float]

# A highest close is called "all-time" only over a history at least this long: the bundled indexes
# reach back to 1990, but a live first load fetches only `data.history_years` (12 by default), and
# its highest close is then honestly a "12-year" high.
ALL_TIME_YEARS = 30
SESSIONS_A_YEAR = 252
RETURN_PERIODS = ("1W", "1M", "3M", "6M", "YTD", "1Y")   # a rotation row's returns, shortest first
AVERAGE_PERIODS = (20, 50, 200)                            # breadth: the averages members are counted above
SECTOR_PERIODS = (50, 200)                                 # ... and per sector


# ---- one index: averages, MACD, trend, levels (analysis.indicators, trend, levels) -----------------

@dataclass(frozen=True)
class SmaState:
    """One simple moving average at the last bar: its value, its slope and where price is."""

    period: int
    value: float | None
    rising: bool | None       # higher than `slope_lookback` sessions ago
    above: bool | None        # the close is above it


@dataclass(frozen=True)
class MacdState:
    """MACD at the last bar. Every field is None when the history is too short."""

    macd: float | None
    signal: float | None
    histogram: float | None
    state: MacdSide | None
    crossed_on: date | None           # the session the current state began (the last crossover)
    momentum: Direction | None        # the histogram's direction over the last session (never flat)


@dataclass(frozen=True)
class TrendState:
    """The trend at the last bar. `state` is None when there are too few swing points to judge."""

    state: Trend | None
    confirmed: bool | None
    higher_highs: bool | None
    higher_lows: bool | None
    lower_highs: bool | None
    lower_lows: bool | None
    swing_highs: tuple[SwingPoint, ...]      # the last `swing_count`, oldest first
    swing_lows: tuple[SwingPoint, ...]


@dataclass(frozen=True)
class Breakout:
    """A close above a resistance level, with the session it happened."""

    level: float
    date: date


@dataclass(frozen=True)
class Retest:
    """A pullback to a broken resistance whose low touched it while the close held above."""

    level: float
    date: date


@dataclass(frozen=True)
class Formation:
    """The swing points a level was formed by."""

    highs: tuple[date, ...]
    lows: tuple[date, ...]


@dataclass(frozen=True)
class Levels:
    support: tuple[float, ...]        # below the last close, nearest first
    resistance: tuple[float, ...]     # above the last close, nearest first
    breakout: Breakout | None
    retest: Retest | None
    # each level shown (and a breakout's) → its swing points
    formed_by: Mapping[float, Formation] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class AllTimeHigh:
    """The highest close in the loaded history and how far the last close is below it."""

    close: float
    date: date
    pct_below: float                  # a fraction: 0.006 means 0.6% below
    sessions: int = ALL_TIME_YEARS * SESSIONS_A_YEAR     # the length of the history searched

    @property
    def span(self) -> str:
        """What the high is the highest of: "all-time", "12-year" or "30-session" over a shorter history."""
        years = round(self.sessions / SESSIONS_A_YEAR)
        if years >= ALL_TIME_YEARS:
            return "all-time"
        return f"{years}-year" if years else f"{self.sessions}-session"


# ---- against the benchmark: relative strength and rotation (analysis.rotation, rrg) ------------------

@dataclass(frozen=True)
class RrgPoint:
    week: date               # the Friday of the week
    rs_ratio: float
    rs_momentum: float


@dataclass(frozen=True)
class RsSwing:
    """The current swing of RS on one view: its direction, where it began, its extreme so far."""

    reversal: float                 # the size of a move back that ends a swing (a fraction)
    trend: Direction                # rising or falling (a swing is never flat)
    since: date                     # the turn the swing began at
    change: float                   # RS from `since` to `extreme_on`, a fraction
    extreme_on: date                # the swing's highest (rising) or lowest (falling) RS so far
    from_extreme: float             # RS now against that extreme, a fraction (≤ 0 rising, ≥ 0 falling)


@dataclass(frozen=True)
class RelativeStrength:
    """close / benchmark close on common dates, and the direction it has held since `since`."""

    benchmark: str
    ratio: float | None
    trend: Direction | None
    since: date | None
    medium: RsSwing | None = None   # the swing at rs_minor_reversal
    long: RsSwing | None = None     # the swing at rs_major_reversal


@dataclass(frozen=True)
class RotationRow:
    symbol: str
    name: str
    returns: Mapping[str, float | None]      # RETURN_PERIODS → fraction, None when too short
    rs_ratio: float | None
    rs_momentum: float | None
    quadrant: Quadrant | None
    rank: int | None                         # 1 = strongest by the rank score
    above_200: bool | None                   # close above its longest configured average
    rs_trend: Direction | None
    weeks: tuple[RrgPoint, ...] = ()         # the recent weekly RRG points, oldest first: the tail and its history


# ---- the market: the stance and the members' breadth (analysis.regime, breadth, market_breadth) -------

@dataclass(frozen=True)
class Regime:
    uptrends: int                      # indexes in a confirmed uptrend
    of: int                            # indexes configured
    sectors_above: int                 # rotation sectors above their long average
    sectors_counted: int               # rotation sectors with enough history to tell
    sector_breadth: float | None       # sectors_above / sectors_counted
    stance: Stance                     # the held stance (see analysis.regime)
    commentary: str
    signalled: Stance | None = None    # what this session alone says, when it differs from `stance`
    provisional: bool = False          # computed from a session still forming: final only after the close


@dataclass(frozen=True)
class SectorBreadth:
    sector: str
    above: Mapping[int, float | None]         # SECTOR_PERIODS -> fraction (None: no member counted)
    members: int                              # members of the sector counted on the day


@dataclass(frozen=True)
class BreadthReading:
    """Breadth on one date: what the snapshot, the report and the UI show."""

    as_of: date
    members: int                              # members counted on the day (a close, in the index)
    above: Mapping[int, float | None]         # AVERAGE_PERIODS -> fraction above its average
    new_highs: int
    new_lows: int
    advances: int
    declines: int
    ad_line: float
    mcclellan: float | None
    summation: float | None
    sectors: tuple[SectorBreadth, ...]
    source: str                               # where the member list came from
    caveat: str                               # what the member list leaves out (survivorship)
    missing: tuple[str, ...] = ()             # listed members without any close

    @property
    def net_new_highs(self) -> int:
        return self.new_highs - self.new_lows


@dataclass(frozen=True)
class BreadthSeries:
    """The last sessions of each breadth series charted (None where undefined)."""

    dates: tuple[date, ...]
    above: Mapping[int, OptionalFloats]   # period -> fraction of members above that average
    ad_line: OptionalFloats
    mcclellan: OptionalFloats
    summation: OptionalFloats
    net_new_highs: OptionalFloats


@dataclass(frozen=True)
class BreadthNote:
    state: str                  # "confirms", "diverges" or "" (neither)
    text: str                   # one sentence; empty when neither


@dataclass(frozen=True)
class MarketBreadth:
    reading: BreadthReading
    series: BreadthSeries
    note: BreadthNote
    index_as_of: date | None = None    # the indexes' later date, when the members' closes end before it

    @property
    def stale(self) -> bool:
        """Breadth of an earlier date than the indexes': to be read as of its own date, never as today's."""
        return self.index_as_of is not None


# ---- the snapshot: everything the report and the dashboard show (analysis.snapshot) ------------------

@dataclass(frozen=True)
class PriceSeries:
    """Chart data for the last CHART_SESSIONS daily (CHART_WEEKS weekly) bars, aligned on `dates`
    (None where undefined)."""

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
    quadrant: Quadrant | None = None             # where the rotation graph places it (None for the benchmark)
    provisional: bool = False                    # the last bar is a session still forming, not a close
    timeframe: Timeframe = "daily"               # the bars read: daily, or weekly (see snapshot.weekly_analysis)


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
    rotation_commentary: str = ""          # who leads and lags, who moved, and the adjustment caveat
    provisional: bool = False              # some index's last bar is still forming: signals are not final
    breadth: BreadthReading | None = None  # index members' breadth (None when off or without members)
    market_breadth: MarketBreadth | None = None   # the same with its recent series and its note on the benchmark
    weekly: tuple[IndexAnalysis, ...] = ()  # `indices` on weekly bars (see snapshot.weekly_analysis)


# ---- events as the report and a watchlist show them (analysis.changes, watchlist) --------------------

@dataclass(frozen=True)
class Changes:
    """The events of a window that ends on the report's date."""

    title: str                       # "Since last week", "Since last month", "Since 2024-11-01"
    since: date                      # the first date in the window
    events: tuple[Event, ...]
    last_closes: Mapping[str, float] = field(default_factory=dict)   # symbol → its close at the window's end


@dataclass(frozen=True)
class WatchlistRow:
    symbol: str
    name: str
    as_of: date | None                  # the symbol's last bar (None: no data)
    close: float | None
    change_pct: float | None            # the last session's change, a fraction
    macd: MacdSide | None
    rs: Direction | None                # relative strength's trend
    below_record: float | None          # the fraction the close is under the highest close (0: at it)
    trend: Trend | None = None          # None until `full_rows`
    confirmed: bool | None = None
    latest_event: Event | None = None   # the newest event within EVENT_DAYS
    complete: bool = False              # trend and latest event computed (they may still be None)
    problem: str | None = None          # why they could not be computed
