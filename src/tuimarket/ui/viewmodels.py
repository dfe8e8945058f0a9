"""Snapshot → what each widget shows: text already formatted, states already named.

Pure functions and frozen dataclasses; no Textual import, so they are tested like the analysis.
Widgets map a state name (`buy`, `uptrend`, `up`) to a CSS class; colours live in app.tcss.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Mapping, Sequence

from tuimarket.analysis.quadrants import quadrant
from tuimarket.analysis.vocabulary import Direction, Quadrant
from tuimarket.data.schedule import MarketHours   # what the market bar shows is what the schedule reads
from tuimarket.formatting import NA, known, percent, price
from tuimarket.ui.breadth_view import BreadthBoard, breadth_board
from tuimarket.ui.chart_line import ChartLine

if TYPE_CHECKING:   # only for annotations: declaring the results would cost start-up tens of ms (see analysis.results)
    from tuimarket.analysis.results import IndexAnalysis, MarketSnapshot, RelativeStrength, RotationRow

RANGE_SESSIONS = {"3M": 63, "6M": 126, "1Y": 252, "2Y": 504, "5Y": 1260}
# Each chart range in bars of each timeframe (analysis.timeframe's): a year is 252 sessions, or 52 weeks.
RANGE_BARS = {"daily": RANGE_SESSIONS, "weekly": {"3M": 13, "6M": 26, "1Y": 52, "2Y": 104, "5Y": 260}}
TIMEFRAMES = tuple(RANGE_BARS)
RETURN_PERIODS = ("1W", "1M", "3M", "6M", "YTD", "1Y")     # analysis.results's, without declaring its types
BREAKOUT_MARK = "▲"


@dataclass(frozen=True)
class PriceChartModel:
    """The longest range of bars; a chart shows the last `RANGE_BARS[timeframe][range]` of them."""

    dates: tuple[date, ...]
    close: ChartLine
    averages: tuple[ChartLine, ...]
    support: tuple[float, ...] = ()
    resistance: tuple[float, ...] = ()
    timeframe: str = "daily"              # what one bar is: a session ("daily"), or a week ("weekly")


@dataclass(frozen=True)
class MacdBadge:
    signal: str          # "BUY", "SELL" or "n/a"
    state: str           # css state: buy, sell, na
    since: str           # "since 2025-09-03"
    momentum: str        # "momentum turning up" ...


@dataclass(frozen=True)
class TrendStatus:
    headline: str        # "UPTREND · confirmed"
    state: str           # uptrend, downtrend, sideways, na
    confirmed: bool
    structure: str       # "higher highs, higher lows"
    averages: str        # "above 50↑ 100↑ 200↑"


@dataclass(frozen=True)
class PanelModel:
    symbol: str
    name: str
    close: str
    change: str
    direction: str       # up, down, flat
    macd: MacdBadge
    trend: TrendStatus
    notes: tuple[str, ...]
    chart: PriceChartModel
    macd_lines: tuple[ChartLine, ...]     # macd, signal, histogram (for the detail screen)
    relative_strength: ChartLine | None
    rs_summary: str
    rs_trend: str                         # rising, falling, flat or n/a
    breakout: str | None                  # the breakout note, when there is one
    commentary: str
    freshness: str = ""                   # "as of 2025-09-25 (3 sessions old)" when sessions are missing
    latest_event: str = ""                # "MACD buy 4 sessions ago, +1.2% since"


@dataclass(frozen=True)
class RotationLine:
    symbol: str
    cells: tuple[str, ...]               # in ROTATION_COLUMNS order
    states: tuple[str, ...]              # a css-ish state per cell: up, down, leading, ...
    sort_keys: tuple[float, ...]         # numeric key per cell, missing values last


# The verdict first (rank, quadrant, RS), then returns, the name last: on 80 columns what may be
# cut off, to be scrolled to, is a return or the name, never the rotation itself.
ROTATION_COLUMNS = ("Symbol", "Rank", "Quadrant", "RS-Ratio", "RS-Mom", *RETURN_PERIODS, "Name")


@dataclass(frozen=True)
class RrgTrail:
    """One symbol's weekly RRG positions, oldest first (the last rrg.HISTORY_WEEKS of them)."""

    symbol: str
    name: str
    weeks: tuple[date, ...]              # each week's Friday
    ratio: tuple[float, ...]
    momentum: tuple[float, ...]


