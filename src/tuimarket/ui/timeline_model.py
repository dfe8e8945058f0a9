"""The detail screen's event timeline and the marks on its price chart, as view models.

Frozen dataclasses and pure functions, no Textual. `event_timeline` runs the analysis, imported
on first use: it is called off the event loop, and the screen's start-up path never loads pandas.
The timeline covers the sessions the price chart holds (its longest range), so every event in it
can be marked on the chart.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Mapping, Sequence

from tuimarket.alerts import SHARE_KINDS
from tuimarket.analysis.vocabulary import Stance
from tuimarket.formatting import percent, price
from tuimarket.ui.viewmodels import RANGE_SESSIONS, PriceChartModel

if TYPE_CHECKING:
    from tuimarket.analysis.events import Event
    from tuimarket.config import Config
    from tuimarket.data.model import MarketData

# The filters a key cycles through, and the kinds (EventKind values) in each.
KIND_GROUPS = {
    "MACD": ("macd_buy", "macd_sell", "momentum_up", "momentum_down"),
    "averages": ("above_average", "below_average", "average_up", "average_down", "golden_cross", "death_cross"),
    "levels": ("breakout", "breakdown", "retest_held", "retest_failed"),
    "records": ("record_close", "year_low"),
    "trend": ("uptrend_confirmed", "uptrend_lost"),
    "RS/rotation": ("rs_up", "rs_down", "quadrant_changed"),
    "stance/breadth": ("stance_changed", "breadth_divergence", "breadth_thrust"),
}
ALL = "all"
FILTERS = (ALL, *KIND_GROUPS)

# What a mark on the price chart looks like: filled for MACD crosses (at the close), hollow for
# breaks (at the level), pointing the way of the signal, so they read without colour too.
MARK_GLYPHS = {"breakout": "△", "breakdown": "▽", "macd_buy": "▲", "macd_sell": "▼"}   # most important first
UP_KINDS = frozenset({"breakout", "macd_buy"})
MARK_GAP = 2      # columns from one mark to the next at least: a blank column between two keeps each legible


@dataclass(frozen=True)
class TimelineRow:
    key: str                      # the event's key: the table's row key
    date: date
    sessions_ago: int             # sessions closed since (0: the last one)
    kind: str                     # the EventKind's value: "macd_buy"
    words: str                    # "MACD buy", "above 50-day", "stance → fully invested"
    close: float                  # the symbol's close that session
    value: str                    # the level or value involved: "2,286.53", "hist +3.21", ""
    change_since: float | None    # the close now against the close then, as a fraction
    provisional: bool             # dated on a session still forming
    mark_price: float             # where the chart marks it: the level broken, else the close

    @property
    def since_text(self) -> str:
        return percent(self.change_since)

    @property
    def title(self) -> str:
        """"2025-04-08 MACD buy": the selected event's label on the chart."""
        return f"{self.date.isoformat()} {self.words}"


@dataclass(frozen=True)
class EventTimeline:
    symbol: str
    since: date | None                  # the first session the chart holds: the events are from it on
    rows: tuple[TimelineRow, ...]       # newest first; the most important first within a session

    def filtered(self, name: str) -> tuple[TimelineRow, ...]:
        """The rows of filter `name` (one of FILTERS)."""
        if name == ALL:
            return self.rows
        kinds = KIND_GROUPS[name]
        return tuple(row for row in self.rows if row.kind in kinds)


@dataclass(frozen=True)
class ChartMark:
    date: date
    price: float
    glyph: str
    up: bool                  # a buy or a breakout (coloured as a rise)


@dataclass(frozen=True)
class ChartCursor:
    """The selected event's date, a vertical line with a label on the chart."""

    date: date
    label: str


@dataclass(frozen=True)
class MarkedChart:
    """The detail screen's price chart: the panel's chart, its event marks and the selected date."""

    chart: PriceChartModel
    marks: tuple[ChartMark, ...] = ()
    cursor: ChartCursor | None = None

    @property
    def timeframe(self) -> str:
        return self.chart.timeframe


def chart_marks(timeline: EventTimeline) -> tuple[ChartMark, ...]:
    """The MACD crosses and breaks of the timeline, the most important kind first, then the newest."""
    order = list(MARK_GLYPHS)
    rows = sorted((row for row in timeline.rows if row.kind in MARK_GLYPHS), key=lambda row: order.index(row.kind))
    return tuple(ChartMark(row.date, row.mark_price, MARK_GLYPHS[row.kind], row.kind in UP_KINDS) for row in rows)


def bar_index(day: date, dates: Sequence[date]) -> int | None:
    """The position in `dates` (ascending) of the bar holding `day`: the bar of that date on a daily
    chart, the week it ends on a weekly one (each week dated by its last session); None outside."""
    x = bisect_left(dates, day)
    if x == len(dates) or (x == 0 and dates[0] != day):
        return None
    return x


