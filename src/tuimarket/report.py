"""Render a MarketSnapshot as text (Rich), markdown or json. Never includes the chart series.

The json shape is documented by `as_dict`: dates are ISO strings, returns and distances are
fractions, and anything that cannot be computed is null (never NaN).
"""

from __future__ import annotations

import io
import json
import math
from datetime import date
from typing import Any, Callable

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tuimarket import breadth_report
from tuimarket.analysis.changes import ordered, sentences
from tuimarket.analysis.results import (
    RETURN_PERIODS, BreadthNote, Changes, IndexAnalysis, MarketSnapshot, RotationRow, RsSwing, SmaState,
)
from tuimarket.analysis.vocabulary import MacdSide, Quadrant, Stance, Trend
from tuimarket.events_report import event_dict
from tuimarket.formatting import NA, below_record, escape_markdown as _md, percent, price

FORMATS = ("text", "markdown", "json")
TREND_STYLES: dict[str, str] = {Trend.UPTREND: "bold green", Trend.DOWNTREND: "bold red", Trend.SIDEWAYS: "bold yellow"}
STANCE_STYLES = {Stance.FULLY_INVESTED: "bold green", Stance.PARTIALLY_INVESTED: "bold yellow",
                 Stance.DEFENSIVE: "bold red"}
MACD_STYLES: dict[str, str] = {MacdSide.BUY: "bold green", MacdSide.SELL: "bold red"}
QUADRANT_STYLES: dict[str, str] = {Quadrant.LEADING: "green", Quadrant.WEAKENING: "yellow", Quadrant.LAGGING: "red",
                                   Quadrant.IMPROVING: "cyan"}


