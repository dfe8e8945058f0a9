"""Imports point one way: ui → analysis → data → config. Checked in fresh interpreters.

import-linter (`make lint-imports`, the contracts in pyproject.toml) checks the import statements;
these check what really loads, third-party imports included. A module set is imported in one
interpreter: if none of them loads Textual together, none of them does alone.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

from support import modules_loaded_by


def modules_of(package: str) -> list[str]:
    return [f"{package}.{module.name}" for module in pkgutil.iter_modules(importlib.import_module(package).__path__)]


PURE = ["tuimarket.config", *modules_of("tuimarket.data"), *modules_of("tuimarket.analysis"),
        "tuimarket.alerts", *modules_of("tuimarket.alerts"), "tuimarket.watch"]
UI = ["tuimarket.ui.app", *modules_of("tuimarket.ui"), *modules_of("tuimarket.ui.screens"),
      *modules_of("tuimarket.ui.widgets")]
TERMINAL = {"textual", "textual_plotext", "rich", "plotext"}


def imported(modules: list[str]) -> set[str]:
    return modules_loaded_by(f"import {', '.join(modules)}")


def test_data_and_analysis_never_load_the_terminal() -> None:
    assert not TERMINAL & imported(PURE)


def test_the_report_never_loads_textual() -> None:
    assert "textual" not in imported(["tuimarket.report"])


def test_ui_never_loads_yfinance_or_sqlite() -> None:
    loaded = imported(UI)
    assert not {"yfinance", "sqlite3", "curl_cffi"} & loaded
    assert not {"tuimarket.data.store", "tuimarket.data.yahoo", "tuimarket.data.feed"} & loaded


def test_help_is_instant_because_nothing_heavy_is_imported() -> None:
    assert not {"pandas", "textual", "yfinance", "exchange_calendars"} & imported(["tuimarket.cli"])


# Every command that prints (test_events_cli.py and test_timeline.py test what they print).
HEADLESS_COMMANDS = [["report"], ["report", "--format", "json"], ["data"],
                     ["events", "--as-of", "2024-11-08", "--format", "json"],
                     ["history", "--from", "2025-09-01", "--format", "csv"], ["evaluate", "--from", "2025-01-01"]]


def test_headless_commands_run_without_textual() -> None:
    """Each whole command, not just its imports: it runs (offline, on the bundled history), then we
    look. One interpreter runs them in turn, looking after each (Textual, once loaded, stays)."""
    code = ("import sys\nfrom tuimarket.cli import main\n"
            f"for command in {HEADLESS_COMMANDS!r}:\n"
            "    assert main(['--source', 'bundled', *command]) == 0, command\n"
            "    assert 'textual' not in sys.modules, f'{command} loaded textual'")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr[-2000:]


def test_the_monitor_starts_without_pandas_or_the_data_layer() -> None:
    """What lets the last session's view paint at once: start-up imports Textual and nothing heavy.

    plotext too is left until a chart must be drawn; the saved view brings its charts drawn.
    """
    loaded = imported(["tuimarket.monitor", "tuimarket.ui.app", "tuimarket.ui.saved_view"])
    assert not {"pandas", "numpy", "yfinance", "sqlite3", "exchange_calendars", "tuimarket.data.feed",
                "tuimarket.analysis.snapshot", "plotext"} & loaded


def test_apprise_waits_until_sinks_are_built() -> None:
    """apprise takes 0.9 s to import and load its plugins: only a watcher with a URL sink pays it."""
    loaded = modules_loaded_by("import tuimarket.cli, tuimarket.watch, tuimarket.alerts.delivery, tuimarket.monitor")
    assert "apprise" not in loaded
