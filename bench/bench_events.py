"""Time every event of 17 symbols over their whole bundled history (35 years for the indexes)
against references computed in the same run: one TA-Lib MACD over each of the same closes (the
machine's speed: the ratio is what travels between machines), and the `history` timeline of the
same bars (the events include it: the stance changes come from it).

Target: all events in <= 1 s. Also timed: the last week's events alone (`since`), what `report`
asks for: the same states over the whole history, fewer events made; and one new session's
events (`EventHistory`, what the watcher and the monitor's refresh ask for): the states of the
session before carried, continued by one session, over each of the last SESSIONS sessions
(the median, and the slowest: a Friday adds the weekly rotation graph's point), against the
whole pass (target: <= 50 ms).
Times are CPU seconds of this process (single-threaded work: the wall clock on a quiet machine).
Run: python bench/bench_events.py
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Callable

import numpy as np
import talib

from tuimarket.analysis.events import EventHistory, market_events
from tuimarket.analysis.timeline import market_timeline
from tuimarket.config import Config
from tuimarket.data import bundled

from common import verdict

RUNS = 5
TARGET_S = 1.0
SESSIONS = 10                      # the new sessions timed one at a time
TARGET_SESSION_MS = 50
EXTRA = ("SPY", "QQQ", "IWM")      # the 14 configured symbols and these make 17


def run(runs: int = RUNS) -> dict:
    config = Config()
    bars = {symbol: bundled.load(symbol) for symbol in (*config.all_symbols, *EXTRA)}
    events_s = cpu_seconds(lambda: market_events(config, bars), runs)
    last_week = max(frame.index[-1] for frame in bars.values()).date() - timedelta(days=6)
    week_s = cpu_seconds(lambda: market_events(config, bars, since=last_week), runs)
    session_s = one_session_seconds(config, bars)
    timeline_s = cpu_seconds(lambda: market_timeline(config, bars), runs)
    closes = [np.ascontiguousarray(frame["Close"].dropna().to_numpy(dtype=float)) for frame in bars.values()]
    talib_macd_s = cpu_seconds(lambda: [talib.MACD(close, 12, 26, 9) for close in closes], runs * 4)
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
        "session_ms": round(statistics.median(session_s) * 1000, 1),
        "session_worst_ms": round(max(session_s) * 1000, 1),
        "session_ratio": round(statistics.median(session_s) / events_s, 3),
        "session_target_ms": TARGET_SESSION_MS,
        "session_result": verdict(statistics.median(session_s) * 1000, TARGET_SESSION_MS),
        "ratio": round(events_s / timeline_s, 1),
        "ratio_talib_macd": round(events_s / talib_macd_s),
        "target_s": TARGET_S,
        "result": verdict(events_s, TARGET_S),
    }


def one_session_seconds(config: Config, bars: dict) -> list[float]:
    """Each of the last SESSIONS sessions' pass of an `EventHistory` that has read the session
    before (the bars cut at each session beforehand, outside the timing)."""
    days = sorted({day for frame in bars.values() for day in frame.index})[-SESSIONS - 1:]
    cuts = [{symbol: frame.loc[:day] for symbol, frame in bars.items()} for day in days]
    history = EventHistory(config)
    history.events(cuts[0])
    return [cpu_of(lambda: history.events(cut)) for cut in cuts[1:]]


def cpu_seconds(work: Callable[[], object], runs: int) -> float:
    """The median CPU time of `runs` runs, after one to warm caches and lazy imports."""
    work()
    return statistics.median(cpu_of(work) for _ in range(runs))


def cpu_of(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


if __name__ == "__main__":
    result = run()
    print(f"{result['symbols']} symbols, {result['bars']} bars, {result['events']} events, "
          f"median of {result['runs']} runs")
    print(f"market_events (everything):   {result['events_s']:7.3f} s  (target <= {result['target_s']} s: "
          f"{result['result']})")
    print(f"market_events (last week):    {result['week_s']:7.3f} s")
    print(f"one new session (carried):    {result['session_ms']:7.1f} ms  (median of {SESSIONS}, slowest "
          f"{result['session_worst_ms']:.1f} ms; {result['session_ratio']:.1%} of everything; target <= "
          f"{result['session_target_ms']} ms: {result['session_result']})")
    print(f"market_timeline (reference):  {result['timeline_s']:7.3f} s  (ratio {result['ratio']:.1f}x)")
    print(f"TA-Lib MACD of each (reference): {result['talib_macd_ms']:7.3f} ms  "
          f"(ratio {result['ratio_talib_macd']:,}x)")
