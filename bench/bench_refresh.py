"""One refresh: the pipeline's work for the default universe, and how long it stalls the event loop.

The pipeline refreshes against a fake Yahoo (the test suite's FakeYahoo serving the bundled
history) with a warm SQLite cache, as every refresh after the first does. The stall is measured
inside a running app: a probe task sleeps 5 ms at a time and records how late it wakes while
refreshes run (the worker thread holding the GIL, then the handler updating the widgets).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from common import loop_stall, median_seconds, verdict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fakes import FakeYahoo  # noqa: E402 - the tests' fake yfinance, shaped like the real one

from tuimarket.analysis.snapshot import build_snapshot  # noqa: E402
from tuimarket.config import Config  # noqa: E402
from tuimarket.data.feed import Feed  # noqa: E402
from tuimarket.data.store import Store  # noqa: E402
from tuimarket.monitor import MarketPipeline  # noqa: E402
from tuimarket.ui.app import TuimarketApp  # noqa: E402

RUNS = 10
TARGET_STALL_MS = 50
CLOSED = datetime(2025, 9, 26, 21, 0, tzinfo=timezone.utc)   # Friday after the close: no forming bar


async def _longest_stall(app: TuimarketApp, pilot, refreshes: int) -> list[float]:
    """The probe's worst lateness, in seconds, during each of `refreshes` refreshes."""
    stalls = []
    for _ in range(refreshes):
        async with loop_stall() as stall:
            app.action_refresh()
            await app.workers.wait_for_complete()
            await pilot.pause()
        stalls.append(stall.worst)
    return stalls


@contextlib.contextmanager
def _timing_the_handler():
    """Seconds each SnapshotReady handler call takes (the widget updates; the paint comes after).

    Textual finds handlers on the class, so the class's method is wrapped while the block runs.
    """
    durations, handler = [], TuimarketApp.on_snapshot_ready

    def timed(app, message) -> None:
        start = time.perf_counter()
        handler(app, message)
        durations.append(time.perf_counter() - start)

    TuimarketApp.on_snapshot_ready = timed
    try:
        yield durations
    finally:
        TuimarketApp.on_snapshot_ready = handler


async def _stalls(pipeline: MarketPipeline, refreshes: int) -> tuple[list[float], list[float]]:
    """The worst loop stall of each refresh, and the handler's durations, in seconds."""
    with tempfile.TemporaryDirectory() as screenshots, _timing_the_handler() as handler_seconds:
        app = TuimarketApp(pipeline.config, pipeline, now=lambda: CLOSED, screenshot_dir=Path(screenshots))
        async with app.run_test(size=(160, 48)) as pilot:
            for _ in range(2):      # the cached start-up, then the first live refresh it schedules
                await app.workers.wait_for_complete()
                await pilot.pause()
            return await _longest_stall(app, pilot, refreshes), handler_seconds


def run(runs: int = RUNS) -> dict:
    config = Config()
    with tempfile.TemporaryDirectory() as cache_dir:
        feed = Feed(config, download=FakeYahoo(), store=Store(Path(cache_dir) / "market.sqlite3"),
                    now=CLOSED, sleep=lambda seconds: None)
        pipeline = MarketPipeline(config, feed)
        data = feed.refresh()                                  # fills the cache: later refreshes are warm
        refresh_ms = median_seconds(pipeline.refresh, runs) * 1000
        snapshot_ms = median_seconds(lambda: build_snapshot(config, data), runs) * 1000
        stalls, handler_seconds = asyncio.run(_stalls(pipeline, runs))
        feed.store.close()
    stalls_ms = sorted(stall * 1000 for stall in stalls)
    worst = stalls_ms[-1]
    return {
        "name": "refresh",
        "symbols": len(config.all_symbols),
        "pipeline_refresh_ms": round(refresh_ms, 1),
        "build_snapshot_ms": round(snapshot_ms, 1),
        "handler_median_ms": round(sorted(handler_seconds)[len(handler_seconds) // 2] * 1000, 1),
        "loop_stall_median_ms": round(stalls_ms[len(stalls_ms) // 2], 1),
        "loop_stall_worst_ms": round(worst, 1),
        "stall_target_ms": TARGET_STALL_MS,
        "result": verdict(worst, TARGET_STALL_MS),
    }


if __name__ == "__main__":
    print(run())
