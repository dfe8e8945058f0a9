"""Reading the 503 S&P 500 members' daily bars from the cache against pandas.read_csv of the same bars.

The bars are made from the bundled members' closes (open = high = low = close, volume 0: about a
million bars, 2018-01 to 2026-02), written once to a cache and to a CSV file in a temporary
directory. Timed: Store.read_many of every member (one query, packed series) and read_csv of the
CSV with its dates parsed. Target: <= 1.0x. Run: python bench/bench_cache_read.py
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from tuimarket.data import members
from tuimarket.data.model import COLUMNS
from tuimarket.data.store import Store

from common import median_seconds, ratio_against

RUNS = 5
TARGET_RATIO = 1.0


def member_bars() -> dict[str, pd.DataFrame]:
    closes = members.bundled().closes
    bars = {}
    for symbol in closes:
        close = closes[symbol].dropna()
        bars[symbol] = pd.DataFrame({"Open": close, "High": close, "Low": close, "Close": close, "Volume": 0.0})
    return bars


def run(runs: int = RUNS) -> dict:
    bars = member_bars()
    with tempfile.TemporaryDirectory() as directory:
        store = Store(Path(directory) / "market.sqlite3")
        fetched_at = datetime.now(timezone.utc)
        for symbol, frame in bars.items():
            store.upsert(symbol, frame, source="yahoo", fetched_at=fetched_at)
        csv = Path(directory) / "bars.csv"
        pd.concat(bars, names=["Symbol", "Date"]).reset_index().to_csv(csv, index=False)
        symbols = list(bars)
        cache_s = median_seconds(lambda: store.read_many(symbols), runs)
        csv_s = median_seconds(lambda: pd.read_csv(csv, parse_dates=["Date"]), runs)
        store.close()
    return {
        "name": "cache_read",
        "symbols": len(bars),
        "bars": sum(len(frame) for frame in bars.values()),
        "runs": runs,
        "read_many_s": round(cache_s, 3),
        "read_csv_s": round(csv_s, 3),
        **ratio_against(cache_s, csv_s, TARGET_RATIO),
    }


if __name__ == "__main__":
    result = run()
    print(f"{result['symbols']} symbols, {result['bars']:,} bars ({', '.join(COLUMNS)}), median of {result['runs']}")
    print(f"Store.read_many:   {result['read_many_s']:6.3f} s")
    print(f"pandas.read_csv:   {result['read_csv_s']:6.3f} s")
    print(f"ratio:             {result['ratio']:6.2f}x (target <= {TARGET_RATIO}x: {result['result']})")
