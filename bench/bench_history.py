"""Time `tuimarket history` over the whole bundled history (1990 onwards), as a user runs it.

The target is 10 s on a 2-core machine. For scale it also times the day-by-day alternative the
timeline replaces (one snapshot per session), from a sample of sessions.
Run: python bench/bench_history.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config
from tuimarket.data import bundled
from tuimarket.data.model import MarketData

from common import child_environment, median_seconds, verdict

TARGET_SECONDS = 10.0
RUNS = 3
SAMPLED_SNAPSHOTS = 10


def run(runs: int = RUNS) -> dict:
    command = [sys.executable, "-m", "tuimarket", "--source", "bundled", "history", "--format", "csv"]
    with tempfile.TemporaryDirectory() as cache:
        def history() -> None:
            subprocess.run(command, env=child_environment(cache), stdout=subprocess.DEVNULL, check=True)

        seconds = median_seconds(history, runs)
    config = Config()
    as_of = bundled.common_as_of(config.all_symbols)
    bars = {symbol: bundled.load(symbol) for symbol in config.all_symbols}
    sessions = bars[config.benchmark].loc[:str(as_of)].index
    sample = sessions[-SAMPLED_SNAPSHOTS:]
    start = time.perf_counter()
    for day in sample:
        build_snapshot(config, MarketData(bars, {}, day.date(), "bundled"))
    per_snapshot = (time.perf_counter() - start) / len(sample)
    return {
        "name": "history",
        "sessions": len(sessions),
        "runs": runs,
        "history_s": round(seconds, 2),
        "day_by_day_estimate_s": round(per_snapshot * len(sessions), 1),
        "target_s": TARGET_SECONDS,
        "result": verdict(seconds, TARGET_SECONDS),
    }


if __name__ == "__main__":
    result = run()
    print(f"tuimarket history, {result['sessions']} sessions, median of {result['runs']} runs: "
          f"{result['history_s']:.2f} s (target <= {result['target_s']:.0f} s: {result['result']})")
    print(f"day by day (one snapshot per session, estimated from {SAMPLED_SNAPSHOTS}): "
          f"{result['day_by_day_estimate_s']:.0f} s")