@dataclass(frozen=True)
class Dashboard:
    as_of: str
    panels: tuple[PanelModel, ...]
    rotation: tuple[RotationLine, ...]
    stance: str
    stance_state: str
    uptrends: str                        # "3/3 uptrends"
    breadth: str                         # "breadth 64%"
    market_commentary: str
    data_status: str                     # "live", "offline bundled as of 2025-09-25", ...
    offline: bool                        # every series shown is the bundled history
    notes: tuple[str, ...]
    freshness: str = ""                  # "as of 2025-09-25 (3 sessions old)" when sessions are missing
    age: str = ""                        # "3 sessions old", the market bar's (the date is on the panels)
    rrg: tuple[RrgTrail, ...] = ()       # the rotation universe on the Relative Rotation Graph
    members_breadth: BreadthBoard | None = None   # the index members' breadth (None: off, or no members)
    weekly: tuple[PanelModel, ...] = ()  # the panels on weekly bars

    def panels_of(self, timeframe: str) -> tuple[PanelModel, ...]:
        """The panels on `timeframe`'s bars (the daily ones while the weekly are not computed yet)."""
        return self.weekly if timeframe == "weekly" and self.weekly else self.panels

    def panel(self, symbol: str, timeframe: str) -> PanelModel | None:
        """`symbol`'s panel on `timeframe`'s bars, if it has one."""
        return next((panel for panel in self.panels_of(timeframe) if panel.symbol == symbol), None)


def range_label(timeframe: str, bars: int) -> str:
    """A chart's range, and its timeframe unless daily, the default: "1Y", "Weekly · 1Y"."""
    name = next((name for name, count in RANGE_BARS.get(timeframe, {}).items() if count == bars), f"{bars} bars")
    return name if timeframe == "daily" else f"{timeframe.capitalize()} · {name}"


def _day(value: date | None) -> str:
    return value.isoformat() if value else NA


def _direction(value: float | None) -> str:
    """A change's state: "up", "down", or "flat" when there was none (or it is unknown)."""
    value = known(value)
    if value is None or value == 0:
        return Direction.FLAT.short
    return (Direction.RISING if value > 0 else Direction.FALLING).short


def macd_badge(index: IndexAnalysis) -> MacdBadge:
    macd = index.macd
    if macd is None or macd.state is None:
        return MacdBadge("n/a", "na", "", "")
    since = f"since {macd.crossed_on.isoformat()}" if macd.crossed_on else "no cross in view"
    turning = f"momentum {macd.momentum}" if macd.momentum else ""
    return MacdBadge(macd.state.label, macd.state, since, turning)


def _arrow(rising: bool | None) -> str:
    return "?" if rising is None else "↑" if rising else "↓"


def trend_status(index: IndexAnalysis) -> TrendStatus:
    trend = index.trend
    known_smas = [s for s in index.smas if s.value is not None]
    above = [f"{s.period}{_arrow(s.rising)}" for s in known_smas if s.above]
    below = [f"{s.period}{_arrow(s.rising)}" for s in known_smas if not s.above]
    parts = []
    if above:
        parts.append("above " + " ".join(above))
    if below:
        parts.append("below " + " ".join(below))
    averages = "; ".join(parts) or "averages n/a"
    if trend is None or trend.state is None:
        return TrendStatus("TREND n/a", "na", False, "not enough swings", averages)
    headline = trend.state.label + (" · confirmed" if trend.confirmed else " · unconfirmed")
    highs = "higher highs" if trend.higher_highs else "lower highs" if trend.lower_highs else "mixed highs"
    lows = "higher lows" if trend.higher_lows else "lower lows" if trend.lower_lows else "mixed lows"
    return TrendStatus(headline, trend.state, bool(trend.confirmed), f"{highs}, {lows}", averages)


