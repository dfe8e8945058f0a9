"""Scale: 50 symbols in the rotation universe with 30 years of daily history each.

The series are seeded random walks (geometric, about 16% annual volatility), so the run is the
same every time and needs no data beyond the package. Timed: the snapshot, and the app taking
a new snapshot to the screen (the handler plus the repaint it causes) at 160x48.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from common import median_seconds

from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config, RotationSettings, Symbol
from tuimarket.data.model import MarketData, clip
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.messages import SnapshotReady
from tuimarket.ui.port import Loaded
from tuimarket.ui.viewmodels import MarketHours, dashboard

SYMBOLS = 50
YEARS = 30
RUNS = 5
END = pd.Timestamp("2025-09-25")
NOW = datetime(2025, 9, 26, 21, 0, tzinfo=timezone.utc)


def random_walk(rng: np.random.Generator, dates: pd.DatetimeIndex) -> pd.DataFrame:
    close = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, len(dates))))
    spread = np.abs(rng.normal(0, 0.005, len(dates))) * close
    return pd.DataFrame({"Open": close, "High": close + spread, "Low": close - spread, "Close": close,
                         "Volume": rng.integers(1_000_000, 5_000_000, len(dates)).astype("float64")}, index=dates)


def universe() -> tuple[Config, MarketData]:
    members = tuple(Symbol(f"SYN{i:02d}", f"Synthetic {i}") for i in range(SYMBOLS))
    config = Config(rotation=RotationSettings(include_indexes=False, symbols=members))
    dates = pd.bdate_range(end=END, periods=YEARS * 252, name="Date")
    rng = np.random.default_rng(30)
    bars = {symbol: random_walk(rng, dates) for symbol in config.all_symbols}
    return config, MarketData(bars, {}, END.date(), "synthetic")


@dataclass
class FixedPipeline:
    """A Pipeline that always shows one snapshot: nothing to fetch, nothing to schedule."""

    loaded: Loaded
    live: bool = False
    replay: date | None = None
    saved_view: Path | None = None

    def initial(self) -> Loaded:
        return self.loaded

    refresh = initial

    def market_hours(self, now: datetime) -> MarketHours:
        return MarketHours(False, NOW)

    def refresh_interval(self, now: datetime) -> float:
        return 1800.0


async def _paint_seconds(config: Config, first: Loaded, boards: list, runs: int) -> list[float]:
    """Seconds from posting each new board to the end of the repaint it causes."""
    with tempfile.TemporaryDirectory() as screenshots:
        app = TuimarketApp(config, FixedPipeline(first), now=lambda: NOW, screenshot_dir=Path(screenshots))
        async with app.run_test(size=(160, 48)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            timings = []
            for run in range(runs):
                painted = asyncio.Event()
                start = time.perf_counter()
                app.post_message(SnapshotReady(boards[run % 2], live=False))
                await pilot.pause()
                app.call_after_refresh(painted.set)
                await painted.wait()
                timings.append(time.perf_counter() - start)
            return timings


def run(runs: int = RUNS) -> dict:
    config, data = universe()
    snapshot_s = median_seconds(lambda: build_snapshot(config, data), runs)
    # Two boards a week apart, alternating, so each paint has something new to show.
    week_earlier = MarketData({s: clip(b, (END - pd.Timedelta(days=7)).date()) for s, b in data.bars.items()},
                              {}, None, "synthetic")
    snapshots = [build_snapshot(config, d) for d in (week_earlier, data)]
    boards = [dashboard(snapshot, "synthetic") for snapshot in snapshots]
    paints = asyncio.run(_paint_seconds(config, Loaded(snapshots[1], "synthetic"), boards, runs * 2))
    return {
        "name": "scale",
        "symbols": len(config.all_symbols),
        "rotation_symbols": SYMBOLS,
        "bars_per_symbol": YEARS * 252,
        "build_snapshot_ms": round(snapshot_s * 1000, 1),
        "paint_ms": round(statistics.median(paints) * 1000, 1),
    }


if __name__ == "__main__":
    print(run())
