"""The breadth section of `tuimarket report`, in its three formats (report.py places it).

Percentages are fractions in json, like every other ratio there; every format says which
members were counted and what that list leaves out (survivorship), and the date the members'
closes end when that is before the report's date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from tuimarket.analysis.results import AVERAGE_PERIODS, SECTOR_PERIODS, BreadthNote, BreadthReading
from tuimarket.formatting import NA, percent

SECTOR_HEADERS = ["Sector", "Members", *(f"> {period}d" for period in SECTOR_PERIODS)]


NO_NOTE = BreadthNote("", "")


def as_dict(breadth: BreadthReading, note: BreadthNote = NO_NOTE, report_as_of: date | None = None) -> dict[str, Any]:
    """`note`: whether breadth confirms the benchmark ("confirms", "diverges" or null), and why;
    `stale`: the members' closes end before the report's date (then there is no confirmation)."""
    return {
        "as_of": breadth.as_of.isoformat(),
        "stale": _stale(breadth, report_as_of),
        "source": breadth.source,
        "members": breadth.members,
        "above": {str(period): value for period, value in breadth.above.items()},
        "new_highs": breadth.new_highs,
        "new_lows": breadth.new_lows,
        "net_new_highs": breadth.net_new_highs,
        "advances": breadth.advances,
        "declines": breadth.declines,
        "ad_line": breadth.ad_line,
        "mcclellan": breadth.mcclellan,
        "summation": breadth.summation,
        "sectors": [{"sector": row.sector, "members": row.members,
                     "above": {str(period): value for period, value in row.above.items()}}
                    for row in breadth.sectors],
        "caveat": breadth.caveat,
        "missing": list(breadth.missing),
        "confirmation": note.state or None,
        "note": note.text or None,
    }


def headline(breadth: BreadthReading, report_as_of: date | None) -> str:
    members = "S&P 500 members" if breadth.source == "bundled" else f"members of {breadth.source}"
    dated = f"as of {breadth.as_of}"
    if _stale(breadth, report_as_of):
        dated += " (where the members' closes end)"
    return f"Breadth: {breadth.members} {members}, {dated}"


def lines(breadth: BreadthReading, note: BreadthNote = NO_NOTE) -> list[str]:
    """The indicators as short lines (each under 80 columns but the note), then the note on the benchmark."""
    above = ", ".join(f"{period}d {_share(breadth.above.get(period))}" for period in AVERAGE_PERIODS)
    mcclellan = NA if breadth.mcclellan is None else f"{breadth.mcclellan:+.1f}"
    summation = NA if breadth.summation is None else f"{breadth.summation:+,.0f}"
    result = [
        f"Above their average: {above}",
        f"New 52-week highs {breadth.new_highs}, lows {breadth.new_lows} "
        f"(net {breadth.net_new_highs:+d}; on closes)",
        f"Advances {breadth.advances}, declines {breadth.declines}; A/D line {breadth.ad_line:+,.0f}",
        f"McClellan oscillator {mcclellan} (ratio-adjusted), summation index {summation}",
    ]
    if breadth.missing:
        result.append(f"No closes for {len(breadth.missing)} members: {_some(breadth.missing)}")
    if note.text:
        result.append(note.text)
    return result


def caveat_line(breadth: BreadthReading) -> str:
    return f"Survivorship: {breadth.caveat}."


def sector_rows(breadth: BreadthReading) -> list[list[str]]:
    """Sectors strongest first (by % above the longest average)."""
    longest = SECTOR_PERIODS[-1]
    ordered = sorted(breadth.sectors, key=lambda row: -(row.above.get(longest) or -1.0))
    return [[row.sector, str(row.members), *(_share(row.above.get(period)) for period in SECTOR_PERIODS)]
            for row in ordered]


def text(breadth: BreadthReading, report_as_of: date | None, note: BreadthNote = NO_NOTE) -> Group:
    table = Table(title="Sectors: % of members above their average", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True)
    for header in SECTOR_HEADERS:
        table.add_column(header, justify="left" if header == "Sector" else "right", no_wrap=True)
    for row in sector_rows(breadth):
        table.add_row(*map(Text, row))    # Text: a user's sector name is never read as markup
    return Group(
        Text(headline(breadth, report_as_of), style="bold"),
        *(Text(f"  {line}") for line in lines(breadth, note)),
        table,
        Text(caveat_line(breadth), style="dim"),
        Text(""),
    )


def _stale(breadth: BreadthReading, report_as_of: date | None) -> bool:
    return report_as_of is not None and breadth.as_of < report_as_of


def _share(value: float | None) -> str:
    return percent(value, signed=False) if value is None else f"{value:.1%}"


def _some(symbols: tuple[str, ...]) -> str:
    shown = ", ".join(symbols[:5])
    return shown + (f" and {len(symbols) - 5} more" if len(symbols) > 5 else "")
