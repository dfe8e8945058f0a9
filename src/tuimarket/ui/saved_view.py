"""The last dashboard, kept as JSON so the next launch paints it at once.

Start-up then shows the last session's view before pandas is even imported, and the fresh
snapshot replaces it a moment later. Each index's price chart is kept as drawn, with the canvas
it was drawn on: a launch at the same size, range and theme paints it without plotext.

The file is read through a schema (`_SavedFile`, the dashboard's own dataclasses, by msgspec):
keys it does not know, from a newer version, are ignored, and a new key with a default reads an
older file. It is only a convenience, and not trusted: one that is missing, unreadable, too
large, from an older layout or damaged in any way (a wrong type, a key missing, a control
character) is discarded and the data paints instead; a write that fails (a read-only cache dir)
is skipped. Writes go to a temporary file renamed into place, so a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import msgspec
from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Span, Text

from tuimarket.config import CONTROL_CHARACTERS
from tuimarket.ui.atomic import write_atomically
from tuimarket.ui.viewmodels import TIMEFRAMES, Dashboard
from tuimarket.ui.widgets.charts import Canvas, Figure

# Raised only by a change an older file cannot be read into (a field's meaning changed); a new
# field with a default needs none. Files from before it are discarded; from after it, read.
VERSION = 3     # 3: the dashboard says how many sessions old its data is
MAX_BYTES = 8 * 1024 * 1024    # a view at 250x70 takes about 2 MB; anything much larger is not one


@dataclass(frozen=True)
class SavedView:
    board: Dashboard
    figures: Mapping[str, Figure]     # each index's price chart as last drawn, by symbol
    timeframe: str = "daily"          # the bars the panels showed: daily or weekly


# ---- the file's schema: its keys, read by msgspec; keys it does not know (a newer version's) are ignored

@dataclass(frozen=True)
class _DrawnText:
    plain: str
    spans: tuple[tuple[int, int, str], ...]     # start, end, style


@dataclass(frozen=True)
class _Drawn:
    canvas: Canvas
    text: _DrawnText


@dataclass(frozen=True)
class _SavedFile:
    version: int
    dashboard: Dashboard
    figures: dict[str, _Drawn] = field(default_factory=dict)
    timeframe: str = "daily"     # a view saved before weekly bars existed was daily


def save(path: Path | None, board: Dashboard, figures: Mapping[str, Figure], timeframe: str = "daily") -> None:
    """Keep `board` shown on `timeframe`'s bars, and those of `figures` that draw its charts."""
    if path is None:
        return
    charts = {panel.symbol: panel.chart for panel in board.panels_of(timeframe)}
    drawn = {symbol: _Drawn(figure.canvas, _DrawnText(figure.text.plain, tuple(
                 (span.start, span.end, str(span.style)) for span in figure.text.spans)))
             for symbol, figure in figures.items() if charts.get(symbol) is figure.data}
    try:
        write_atomically(path, msgspec.json.encode(_SavedFile(VERSION, board, drawn, timeframe)).decode())
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
        if _shows_control_characters(content.decode("utf-8")):
            raise ValueError("a control character")
        saved = msgspec.json.decode(content, type=_SavedFile)
        if saved.version < VERSION:
            raise ValueError("a saved view from an older layout")
        board = saved.dashboard
        if not {saved.timeframe, *(panel.chart.timeframe for panel in (*board.panels, *board.weekly))} \
                <= set(TIMEFRAMES):
            raise ValueError("no such timeframe")
        charts = {panel.symbol: panel.chart for panel in board.panels_of(saved.timeframe)}
        figures = {symbol: Figure(drawn.canvas, charts[symbol], _text(drawn.text))
                   for symbol, drawn in saved.figures.items() if symbol in charts}
        return SavedView(board, figures, saved.timeframe)
    except (OSError, ValueError, msgspec.ValidationError, StyleSyntaxError, RecursionError):
        discard(path)     # RecursionError: thousands of nested brackets; msgspec.DecodeError is a ValueError
        return None


def discard(path: Path | None) -> None:
    """Remove a saved view that cannot be shown, so that no later launch tries it again."""
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def _text(drawn: _DrawnText) -> Text:
    spans = []
    for start, end, style in drawn.spans:
        if not 0 <= start <= end <= len(drawn.plain):
            raise ValueError("a span outside its text")
        spans.append(Span(start, end, Style.parse(style)))    # a style that is no style raises
    return Text(drawn.plain, spans=spans)


# JSON escapes: \uXXXX, or a backslash and one character (\n, \", \\ ...), each read whole.
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)
_SHORT_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _shows_control_characters(text: str) -> bool:
    """Whether a string in the JSON `text` holds a control character other than a line break: an
    escape sequence from a saved view would reach the terminal. What we write holds none outside
    its strings either (no indentation), so any raw one is refused."""
    if CONTROL_CHARACTERS.search(text):
        return True
    for code, letter in _ESCAPE.findall(text):
        character = chr(int(code, 16)) if code else _SHORT_ESCAPES.get(letter, letter)
        if character != "\n" and CONTROL_CHARACTERS.match(character):
            return True
    return False