def panel_notes(index: IndexAnalysis) -> tuple[str, ...]:
    notes = []
    ath = index.all_time_high
    if ath is not None and ath.close is not None:
        if ath.pct_below is not None and ath.pct_below <= 0.0005:
            notes.append(f"★ At an all-time high ({price(ath.close)})")
        else:
            notes.append(f"{percent(-(ath.pct_below or 0))} from ATH {price(ath.close)} ({_day(ath.date)})")
    levels = index.levels
    if levels is not None and levels.breakout is not None:
        notes.append(f"{BREAKOUT_MARK} Breakout above {price(levels.breakout.level)} on {_day(levels.breakout.date)}")
    if levels is not None and levels.retest is not None:
        notes.append(f"◆ Retest of {price(levels.retest.level)} held ({_day(levels.retest.date)})")
    return tuple(notes)


def _line(label: str, values: Sequence[float | None]) -> ChartLine:
    return ChartLine(label, tuple(map(known, values)))     # a NaN is a gap in the line, as None is


def _rs_summary(rs: RelativeStrength) -> str:
    if rs.trend is None:
        return f"RS vs {rs.benchmark}: {NA}"
    return f"RS vs {rs.benchmark}: {rs.trend}" + (f" since {rs.since.isoformat()}" if rs.since else "")


def freshness(as_of: date | None, sessions_old: int) -> str:
    """Empty while the data holds the last closed session; else how far behind it is."""
    if as_of is None or sessions_old <= 0:
        return ""
    return f"as of {as_of.isoformat()} ({age(sessions_old)})"


def age(sessions_old: int) -> str:
    """"3 sessions old"; empty while no session is missing."""
    return f"{sessions_old} session{'s' if sessions_old != 1 else ''} old" if sessions_old > 0 else ""


def panel_model(index: IndexAnalysis, stale: str = "") -> PanelModel:
    series = index.series
    averages = tuple(_line(f"SMA {period}", values) for period, values in sorted(series.sma.items()))
    levels = index.levels
    chart = PriceChartModel(
        dates=tuple(series.dates),
        close=_line("Close", series.close),
        averages=averages,
        support=tuple(levels.support) if levels else (),
        resistance=tuple(levels.resistance) if levels else (),
        timeframe=index.timeframe,
    )
    rs = index.relative_strength
    rs_summary = _rs_summary(rs) if rs is not None else "the benchmark for relative strength"
    rs_line = _line(f"{index.symbol} / {rs.benchmark}", series.rs_ratio) if rs is not None else None
    change = NA if known(index.change) is None else f"{index.change:+,.2f} ({percent(index.change_pct, True)})"
    notes = panel_notes(index)
    return PanelModel(
        symbol=index.symbol,
        name=index.name,
        close=price(index.close),
        change=change,
        direction=_direction(index.change),
        macd=macd_badge(index),
        trend=trend_status(index),
        notes=notes,
        chart=chart,
        macd_lines=(_line("MACD", series.macd), _line("Signal", series.signal), _line("Histogram", series.histogram)),
        relative_strength=rs_line,
        rs_summary=rs_summary,
        rs_trend=rs.trend if rs is not None and rs.trend else NA,
        breakout=next((note for note in notes if note.startswith(BREAKOUT_MARK)), None),
        commentary=index.commentary,
        freshness=stale,
    )


def _missing_last(value: float | None, descending: bool = True) -> float:
    value = known(value)
    if value is None:
        return float("-inf") if descending else float("inf")
    return value


