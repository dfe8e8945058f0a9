"""Events: what changed, dated. Changes of the states the snapshot and the timeline show.

`market_events` turns the bars (the benchmark's among them) into a dated list of `Event`s, every
symbol's and the market's stance. Each is a change between two consecutive sessions of a state
computed by the same code as the snapshot and the `history` timeline (one computation, many
faces): the MACD side of `indicators.macd`, the trend of `trend.trend_table`, the levels of
`levels.LevelTracker`, the stance of `timeline.market_timeline`. Nothing dated D depends on a bar
after D, so the events up to D are the same whatever later history is loaded (a test holds this).

The rules, one per `EventKind` (its `rule_version` changes whenever its rule does, so a store
of past alerts can tell an event it has seen from one a new rule dated differently):
- stance changed: the held stance of `regime.held_stances` differs from the session before;
- uptrend confirmed / lost: "an uptrend the long average confirms" (`trend`) starts or ends;
- breakout / breakdown: the close crosses above a resistance (below a support) that stood at
  that session, as `levels.find_breakout` dates it; the level and the swing points that formed it;
- retest held: the first retest `levels.find_retest` finds after a breakout (a breakdown's,
  mirrored); retest failed: a close back through the level within BREAKOUT_SESSIONS of the break;
- record close: a close above every earlier close, the first after at least QUIET_SESSIONS
  sessions without one; 52-week low: a close below the YEAR earlier closes, the same way;
- MACD buy / sell: the histogram changes sign (the line crosses its signal line);
  momentum up / down: the histogram turns, by more than MOMENTUM_HYSTERESIS of the close;
- golden / death cross: the shortest configured average crosses above (below) the longest;
- above / below average: the close crosses a configured average (subject: its period);
- average turned up / down: its change over `slope_lookback` sessions passes +AVERAGE_HYSTERESIS
  (−AVERAGE_HYSTERESIS) after having passed the other way;
- RS turned up / down, per horizon: "short", the 50-session trend of `rotation.rs_trend_codes`
  becoming rising or falling; "medium" and "long", a zigzag swing of RS (`rotation.zigzag`)
  reversing by `rs_minor_reversal` / `rs_major_reversal`, dated when the reversal is complete;
- quadrant changed: the quadrant of the rotation graph's weekly point (`rrg.rrg_lines`) on a
  Friday differs from the one the Friday before (a week whose Friday is a holiday is skipped).
"""

from __future__ import annotations

import bisect
import datetime
import enum
from datetime import date
from operator import attrgetter, itemgetter
from typing import Callable, Collection, Iterable, Iterator, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from tuimarket.analysis.indicators import macd_emas, macd_emas_continued, sma
from tuimarket.analysis.levels import BREAKOUT_SESSIONS, LevelTracker, retest_touches
from tuimarket.analysis.quadrants import quadrant
from tuimarket.analysis.results import Formation
from tuimarket.analysis.rotation import Swing, relative_ratio, rs_codes, rs_trend_codes, zigzag
from tuimarket.analysis.rrg import rrg_lines
from tuimarket.analysis.timeline import index_trends, known_closes, market_timeline
from tuimarket.analysis.trend import TREND_NAMES, continued_trend_table, trend_table
from tuimarket.analysis.vocabulary import Stance, Trend
from tuimarket.config import Config
from tuimarket.data.model import dates_of

MARKET = "market"             # the symbol of market-wide events (the stance)
QUIET_SESSIONS = 20           # a record close (a 52-week low) counts after this many sessions without one
YEAR = 252                    # sessions in a 52-week window
MOMENTUM_HYSTERESIS = 0.0005  # a histogram move smaller than this fraction of the close is a wiggle
AVERAGE_HYSTERESIS = 0.002    # an average turns once its slope passes this fraction the other way
FRIDAY = 4


class EventKind(str, enum.Enum):
    """What changed. Declared in a technician's order of importance; each member carries its
    display words and the version of its rule."""

    words: str
    rule_version: int

    def __new__(cls, value: str, words: str, rule_version: int) -> EventKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.words, member.rule_version = words, rule_version
        return member

    STANCE_CHANGED = "stance_changed", "stance changed", 1
    UPTREND_CONFIRMED = "uptrend_confirmed", "confirmed uptrend", 1
    UPTREND_LOST = "uptrend_lost", "uptrend lost", 1
    BREAKOUT = "breakout", "breakout", 1
    BREAKDOWN = "breakdown", "breakdown", 1
    RECORD_CLOSE = "record_close", "record close", 1
    YEAR_LOW = "year_low", "52-week low", 1
    BREADTH_DIVERGENCE = "breadth_divergence", "breadth divergence", 1   # of the index members
    BREADTH_THRUST = "breadth_thrust", "breadth thrust", 1               # (analysis/divergence.py)
    RETEST_HELD = "retest_held", "retest held", 1      # what became of a break: after the record, it
    RETEST_FAILED = "retest_failed", "retest failed", 1   # follows up news already told
    MACD_BUY = "macd_buy", "MACD buy", 1
    MACD_SELL = "macd_sell", "MACD sell", 1
    MOMENTUM_UP = "momentum_up", "momentum up", 1
    MOMENTUM_DOWN = "momentum_down", "momentum down", 1
    GOLDEN_CROSS = "golden_cross", "golden cross", 1
    DEATH_CROSS = "death_cross", "death cross", 1
    ABOVE_AVERAGE = "above_average", "above average", 1
    BELOW_AVERAGE = "below_average", "below average", 1
    AVERAGE_UP = "average_up", "average turned up", 1
    AVERAGE_DOWN = "average_down", "average turned down", 1
    RS_UP = "rs_up", "RS turned up", 1
    RS_DOWN = "rs_down", "RS turned down", 1
    QUADRANT_CHANGED = "quadrant_changed", "quadrant changed", 2   # 2: the weekly RRG's points

    @property
    def importance(self) -> int:
        """0 for the most important kind."""
        return IMPORTANCE[self]


