"""Time build_snapshot on the bundled history against TA-Lib computing the same indicators.

build_snapshot does far more than TA-Lib here (swings, levels, relative strength, rotation,
commentary, chart series), so the ratio is a ceiling on what the indicators could cost, not a
like-for-like race. Run: python bench/bench_analysis.py
"""

from __future__ import annotations

import talib

from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config
from tuimarket.data import bundled
from tuimarket.data.model import MarketData, clip

from common import median_seconds

RUNS = 30


def run(runs: int = RUNS) -> dict:
    """Median timings in milliseconds, the ratio, and what was measured."""
    config = Config()
    symbols = config.all_symbols
    as_of = bundled.common_as_of(symbols)
    # Clipped to the common date up front, so TA-Lib sees exactly the bars the snapshot analyses.
    bars = {symbol: clip(bundled.load(symbol), as_of) for symbol in symbols}
    data = MarketData(bars, {}, as_of, "bundled")
    settings = config.analysis
    closes = [frame["Close"].to_numpy() for frame in bars.values()]

    def talib_indicators() -> None:
        for close in closes:
            for period in settings.sma_periods:
                talib.SMA(close, period)
            talib.MACD(close, settings.macd.fast, settings.macd.slow, settings.macd.signal)

    snapshot_ms = median_seconds(lambda: build_snapshot(config, data), runs) * 1000
    talib_ms = median_seconds(talib_indicators, runs) * 1000
    return {
        "name": "analysis",
        "series": len(bars),
        "bars": sum(len(frame) for frame in bars.values()),
        "runs": runs,
        "build_snapshot_ms": round(snapshot_ms, 2),
        "talib_sma_macd_ms": round(talib_ms, 3),
        "ratio": round(snapshot_ms / talib_ms, 1),
    }


if __name__ == "__main__":
    result = run()
    print(f"{result['series']} series, {result['bars']} bars, median of {result['runs']} runs")
    print(f"build_snapshot (everything):      {result['build_snapshot_ms']:8.2f} ms")
    print(f"TA-Lib SMA x{len(Config().analysis.sma_periods)} + MACD (indicators): {result['talib_sma_macd_ms']:8.3f} ms")
    print(f"ratio:                            {result['ratio']:8.1f}x")
