"""Imports point one way: ui → analysis → data → config. Checked in fresh interpreters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PURE = ["tuimarket.config", "tuimarket.data.model", "tuimarket.data.bundled", "tuimarket.data.store",
        "tuimarket.data.yahoo", "tuimarket.data.calendar", "tuimarket.data.feed", "tuimarket.report",
        "tuimarket.analysis.snapshot", "tuimarket.analysis.indicators", "tuimarket.analysis.rotation",
        "tuimarket.alerts", "tuimarket.alerts.delivery", "tuimarket.analysis.alert_rules",
        "tuimarket.data.alert_store", "tuimarket.watch"]
UI = ["tuimarket.ui.app", "tuimarket.ui.viewmodels", "tuimarket.ui.screens.detail"]


def loaded_after_import(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {name.split(".")[0] for name in json.loads(output)} | set(json.loads(output))


@pytest.mark.parametrize("module", PURE)
def test_data_and_analysis_never_import_textual(module: str) -> None:
    assert "textual" not in loaded_after_import(module)


@pytest.mark.parametrize("module", UI)
def test_ui_never_imports_yfinance_or_sqlite(module: str) -> None:
    loaded = loaded_after_import(module)
    assert "yfinance" not in loaded and "sqlite3" not in loaded
    assert "tuimarket.data.store" not in loaded and "tuimarket.data.yahoo" not in loaded


def test_help_is_instant_because_nothing_heavy_is_imported() -> None:
    loaded = loaded_after_import("tuimarket.cli")
    assert not {"pandas", "textual", "yfinance", "exchange_calendars"} & loaded


def test_the_monitor_starts_without_pandas_or_the_data_layer() -> None:
    """What lets the last session's view paint at once: start-up imports Textual and nothing heavy.

    plotext too is left until a chart must be drawn; the saved view brings its charts drawn.
    """
    loaded = loaded_after_import("tuimarket.monitor, tuimarket.ui.app, tuimarket.ui.saved_view")
    assert not {"pandas", "numpy", "yfinance", "sqlite3", "exchange_calendars", "tuimarket.data.feed",
                "tuimarket.analysis.snapshot", "plotext"} & loaded


def test_apprise_waits_until_sinks_are_built() -> None:
    """apprise takes 0.9 s to import and load its plugins: only a watcher with a URL sink pays it."""
    loaded = loaded_after_import("tuimarket.cli, tuimarket.watch, tuimarket.alerts.delivery, tuimarket.monitor")
    assert "apprise" not in loaded
