"""A watchlist of 200 symbols: the time to build its rows, and how long that stalls the screen.

The group is 200 bundled S&P 500 members (their bundled closes, 2018-2026, about 2,000 bars
each), offline, as the feed serves them. Two stages are timed, as the screen shows them: the
prices and signals of every row (`quick_rows`), then the trend and the latest event of every row
(`full_rows`, the events being most of it). The reference is one `pandas.read_csv` of the same
closes (200 columns). The stall is measured inside a running app at 80x24, once the dashboard's
own first computation is done: a probe task sleeps 5 ms at a time and records how late it wakes,
from `W` until the last row is complete (the row worker's process reads the group's bars and
computes the rows), and again from the moment the names and prices are on screen (what is left
is the trend and latest event of each row, 20 at a time). The first includes opening the screen
and painting its 200 rows the first time, Textual's own work. `W` comes two seconds after the
dashboard's first computation, as a user's would: the app makes the watchlist screen, unseen, a
second after that computation, and the probe measures that idle time too. For reference, the same probe also
runs beside the rows computed in a plain thread of this process (how the app computed them at
first), with no app.

A live watchlist refreshes its group's bars in the monitor's process (the fetch lease holder's
work: merging Yahoo's last sessions into the cache), in a thread beside the screen: the same
probe times it on a real cache of the 200 members (each with its 2018-2026 closes) and the tests'
fake Yahoo (its answers made beforehand), once the cache is up to date, as each refresh after the
first finds it; and the group's read alone, which a process that does not hold the lease skips.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
from bench_cache_read import member_bars
from bench_member_refresh import AFTER_CLOSE, Answers
from common import PROBE_SECONDS, loop_stall, median_seconds, verdict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from tuimarket.analysis.watchlist import full_rows, quick_rows  # noqa: E402
from tuimarket.config import Config, Symbol, Watchlist  # noqa: E402
from tuimarket.data import members  # noqa: E402
from tuimarket.data.feed import Feed  # noqa: E402
from tuimarket.data.store import FILENAME, Store  # noqa: E402
from tuimarket.monitor import MarketPipeline  # noqa: E402
from tuimarket.ui.app import TuimarketApp  # noqa: E402
from tuimarket.ui.screens.watchlist import WatchlistScreen  # noqa: E402

SYMBOLS = 200
RUNS = 3
IDLE_SECONDS = 2.0      # from the dashboard's first computation to `W`
TARGET_STALL_MS = 50


def _group() -> Watchlist:
    return Watchlist("big", tuple(Symbol(symbol, symbol) for symbol in members.bundled().closes.columns[:SYMBOLS]))


async def _stall(config: Config) -> tuple[float, float, float, float]:
    """The probe's worst lateness in the two seconds before `W`, its worst from `W`, its worst once
    the names and prices are on screen, and the seconds from `W` to the last row complete."""
    with tempfile.TemporaryDirectory() as screenshots:
        pipeline = MarketPipeline(config, Feed(config, source="bundled"), source="bundled")
        app = TuimarketApp(config, pipeline, screenshot_dir=Path(screenshots))
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            while app.computed is None:     # the dashboard's own first computation (a thread of its own) ...
                await pilot.pause(0.05)     # ... ends first: this measures the watchlist, not start-up
            async with loop_stall() as idle:
                await pilot.pause(IDLE_SECONDS)
            async with loop_stall() as stall:
                start = time.perf_counter()
                await pilot.press("W")
                screen = app.screen
                assert isinstance(screen, WatchlistScreen)

                def heading() -> str:
                    return screen.query_one("#watchlist-heading").render().plain

                while "computing" not in heading() and not heading().endswith("offline, bundled"):
                    await pilot.pause(0.02)
                async with loop_stall() as computing:
                    while not (heading().endswith("offline, bundled") and "computing" not in heading()
                               and screen.query_one("WatchlistGrid").row_count == SYMBOLS):
                        await pilot.pause(0.02)
                loaded = time.perf_counter() - start
        pipeline.close()
        return idle.worst, stall.worst, computing.worst, loaded


def _refresh_stall(config: Config, runs: int) -> tuple[float, float, float]:
    """The group's live refresh on a real cache, in a thread: its median seconds, the probe's worst
    lateness over the runs, and the worst while only the group's cached bars are read."""
    history = member_bars()
    symbols = [*list(history)[:SYMBOLS], config.benchmark]
    with tempfile.TemporaryDirectory() as directory:
        store = Store(Path(directory) / FILENAME)
        for symbol in symbols[:-1]:
            store.upsert(symbol, history[symbol], source="yahoo", fetched_at=AFTER_CLOSE)
        feed = Feed(config, download=Answers(), store=store, now=AFTER_CLOSE, attempts=1,
                    sleep=lambda _: None).for_symbols(symbols, "watchlist")
        feed.refresh()      # up to date: each refresh now asks for the last few sessions

        async def in_thread(work) -> tuple[list[float], float]:
            seconds = []
            async with loop_stall() as stall:
                for _ in range(runs):
                    start = time.perf_counter()
                    await asyncio.to_thread(work)
                    seconds.append(time.perf_counter() - start)
            return seconds, stall.worst

        seconds, refresh_stall = asyncio.run(in_thread(feed.refresh))
        _, read_stall = asyncio.run(in_thread(lambda: store.read_many(symbols)))
        store.close()
    return sorted(seconds)[len(seconds) // 2], refresh_stall, read_stall


def _thread_stall(config: Config, entries: tuple[Symbol, ...], bars: dict) -> float:
    """The worst lateness of a 5 ms sleep on this thread while another computes every row."""
    finished = threading.Event()

    def work() -> None:
        full_rows(config, quick_rows(config, entries, bars), bars)
        finished.set()

    threading.Thread(target=work).start()
    worst = 0.0
    while not finished.is_set():
        start = time.perf_counter()
        time.sleep(PROBE_SECONDS)
        worst = max(worst, time.perf_counter() - start - PROBE_SECONDS)
    return worst


def run(runs: int = RUNS) -> dict:
    group = _group()
    config = replace(Config(), watchlists=(group,))
    with tempfile.TemporaryDirectory() as cache_dir:
        # The app first, in a heap as fresh as a user's: the timings below leave this process's
        # heap full of the analysis' objects, whose collections would stall the app's loop.
        os.environ["XDG_STATE_HOME"] = cache_dir        # no watchlist edits of the user's
        idle_stall, stall, computing_stall, loaded = asyncio.run(_stall(config))
        feed = Feed(config, source="bundled", symbols=[*(entry.symbol for entry in group.symbols), config.benchmark])
        bars = feed.initial().bars
        closes = pd.DataFrame({symbol: frame["Close"] for symbol, frame in bars.items() if symbol in group})
        text = closes.to_csv()
        read_ms = median_seconds(lambda: pd.read_csv(io.StringIO(text), index_col=0, parse_dates=True), runs) * 1000
        quick = quick_rows(config, group.symbols, bars)
        quick_ms = median_seconds(lambda: quick_rows(config, group.symbols, bars), runs) * 1000
        full_ms = median_seconds(lambda: full_rows(config, quick, bars), 1) * 1000
        analysis_stall = _thread_stall(config, group.symbols, bars)
    refresh_s, refresh_stall, read_stall = _refresh_stall(config, runs)
    stall_ms = stall * 1000
    return {
        "name": "watchlist",
        "symbols": SYMBOLS,
        "read_csv_ms": round(read_ms, 1),
        "prices_and_signals_ms": round(quick_ms, 1),
        "prices_and_signals_vs_read_csv": round(quick_ms / read_ms, 1),
        "trend_and_event_ms": round(full_ms, 1),
        "trend_and_event_vs_read_csv": round(full_ms / read_ms, 1),
        "screen_complete_s": round(loaded, 1),
        "loop_stall_before_w_worst_ms": round(idle_stall * 1000, 1),
        "loop_stall_worst_ms": round(stall_ms, 1),
        "loop_stall_while_computing_worst_ms": round(computing_stall * 1000, 1),
        "analysis_thread_stall_worst_ms": round(analysis_stall * 1000, 1),
        "group_refresh_s": round(refresh_s, 2),
        "group_refresh_loop_stall_worst_ms": round(refresh_stall * 1000, 1),
        "group_read_loop_stall_worst_ms": round(read_stall * 1000, 1),
        "stall_target_ms": TARGET_STALL_MS,
        "result": verdict(stall_ms, TARGET_STALL_MS),
    }


if __name__ == "__main__":
    print(run())
