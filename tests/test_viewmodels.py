"""View models: whatever the analysis could not compute reads "n/a", never None, nan or inf."""

from __future__ import annotations

import math
import re
import types
import typing
from dataclasses import fields, is_dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Any

import pytest

from tuimarket.config import Config
from tuimarket.ui.viewmodels import dashboard

from ui_support import loaded

SNAPSHOT = loaded(Config(), date(2025, 9, 25)).snapshot
UNSHOWABLE = re.compile(r"\b(None|nan|inf)\b", re.IGNORECASE)


def emptied(value: Any, missing: Any, keep_parts: bool = False) -> Any:
    """`value` with every optional field set to None and every number to `missing` (None or NaN).

    A number field that may not be None gets `missing` only when that is NaN: that is what a
    computation over a gap can produce where its type promises a number. With `keep_parts`, an
    optional part (a relative strength, a breakout) stays, with its own optional fields None.
    """
    if is_dataclass(value):
        hints = typing.get_type_hints(type(value))
        changes = {}
        for field in fields(value):
            hint, current = hints[field.name], getattr(value, field.name)
            union = typing.get_origin(hint) in (typing.Union, types.UnionType)
            optional = union and type(None) in typing.get_args(hint)
            if optional and missing is None and not (keep_parts and is_dataclass(current)):
                changes[field.name] = None
            elif type(current) is float:
                changes[field.name] = missing if optional or missing is not None else current
            else:
                changes[field.name] = emptied(current, missing, keep_parts)
        return replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(emptied(item, missing, keep_parts) for item in value)
    if isinstance(value, typing.Mapping):
        return MappingProxyType({key: missing if item is None or type(item) is float
                                 else emptied(item, missing, keep_parts) for key, item in value.items()})
    return value


def shown_strings(value: Any) -> list[str]:
    if is_dataclass(value):
        return [text for field in fields(value) for text in shown_strings(getattr(value, field.name))]
    if isinstance(value, (tuple, list)):
        return [text for item in value for text in shown_strings(item)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("missing, keep_parts", [(None, False), (None, True), (math.nan, False)],
                         ids=["None", "None inside", "NaN"])
def test_nothing_missing_reaches_the_screen_as_none_or_nan(missing: Any, keep_parts: bool) -> None:
    board = dashboard(emptied(SNAPSHOT, missing, keep_parts), "live")
    shown = [text for text in shown_strings(board) if UNSHOWABLE.search(text)]
    assert not shown
    assert any("n/a" in text for text in shown_strings(board))


def test_the_rrg_view_ends_each_tail_at_the_week_shown_and_agrees_with_the_table() -> None:
    from datetime import timedelta

    from tuimarket.ui.viewmodels import ROTATION_COLUMNS, rrg_view

    board = dashboard(SNAPSHOT, "live")
    latest = rrg_view(board.rrg, None, 8)
    assert latest.week == date(2025, 9, 26) and len(latest.marks) == len(board.rotation)
    assert all(len(mark.ratio) == len(mark.momentum) == 8 for mark in latest.marks)
    table = {line.symbol: line.cells[ROTATION_COLUMNS.index("Quadrant")] for line in board.rotation}
    assert all(table[mark.symbol] == mark.quadrant for mark in latest.marks)      # the table and the graph agree
    assert all(abs(value - 100) <= latest.span for mark in latest.marks for value in (*mark.ratio, *mark.momentum))
    earlier = rrg_view(board.rrg, latest.week - timedelta(weeks=1), 8)
    for now, before in zip(latest.marks, earlier.marks):
        assert before.ratio[1:] == now.ratio[:-1]          # a week back: the same tail, one week earlier
