"""What the benchmarks share: launching harness children, medians, and a verdict against a target."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import AsyncIterator, Callable

HARNESS = Path(__file__).with_name("harness.py")


def child_environment(cache_dir: str) -> dict[str, str]:
    """An empty cache and no user config, so every run starts the same way."""
    environment = {**os.environ, "TUIMARKET_CACHE_DIR": cache_dir, "XDG_CONFIG_HOME": cache_dir}
    environment.pop("TUIMARKET_CONFIG", None)
    return environment


def time_to_paint(mode: str, cache_dir: str | None = None) -> tuple[float, int]:
    """Seconds from spawning `harness.py MODE` to its PAINTED line, and the child's peak RSS in KiB.

    Each run gets a fresh, empty cache unless `cache_dir` is given (to launch over what an
    earlier run left, as every launch after a user's first does).
    """
    with tempfile.TemporaryDirectory() as fresh:
        cache_dir = cache_dir or fresh
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, str(HARNESS), mode], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, env=child_environment(cache_dir), text=True)
        for line in child.stdout:
            if line.startswith("PAINTED"):
                break
        else:
            raise RuntimeError(f"harness {mode} ended without painting")
        painted = time.perf_counter() - start
        child.communicate()
        return painted, int(line.split()[1])


def median_seconds(work: Callable[[], object], runs: int) -> float:
    return median_seconds_in_turns((work,), runs)[0]


def median_seconds_in_turns(works: tuple[Callable[[], object], ...], runs: int) -> list[float]:
    """Each work's median seconds, the works timed in turns: on a shared machine, a ratio of two
    then compares runs under the same load (timed one after the other, three runs of bench_breadth
    under a load of 6 on 2 cores gave 3.5x, 4.2x and 4.5x)."""
    for work in works:
        work()   # warm caches and lazy imports outside the timing
    timings: list[list[float]] = [[] for _ in works]
    for _ in range(runs):
        for work, seconds in zip(works, timings):
            start = time.perf_counter()
            work()
            seconds.append(time.perf_counter() - start)
    return [statistics.median(seconds) for seconds in timings]


def verdict(value: float, target: float) -> str:
    return "pass" if value <= target else "FAIL"


def ratio_against(measured: float, reference: float, target: float) -> dict:
    """measured / reference, the target ratio and the verdict, as a benchmark's result reports them."""
    ratio = measured / reference
    return {"ratio": round(ratio, 2), "target_ratio": target, "result": verdict(ratio, target)}


PROBE_SECONDS = 0.005     # the loop-stall probe's sleep: its lateness is how long the loop was held


class LoopStall:
    """The event loop's worst lateness seen by `loop_stall`'s probe, in seconds."""

    worst = 0.0


@contextlib.asynccontextmanager
async def loop_stall() -> AsyncIterator[LoopStall]:
    """While the block runs, a task sleeps PROBE_SECONDS over and over; `.worst` is its worst
    lateness: the longest the event loop was held (by a handler, or a thread holding the GIL)."""
    stall, running = LoopStall(), [True]

    async def probe() -> None:
        while running[0]:
            start = time.perf_counter()
            await asyncio.sleep(PROBE_SECONDS)
            stall.worst = max(stall.worst, time.perf_counter() - start - PROBE_SECONDS)

    task = asyncio.create_task(probe())
    try:
        yield stall
    finally:
        running[0] = False
        await task
