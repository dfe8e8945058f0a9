"""Render events (`tuimarket events`, and the report's "Since last week"): text, markdown, json, csv.

Newest first. In json and csv, dates are ISO strings, prices plain numbers and anything unknown
null (empty in csv); each event carries its `key`, `final` and `rule_version`, and a sentence.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Mapping

from tuimarket.analysis.changes import label, sentence
from tuimarket.analysis.events import Event
from tuimarket.formatting import escape_markdown as _md, price

EVENT_FORMATS = ("text", "markdown", "json", "csv")
CSV_FIELDS = ("date", "symbol", "kind", "label", "close", "value", "subject", "state", "previous", "since",
              "final", "rule_version", "key", "sentence")


def event_dict(event: Event, name: str, benchmark_name: str, last_close: float | None = None) -> dict[str, Any]:
    """One event as plain json-ready values."""
    formation = event.formed_by
    return {
        "date": event.date.isoformat(),
        "symbol": event.symbol,
        "kind": event.kind.value,
        "label": label(event),
        "close": event.close,
        "value": event.value,
        "subject": event.subject or None,
        "state": event.state,
        "previous": event.previous,
        "formed_by": None if formation is None else {"highs": [day.isoformat() for day in formation.highs],
                                                      "lows": [day.isoformat() for day in formation.lows]},
        "since": event.since.isoformat() if event.since else None,
        "final": event.final,
        "rule_version": event.rule_version,
        "key": event.key,
        "sentence": sentence(event, name, benchmark_name, last_close),
    }


def render_events(events: Iterable[Event], fmt: str, names: Mapping[str, str], benchmark_name: str,
                  last_closes: Mapping[str, float | None]) -> str:
    """The events, newest first, as `fmt` (one of EVENT_FORMATS)."""
    newest_first = sorted(events, key=lambda event: (-event.date.toordinal(), event.kind.importance, event.symbol))
    if fmt == "text":
        return _text(newest_first)
    records = [event_dict(event, names.get(event.symbol, event.symbol), benchmark_name, last_closes.get(event.symbol))
               for event in newest_first]
    if fmt == "json":
        return json.dumps(records, indent=1, allow_nan=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return out.getvalue()
    if fmt == "markdown":
        lines = ["| Date | Symbol | Event | Close |", "|---|---|---|---:|"]
        lines += [f"| {r['date']} | {_md(r['symbol'])} | {_md(r['label'])}{'' if r['final'] else ' (provisional)'} "
                  f"| {price(r['close'])} |" for r in records]
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown events format {fmt!r} (expected one of: {', '.join(EVENT_FORMATS)})")


def _text(events: list[Event]) -> str:
    """A table that fits 80 columns; '*' marks an event on a session still forming."""
    if not events:
        return "No events in this window.\n"
    lines = [f"{'date':10}  {'symbol':8}  {'event':40}  {'close':>12}"]
    for event in events:
        mark = "" if event.final else " *"
        lines.append(f"{event.date}  {event.symbol:8.8}  {label(event)[:40]:40}  {price(event.close):>12}{mark}")
    if not all(event.final for event in events):
        lines.append("* provisional: the session is still open")
    return "\n".join(lines) + "\n"