IMPORTANCE = {kind: rank for rank, kind in enumerate(EventKind)}


class Event(NamedTuple):
    """One change on one session of one symbol (MARKET for the stance).

    A named tuple, not a frozen dataclass: a full computation makes some 90,000, and a frozen
    dataclass costs four times as much to make (its repr, and so the golden digest, is the same)."""

    symbol: str
    kind: EventKind
    date: datetime.date                 # datetime.date: this field hides the name `date` below it
    close: float                        # the symbol's close that session (the benchmark's for the stance)
    value: float | None = None          # the level crossed, the average, the previous record, the RS ratio
    subject: str = ""                   # which one: an average's period "50", an RS horizon "medium"
    state: str | None = None            # the state entered: "fully_invested", "leading", "sideways"
    previous: str | None = None         # the state left
    formed_by: Formation | None = None  # the swing points that formed a level broken or retested
    since: datetime.date | None = None           # where it began: the broken level's break, the previous record,
                                        # the RS swing's extreme
    final: bool = True                  # False when dated on a session still forming

    @property
    def rule_version(self) -> int:
        return self.kind.rule_version

    @property
    def key(self) -> str:
        """symbol|kind|date|rule version, the identity for de-duplication ("kind/subject" when the
        kind has several subjects, such as crossing the 50-day and the 200-day on one day)."""
        kind = f"{self.kind.value}/{self.subject}" if self.subject else self.kind.value
        return f"{self.symbol}|{kind}|{self.date.isoformat()}|{self.rule_version}"


# event(kind, position, **fields): one symbol's Event at a bar position.
MakeEvent = Callable[..., Event]

# A stance timeline without sessions, given as `market_events`' timeline: the symbols' own events
# alone, the stance's never computed (a watchlist has no stance; the panels show the indexes' events).
NO_STANCE = pd.DataFrame({"stance": pd.Series(dtype=object)}, index=pd.DatetimeIndex([], name="date"))


def market_events(config: Config, bars: Mapping[str, pd.DataFrame], *, forming: Collection[str] = (),
                  timeline: pd.DataFrame | None = None, since: date | None = None) -> tuple[Event, ...]:
    """Every event of every symbol in `bars` and of the market's stance, by date, then importance.
    `forming` names the symbols whose last bar is a session still forming: events on it are not
    final. `timeline` is the `market_timeline` of the same bars, when the caller has it already.
    `since` keeps only the events dated from it on: the states are still those of the whole
    history, so they are exactly the events of the whole computation from that date (a test holds
    this), only the older ones are never made."""
    frames = known_closes(bars)
    carried = _whole(config, frames, since, timeline)
    return _marked(config, carried.events, frames, carried.timeline, forming)


