"""Time every breadth indicator over the bundled S&P 500 members against TA-Lib's SMA 50 + SMA 200.

breadth_history computes % above three averages, 52-week highs and lows, advances and declines,
the A/D line, the McClellan oscillator and summation index and sector breadth; TA-Lib only the two
averages per member, so the ratio is what all of breadth costs over its two core averages.
Target: <= 3x. Run: python bench/bench_breadth.py
"""

from __future__ import annotations

import numpy as np
import talib

from tuimarket.analysis.breadth import breadth_history
from tuimarket.data import members

from common import median_seconds_in_turns, ratio_against

RUNS = 15
TARGET_RATIO = 3.0


def run(runs: int = RUNS) -> dict:
    bundle = members.bundled()
    columns = [np.ascontiguousarray(bundle.closes[symbol].dropna().to_numpy()) for symbol in bundle.closes]

    def talib_averages() -> None:
        for close in columns:
            talib.SMA(close, 50)
            talib.SMA(close, 200)

    def every_indicator() -> None:
        breadth_history(bundle.closes, in_index=bundle.in_index, sectors=bundle.sectors)

    breadth_s, talib_s = median_seconds_in_turns((every_indicator, talib_averages), runs)
    breadth_ms, talib_ms = breadth_s * 1000, talib_s * 1000
    return {
        "name": "breadth",
        "members": bundle.closes.shape[1],
        "sessions": bundle.closes.shape[0],
        "runs": runs,
        "breadth_ms": round(breadth_ms, 2),
        "talib_sma_50_200_ms": round(talib_ms, 2),
        **ratio_against(breadth_ms, talib_ms, TARGET_RATIO),
    }


if __name__ == "__main__":
    result = run()
    print(f"{result['members']} members x {result['sessions']} sessions, median of {result['runs']} runs in turns")
    print(f"every breadth indicator:   {result['breadth_ms']:8.2f} ms")
    print(f"TA-Lib SMA 50 + SMA 200:   {result['talib_sma_50_200_ms']:8.2f} ms")
    print(f"ratio:                     {result['ratio']:8.2f}x (target <= {TARGET_RATIO}x: {result['result']})")
