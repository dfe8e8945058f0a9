"""Every test runs in the same environment, whatever the shell that started pytest holds.

The user's colour and terminal settings, tuimarket's own variables and Textual's are removed
before any test module is imported, so that neither a `NO_COLOR=1` nor a `TUIMARKET_CONFIG` in a
developer's profile changes a result; each test then gets its own cache, config and data dirs.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from pathlib import Path

import pytest
import textual._wait
import textual.constants
from hypothesis import HealthCheck, settings

# What changes what tuimarket, rich or Textual produce (rich reads COLUMNS, Textual NO_COLOR, ...).
SCRUBBED = {"NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "COLORTERM", "COLUMNS", "LINES",
            "TTY_COMPATIBLE", "TTY_INTERACTIVE", "ESCDELAY"}
SCRUBBED_PREFIXES = ("TUIMARKET_", "TEXTUAL_")
# The tests' own knobs (the soak's length, the monkey's seed and steps, the snapshot plugin's dir) stay.
KEPT = {"TUIMARKET_SOAK_CYCLES", "TUIMARKET_MONKEY_SEED", "TUIMARKET_MONKEY_STEPS", "TEXTUAL_SNAPSHOT_TEMPDIR"}
XDG_DIRS = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")


def scrub_environment() -> None:
    for name in list(os.environ):
        if (name in SCRUBBED or name.startswith(SCRUBBED_PREFIXES)) and name not in KEPT:
            del os.environ[name]
    os.environ["TERM"] = "xterm-256color"
    # pytest-textual-snapshot imports Textual before this file, and Textual reads its TEXTUAL_*
    # settings once, at import: read them again from the environment as it is now.
    if "textual.constants" in sys.modules:
        importlib.reload(sys.modules["textual.constants"])


scrub_environment()

# A test process keeps decades of bars, snapshots and apps alive between collections: at Python's
# default thresholds (700, 10, 10) the collector ran 3,000-4,000 times in a worker's share of the
# app tests, for 8% of its CPU, and freed little. Less often: 2-5% less CPU (two pairs of runs).
gc.set_threshold(20_000, 20, 20)

# Property tests draw a few examples in the default run and many in the slow step, which runs them
# again (`pytest -m "slow or hypothesis" --hypothesis-profile=thorough`, as `make test-slow` does).
# Both draw the same examples on every run (derandomized: no seed, no example database), so a red
# run is the code's, never the luck of a draw; `make fuzz` hunts with random seeds and many more.
# An example can take seconds (a snapshot, events over years of bars): no deadline.
PROPERTY_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("quick", max_examples=5, derandomize=True, **PROPERTY_SETTINGS)
settings.register_profile("thorough", max_examples=25, derandomize=True, **PROPERTY_SETTINGS)
settings.register_profile("fuzz", max_examples=200, **PROPERTY_SETTINGS)
settings.load_profile("quick")      # --hypothesis-profile, read after this file, overrides it


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's own cache directory; its XDG dirs are its own too, so no user config is read."""
    for name in XDG_DIRS:
        monkeypatch.setenv(name, str(tmp_path / "xdg" / name.lower()))
    monkeypatch.setenv("TUIMARKET_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(autouse=True)
def no_animations(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual's animations off, as `TEXTUAL_ANIMATIONS=none` gives a user: a test reads where a
    scroll or a toast ends, not the frames between, and painting those cost a sixth of the app
    tests' CPU. The slow runs (the monkey's walk above all) keep them on, to look for races."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(autouse=True)
def quick_idle_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot's `press` and `pause` wait until the process has been idle for one window of Textual's
    idle check, twice a key: 20 ms windows cost the suite tenths of a second of sleep per app test.
    Windows of 5 ms find the same idleness (a test waits for an outcome with `until`, not on a
    pause). Textual 8.2.8 reads both module globals at each check."""
    window = 1 / 200
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", window)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", window / 20)