class EventHistory:
    """The events of a history that grows by sessions, each pass after the first continuing what
    the one before left rather than reading the whole history again: the same events as
    `market_events` of the same bars (a test holds them together over many sessions), for a
    fraction of the work.

    What a pass carries to the next, per symbol: its final bars and the states read from them,
    the averages (recomputed: pandas' rolling mean is a running sum, so only the whole history
    gives its bits), the MACD's three averages (a recurrence: the last values), the trend table
    (the state machine's last state), the level tracker (the points standing and those not yet
    traded through), relative strength and its zigzag swings; and the stance's timeline, which
    goes on from its last session that left no change pending. The events from the first new
    session of any symbol on are made (again): a session arriving for one symbol a pass after the
    others' changes what theirs read. A bar still forming is read on top of those, never carried.
    Bars that do not continue the last pass's (a symbol added or gone, history re-adjusted for a
    dividend or a split, a session corrected) are read whole again.
    """

    def __init__(self, config: Config, *, stance: bool = True) -> None:
        """`stance=False`: the symbols' events alone, as `market_events` with NO_STANCE makes them."""
        self.config = config
        self.stance = stance
        # Symbols read from their whole history, over every pass: each symbol at the first pass, and
        # every one again after bars that do not continue the last pass (the rest is continued).
        self.symbols_read_whole = 0
        self._carried: _Carried | None = None

    def events(self, bars: Mapping[str, pd.DataFrame], *, forming: Collection[str] = (),
               since: date | None = None) -> tuple[Event, ...]:
        """`market_events(config, bars, forming=forming)`; with `since`, those dated from it on
        at least: a pass reading the whole history makes only those (as `market_events` does),
        a pass continuing the last keeps every event that one made."""
        frames = known_closes(bars)
        final = {symbol: frame.iloc[:-1] if symbol in forming else frame for symbol, frame in frames.items()}
        carried = self._carried
        if carried is None or not _continue(carried.states, final):
            carried = _whole(self.config, final, since, None if self.stance else NO_STANCE)
            self.symbols_read_whole += len(final)
        elif any(len(frame) > len(carried.states[symbol].bars) for symbol, frame in final.items()):
            carried = _continued(self.config, carried, final, self.stance)
        self._carried = carried
        if not any(symbol in frames and len(frames[symbol]) for symbol in forming):
            return carried.events
        ahead = _continued(self.config, carried, frames, self.stance)
        return _marked(self.config, ahead.events, frames, ahead.timeline, forming)


class _Relative(NamedTuple):
    """Relative strength against the benchmark: the ratio, its short trend and its zigzag swings."""

    ratio: pd.Series
    codes: np.ndarray                    # rotation.rs_trend_codes
    swings: dict[str, list[Swing]]       # per horizon ("medium", "long")


class _SymbolStates(NamedTuple):
    """One symbol's states over its whole history, what its events are read from."""

    bars: pd.DataFrame
    trend: pd.DataFrame                              # trend.trend_table
    averages: dict[int, pd.Series]                   # per configured period
    emas: tuple[np.ndarray, np.ndarray, np.ndarray]  # indicators.macd_emas
    tracker: LevelTracker
    relative: _Relative | None                       # None for the benchmark itself, or without one


class _Carried(NamedTuple):
    """What a pass leaves the next: every symbol's states, the stance's timeline, and the events
    so far, in order."""

    states: dict[str, _SymbolStates]
    timeline: pd.DataFrame
    events: tuple[Event, ...]


def _states(config: Config, bars: pd.DataFrame, benchmark: pd.DataFrame | None, symbol: str) -> _SymbolStates:
    """A symbol's states read from its whole history."""
    settings = config.analysis
    close = bars["Close"]
    averages = {period: sma(close, period) for period in settings.sma_periods}
    relative = None
    if benchmark is not None and symbol != config.benchmark:
        ratio = relative_ratio(close, benchmark["Close"])
        values = ratio.to_numpy(dtype=float)
        relative = _Relative(ratio, rs_trend_codes(ratio, settings.rs_average, settings.slope_lookback).to_numpy(),
                             {horizon: zigzag(values, reversal) for horizon, reversal in _horizons(config)})
    return _SymbolStates(
        bars,
        trend_table(bars, averages[max(settings.sma_periods)], settings),
        averages,
        macd_emas(close.to_numpy(dtype=float), settings.macd.fast, settings.macd.slow, settings.macd.signal),
        LevelTracker(bars, window=settings.swing_window, lookback=settings.level_lookback,
                     tolerance=settings.level_tolerance, min_touches=settings.level_min_touches),
        relative)


def _continued_states(config: Config, states: _SymbolStates, bars: pd.DataFrame, benchmark: pd.DataFrame | None,
                      symbol: str) -> _SymbolStates:
    """A symbol's states continued over the sessions `bars` add to those `states` were read from."""
    settings = config.analysis
    known, close = len(states.bars), bars["Close"]
    closes = close.to_numpy(dtype=float)
    averages = {period: sma(close, period) for period in settings.sma_periods}
    fast, slow, signal = (float(values[-1]) if known else np.nan for values in states.emas)
    last = fast, slow, signal
    if all(value == value for value in last):
        emas = tuple(np.r_[old, new] for old, new in zip(states.emas, macd_emas_continued(
            last, closes[known:], settings.macd.fast, settings.macd.slow, settings.macd.signal)))
    else:   # still warming up: the whole (short) history
        emas = macd_emas(closes, settings.macd.fast, settings.macd.slow, settings.macd.signal)
    relative = states.relative
    if relative is not None and benchmark is not None:
        ratio, known_ratio = relative.ratio, len(relative.ratio)
        after = ratio.index[-1] if known_ratio else None
        ratio = pd.concat([ratio, relative_ratio(_after(close, after), _after(benchmark["Close"], after))])
        values = ratio.to_numpy(dtype=float)
        swings = {horizon: (previous + zigzag(values, reversal, after=previous[-1]) if previous
                            else zigzag(values, reversal))
                  for (horizon, reversal), previous in zip(_horizons(config), relative.swings.values())}
        # The mean is the whole history's (a running sum); the codes before are kept.
        lookback, recent = settings.slope_lookback, max(known_ratio - settings.slope_lookback, 0)
        codes = rs_codes(values[recent:], sma(ratio, settings.rs_average).to_numpy()[recent:], lookback)
        relative = _Relative(ratio, np.r_[relative.codes, codes[known_ratio - recent:]] if recent else codes, swings)
    return _SymbolStates(bars, continued_trend_table(states.trend, bars, averages[max(settings.sma_periods)], settings),
                         averages, emas, states.tracker.extended(bars), relative)


