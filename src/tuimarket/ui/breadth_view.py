"""The members' breadth as the breadth panel, the sector heat row, the breadth screen and the market
bar show it: text already formatted, lines already scaled. Pure, and no pandas at import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tuimarket.formatting import NA
from tuimarket.ui.chart_line import ChartLine

if TYPE_CHECKING:   # only for annotations, as in viewmodels
    from tuimarket.analysis.results import BreadthReading, MarketBreadth

HEAT_PERIOD = 50                 # the heat row: each sector's share above its 50-day average
STRONG, WEAK = 0.7, 0.3          # a sector's heat: strong from here, weak below there
SECTOR_SHORT = {
    "Information Technology": "Tech", "Health Care": "Hlth", "Financials": "Fin", "Consumer Discretionary": "Disc",
    "Communication Services": "Comm", "Industrials": "Ind", "Consumer Staples": "Stap", "Energy": "Enrg",
    "Utilities": "Util", "Real Estate": "REst", "Materials": "Matl",
}


@dataclass(frozen=True)
class SectorCell:
    sector: str
    short: str                   # "Tech": four letters, so 11 fit one 80-column row
    members: int
    above_50: str                # "82%"
    above_200: str
    heat: str                    # strong, mid, weak, na: a CSS-ish state; the number says it without colour


@dataclass(frozen=True)
class Indicator:
    label: str                   # "McClellan oscillator"
    value: str                   # "-40.0"


@dataclass(frozen=True)
class BreadthBoard:
    title: str                   # "Breadth · 496 S&P 500 members"
    caveat: str                  # the survivorship caveat, in full
    short_caveat: str            # for a border: "survivorship: past breadth leans bullish"
    as_of: str
    dated: str                   # "as of 2026-02-18", or when older than the indexes "breadth as of 2026-02-18, stale"
    stale: bool                  # the members' closes end before the indexes': shown muted, no note
    summary: str                 # "50% > 50d · 62% > 200d · A/D +40,346"
    bar: str                     # the market bar's "members 62% > 200d, diverging"
    note: str                    # "Breadth diverges: the S&P 500 is ..." (empty when it says nothing)
    note_state: str              # confirms, diverges or ""
    dates: tuple[date, ...]
    above: tuple[ChartLine, ...]  # % above the 50- and 200-day averages, 0-100
    ad_line: ChartLine
    mcclellan: tuple[ChartLine, ...]   # the oscillator and its zero line
    summation: ChartLine
    net_new_highs: ChartLine
    indicators: tuple[Indicator, ...]
    sectors: tuple[SectorCell, ...]    # strongest first


def breadth_board(breadth: MarketBreadth | None) -> BreadthBoard | None:
    if breadth is None:
        return None
    today, series = breadth.reading, breadth.series
    above_50, above_200 = today.above.get(50), today.above.get(200)
    state = {"diverges": ", diverging", "confirms": ", confirming"}.get(breadth.note.state, "")
    if breadth.stale:
        state = f" as of {today.as_of}"       # the market bar's other figures are the indexes' later date
    members = "S&P 500 members" if today.source == "bundled" else "members"
    return BreadthBoard(
        title=f"Breadth · {today.members} {members}",
        caveat=f"Survivorship: {today.caveat}.",
        short_caveat="survivorship: past breadth leans bullish" if today.source == "bundled" else "your members only",
        as_of=today.as_of.isoformat(),
        dated=f"breadth as of {today.as_of}, stale" if breadth.stale else f"as of {today.as_of}",
        stale=breadth.stale,
        summary=f"{share(above_50)} > 50d · {share(above_200)} > 200d · A/D {today.ad_line:+,.0f}",
        bar=f"members {share(above_200)} > 200d{state}",
        note=breadth.note.text,
        note_state=breadth.note.state,
        dates=series.dates,
        above=tuple(ChartLine(f"% > {period}d", _percentages(series.above[period])) for period in (50, 200)),
        ad_line=ChartLine("A/D line", series.ad_line),
        mcclellan=(ChartLine("McClellan", series.mcclellan),
                   ChartLine("zero", tuple(0.0 for _ in series.dates))),
        summation=ChartLine("Summation", series.summation),
        net_new_highs=ChartLine("New highs - lows", series.net_new_highs),
        indicators=indicators(today),
        sectors=sector_cells(today),
    )


def indicators(today: BreadthReading) -> tuple[Indicator, ...]:
    above = [Indicator(f"% above {period}-day", share(value)) for period, value in sorted(today.above.items())]
    return (*above,
            Indicator("New 52-week highs / lows", f"{today.new_highs} / {today.new_lows} "
                                                  f"(net {today.net_new_highs:+d})"),
            Indicator("Advances / declines", f"{today.advances} / {today.declines}"),
            Indicator("A/D line", f"{today.ad_line:+,.0f}"),
            Indicator("McClellan oscillator", NA if today.mcclellan is None else f"{today.mcclellan:+.1f}"),
            Indicator("Summation index", NA if today.summation is None else f"{today.summation:+,.0f}"),
            Indicator("Members counted", str(today.members)))


def sector_cells(today: BreadthReading) -> tuple[SectorCell, ...]:
    ordered = sorted(today.sectors, key=lambda row: -(row.above.get(HEAT_PERIOD) or -1.0))
    return tuple(SectorCell(row.sector, SECTOR_SHORT.get(row.sector, row.sector[:4]), row.members,
                            share(row.above.get(50)), share(row.above.get(200)), heat(row.above.get(HEAT_PERIOD)))
                 for row in ordered)


def heat(value: float | None) -> str:
    if value is None:
        return "na"
    return "strong" if value >= STRONG else "weak" if value < WEAK else "mid"


def share(value: float | None) -> str:
    return NA if value is None else f"{value:.0%}"


def _percentages(values: tuple[float | None, ...]) -> tuple[float | None, ...]:
    return tuple(None if value is None else value * 100 for value in values)
