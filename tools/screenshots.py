"""Regenerate the README's screenshots: `python tools/screenshots.py` (bundled data, a fixed clock).

It drives the real monitor (MarketPipeline over the bundled feed) headless and saves SVGs in docs/.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tuimarket.config import Config
from tuimarket.data import calendar
from tuimarket.data.feed import Feed
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import TuimarketApp

DOCS = Path(__file__).resolve().parents[1] / "docs"
CLOCK = datetime(2025, 9, 26, 8, 15, tzinfo=ZoneInfo("America/New_York"))
SHOTS = [("screenshot-160x48.svg", (160, 48), []), ("screenshot-80x24.svg", (80, 24), []),
         ("screenshot-detail-160x48.svg", (160, 48), ["2", "enter"])]


async def shoot(name: str, size: tuple[int, int], keys: list[str]) -> None:
    config = Config()
    app = TuimarketApp(config, MarketPipeline(config, Feed(config, source="bundled"), source="bundled"),
                       now=lambda: CLOCK)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        await pilot.press(*keys)
        await pilot.pause(0.5)
        app.save_screenshot(name, path=str(DOCS))


def main() -> None:
    os.environ["TUIMARKET_CACHE_DIR"] = tempfile.mkdtemp()
    # The pipeline counts the sessions the data lacks on the calendar's clock: the same fixed morning,
    # so the screenshots show the bundled history as the current view, not as one many sessions old.
    calendar.now_utc = lambda: CLOCK
    DOCS.mkdir(exist_ok=True)
    for name, size, keys in SHOTS:
        asyncio.run(shoot(name, size, keys))
        print(DOCS / name)


if __name__ == "__main__":
    main()