def _after(values: pd.Series, day: pd.Timestamp | None) -> pd.Series:
    """The values dated after `day` (all of them when None)."""
    return values if day is None else values.iloc[values.index.searchsorted(day, side="right"):]


def _horizons(config: Config) -> tuple[tuple[str, float], ...]:
    """The RS swings' horizons and their reversals."""
    return ("medium", config.analysis.rs_minor_reversal), ("long", config.analysis.rs_major_reversal)


def _timeline(config: Config, frames: Mapping[str, pd.DataFrame], states: Mapping[str, _SymbolStates], *,
              after: pd.Timestamp | None = None, held: Stance | None = None) -> pd.DataFrame:
    """The stance's timeline: `market_timeline`, the indexes' trends read from the symbols' states."""
    trends = {symbol: state.trend for symbol, state in states.items()}
    missing = {entry.symbol for entry in config.indexes} - trends.keys()
    if missing:     # the indexes without bars have their (empty) `index_trends`
        trends = {**index_trends(config, {}), **trends}
    long_period = max(config.analysis.sma_periods)
    averages = {symbol: state.averages[long_period] for symbol, state in states.items()}
    return market_timeline(config, frames, detail=False, trends=trends, averages=averages, after=after, held=held)


def _whole(config: Config, frames: Mapping[str, pd.DataFrame], since: date | None = None,
           timeline: pd.DataFrame | None = None) -> _Carried:
    """The first pass: every state read from the whole history, the events made from `since` on
    (`timeline`: the stance's, when the caller has it)."""
    states = {symbol: _states(config, frame, frames.get(config.benchmark), symbol) for symbol, frame in frames.items()}
    if timeline is None:
        timeline = _timeline(config, frames, states)
    starts = {symbol: _first_position(dates_of(state.bars), since) for symbol, state in states.items()}
    events = _events(config, states, starts, timeline, _first_position(dates_of(timeline), since))
    return _Carried(states, timeline, _in_order(events))


def _continued(config: Config, carried: _Carried, frames: Mapping[str, pd.DataFrame], stance: bool = True) -> _Carried:
    """A later pass: the states continued over the new sessions, the events made from the first
    new session of any symbol on (the ones made before from then on are made again: a symbol's
    session arriving later than the others', the benchmark's above all, changes what the others'
    and the stance's sessions read). Without the `stance`, its timeline stays NO_STANCE."""
    benchmark = frames.get(config.benchmark)
    states = {symbol: _continued_states(config, carried.states[symbol], frame, benchmark, symbol)
              for symbol, frame in frames.items()}
    new_from = min((frame.index[len(carried.states[symbol].bars)] for symbol, frame in frames.items()
                    if len(frame) > len(carried.states[symbol].bars)), default=None)
    if new_from is None:
        return _Carried(states, carried.timeline, carried.events)
    starts = {symbol: int(dates_of(frame).searchsorted(new_from)) for symbol, frame in frames.items()}
    timeline, stance_start = _continued_timeline(config, carried.timeline, frames, states, new_from) if stance \
        else (NO_STANCE, 0)
    new = _in_order(_events(config, states, starts, timeline, stance_start))
    earlier = carried.events[:bisect.bisect_left(carried.events, new_from.date(), key=attrgetter("date"))]
    return _Carried(states, timeline, earlier + new)


def _continued_timeline(config: Config, timeline: pd.DataFrame, frames: Mapping[str, pd.DataFrame],
                        states: Mapping[str, _SymbolStates], new_from: pd.Timestamp) -> tuple[pd.DataFrame, int]:
    """The stance's timeline continued over the sessions from `new_from` on, and the position of
    its first session made anew. It goes on from the last session before those that left no
    change pending: a change, or a session signalling the stance held."""
    kept = int(timeline.index.searchsorted(new_from))
    stances, signalled = timeline["stance"].to_numpy()[:kept], timeline["signalled"].to_numpy()[:kept]
    settled = np.flatnonzero((stances == signalled) | (stances != np.r_[None, stances[:-1]]))
    if not len(settled):     # nothing before the new sessions
        return _timeline(config, frames, states), 0
    quiet = int(settled[-1])
    return pd.concat([timeline.iloc[:quiet + 1], _timeline(config, frames, states, after=timeline.index[quiet],
                                                           held=stances[quiet])]), kept