def render(snapshot: MarketSnapshot, fmt: str, *, color: bool = True, width: int = 100,
           changes: Changes | None = None) -> str:
    """The snapshot as `fmt` (one of FORMATS); with `changes`, what changed in that window first:
    the stance's and the sectors' in their own section, each index's at the head of its commentary."""
    story = _Story(snapshot, changes)
    renderers: dict[str, Callable[[], str]] = {
        "text": lambda: _text(snapshot, story, color=color, width=width),
        "markdown": lambda: _markdown(snapshot, story),
        "json": lambda: json.dumps(_finite(as_dict(snapshot, changes)), indent=2, allow_nan=False) + "\n",
    }
    if fmt not in renderers:
        raise ValueError(f"unknown report format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    return renderers[fmt]()


# --- json ------------------------------------------------------------------------------------

class _Story:
    """What changed, in sentences: the market's and the sectors' for their section, and each
    index's to open its commentary."""

    def __init__(self, snapshot: MarketSnapshot, changes: Changes | None) -> None:
        self.title = changes.title if changes else ""
        names = {index.symbol: index.name for index in snapshot.indices} | {row.symbol: row.name
                                                                           for row in snapshot.rotation}
        benchmark = names.get(snapshot.benchmark, snapshot.benchmark)
        events = changes.events if changes else ()
        closes = changes.last_closes if changes else {}
        indexes = {index.symbol for index in snapshot.indices}
        self.market = sentences([e for e in events if e.symbol not in indexes], names, benchmark, closes)
        self.of_index = {symbol: sentences([e for e in events if e.symbol == symbol], names, benchmark, closes)
                         for symbol in indexes}

    def commentary(self, index: IndexAnalysis) -> str:
        return " ".join([*_first(self.of_index.get(index.symbol, []), STORY_PER_INDEX), index.commentary])

    def section(self) -> list[str]:
        return _first(self.market, STORY_LINES) or ["No change in the stance or the sectors."]


STORY_LINES, STORY_PER_INDEX = 8, 4       # the most important changes; `tuimarket events` lists them all


def _first(lines: list[str], most: int) -> list[str]:
    if len(lines) <= most:
        return lines
    return lines[:most] + [f"({len(lines) - most} more changes: tuimarket events.)"]


def as_dict(snapshot: MarketSnapshot, changes: Changes | None = None) -> dict[str, Any]:
    """The report's data as plain json-ready values; `changes` as "changes" (its events in order of
    importance, each as `events_report.event_dict` gives it)."""
    names = {index.symbol: index.name for index in snapshot.indices} | {row.symbol: row.name
                                                                       for row in snapshot.rotation}
    benchmark = names.get(snapshot.benchmark, snapshot.benchmark)
    return {
        "as_of": _iso(snapshot.as_of),
        "source": snapshot.source,
        "benchmark": snapshot.benchmark,
        "provisional": snapshot.provisional,
        "timeframe": _timeframe(snapshot),
        "indices": [_index_dict(index) for index in snapshot.indices],
        "rotation": [_rotation_dict(row) for row in snapshot.rotation],
        "rotation_commentary": snapshot.rotation_commentary,
        "regime": {
            "uptrends": snapshot.regime.uptrends,
            "of": snapshot.regime.of,
            "sectors_above": snapshot.regime.sectors_above,
            "sectors_counted": snapshot.regime.sectors_counted,
            "sector_breadth": snapshot.regime.sector_breadth,
            "stance": snapshot.regime.stance,
            "signalled": snapshot.regime.signalled,
            "provisional": snapshot.regime.provisional,
            "commentary": snapshot.regime.commentary,
        },
        "breadth": snapshot.breadth and breadth_report.as_dict(snapshot.breadth, _breadth_note(snapshot),
                                                                           snapshot.as_of),
        "freshness": dict(snapshot.freshness),
        "notes": list(snapshot.notes),
        "changes": None if changes is None else {
            "title": changes.title,
            "since": _iso(changes.since),
            "events": [event_dict(event, names.get(event.symbol, event.symbol), benchmark,
                                  changes.last_closes.get(event.symbol)) for event in ordered(changes.events)],
        },
    }


def _index_dict(index: IndexAnalysis) -> dict[str, Any]:
    macd, trend, high, levels, strength = (index.macd, index.trend, index.all_time_high, index.levels,
                                           index.relative_strength)
    return {
        "symbol": index.symbol,
        "name": index.name,
        "as_of": _iso(index.as_of),
        "provisional": index.provisional,
        "timeframe": index.timeframe,
        "close": index.close,
        "change": index.change,
        "change_pct": index.change_pct,
        # keywords, not strings: the key `rising` is a field's name, not the Direction of that name
        "sma": {str(s.period): dict(value=s.value, rising=s.rising, above=s.above) for s in index.smas},
        "stacked": index.stacked,
        "macd": {"macd": macd.macd, "signal": macd.signal, "histogram": macd.histogram, "state": macd.state,
                 "crossed_on": _iso(macd.crossed_on), "momentum": macd.momentum},
        "trend": {"state": trend.state, "confirmed": trend.confirmed, "higher_highs": trend.higher_highs,
                  "higher_lows": trend.higher_lows, "lower_highs": trend.lower_highs, "lower_lows": trend.lower_lows,
                  "swing_highs": [[_iso(day), price] for day, price in trend.swing_highs],
                  "swing_lows": [[_iso(day), price] for day, price in trend.swing_lows]},
        "all_time_high": high and {"close": high.close, "date": _iso(high.date), "pct_below": high.pct_below,
                                   "span": high.span},
        "levels": {
            "support": list(levels.support),
            "resistance": list(levels.resistance),
            "breakout": levels.breakout and {"level": levels.breakout.level, "date": _iso(levels.breakout.date)},
            "retest": levels.retest and {"level": levels.retest.level, "date": _iso(levels.retest.date)},
            "formed_by": [{"level": level, "highs": [_iso(day) for day in formation.highs],
                           "lows": [_iso(day) for day in formation.lows]}
                          for level, formation in levels.formed_by.items()],
        },
        "relative_strength": strength and {"benchmark": strength.benchmark, "ratio": strength.ratio,
                                           "trend": strength.trend, "since": _iso(strength.since),
                                           "medium": _swing_dict(strength.medium), "long": _swing_dict(strength.long)},
        "quadrant": index.quadrant,
        "commentary": index.commentary,
    }


def _swing_dict(swing: RsSwing | None) -> dict[str, Any] | None:
    return None if swing is None else {"reversal": swing.reversal, "trend": swing.trend, "since": _iso(swing.since),
                      "change": swing.change, "extreme_on": _iso(swing.extreme_on),
                      "from_extreme": swing.from_extreme}


def _rotation_dict(row: RotationRow) -> dict[str, Any]:
    return {
        "symbol": row.symbol,
        "name": row.name,
        "returns": {period: row.returns.get(period) for period in RETURN_PERIODS},
        "rs_ratio": row.rs_ratio,
        "rs_momentum": row.rs_momentum,
        "quadrant": row.quadrant,
        "rank": row.rank,
        "above_200": row.above_200,
        "rs_trend": row.rs_trend,
    }


def _finite(value: Any) -> Any:
    """`value` with every NaN or infinite number made None: json has null, not NaN."""
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- shared formatting ----------------------------------------------------------------------

def _ratio(value: float | None) -> str:
    return NA if value is None else f"{value:.2f}"


def _sma_cell(sma: SmaState, close: float | None) -> str:
    """The close's distance from the average (its sign says above or below) and the average's slope."""
    if sma.value is None or close is None:
        return NA
    return f"{close / sma.value - 1:+.1%} {'↑' if sma.rising else '↓'}"


def _trend_label(index: IndexAnalysis) -> str:
    trend = index.trend
    if trend.state is None:
        return NA
    return trend.state + (" ✓" if trend.confirmed else "")


def _ath_cell(index: IndexAnalysis) -> str:
    high = index.all_time_high
    return NA if high is None else below_record(high.pct_below)


def _rs_cell(index: IndexAnalysis) -> str:
    strength = index.relative_strength
    if strength is None:
        return "benchmark"
    return strength.trend or NA


def _levels_cells(index: IndexAnalysis) -> list[str]:
    levels = index.levels
    return [
        ", ".join(price(level) for level in levels.support) or "none",
        ", ".join(price(level) for level in levels.resistance) or "none",
        f"{price(levels.breakout.level)} on {levels.breakout.date}" if levels.breakout else "none",
        f"{price(levels.retest.level)} on {levels.retest.date}" if levels.retest else "none",
    ]


def _rotation_cells(row: RotationRow) -> list[str]:
    return [
        str(row.rank) if row.rank else NA,
        row.symbol,
        row.name,
        *(percent(row.returns.get(period)) for period in RETURN_PERIODS),
        _ratio(row.rs_ratio),
        _ratio(row.rs_momentum),
        row.quadrant or NA,
        NA if row.above_200 is None else ("yes" if row.above_200 else "no"),
    ]


NARROW_REPORT = 100    # columns below which the text report drops its widest columns
TEXT_COLUMNS = ("Index", "Name", "Support", "Resistance", "Breakout", "Retest")
INDEX_HEADERS = ["Index", "Symbol", "Close", "Day"]
LEVEL_HEADERS = ["Index", "Support", "Resistance", "Breakout", "Retest"]
ROTATION_HEADERS = ["#", "Symbol", "Name", *RETURN_PERIODS, "RS-Ratio", "RS-Mom", "Quadrant", "> long MA"]


def _index_headers(snapshot: MarketSnapshot) -> list[str]:
    weekly = _timeframe(snapshot) == "weekly"
    periods = [f"vs {s.period}{'w' if weekly else 'd'}" for s in snapshot.indices[0].smas] if snapshot.indices else []
    return INDEX_HEADERS[:-1] + ["Week" if weekly else "Day"] + periods + ["MACD", "Trend", "vs ATH", "RS"]


def _timeframe(snapshot: MarketSnapshot) -> str:
    """The indexes' bars: "daily", or "weekly" for `report --timeframe weekly` (the rest is daily)."""
    return snapshot.indices[0].timeframe if snapshot.indices else "daily"


def _bars_note(snapshot: MarketSnapshot) -> str:
    """" · weekly bars" on the report's first line, when the indexes are read on weekly bars."""
    return " · weekly bars" if _timeframe(snapshot) == "weekly" else ""


def _index_cells(index: IndexAnalysis) -> list[str]:
    return [
        index.name,
        index.symbol,
        price(index.close),
        percent(index.change_pct),
        *(_sma_cell(sma, index.close) for sma in index.smas),
        index.macd.state.upper() if index.macd.state else NA,
        _trend_label(index),
        _ath_cell(index),
        _rs_cell(index),
    ]


# --- text -----------------------------------------------------------------------------------

def _text(snapshot: MarketSnapshot, story: _Story, *, color: bool, width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width,
                      color_system="standard" if color else None)
    console.print(Text(f"Market report as of {snapshot.as_of or NA} · source {snapshot.source} · "
                       f"benchmark {snapshot.benchmark}{_bars_note(snapshot)}", style="bold"))
    regime = snapshot.regime
    console.print(Panel(Group(Text(regime.stance.label, style=STANCE_STYLES[regime.stance]),
                              Text(regime.commentary)), title="Regime", expand=True))
    if story.title:
        console.print(Text(story.title, style="bold"))
        for line in story.section():
            console.print(Text(f"- {line}"))
        console.print()
    # A terminal is narrow: the tables drop what the commentary or markdown also gives.
    narrow = width < NARROW_REPORT
    console.print(_rich_table("Indexes", _index_headers(snapshot),
                              [_styled_index_cells(index) for index in snapshot.indices],
                              hide=("Index", "RS") if narrow else ("Symbol",)))
    console.print(_rich_table("Levels", LEVEL_HEADERS,
                              [[Text(index.symbol), *map(Text, _levels_cells(index))] for index in snapshot.indices]))
    for index in snapshot.indices:
        console.print(Text(f"{index.name} ({index.symbol})", style="bold"))
        console.print(Text(story.commentary(index)))
        console.print()
    console.print(_rich_table("Rotation", ROTATION_HEADERS, [_styled_rotation_cells(row) for row in _by_rank(snapshot)],
                              hide=("Name", "> long MA", "YTD") if narrow else ("Name",)))
    if snapshot.rotation_commentary:
        console.print(Text(snapshot.rotation_commentary))
        console.print()
    if snapshot.breadth:
        console.print(breadth_report.text(snapshot.breadth, snapshot.as_of, _breadth_note(snapshot)))
    console.print(_data_text(snapshot))
    return buffer.getvalue()


def _rich_table(title: str, headers: list[str], rows: list[list[Text]], hide: tuple[str, ...] = ()) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    shown = [position for position, header in enumerate(headers) if header not in hide]
    headers, rows = [headers[p] for p in shown], [[row[p] for p in shown] for row in rows]
    for position, header in enumerate(headers):
        text_column = header in TEXT_COLUMNS
        # Numbers keep their full width; only the free-text columns wrap when space runs out.
        widest = max((len(row[position]) for row in rows), default=0)
        table.add_column(header, justify="left" if text_column else "right",
                         min_width=None if text_column else widest)
    for row in rows:
        table.add_row(*row)
    return table


def _styled_index_cells(index: IndexAnalysis) -> list[Text]:
    # Text objects are never parsed as markup, so a name such as "[red]x" shows literally.
    cells = [Text(cell) for cell in _index_cells(index)]
    first_sma = 4
    macd_cell, trend_cell = first_sma + len(index.smas), first_sma + len(index.smas) + 1
    cells[macd_cell].stylize(MACD_STYLES.get(index.macd.state or "", ""))
    cells[trend_cell].stylize(TREND_STYLES.get(index.trend.state or "", ""))
    for position, sma in enumerate(index.smas, start=first_sma):
        if sma.above is not None:
            cells[position].stylize("green" if sma.above else "red")
    if index.change_pct:
        cells[3].stylize("green" if index.change_pct > 0 else "red")
    return cells


def _styled_rotation_cells(row: RotationRow) -> list[Text]:
    cells = [Text(cell) for cell in _rotation_cells(row)]
    for position, period in enumerate(RETURN_PERIODS, start=3):
        value = row.returns.get(period)
        if value:
            cells[position].stylize("green" if value > 0 else "red")
    cells[-2].stylize(QUADRANT_STYLES.get(row.quadrant or "", ""))
    return cells


def _by_rank(snapshot: MarketSnapshot) -> list[RotationRow]:
    """Strongest first, unranked rows last: the order a reader scans a rotation table in."""
    return sorted(snapshot.rotation, key=lambda row: (row.rank is None, row.rank or 0))


def _freshness_lines(snapshot: MarketSnapshot) -> list[str]:
    """One line per distinct freshness label, naming its symbols, then the notes."""
    by_label: dict[str, list[str]] = {}
    for symbol, label in snapshot.freshness.items():
        by_label.setdefault(label, []).append(symbol)
    return [f"{label}: {' '.join(symbols)}" for label, symbols in by_label.items()] + list(snapshot.notes)


def _data_text(snapshot: MarketSnapshot) -> Text:
    lines = _freshness_lines(snapshot)
    return Text("Data\n" + "\n".join(f"  {line}" for line in lines), style="dim") if lines else Text("")


# --- markdown -------------------------------------------------------------------------------

def _markdown(snapshot: MarketSnapshot, story: _Story) -> str:
    regime = snapshot.regime
    parts = [
        f"# Market report as of {snapshot.as_of or NA}",
        f"_Source: {_md(snapshot.source)} · benchmark {_md(snapshot.benchmark)}{_bars_note(snapshot)}_",
        "## Regime",
        f"**{regime.stance.words.capitalize()}**: {_md(regime.commentary)}",
        "## Indexes",
        _md_table(_index_headers(snapshot), [_index_cells(index) for index in snapshot.indices]),
        _md_table(LEVEL_HEADERS, [[index.symbol, *_levels_cells(index)] for index in snapshot.indices]),
        *([f"## {story.title}", "\n".join(f"- {_md(line)}" for line in story.section())] if story.title else []),
        *(f"### {_md(index.name)} ({_md(index.symbol)})\n\n{_md(story.commentary(index))}"
          for index in snapshot.indices),
        "## Rotation",
        _md_table(ROTATION_HEADERS, [_rotation_cells(row) for row in _by_rank(snapshot)]),
        *([_md(snapshot.rotation_commentary)] if snapshot.rotation_commentary else []),
        *_breadth_markdown(snapshot),
    ]
    data_lines = [f"- {_md(line)}" for line in _freshness_lines(snapshot)]
    if data_lines:
        parts += ["## Data", "\n".join(data_lines)]
    return "\n\n".join(parts) + "\n"


def _breadth_markdown(snapshot: MarketSnapshot) -> list[str]:
    breadth = snapshot.breadth
    if breadth is None:
        return []
    return [
        "## Breadth",
        f"_{_md(breadth_report.headline(breadth, snapshot.as_of))}_",
        "\n".join(f"- {_md(line)}" for line in breadth_report.lines(breadth, _breadth_note(snapshot))),
        _md_table(breadth_report.SECTOR_HEADERS, breadth_report.sector_rows(breadth)),
        _md(breadth_report.caveat_line(breadth)),
    ]


def _breadth_note(snapshot: MarketSnapshot) -> BreadthNote:
    """Whether the members' breadth confirms the benchmark: a note, not a rule of the stance
    (tools/breadth_stance_design.py measured that as a rule it would not improve it)."""
    return snapshot.market_breadth.note if snapshot.market_breadth else breadth_report.NO_NOTE


def _md_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


