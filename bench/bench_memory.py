"""Peak resident memory of the monitor running headless through its first live refresh.

The child (bench/harness.py refresh) starts on an empty cache, paints the bundled history,
then refreshes against a fake Yahoo that serves the whole bundled history: the heaviest
refresh there is, a first full download merged into SQLite. Breadth is configured (the default):
the fake serves the 503 index members too, so that refresh also fetches and caches their closes,
reads them back and computes their breadth.
"""

from __future__ import annotations

from common import time_to_paint, verdict

TARGET_MB = 400    # with breadth over the 503 members


def run() -> dict:
    hello_kib = time_to_paint("hello")[1]
    monitor_kib = time_to_paint("refresh")[1]
    peak_mb = monitor_kib / 1024
    return {
        "name": "memory",
        "hello_world_peak_mb": round(hello_kib / 1024, 1),
        "monitor_peak_mb": round(peak_mb, 1),
        "ratio": round(monitor_kib / hello_kib, 2),
        "target_mb": TARGET_MB,
        "result": verdict(peak_mb, TARGET_MB),
    }


if __name__ == "__main__":
    print(run())