def _continue(states: Mapping[str, _SymbolStates], frames: Mapping[str, pd.DataFrame]) -> bool:
    """Whether every symbol's bars are those `states` were read from, with sessions added or not."""
    if states.keys() != frames.keys():
        return False
    for symbol, frame in frames.items():
        old = states[symbol].bars
        if len(frame) < len(old) or not frame.index[:len(old)].equals(old.index):
            return False
        for column in ("Close", "High", "Low"):
            if not np.array_equal(frame[column].to_numpy(dtype=float)[:len(old)], old[column].to_numpy(dtype=float),
                                  equal_nan=True):
                return False
    return True


def _events(config: Config, states: Mapping[str, _SymbolStates], starts: Mapping[str, int], timeline: pd.DataFrame,
            stance_start: int) -> list[Event]:
    """The events of every symbol from its position in `starts` on, and the stance's from
    `stance_start` on (unsorted)."""
    benchmark = states.get(config.benchmark)
    events = [event for symbol, state in states.items() if len(state.bars)
              for event in _symbol_events(symbol, state, benchmark, config, starts[symbol])]
    if benchmark is not None and len(benchmark.bars):
        events += _stance_events(timeline, benchmark.bars["Close"], stance_start)
    return events


def _in_order(events: Sequence[Event]) -> tuple[Event, ...]:
    """The events by date, then importance, symbol and subject; in a tie, as they came. One stable
    numpy sort of the four keys as integers: sorting 89,065 events by a key of a date and strings
    compares tuples, twice as slow."""
    count = len(events)

    def ranks(words: Iterable[str]) -> np.ndarray:
        listed = list(words)
        rank = {word: at for at, word in enumerate(sorted(set(listed)))}
        return np.fromiter(map(rank.__getitem__, listed), np.int64, count)

    days = np.fromiter(map(date.toordinal, map(itemgetter(2), events)), np.int64, count)
    importance = np.fromiter(map(IMPORTANCE.__getitem__, map(itemgetter(1), events)), np.int64, count)
    order = np.lexsort((ranks(map(itemgetter(5), events)), ranks(map(itemgetter(0), events)), importance, days))
    return tuple(map(events.__getitem__, order.tolist()))


def _marked(config: Config, events: Sequence[Event], frames: Mapping[str, pd.DataFrame], timeline: pd.DataFrame,
            forming: Collection[str]) -> tuple[Event, ...]:
    """The events, those on a session still forming made provisional (the stance's when an
    index's session is forming)."""
    last_bars = {symbol: frame.index[-1].date() for symbol, frame in frames.items() if len(frame)}
    index_forming = {entry.symbol for entry in config.indexes} & set(forming)
    forming_days = {symbol: last_bars[symbol] for symbol in forming if symbol in last_bars}
    if index_forming and len(timeline):
        forming_days[MARKET] = timeline.index[-1].date()
    if not forming_days:
        return tuple(events)
    return tuple(event._replace(final=False) if forming_days.get(event.symbol) == event.date else event
                 for event in events)


def _first_position(days: pd.DatetimeIndex, since: date | None) -> int:
    """The position of the first session dated `since` or later (0 without `since`)."""
    return 0 if since is None else int(days.searchsorted(pd.Timestamp(since)))


def _day_of(days: pd.DatetimeIndex) -> Callable[[int], date]:
    """The session at a position, as a date: made for the positions asked only (converting a
    whole history's dates costs more than dating its events)."""
    ordinals = (days.to_numpy(dtype="datetime64[D]").astype(np.int64) + EPOCH_ORDINAL).tolist()
    return lambda position: date.fromordinal(ordinals[position])


EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _symbol_events(symbol: str, states: _SymbolStates, benchmark: _SymbolStates | None, config: Config,
                   start: int) -> Iterator[Event]:
    """The events of one symbol on the sessions from position `start` on."""
    settings = config.analysis
    bars, trend = states.bars, states.trend
    close = bars["Close"]
    days = dates_of(close)
    day_of = _day_of(days)
    closes = close.to_numpy(dtype=float)
    close_at = closes.tolist()
    make = tuple.__new__

    def event(kind: EventKind, position: int, value: float | None = None, subject: str = "",
              state: str | None = None, previous: str | None = None, formed_by: Formation | None = None,
              since: date | None = None) -> Event:
        # Event's fields in order, as the tuple itself: its named constructor is a Python call
        # more, and some 90,000 are made.
        return make(Event, (symbol, kind, day_of(position), close_at[position], value, subject, state, previous,
                            formed_by, since, True))

    trend_codes, confirmed = trend["trend"].to_numpy(), trend["confirmed"].to_numpy()
    confirmed_up = ((trend_codes == 1) & (confirmed == 1)).astype(float)
    confirmed_up[np.isnan(trend_codes) | np.isnan(confirmed)] = np.nan
    for position, now in _changes(confirmed_up, start):
        state = TREND_NAMES[int(trend_codes[position])]
        entered = f"confirmed {state}" if now else f"unconfirmed {state}" if state is Trend.UPTREND else state.value
        yield event(EventKind.UPTREND_CONFIRMED if now else EventKind.UPTREND_LOST, position, state=entered)
    yield from _level_events(states.tracker, event, day_of, config, start)
    yield from _extreme_events(closes, day_of, event, start)
    fast_ema, slow_ema, signal_line = states.emas
    histogram = (fast_ema - slow_ema) - signal_line
    side = np.where(np.isnan(histogram), np.nan, histogram > 0)
    for position, buy in _changes(side, start):
        yield event(EventKind.MACD_BUY if buy else EventKind.MACD_SELL, position, value=float(histogram[position]))
    step = np.diff(histogram, prepend=np.nan)
    momentum = _held(np.where(step > MOMENTUM_HYSTERESIS * closes, 1.0,
                              np.where(step < -MOMENTUM_HYSTERESIS * closes, 0.0, np.nan)), known=~np.isnan(step))
    for position, up in _changes(momentum, start):
        yield event(EventKind.MOMENTUM_UP if up else EventKind.MOMENTUM_DOWN, position, value=float(histogram[position]))
    yield from _average_events(closes, states.averages, event, settings.slope_lookback, start)
    if benchmark is not None and states.relative is not None:
        yield from _relative_events(close, benchmark.bars["Close"], states.relative, config, event, start)


def _changes(states: np.ndarray, start: int) -> Iterator[tuple[int, float]]:
    """(position, new state) wherever a known state differs from the known state the session
    before, from position `start` on."""
    previous, current = states[:-1], states[1:]
    changed = (previous != current) & ~np.isnan(previous) & ~np.isnan(current)
    for position in np.flatnonzero(changed[max(start - 1, 0):]) + max(start, 1):
        yield int(position), float(states[position])


