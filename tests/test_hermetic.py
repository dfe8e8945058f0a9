"""The user's environment never changes a result: tests that read it pass under a hostile one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# One test for each way a developer's shell once changed a result.
READERS_OF_THE_ENVIRONMENT = [
    "tests/test_snapshots.py::test_dashboard[80x24]",    # NO_COLOR and TEXTUAL_COLOR_SYSTEM: every colour
    "tests/test_cli.py::test_data_lists_every_configured_symbol",   # COLUMNS: rich wraps the table
    "tests/test_faults.py::test_report_with_yahoo_down_exits_0_on_the_bundled_history",   # TUIMARKET_CONFIG
]


def hostile_environment(tmp_path: Path) -> dict[str, str]:
    config_home = tmp_path / "config"
    (config_home / "tuimarket").mkdir(parents=True)
    (config_home / "tuimarket" / "config.toml").write_text("[analysis.macd]\nfast = 5\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "market.sqlite3").write_text("not a database")
    broken_config = tmp_path / "broken.toml"
    broken_config.write_text("indexes = [")
    return os.environ | {
        "NO_COLOR": "1", "FORCE_COLOR": "1", "TERM": "dumb", "COLUMNS": "40", "LINES": "10",
        "TEXTUAL_COLOR_SYSTEM": "standard", "TEXTUAL_THEME": "nord",
        "TUIMARKET_CONFIG": str(broken_config), "TUIMARKET_CACHE_DIR": str(cache), "TUIMARKET_DEBUG": "1",
        "XDG_CONFIG_HOME": str(config_home), "XDG_CACHE_HOME": str(cache),
    }


@pytest.mark.processes
def test_a_hostile_environment_changes_no_result(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         *READERS_OF_THE_ENVIRONMENT],
        cwd=ROOT, env=hostile_environment(tmp_path), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