def rotation_line(row: RotationRow) -> RotationLine:
    returns = [row.returns.get(period) for period in RETURN_PERIODS]
    cells = (
        row.symbol,
        NA if row.rank is None else str(row.rank),
        row.quadrant or NA,
        NA if known(row.rs_ratio) is None else f"{row.rs_ratio:.1f}",
        NA if known(row.rs_momentum) is None else f"{row.rs_momentum:.1f}",
        *(percent(r) for r in returns),
        row.name,
    )
    states = ("symbol", "rank", row.quadrant or "na",
              _direction(None if row.rs_ratio is None else row.rs_ratio - 100),     # NaN stays unknown
              _direction(None if row.rs_momentum is None else row.rs_momentum - 100),
              *(_direction(r) for r in returns), "name")
    # Sort keys put missing values last whichever way a column sorts first (see SORTABLE).
    sort_keys = (0.0, _missing_last(row.rank, descending=False), 0.0, _missing_last(row.rs_ratio),
                 _missing_last(row.rs_momentum), *(_missing_last(r) for r in returns), 0.0)
    return RotationLine(row.symbol, cells, states, sort_keys)


def dashboard(snapshot: MarketSnapshot, data_status: str, offline: bool = False, sessions_old: int = 0,
              latest_events: Mapping[str, LatestEvent] | None = None) -> Dashboard:
    """`sessions_old`: sessions closed since the snapshot's date (from the market calendar);
    `latest_events`: each index's latest event, by symbol."""
    regime = snapshot.regime
    stale = freshness(snapshot.as_of, sessions_old)
    latest = latest_events or {}
    return Dashboard(
        as_of=_day(snapshot.as_of),
        panels=tuple(replace(panel_model(index, stale), latest_event=latest_event_text(latest.get(index.symbol)))
                     for index in snapshot.indices),
        rotation=tuple(rotation_line(row) for row in snapshot.rotation),
        stance=regime.stance.label,
        stance_state=regime.stance or "na",
        uptrends=f"{regime.uptrends}/{regime.of} uptrends",
        breadth=f"breadth {percent(regime.sector_breadth, signed=False)}",
        market_commentary=regime.commentary,
        data_status=data_status,
        offline=offline,
        notes=tuple(snapshot.notes),
        freshness=stale,
        age=age(sessions_old) if stale else "",
        rrg=tuple(rrg_trail(row) for row in snapshot.rotation if row.weeks),
        members_breadth=breadth_board(snapshot.market_breadth),
        weekly=tuple(replace(panel_model(index, stale), latest_event=daily_event(latest.get(index.symbol)))
                     for index in snapshot.weekly),
    )


def rrg_trail(row: RotationRow) -> RrgTrail:
    weeks = row.weeks
    return RrgTrail(row.symbol, row.name, tuple(point.week for point in weeks),
                    tuple(point.rs_ratio for point in weeks), tuple(point.rs_momentum for point in weeks))


@dataclass(frozen=True)
class RrgMark:
    """A symbol on the graph: its tail up to the week shown, its quadrant there and its values."""

    symbol: str
    name: str
    ratio: tuple[float, ...]             # the tail, oldest first; the last is the week shown
    momentum: tuple[float, ...]
    quadrant: Quadrant
    values: str                          # "RS-Ratio 101.8  RS-Mom 99.6  Weakening"


@dataclass(frozen=True)
class RrgView:
    week: date | None                    # the week the tails end at (None: TOO_FEW_WEEKS)
    weeks: tuple[date, ...]              # every week that can be shown, oldest first
    marks: tuple[RrgMark, ...]
    span: float                          # both axes run 100 ± span: centred, scaled to the data
    tail: int


TOO_FEW_WEEKS = "too few weeks of history yet"     # in place of "week to D" when no week can be drawn