def _held(signals: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Each signal carried forward until the next one (hysteresis), NaN before the first and where
    the input is unknown."""
    last_signal = np.maximum.accumulate(np.where(np.isnan(signals), 0, np.arange(len(signals))))
    held = signals[last_signal]
    held[~known] = np.nan
    return held


def _extreme_events(closes: np.ndarray, day_of: Callable[[int], date], event: MakeEvent,
                    start: int) -> Iterator[Event]:
    """Record closes and 52-week lows, each the first after QUIET_SESSIONS sessions without one."""
    best_before = np.r_[np.inf, np.maximum.accumulate(closes)[:-1]]
    records = np.flatnonzero(closes > best_before)
    for position, previous in _after_quiet(records, start):
        yield event(EventKind.RECORD_CLOSE, position, value=float(best_before[position]),
                    since=day_of(previous))
    lowest_before = pd.Series(closes).rolling(YEAR - 1).min().shift().to_numpy()
    for position, _ in _after_quiet(np.flatnonzero(closes < lowest_before), start):
        yield event(EventKind.YEAR_LOW, position, value=float(lowest_before[position]))


def _after_quiet(positions: np.ndarray, start: int) -> Iterator[tuple[int, int]]:
    """(position, the previous one) for those at least QUIET_SESSIONS sessions after the previous
    (the first bar counting as the previous of the first), from position `start` on."""
    previous = np.r_[0, positions[:-1]]
    quiet = (positions - previous > QUIET_SESSIONS) & (positions >= start)
    yield from zip(positions[quiet].tolist(), previous[quiet].tolist())


def _average_events(closes: np.ndarray, series: Mapping[int, pd.Series], event: MakeEvent, lookback: int,
                    start: int) -> Iterator[Event]:
    averages = {period: average.to_numpy() for period, average in series.items()}
    periods = tuple(averages)
    for period, average in averages.items():
        above = np.where(np.isnan(average), np.nan, closes > average)
        for position, now in _changes(above, start):
            yield event(EventKind.ABOVE_AVERAGE if now else EventKind.BELOW_AVERAGE, position,
                        value=float(average[position]), subject=str(period))
        earlier = np.full(len(average), np.nan)    # the average `lookback` sessions before (a new symbol has fewer)
        earlier[lookback:] = average[:-lookback]
        slope = average / earlier - 1
        turned = _held(np.where(slope > AVERAGE_HYSTERESIS, 1.0, np.where(slope < -AVERAGE_HYSTERESIS, 0.0, np.nan)),
                       known=~np.isnan(slope))
        for position, up in _changes(turned, start):
            yield event(EventKind.AVERAGE_UP if up else EventKind.AVERAGE_DOWN, position,
                        value=float(average[position]), subject=str(period))
    short, long = averages[min(periods)], averages[max(periods)]
    if min(periods) != max(periods):
        golden = np.where(np.isnan(long), np.nan, short > long)
        for position, now in _changes(golden, start):
            yield event(EventKind.GOLDEN_CROSS if now else EventKind.DEATH_CROSS, position,
                        value=float(long[position]), subject=f"{min(periods)}/{max(periods)}")


def _level_events(tracker: LevelTracker, event: MakeEvent, day_of: Callable[[int], date], config: Config,
                  start: int) -> Iterator[Event]:
    """Breakouts and breakdowns dated as `find_levels` dates them, then what became of each: the
    first retest that holds, or a close back through the level (which is then that failure, not a
    break the other way)."""
    crossings = _followed_crossings(tracker, start)
    backs, retests = _break_outcomes(tracker, crossings, config)
    sessions = len(tracker.bars)
    # A level is the same level while it keeps one of its swing points (it moves when one joins).
    failures: dict[int, list[tuple[set[int], int]]] = {}   # session → (points, direction) of breaks failing then
    live: list[tuple[set[int], int, int]] = []             # (points, direction, until) of breaks still followed
    outcomes: set[tuple[EventKind, int, int]] = set()
    formations: dict[tuple[int, ...], Formation] = {}
    for (position, direction, level, group), back, retest in zip(crossings, backs, retests):
        # A close back through a level just broken is that break failing, and a level that moved
        # a little (a new swing point joined it) while its break is followed is not broken again.
        points = set(group)
        live = [followed for followed in live if position < followed[2]]
        failing = failures.get(position)
        if failing and any(way == -direction and not points.isdisjoint(failed) for failed, way in failing):
            continue
        if any(way == direction and not points.isdisjoint(followed) for followed, way, _ in live):
            continue
        # A break before `start` is followed all the same (it may fail or hold from `start` on,
        # and it decides which later breaks are new), but only made an event when it is shown.
        formed_by = None
        if position + BREAKOUT_SESSIONS >= start:     # a level broken again and again is formed by the same points
            formed_by = formations.get(key := tuple(group)) or formations.setdefault(key, tracker.formation(group))
        if position >= start:
            yield event(EventKind.BREAKOUT if direction == 1 else EventKind.BREAKDOWN, position, value=level,
                        formed_by=formed_by)
        until, outcome = min(position + 1 + BREAKOUT_SESSIONS, sessions), None
        if retest >= 0:
            outcome = (EventKind.RETEST_HELD, position + 1 + retest, direction)
        elif back >= 0:
            until = position + 1 + back
            failures.setdefault(until, []).append((points, direction))
            outcome = (EventKind.RETEST_FAILED, until, direction)
        live.append((points, direction, until))
        if outcome and outcome not in outcomes:     # one per session and way: the oldest break's
            outcomes.add(outcome)
            if outcome[1] >= start:
                yield event(outcome[0], outcome[1], value=level, formed_by=formed_by, since=day_of(position),
                            subject="above" if direction == 1 else "below")


def _break_outcomes(tracker: LevelTracker, crossings: Sequence[tuple[int, int, float, list[int]]],
                    config: Config) -> tuple[list[int], list[int]]:
    """Per crossing, in the BREAKOUT_SESSIONS sessions after it: the first whose close is back
    through the level, and the first retest while closes held (`levels.retest_touches`), each
    counted from the session after the crossing, −1 when none. All crossings at once, as rows."""
    if not crossings:
        return [], []
    positions, directions, levels = (np.array([crossing[field] for crossing in crossings]) for field in range(3))
    directions, levels = directions[:, None], levels[:, None]
    following = positions[:, None] + np.arange(1, BREAKOUT_SESSIONS + 1)
    bars = tracker.bars
    closes = _beyond_padded(bars["Close"])[following]   # NaN after the last session
    reach = np.where(directions == 1, _beyond_padded(bars["Low"])[following], _beyond_padded(bars["High"])[following])
    back = closes * directions <= levels * directions
    backs = np.where(back.any(axis=1), back.argmax(axis=1), -1)
    held = np.arange(BREAKOUT_SESSIONS) < np.where(backs < 0, BREAKOUT_SESSIONS, backs)[:, None]
    touches = retest_touches(np.where(held, closes, np.nan), np.where(held, reach, np.nan), levels,
                             config.analysis.level_tolerance, config.analysis.retest_away, directions)
    return backs.tolist(), np.where(touches.any(axis=1), touches.argmax(axis=1), -1).tolist()


def _beyond_padded(values: pd.Series) -> np.ndarray:
    """The values, then BREAKOUT_SESSIONS NaNs: a break's following sessions beyond the last."""
    return np.concatenate([values.to_numpy(dtype=float), np.full(BREAKOUT_SESSIONS, np.nan)])


def _followed_crossings(tracker: LevelTracker, start: int) -> list[tuple[int, int, float, list[int]]]:
    """The crossings `_level_events` must follow to date every break and outcome from `start` on
    exactly as following the whole history does: those from the first one after the last stretch
    of more than BREAKOUT_SESSIONS sessions without a crossing before `start`. A break is followed
    for BREAKOUT_SESSIONS sessions at most, so after such a stretch nothing earlier is followed
    any more (no break still live, no failure or outcome still to come): the state is empty, as
    at the first session. Sought back from `start`, in spans that grow fourfold, never before
    `tracker.fresh`, a session known to start afresh (the first, or one a pass over a shorter
    history left); the last such session this pass sees is left there for the next."""
    floor = tracker.fresh if tracker.fresh <= start else 1
    warm_up = 4 * BREAKOUT_SESSIONS
    while True:
        first = max(start - warm_up, floor)
        crossings = list(tracker.crossings(first))
        positions = [position for position, *_ in crossings]
        following = first if first == floor else _afresh(positions, first - 1, start)
        if following is not None:
            followed = [crossing for crossing in crossings if crossing[0] >= following]
            tracker.fresh = _afresh(positions, first - 1, len(tracker.bars)) or following
            return followed
        warm_up *= 4


def _afresh(positions: list[int], before: int, start: int) -> int | None:
    """The last of the crossings at `positions` before `start`, or `start`, that comes more than
    BREAKOUT_SESSIONS sessions after the one before it (`before` for the first); None if none."""
    bounds = [before] + [position for position in positions if position < start] + [start]
    for previous, following in zip(reversed(bounds[:-1]), reversed(bounds)):
        if following - previous > BREAKOUT_SESSIONS + 1:
            return following
    return None


def _relative_events(close: pd.Series, benchmark_close: pd.Series, relative: _Relative, config: Config,
                     event: MakeEvent, start: int) -> Iterator[Event]:
    """Relative strength turning on each horizon, and the weekly rotation quadrant changing."""
    ratio = relative.ratio
    if ratio.empty:
        return
    position_of = close.index.get_indexer(ratio.index)
    values = ratio.to_numpy(dtype=float)
    for at, code in _changes(relative.codes, int(np.searchsorted(position_of, start))):
        if code:
            yield event(EventKind.RS_UP if code == 1 else EventKind.RS_DOWN, position_of[at], value=float(values[at]),
                        subject="short")
    for horizon, swings in relative.swings.items():
        for known, direction, turn in swings[1:]:     # the first swing reverses nothing
            if position_of[known] >= start:
                yield event(EventKind.RS_UP if direction == 1 else EventKind.RS_DOWN, position_of[known],
                            value=float(values[known]), subject=horizon, since=ratio.index[turn].date())
    # The rotation graph's weekly points (the table and the graph read the same), on Fridays that
    # were sessions: a week's point is final only once its Friday has closed. A point reads the
    # 2 × window weeks up to it, so from `start` on a few more weeks than that give every point
    # and the one before the first (`rrg.rrg_points` reads the same way).
    days = dates_of(close)
    if not (days[start:].day_of_week == FRIDAY).any():
        return           # no week's point is on the sessions from `start` on
    if start:
        begin = days[min(start, len(days) - 1)] - pd.Timedelta(weeks=2 * config.rrg.window + 8)
        close, benchmark_close = close.loc[begin:], benchmark_close.loc[begin:]
    lines = rrg_lines(close, benchmark_close, config.rrg.window)
    fridays = lines.loc[lines.index.isin(days)]
    ratios, momenta = fridays["rs_ratio"].to_numpy().tolist(), fridays["rs_momentum"].to_numpy().tolist()
    sides = (fridays["rs_ratio"].to_numpy() >= 100) * 2 + (fridays["rs_momentum"].to_numpy() >= 100)  # the quadrant
    positions = days.get_indexer(fridays.index)
    for at in (np.flatnonzero(sides[1:] != sides[:-1]) + 1).tolist():
        if positions[at] >= start:
            yield event(EventKind.QUADRANT_CHANGED, int(positions[at]), value=ratios[at],
                        state=_text(quadrant(ratios[at], momenta[at])),
                        previous=_text(quadrant(ratios[at - 1], momenta[at - 1])))


def _stance_events(timeline: pd.DataFrame, benchmark_close: pd.Series, start: int) -> Iterator[Event]:
    stances = [str(stance) for stance in timeline["stance"].tolist()]   # plain text, as the store reads it back
    closes = benchmark_close.reindex(timeline.index, method="ffill").tolist()
    for position in range(max(start, 1), len(stances)):
        if stances[position] != stances[position - 1] and closes[position] == closes[position]:
            yield Event(MARKET, EventKind.STANCE_CHANGED, timeline.index[position].date(), float(closes[position]),
                        state=stances[position], previous=stances[position - 1])


def _text(word: enum.StrEnum | None) -> str | None:
    """A word of the vocabulary as the plain text an event holds, as the store reads it back (a
    StrEnum's str is its value, a plain str: cheaper than `.value`, an enum property)."""
    return None if word is None else str(word)
