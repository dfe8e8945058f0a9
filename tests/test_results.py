"""The analysis results (analysis/results.py): plain values in types of their own module, no pandas."""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest

from tuimarket.analysis import results
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.analysis.watchlist import full_rows, quick_rows
from tuimarket.config import Config, Symbol
from tuimarket.data import members

from support import bundled_data, modules_loaded_by

ROOT = Path(__file__).parents[1]
RESULT_TYPES = {name for name, value in vars(results).items()
                if isinstance(value, type) and value.__module__ == results.__name__}


def test_reading_a_result_loads_neither_pandas_nor_numpy():
    assert not {"pandas", "numpy"} & modules_loaded_by("import tuimarket.analysis.results")


def _objects(value: Any, path: str = "snapshot") -> Iterator[tuple[str, Any]]:
    """(where, what) for `value` and everything inside it: dataclass fields, tuple and list items,
    mapping keys and values. A frame or an array is yielded, never walked into."""
    yield path, value
    if type(value).__module__.split(".")[0] in ("pandas", "numpy"):
        return
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _objects(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, (tuple, list)):
        for position, item in enumerate(value):
            yield from _objects(item, f"{path}[{position}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _objects(key, f"{path} key {key!r}")
            yield from _objects(item, f"{path}[{key!r}]")


@pytest.fixture(scope="module")
def snapshot() -> results.MarketSnapshot:
    """The default snapshot of the bundled history, weekly panels and the members' breadth included."""
    return build_snapshot(Config(), replace(bundled_data(), members=members.bundled()))


def test_a_real_snapshot_holds_plain_values_only(snapshot):
    assert snapshot.market_breadth is not None and snapshot.weekly      # every part is walked
    found = [f"{where}: {type(value).__module__}.{type(value).__name__}" for where, value in _objects(snapshot)
             if type(value).__module__.split(".")[0] in ("pandas", "numpy")]
    assert found == []


def test_a_real_snapshot_holds_no_mutable_container(snapshot):
    assert [where for where, value in _objects(snapshot) if isinstance(value, (list, dict, set))] == []


def test_every_result_in_a_snapshot_is_declared_in_results(snapshot):
    declared_elsewhere = {f"{type(value).__module__}.{type(value).__name__}" for _, value in _objects(snapshot)
                          if dataclasses.is_dataclass(value) and type(value).__module__ != results.__name__}
    assert declared_elsewhere == set()


def test_a_watchlist_row_holds_plain_values_only():
    config = Config()
    entries = (Symbol("^NDX", "Nasdaq 100"), Symbol("XLK", "Technology"))
    bars = bundled_data(symbols=(config.benchmark, "^NDX", "XLK")).bars
    rows = full_rows(config, quick_rows(config, entries, bars), bars)
    assert all(row.complete and row.latest_event for row in rows)
    objects = list(_objects(rows, "rows"))
    assert all(type(value).__module__ == results.__name__ for _, value in objects if dataclasses.is_dataclass(value))
    assert [where for where, value in objects if type(value).__module__.split(".")[0] in ("pandas", "numpy")] == []


def test_result_types_are_imported_from_results():
    """Code and tests name a result type by its own module, not by one that happens to import it."""
    elsewhere = [f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name} from {node.module}"
                 for folder in ("src", "tests", "tools", "bench") for path in sorted((ROOT / folder).rglob("*.py"))
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tuimarket")
                 and node.module != results.__name__
                 for alias in node.names if alias.name in RESULT_TYPES]
    assert elsewhere == []


def test_the_event_timeline_model_imports_no_pandas():
    """It places events among the chart's sessions with bisect on plain dates, not pandas' searchsorted."""
    source = ROOT / "src/tuimarket/ui/timeline_model.py"
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
                if isinstance(node, ast.Import) for alias in node.names}
    assert "pandas" not in imported


def test_the_monitor_starts_without_declaring_the_results():
    """Its start-up path names them in annotations only: declaring them costs tens of ms (see analysis.results)."""
    loaded = modules_loaded_by("import tuimarket.monitor, tuimarket.ui.app, tuimarket.ui.saved_view")
    assert "tuimarket.analysis.results" not in loaded


def test_the_view_models_return_periods_are_the_analysis_ones():
    from tuimarket.ui import viewmodels

    assert viewmodels.RETURN_PERIODS == results.RETURN_PERIODS