def rrg_view(trails: Sequence[RrgTrail], week: date | None, tail: int) -> RrgView:
    """The graph with tails of `tail` weeks ending at `week` (the latest week when None, or when not shown)."""
    weeks = tuple(sorted({day for trail in trails for day in trail.weeks}))
    if not weeks:
        return RrgView(None, (), (), 1.0, tail)
    if week not in weeks:
        week = weeks[-1]
    marks = []
    for trail in trails:
        end = sum(day <= week for day in trail.weeks)      # weeks are sorted: the points up to `week`
        if end == 0 or trail.weeks[end - 1] != week:
            continue                                       # no position that week
        start = max(0, end - tail)
        ratio, momentum = trail.ratio[start:end], trail.momentum[start:end]
        where = quadrant(ratio[-1], momentum[-1])
        if where is None:
            continue
        values = f"RS-Ratio {ratio[-1]:.1f}  RS-Mom {momentum[-1]:.1f}  {where.label}"
        marks.append(RrgMark(trail.symbol, trail.name, ratio, momentum, where, values))
    span = max([abs(value - 100) for mark in marks for value in (*mark.ratio, *mark.momentum)], default=0.0)
    return RrgView(week, weeks, tuple(marks), max(1.0, round(span * 1.1, 1)), tail)


@dataclass(frozen=True)
class MarketBarModel:
    clock: str                           # "NY Fri 08:15 CLOSED, opens 09:30"
    stance: str                          # "FULLY INVESTED"
    stance_state: str                    # fully_invested, partially_invested, defensive, na
    summary: tuple[str, ...]             # "3/3 uptrends", "breadth 64%", the members' breadth: most needed first
    data_status: str
    refresh: str                         # "updated 08:15, next 08:16"
    problem: str | None = None           # STALE or OFFLINE when the last live fetch failed
    age: str = ""                        # the stance's "297 sessions old", shown muted (the date is on the panels)
    unread: int = 0                      # alerts in the log not yet marked read
    stuck: bool = False                  # `refresh` says the refresh is stuck: a problem, not a time


def market_bar_text(now_ny: datetime, hours: MarketHours | None, replay: date | None) -> str:
    clock = f"NY {now_ny:%a %H:%M}"
    if replay is not None:
        return f"{clock} · REPLAY {replay.isoformat()}"
    if hours is None:
        return clock
    state = "OPEN" if hours.is_open else "CLOSED"
    if hours.next_change is None:
        return f"{clock} {state}"
    change = hours.next_change.astimezone(now_ny.tzinfo)
    when = change.strftime("%H:%M" if change.date() == now_ny.date() else "%a %H:%M")
    return f"{clock} {state}, {'closes' if hours.is_open else 'opens'} {when}"


def refresh_text(last: datetime | None, following: datetime | None) -> str:
    if last is None:
        return "not refreshed yet"
    text = f"updated {last:%H:%M}"
    return text + (f", next {following:%H:%M}" if following is not None else "")


@dataclass(frozen=True)
class LatestEvent:
    """An index's latest event, as the pipeline found it in the bars."""

    words: str                  # "MACD buy", "breakout"
    date: date
    sessions_ago: int           # sessions closed since (0: the last one)
    close_then: float
    change_since: float | None  # the close now against the close then, as a fraction


def daily_event(event: LatestEvent | None) -> str:
    """The latest event on a weekly panel: events are read on daily closes, and say so."""
    text = latest_event_text(event)
    return f"Daily: {text}" if text else ""


def latest_event_text(event: LatestEvent | None) -> str:
    """"MACD buy 4 sessions ago, +1.2% since"; "breakout on the last session"."""
    if event is None:
        return ""
    if event.sessions_ago == 0:
        return f"{event.words} on the last session"
    ago = "1 session ago" if event.sessions_ago == 1 else f"{event.sessions_ago} sessions ago"
    return f"{event.words} {ago}, {percent(event.change_since)} since"


@dataclass(frozen=True)
class AlertLine:
    """One alert of the log, as plain text: what the alert screen and the toasts show."""

    key: str
    symbol: str
    kind: str
    date: date
    title: str
    body: str
    read: bool = False
