"""The last dashboard, kept as JSON so the next launch paints it at once.

Start-up then shows the last session's view before pandas is even imported, and the fresh
snapshot replaces it a moment later. Each index's price chart is kept as drawn, with the canvas
it was drawn on: a launch at the same size, range and theme paints it without plotext.

The file is only a convenience, and not trusted: one that is missing, unreadable, too large, from
another version or damaged in any way (a wrong type, a control character) is discarded, and a
write that fails (a read-only cache dir) is skipped. Writes go to a temporary file renamed into
place, so a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import json
import types
import typing
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Mapping

from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Span, Text

from tuimarket.config import CONTROL_CHARACTERS
from tuimarket.ui.atomic import write_atomically
from tuimarket.ui.viewmodels import TIMEFRAMES, Dashboard
from tuimarket.ui.widgets.charts import Canvas, Figure
from tuimarket.ui.widgets.colours import PlotColour

VERSION = 3     # 3: the dashboard says how many sessions old its data is
MAX_BYTES = 8 * 1024 * 1024    # a view at 250x70 takes about 2 MB; anything much larger is not one


@dataclass(frozen=True)
class SavedView:
    board: Dashboard
    figures: Mapping[str, Figure]     # each index's price chart as last drawn, by symbol
    timeframe: str = "daily"          # the panels' bars, daily or weekly (a view saved before weekly: daily)


def save(path: Path | None, board: Dashboard, figures: Mapping[str, Figure], timeframe: str = "daily") -> None:
    """Keep `board` shown on `timeframe`'s bars, and those of `figures` that draw its charts."""
    if path is None:
        return
    charts = {panel.symbol: panel.chart for panel in board.panels_of(timeframe)}
    drawn = {symbol: {"canvas": list(figure.canvas), "text": _encode_text(figure.text)}
             for symbol, figure in figures.items() if charts.get(symbol) is figure.data}
    try:
        write_atomically(path, json.dumps({"version": VERSION, "dashboard": _encode(board), "figures": drawn,
                                           "timeframe": timeframe}, separators=(",", ":")))
    except OSError:
        pass


def load(path: Path | None) -> SavedView | None:
    """The view saved at `path`, or None when there is none or it is damaged in any way."""
    if path is None:
        return None
    try:
        with path.open("rb") as file:
            content = file.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            return None
        saved = json.loads(content)
        if not isinstance(saved, dict) or saved.get("version") != VERSION:
            return None
        board = _decode(Dashboard, saved["dashboard"])
        timeframe = saved.get("timeframe", "daily")
        if not {timeframe, *(panel.chart.timeframe for panel in (*board.panels, *board.weekly))} <= set(TIMEFRAMES):
            raise ValueError("no such timeframe")
        charts = {panel.symbol: panel.chart for panel in board.panels_of(timeframe)}
        figures = {symbol: Figure(_decode_canvas(drawn["canvas"]), charts[symbol], _decode_text(drawn["text"]))
                   for symbol, drawn in _expect(dict, saved["figures"]).items() if symbol in charts}
        return SavedView(board, figures, timeframe)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError, StyleSyntaxError):
        discard(path)     # RecursionError: thousands of nested brackets
        return None


def discard(path: Path | None) -> None:
    """Remove a saved view that cannot be shown, so that no later launch tries it again."""
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def _encode_text(text: Text) -> dict:
    return {"plain": text.plain, "spans": [[span.start, span.end, str(span.style)] for span in text.spans]}


def _decode_text(raw: dict) -> Text:
    plain = _plain(str, raw["plain"])
    spans = []
    for start, end, style in _expect(list, raw["spans"]):   # thousands of them: checked inline
        if type(start) is not int or type(end) is not int or not 0 <= start <= end <= len(plain):
            raise ValueError("a span outside its text")
        spans.append(Span(start, end, Style.parse(style)))    # a style that is no style raises
    return Text(plain, spans=spans)


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


def _has_default(field: Field) -> bool:
    return field.default is not MISSING or field.default_factory is not MISSING


def _expect(kind: type, raw: Any) -> Any:
    if not isinstance(raw, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(raw).__name__}")
    return raw


@cache
def _plain_types(kind: Any) -> frozenset[type] | None:
    """The JSON types a value of `kind` may be read from, if it is stored as it is (numbers, text, None)."""
    if isinstance(kind, types.UnionType):
        members = [_plain_types(arg) for arg in typing.get_args(kind)]
        plain = [member for member in members if member is not None]
        return None if len(plain) < len(members) else frozenset().union(*plain)
    return {float: frozenset({float, int}), int: frozenset({int}), str: frozenset({str}), bool: frozenset({bool}),
            type(None): frozenset({type(None)})}.get(kind)


def _plain(kind: Any, raw: Any) -> Any:
    # type(), not isinstance: a boolean is no number here. Text shown may hold line breaks, no
    # other control character: an escape sequence in a saved view would reach the terminal.
    allowed = _plain_types(kind) or frozenset()
    if type(raw) not in allowed or (type(raw) is str and CONTROL_CHARACTERS.search(raw.replace("\n", ""))):
        raise TypeError(f"cannot read {kind!r} from {type(raw).__name__}")
    return raw


def _decode(kind: Any, raw: Any) -> Any:
    if isinstance(kind, type) and is_dataclass(kind):
        hints = _hints(kind)
        _expect(dict, raw)
        # A field with a default may be missing: a view saved before the field was added.
        return kind(**{field.name: _decode(hints[field.name], raw[field.name])
                       for field in fields(kind) if field.name in raw or not _has_default(field)})
    if kind is date:
        return date.fromisoformat(_expect(str, raw))
    if typing.get_origin(kind) is tuple:      # tuple[X, ...]
        item = typing.get_args(kind)[0]
        if (allowed := _plain_types(item)) is None:
            return tuple(_decode(item, value) for value in _expect(list, raw))
        if not all(type(value) in allowed for value in _expect(list, raw)):
            raise TypeError(f"cannot read {kind!r} from {raw!r:.40}")
        return tuple(_plain(item, value) for value in raw) if str in allowed else tuple(raw)
    if _plain_types(kind) is not None:
        return _plain(kind, raw)
    if isinstance(kind, types.UnionType):     # X | None, X a dataclass or a date
        if raw is None:
            return None
        return _decode(next(arg for arg in typing.get_args(kind) if arg is not type(None)), raw)
    raise TypeError(f"cannot read {kind!r}")