def place_marks(marks: Sequence[ChartMark], dates: Sequence[date], columns: int) -> list[tuple[int, ChartMark]]:
    """(bar position, mark) of the marks dated within `dates` (the bars shown) on a plot `columns`
    wide, never two within MARK_GAP columns of each other: where they would be, the first given
    (the most important) stays."""
    if not dates or columns < 1:
        return []
    last = max(1, len(dates) - 1)
    placed: dict[int, tuple[int, ChartMark]] = {}     # by column
    for mark in marks:
        x = bar_index(mark.date, dates)
        if x is None:
            continue
        column = round(x / last * (columns - 1))
        if all(abs(column - taken) >= MARK_GAP for taken in placed):
            placed[column] = (x, mark)
    return sorted(placed.values(), key=lambda position_mark: position_mark[0])


def range_showing(day: date, dates: Sequence[date], current: str,
                  bars: Mapping[str, int] = RANGE_SESSIONS) -> str:
    """The chart range to show `day` in: `current` if it does, else the shortest longer one that
    does (the longest when none does). `bars`: each range's bars on the chart's timeframe."""
    names = list(bars)
    for name in names[names.index(current):]:
        shown = dates[-bars[name]:]
        if shown and day >= shown[0]:     # a daily event falls inside a weekly bar, not on its date
            return name
    return names[-1]


VALUE_PREFIXES = {"macd_buy": "hist ", "macd_sell": "hist ", "momentum_up": "hist ", "momentum_down": "hist ",
                  "rs_up": "RS ", "rs_down": "RS ", "quadrant_changed": "RRG "}
# What a kind's words leave out, the value column carries: the level a break crossed, say.
KIND_WORDS_ONLY = frozenset({"breakout", "breakdown", "retest_held", "retest_failed"})


def value_text(event: Event) -> str:
    """The level or value an event involved, in words a row can hold: "hist +5.47", "6,454.18", "51% of members"."""
    if event.value is None:
        return ""
    kind = event.kind.value
    if kind in KIND_GROUPS["MACD"]:       # the histogram: its sign says which side of the signal line
        return f"{VALUE_PREFIXES[kind]}{event.value:+.2f}"
    if kind in VALUE_PREFIXES:
        return f"{VALUE_PREFIXES[kind]}{event.value:.4g}"
    if kind in SHARE_KINDS:               # a share of the index members
        return f"{event.value:.0%} of members"
    return price(event.value)


def _words(event: Event) -> str:
    from tuimarket.analysis.changes import label

    kind = event.kind.value
    if kind in KIND_WORDS_ONLY:
        return event.kind.words
    if kind == "stance_changed" and event.state:
        return f"stance → {Stance(event.state).short}"     # "partially invested" overflows 80 columns
    if kind == "quadrant_changed" and event.state:
        return f"rotation → {event.state}"
    return label(event)


def event_timeline(config: Config, data: MarketData, symbol: str) -> EventTimeline:
    """`symbol`'s events and the market's (stance changes, breadth divergences and thrusts) over the
    sessions its chart holds, up to the data's date (a replay's: nothing after it), newest first."""
    from tuimarket.analysis.divergence import member_events
    from tuimarket.analysis.events import MARKET, market_events
    from tuimarket.analysis.snapshot import CHART_SESSIONS
    from tuimarket.analysis.timeline import market_timeline
    from tuimarket.data.model import clip, dates_of

    bars = {name: clip(frame, data.as_of).dropna(subset=["Close"]) for name, frame in data.bars.items()}
    if symbol not in bars or bars[symbol].empty:
        return EventTimeline(symbol, None, ())
    shown = bars[symbol]["Close"].iloc[-CHART_SESSIONS:]
    sessions, closes = dates_of(shown).date.tolist(), shown.tolist()
    since = sessions[0]
    forming = {name for name, freshness in data.freshness.items() if freshness.partial}
    # The stance is the whole market's (the sectors' breadth counts): its timeline is made of every
    # symbol's bars, while the events need only the symbol's and the benchmark's (relative strength).
    own = {name: bars[name] for name in {symbol, config.benchmark} if name in bars}
    events = market_events(config, own, forming=forming, since=since,
                           timeline=market_timeline(config, bars, detail=False))
    benchmark = bars.get(config.benchmark)
    if data.members is not None and benchmark is not None and not benchmark.empty:
        last = benchmark.index[-1]
        forming_day = last.date() if config.benchmark in forming else None
        events = (*events, *member_events(data.members.until(last), benchmark["Close"], since=since,
                                          forming_day=forming_day))
    last_close = closes[-1]
    rows = []
    for event in events:                # by date, then the most important first
        if event.symbol not in (symbol, MARKET):
            continue
        at = bisect_right(sessions, event.date)     # the sessions shown up to the event's
        then = closes[at - 1]
        at_level = event.kind.value in ("breakout", "breakdown") and event.value is not None
        rows.append(TimelineRow(
            key=event.key, date=event.date, sessions_ago=len(sessions) - at, kind=event.kind.value,
            words=_words(event), close=then, value=value_text(event),
            change_since=last_close / then - 1 if then else None, provisional=not event.final,
            mark_price=event.value if at_level and event.value is not None else then))
    rows.sort(key=lambda row: row.date, reverse=True)    # stable: within a session, the most important first
    return EventTimeline(symbol, since, tuple(rows))
