"""The last dashboard, kept as JSON so the next launch paints it at once.

Start-up then shows the last session's view before pandas is even imported, and the fresh
snapshot replaces it a moment later. Each index's price chart is kept as drawn, with the canvas
it was drawn on: a launch at the same size, range and theme paints it without plotext.

The file is only a convenience: one that is missing, unreadable, from another version or another
configuration is ignored, and a write that fails (a read-only cache dir) is skipped. Writes go to
a temporary file renamed into place, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Mapping

from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Span, Text

from tuimarket.ui.atomic import write_atomically
from tuimarket.ui.viewmodels import Dashboard
from tuimarket.ui.widgets.charts import Canvas, Figure
from tuimarket.ui.widgets.colours import PlotColour

VERSION = 2


@dataclass(frozen=True)
class SavedView:
    board: Dashboard
    figures: Mapping[str, Figure]     # each index's price chart as last drawn, by symbol


def save(path: Path | None, board: Dashboard, figures: Mapping[str, Figure]) -> None:
    """Keep `board`, and those of `figures` that draw its charts."""
    if path is None:
        return
    charts = {panel.symbol: panel.chart for panel in board.panels}
    drawn = {symbol: {"canvas": list(figure.canvas), "text": _encode_text(figure.text)}
             for symbol, figure in figures.items() if charts.get(symbol) is figure.data}
    try:
        write_atomically(path, json.dumps({"version": VERSION, "dashboard": _encode(board), "figures": drawn},
                                          separators=(",", ":")))
    except OSError:
        pass


def load(path: Path | None) -> SavedView | None:
    if path is None:
        return None
    try:
        saved = json.loads(path.read_text())
        if saved.get("version") != VERSION:
            return None
        board = _decode(Dashboard, saved["dashboard"])
        charts = {panel.symbol: panel.chart for panel in board.panels}
        figures = {symbol: Figure(_decode_canvas(drawn["canvas"]), charts[symbol], _decode_text(drawn["text"]))
                   for symbol, drawn in saved["figures"].items() if symbol in charts}
        return SavedView(board, figures)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, StyleSyntaxError):
        return None


def _encode_text(text: Text) -> dict:
    return {"plain": text.plain, "spans": [[span.start, span.end, str(span.style)] for span in text.spans]}


def _decode_text(raw: dict) -> Text:
    return Text(raw["plain"], spans=[Span(start, end, Style.parse(style)) for start, end, style in raw["spans"]])


def _decode_canvas(raw: list) -> Canvas:
    # A damaged canvas is harmless: it never equals the live one, so its figure is never used.
    width, height, theme, background, foreground, sessions = raw
    return Canvas(width, height, theme, _plot_colour(background), _plot_colour(foreground), sessions)


def _plot_colour(raw: Any) -> PlotColour:
    return tuple(raw) if isinstance(raw, list) else raw     # JSON has no tuples: an RGB comes back a list


def _encode(value: Any) -> Any:
    if is_dataclass(value):
        return {field.name: _encode(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_encode(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _plain(kind: Any) -> bool:
    """Whether values of `kind` are stored in JSON as they are (numbers, text, None)."""
    return kind in (float, int, str, bool, type(None)) or (
        isinstance(kind, types.UnionType) and all(_plain(arg) for arg in typing.get_args(kind)))


def _decode(kind: Any, raw: Any) -> Any:
    if is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{field.name: _decode(hints[field.name], raw[field.name]) for field in fields(kind)})
    if kind is date:
        return date.fromisoformat(raw)
    if isinstance(kind, types.UnionType):     # X | None
        if raw is None:
            return None
        return _decode(next(arg for arg in typing.get_args(kind) if arg is not type(None)), raw)
    if typing.get_origin(kind) is tuple:      # tuple[X, ...]
        item = typing.get_args(kind)[0]
        return tuple(raw) if _plain(item) else tuple(_decode(item, value) for value in raw)
    if not _plain(kind) or (raw is not None and not isinstance(raw, (int, float, str, bool))):
        raise TypeError(f"cannot read {kind!r} from {type(raw).__name__}")
    return raw
