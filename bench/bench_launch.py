"""Launch to the first full paint of real data, against a bare Textual hello-world launched the same way.

Every launch after a user's first paints the last session's saved view before importing pandas
(`monitor_s`, the figure held to the target); the very first launch has no saved view and must
read the bundled history and compute a snapshot first (`first_launch_ever_s`).

Breadth configured (the default) must cost a launch little: the saved view shows the last breadth
and the worker refreshes it, so `breadth_ratio` holds the same launch against one with `[breadth]
enabled = false`.

Both run headless in a fresh process (bench/harness.py); the clock runs from spawning the
process to the line it prints once the screen has painted. Where tuimarket's extra time goes
is measured too: importing pandas and the app's modules, reading the bundled history and
the first snapshot; the rest is Textual composing and painting the dashboard. The dashboard's
first frame with no data at all (`empty_dashboard_s`: every widget, nothing drawn) is the floor
Textual itself sets for this widget tree.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

from common import time_to_paint, verdict

RUNS = 5
TARGET_RATIO = 1.5
BREADTH_TARGET_RATIO = 1.1      # a launch with breadth configured against one without it


def _import_seconds(module: str) -> float:
    """Seconds a fresh interpreter takes to import `module`, less the bare interpreter's start-up."""
    def spawn(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start
    return statistics.median(spawn(f"import {module}") - spawn("pass") for _ in range(3))


def _first_data_seconds() -> tuple[float, float]:
    """Seconds to read the bundled history, then to build the first snapshot, in a fresh process."""
    code = ("import time; from tuimarket.config import Config; from tuimarket.data.feed import Feed; "
            "from tuimarket.analysis.snapshot import build_snapshot; c = Config(); "
            "t0 = time.perf_counter(); data = Feed(c, source='bundled').initial(); t1 = time.perf_counter(); "
            "build_snapshot(c, data); print(t1 - t0, time.perf_counter() - t1)")
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    read, snapshot = map(float, output.split())
    return read, snapshot


def _relaunch(mode: str, runs: int) -> float:
    """The median seconds to the first paint of `mode` launched over the saved view its first launch left."""
    with tempfile.TemporaryDirectory() as cache_dir:
        time_to_paint(mode, cache_dir)
        return statistics.median(time_to_paint(mode, cache_dir)[0] for _ in range(runs))


def run(runs: int = RUNS) -> dict:
    hello = statistics.median(time_to_paint("hello")[0] for _ in range(runs))
    empty = statistics.median(time_to_paint("empty")[0] for _ in range(runs))
    first = statistics.median(time_to_paint("monitor")[0] for _ in range(runs))
    again, without_breadth = (_relaunch(mode, runs) for mode in ("monitor", "monitor-no-breadth"))
    ratio = again / hello
    read, snapshot = _first_data_seconds()   # what a first launch ever adds, before its first paint
    return {
        "name": "launch",
        "hello_world_s": round(hello, 3),
        "monitor_s": round(again, 3),
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "result": verdict(ratio, TARGET_RATIO),
        "without_breadth_s": round(without_breadth, 3),
        "breadth_ratio": round(again / without_breadth, 2),
        "breadth_target_ratio": BREADTH_TARGET_RATIO,
        "breadth_result": verdict(again / without_breadth, BREADTH_TARGET_RATIO),
        "empty_dashboard_s": round(empty, 3),
        "empty_dashboard_ratio": round(empty / hello, 2),
        "first_launch_ever_s": round(first, 3),
        "first_launch_ever_ratio": round(first / hello, 2),
        "where_the_time_goes_s": {
            "import pandas": round(_import_seconds("pandas"), 3),
            "import tuimarket.ui.app + monitor (Textual, no pandas)": round(
                _import_seconds("tuimarket.ui.app, tuimarket.monitor"), 3),
            "import textual.app (what the hello-world imports)": round(_import_seconds("textual.app"), 3),
            "read the bundled history (cold)": round(read, 3),
            "first snapshot (cold)": round(snapshot, 3),
        },
    }


if __name__ == "__main__":
    print(run())
