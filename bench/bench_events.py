"""Time every event of 17 symbols over their whole bundled history (35 years for the indexes)
against references computed in the same run: one TA-Lib MACD over each of the same closes (the
machine's speed: the ratio is what travels between machines), and the `history` timeline of the
same bars (the events include it: the stance changes come from it).

Target: all events in <= 1 s. Also timed: the last week's events alone (`since`), what `report`
and a watcher's pass ask for: the same states over the whole history, fewer events made.
Run: python bench/bench_events.py
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import talib

from tuimarket.analysis.events import market_events
from tuimarket.analysis.timeline import market_timeline
from tuimarket.config import Config
from tuimarket.data import bundled

from common import median_seconds, verdict

RUNS = 5
TARGET_S = 1.0
EXTRA = ("SPY", "QQQ", "IWM")      # the 14 configured symbols and these make 17


def run(runs: int = RUNS) -> dict:
    config = Config()
    bars = {symbol: bundled.load(symbol) for symbol in (*config.all_symbols, *EXTRA)}
    events_s = median_seconds(lambda: market_events(config, bars), runs)
    last_week = max(frame.index[-1] for frame in bars.values()).date() - timedelta(days=6)
    week_s = median_seconds(lambda: market_events(config, bars, since=last_week), runs)
    timeline_s = median_seconds(lambda: market_timeline(config, bars), runs)
    closes = [np.ascontiguousarray(frame["Close"].dropna().to_numpy(dtype=float)) for frame in bars.values()]
    talib_macd_s = median_seconds(lambda: [talib.MACD(close, 12, 26, 9) for close in closes], runs * 4)
    return {
        "name": "events",
        "symbols": len(bars),
        "bars": sum(len(frame) for frame in bars.values()),
        "events": len(market_events(config, bars)),
        "runs": runs,
        "events_s": round(events_s, 3),
        "week_s": round(week_s, 3),
        "timeline_s": round(timeline_s, 3),
        "talib_macd_ms": round(talib_macd_s * 1000, 3),
        "ratio": round(events_s / timeline_s, 1),
        "ratio_talib_macd": round(events_s / talib_macd_s),
        "target_s": TARGET_S,
        "result": verdict(events_s, TARGET_S),
    }


if __name__ == "__main__":
    result = run()
    print(f"{result['symbols']} symbols, {result['bars']} bars, {result['events']} events, "
          f"median of {result['runs']} runs")
    print(f"market_events (everything):   {result['events_s']:7.3f} s  (target <= {result['target_s']} s: "
          f"{result['result']})")
    print(f"market_events (last week):    {result['week_s']:7.3f} s")
    print(f"market_timeline (reference):  {result['timeline_s']:7.3f} s  (ratio {result['ratio']:.1f}x)")
    print(f"TA-Lib MACD of each (reference): {result['talib_macd_ms']:7.3f} ms  "
          f"(ratio {result['ratio_talib_macd']:,}x)")
