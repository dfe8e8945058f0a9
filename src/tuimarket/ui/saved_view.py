"""The last dashboard, kept as JSON so the next launch paints it at once.

Start-up then shows the last session's view before pandas is even imported, and the fresh
snapshot replaces it a moment later. The file is only a convenience: one that is missing,
unreadable, from another version or another configuration is ignored, and a write that fails
(a read-only cache dir) is skipped. Writes go to a temporary file renamed into place, so a crash
never leaves half a file.
"""

from __future__ import annotations

import json
import os
import types
import typing
from dataclasses import fields, is_dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from tuimarket.ui.viewmodels import Dashboard

VERSION = 1


def save(path: Path | None, board: Dashboard) -> None:
    if path is None:
        return
    temporary = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps({"version": VERSION, "dashboard": _encode(board)}, separators=(",", ":")))
        os.replace(temporary, path)
    except OSError:
        pass


def load(path: Path | None) -> Dashboard | None:
    if path is None:
        return None
    try:
        saved = json.loads(path.read_text())
        if saved.get("version") != VERSION:
            return None
        return _decode(Dashboard, saved["dashboard"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


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
