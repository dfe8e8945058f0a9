"""Render the `history` timeline (csv, json, text) and the `evaluate` result (text).

Fractions are fractions in csv and json (0.0045 is 0.45%), percentages in text; anything unknown
is empty in csv, null in json and "n/a" in text.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pandas as pd

from tuimarket.analysis.evaluation import SHORT_RUN, Evaluation
from tuimarket.analysis.timeline import INDEX_FIELDS, MEMBER_FIELDS
from tuimarket.analysis.vocabulary import Stance, Trend
from tuimarket.data.model import dates_of
from tuimarket.formatting import NA, below_record, percent

HISTORY_FORMATS = ("text", "csv", "json")
STALE_OPENS_NOTE = 0.1     # the share of repeated opens from which the evaluation says so


def render_history(timeline: pd.DataFrame, symbols: tuple[str, ...], fmt: str, members_caveat: str = "") -> str:
    """One row per session: date, stance, reason, breadth and each index's fields; the members'
    breadth (MEMBER_FIELDS) where the timeline has it, empty on sessions the members' closes do not
    reach, with `members_caveat` (survivorship) above the text."""
    if fmt == "csv":
        return timeline.to_csv(date_format="%Y-%m-%d", lineterminator="\n")
    if fmt == "json":
        return json.dumps([_history_dict(day, row, symbols) for day, row in _sessions(timeline)],
                          indent=1, allow_nan=False) + "\n"
    return _history_text(timeline, symbols, members_caveat)


def _sessions(timeline: pd.DataFrame) -> Iterator[tuple[pd.Timestamp, pd.Series]]:
    """Each session's date and row: iterrows, with the dates typed as what they are."""
    return zip(dates_of(timeline), (row for _, row in timeline.iterrows()))


def _history_dict(day: pd.Timestamp, row: pd.Series, symbols: tuple[str, ...]) -> dict[str, Any]:
    record: dict[str, Any] = {"date": day.date().isoformat()}
    record |= {key: _plain(row[key]) for key in ("stance", "reason", "signalled", "uptrends", "sectors_above",
                                                 "sectors_counted", "breadth")}
    record["indexes"] = {symbol: {field: _plain(row[f"{symbol}.{field}"]) for field in INDEX_FIELDS}
                         for symbol in symbols}
    record |= {field: _plain(row[field]) for field in MEMBER_FIELDS if field in row}
    return record


def _plain(value: Any) -> Any:
    """A json-ready value: numpy scalars as Python ones, NaN as None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _history_text(timeline: pd.DataFrame, symbols: tuple[str, ...], members_caveat: str) -> str:
    members = MEMBER_FIELDS[0] in timeline.columns
    header = f"{'date':10}  {'stance':9}  " + "  ".join(f"{symbol:28}" for symbol in symbols) + "  breadth"
    header += f"  {'>50d':>5}  {'>200d':>5}  {'A/D':>8}  {'McCl':>6}" if members else ""
    lines = [f"Members' breadth (>50d, >200d, A/D, McClellan): {members_caveat}."] if members else []
    reached = dates_of(timeline)[timeline[MEMBER_FIELDS[0]].notna().to_numpy()] if members else None
    if reached is not None and len(reached) and reached[-1] < timeline.index[-1]:
        lines.append(f"Members' breadth as of {reached[-1].date()}: their closes end there, "
                     "so later sessions leave it empty.")
    lines.append(header + "  reason")
    for day, row in _sessions(timeline):
        cells = [_index_text(row, symbol) for symbol in symbols]
        breadth = percent(_plain(row["breadth"]), signed=False)
        line = f"{day.date()}  {Stance(row['stance']).short:9}  " + "  ".join(f"{cell:28}" for cell in cells)
        line += f"  {breadth:>7}" + (_members_text(row) if members else "")
        lines.append(f"{line}  {row['reason']}")
    return "\n".join(lines) + "\n"


def _members_text(row: pd.Series) -> str:
    """The members' breadth cells: blank where the members' closes do not reach."""
    above_50, above_200, ad_line, mcclellan = (_plain(row[field]) for field in MEMBER_FIELDS)
    cells = [("" if above_50 is None else f"{above_50:.0%}", 5), ("" if above_200 is None else f"{above_200:.0%}", 5),
             ("" if ad_line is None else f"{ad_line:+,.0f}", 8), ("" if mcclellan is None else f"{mcclellan:+.0f}", 6)]
    return "".join(f"  {text:>{width}}" for text, width in cells)


def _index_text(row: pd.Series, symbol: str) -> str:
    """e.g. 'up ✓ buy rising -0.5%': trend (✓ confirmed), MACD side, RS direction, distance below the
    record ('record' on a record close)."""
    trend, confirmed, macd, rs, below = (_plain(row[f"{symbol}.{field}"]) for field in INDEX_FIELDS)
    if trend is None:
        return NA
    parts = [Trend(trend).short + (" ✓" if confirmed else ""), macd or NA, rs or "",
             below_record(below)]
    return " ".join(part for part in parts if part)


def render_evaluation(result: Evaluation, benchmark: str) -> str:
    """The evaluation as plain text: shares per year, runs, then the backtest table."""
    lines = [f"Stance evaluation {result.start.date()} to {result.end.date()} "
             "(a sanity check of the stance, not a trading system)", ""]
    names = [stance.short for stance in Stance]
    lines.append(f"{'year':>4}  {'sessions':>8}  " + "  ".join(f"{name:>9}" for name in names) + f"  {'changes':>7}")
    for year, row in result.by_year.iterrows():
        shares = "  ".join(f"{row[stance]:>9.0%}" for stance in Stance)
        lines.append(f"{year:>4}  {int(row['sessions']):>8}  {shares}  {int(row['changes']):>7}")
    lines += ["", f"{result.changes_per_year:.1f} stance changes a year; {result.runs} runs, median "
              f"{result.median_run:.0f} sessions, {result.short_runs:.0%} of them {SHORT_RUN} sessions or fewer.", ""]
    lines.append(f"Backtest on {benchmark} (price only, cash at 0%, signal at the close, trade at the next open):")
    lines.append(f"{'exposure':22}  {'CAGR':>7}  {'max DD':>7}  {'CAGR/DD':>7}  {'invested':>8}  {'switches':>8}")
    for test in result.backtests:
        lines.append(f"{test.name:22}  {test.cagr:>+7.1%}  {test.max_drawdown:>7.1%}  {test.return_to_drawdown:>7.2f}"
                     f"  {test.time_invested:>8.0%}  {test.switches:>8}")
    if result.stale_opens >= STALE_OPENS_NOTE:
        lines.append(f"Note: on {result.stale_opens:.0%} of these sessions the open equals the previous close (a quirk "
                     "of the data), so there a trade at the next open is in effect at the signal's close.")
    return "\n".join(lines) + "\n"
