"""Stress: a resize storm, and a soak of refresh cycles that must not grow memory.

A full cycle (feed refresh against a fake Yahoo with a SQLite merge, the snapshot, the view
model, the app's handler and a paint) costs about 125 ms here, so 5,000 of them would take ten
minutes. CI soaks each half on its own instead: the data, analysis and view-model path for
SOAK_DATA_CYCLES cycles, and the app's snapshot handler with a paint for SOAK_APP_CYCLES. Set
TUIMARKET_SOAK_CYCLES to run that many of each (5000 for the full soak).
"""

from __future__ import annotations

import gc
import os
import random
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from fakes import FakeYahoo, no_sleep_recorder
from tuimarket.config import Config
from tuimarket.data import bundled
from tuimarket.data.feed import Feed
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.messages import SnapshotReady
from tuimarket.ui.viewmodels import dashboard

from ui_support import FIXED_NOW, ScriptedPipeline, loaded

CONFIG = Config()
AS_OF = date(2025, 9, 25)
SOAK_CYCLES = os.environ.get("TUIMARKET_SOAK_CYCLES")
SOAK_DATA_CYCLES = int(SOAK_CYCLES or 100)
SOAK_APP_CYCLES = int(SOAK_CYCLES or 200)
WARM_UP = 20
MAX_GROWTH_BYTES = 10 * 2**20
PAGE = os.sysconf("SC_PAGE_SIZE")

pytestmark = pytest.mark.slow     # about a minute in all: `make test-slow` runs them, `make test` does not


def resident_bytes() -> int:
    gc.collect()
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE


async def test_resize_storm_then_a_key_still_works(tmp_path: Path) -> None:
    app = TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, AS_OF, live=False), now=lambda: FIXED_NOW,
                       screenshot_dir=tmp_path)
    rng = random.Random(7)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        for _ in range(100):
            await pilot.resize_terminal(rng.randint(20, 250), rng.randint(8, 80))   # it waits for the repaint
        await pilot.resize_terminal(80, 24)
        await pilot.press("3")
        assert app.is_running and app.dashboard_screen.active == 2


def test_soak_data_analysis_and_view_model_path_keeps_memory_flat(tmp_path: Path) -> None:
    # A year and a half of history keeps a cycle cheap; leaks grow per cycle, not per bar.
    history = {symbol: bundled.load(symbol).loc["2024-03-01":AS_OF.isoformat()] for symbol in CONFIG.all_symbols}
    _, sleep = no_sleep_recorder()
    feed = Feed(CONFIG, download=FakeYahoo(end=AS_OF, history=history), sleep=sleep,
                now=datetime(2025, 9, 26, 21, 0, tzinfo=timezone.utc))
    pipeline = MarketPipeline(CONFIG, feed)

    def cycle() -> None:
        loaded = pipeline.refresh()
        dashboard(loaded.snapshot, loaded.data_status)

    for _ in range(WARM_UP):
        cycle()
    before = resident_bytes()
    for _ in range(SOAK_DATA_CYCLES):
        cycle()
    assert resident_bytes() - before < MAX_GROWTH_BYTES


async def test_soak_app_snapshot_handler_keeps_memory_flat(tmp_path: Path) -> None:
    # Two boards a week apart, alternating, so every cycle really changes the widgets. Not `live`:
    # their signal changes would pile up a toast per cycle, which no real session sees.
    boards = [dashboard(loaded(CONFIG, day).snapshot, "live") for day in (date(2025, 9, 18), AS_OF)]
    app = TuimarketApp(CONFIG, ScriptedPipeline(CONFIG, AS_OF, live=False), now=lambda: FIXED_NOW,
                       screenshot_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()

        async def cycle(number: int) -> None:
            app.post_message(SnapshotReady(boards[number % 2], live=False))
            await pilot.pause()

        for number in range(WARM_UP):
            await cycle(number)
        before = resident_bytes()
        for number in range(SOAK_APP_CYCLES):
            await cycle(number)
        assert resident_bytes() - before < MAX_GROWTH_BYTES
        assert app.is_running
