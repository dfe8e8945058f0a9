"""Why a loop step of the watchlist's `W` was late: bench_watchlist's app stage with a probe.

    .venv/bin/python tools/stall_probe.py [RUNS]

Each run is a fresh process (`bench_watchlist._stall`: the dashboard, two idle seconds in which
the watchlist screen is made ahead, then `W` and 200 rows). A task sleeps 5 ms over and over; for
each sleep at least LATE_MS late it records the main thread's own CPU time and its time runnable
but waiting for a processor (Linux's /proc schedstat), the row worker's CPU, the time the
hypervisor took the machine's processors away (steal: a step can seem to use CPU it never got),
what a watchdog thread saw the threads doing meanwhile (sampled every 2 ms while the step is
late; none while a C call holds the GIL), and the collections that overlapped it (gc.callbacks).
One JSON line per run, with the load average. A late step with little CPU and a long run-queue
wait was the machine's; much CPU, the app's own work (the stacks say which).

Everything heavy is imported inside `main`: the row worker, spawned, imports this file again as
its main module, as it imports the app's console script, which is as light. (Under the bench, whose
module imports pandas and Textual, the worker's start-up is 0.5 s of CPU instead of 0.1 s.)
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

LATE_MS = 15
SAMPLE_SECONDS = 0.002
STACK_DEPTH = 12
WAITING = ("threading.py", "selectors.py", "queues.py", "connection.py", "_base.py")   # a thread waiting


def schedstat() -> tuple[float, float]:
    """This thread's CPU ms, and its ms runnable but waiting for a processor."""
    cpu, waiting, _ = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat").read_text().split()
    return int(cpu) / 1e6, int(waiting) / 1e6


def children_cpu_ms() -> float:
    """The CPU ms of this process's children (the row worker), at the kernel's tick (10 ms)."""
    total = 0
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                with contextlib.suppress(OSError):
                    fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                    total += int(fields[11]) + int(fields[12])
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def steal_ms() -> float:
    """The time the hypervisor has kept this machine's processors from it, at the kernel's tick."""
    with open("/proc/stat") as stat:
        return int(stat.readline().split()[8]) * 1000 / os.sysconf("SC_CLK_TCK")


class Probe:
    def __init__(self) -> None:
        self.beat = time.perf_counter()     # the probe task's last wake: older than LATE_MS, a step runs late
        self.late: list[dict] = []
        self.samples: list[tuple[float, dict[str, list[str]]]] = []
        self.collections: list[tuple[float, float, int]] = []
        self._collecting = 0.0

    def on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._collecting = time.perf_counter()
        else:
            self.collections.append((self._collecting, time.perf_counter(), info["generation"]))

    def watch(self, stop: threading.Event) -> None:
        main = threading.main_thread().ident
        while not stop.wait(SAMPLE_SECONDS):
            now = time.perf_counter()
            if now - self.beat < LATE_MS / 1000:
                continue
            names = {thread.ident: thread.name for thread in threading.enumerate()}
            stacks = {}
            for ident, frame in sys._current_frames().items():
                frames = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in traceback.extract_stack(frame)]
                if ident == main or not frames[-1].startswith(WAITING):
                    stacks["main" if ident == main else names.get(ident, str(ident))] = frames[-STACK_DEPTH:]
            stacks.pop(threading.current_thread().name, None)
            self.samples.append((now, stacks))

    async def beat_on(self, running: list[bool]) -> None:
        import asyncio

        while running[0]:
            start = self.beat = time.perf_counter()
            before, children_before, steal_before = schedstat(), children_cpu_ms(), steal_ms()
            await asyncio.sleep(0.005)
            end = self.beat = time.perf_counter()
            if (end - start) * 1000 - 5 >= LATE_MS:
                after = schedstat()
                self.late.append({"start": start, "end": end, "late_ms": round((end - start) * 1000 - 5, 1),
                                  "main_cpu_ms": round(after[0] - before[0], 1),
                                  "main_run_queue_ms": round(after[1] - before[1], 1),
                                  "children_cpu_ms": round(children_cpu_ms() - children_before),
                                  "stolen_ms": round(steal_ms() - steal_before)})

    def report(self, window: tuple[float, float]) -> list[dict]:
        """The late steps that began in `window`, their times from its start, with stacks and collections."""
        steps = []
        for step in self.late:
            start, end = step["start"], step["end"]
            if not window[0] <= start <= window[1]:
                continue
            steps.append({"at_ms": round((start - window[0]) * 1000)}
                         | {key: value for key, value in step.items() if key not in ("start", "end")}
                         | {"collections": [(generation, round((stop - began) * 1000, 1))
                                            for began, stop, generation in self.collections
                                            if stop >= start and began <= end and stop - began > 0.001],
                            "stacks": [(round((at - start) * 1000), stacks) for at, stacks in self.samples
                                       if start <= at <= end]})
        return steps


def main() -> None:
    import asyncio
    from dataclasses import replace
    from tempfile import TemporaryDirectory

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import bench_watchlist
    from tuimarket.config import Config

    windows: list[tuple[float, float]] = []     # the bench's: before W, from W, once prices are shown
    measured = bench_watchlist.loop_stall

    @contextlib.asynccontextmanager
    async def kept_window():
        start = time.perf_counter()
        async with measured() as stall:
            yield stall
        windows.append((start, time.perf_counter()))

    bench_watchlist.loop_stall = kept_window
    probe, stop, running = Probe(), threading.Event(), [True]

    async def probed():
        beating = asyncio.create_task(probe.beat_on(running))
        try:
            return await bench_watchlist._stall(replace(Config(), watchlists=(bench_watchlist._group(),)))
        finally:
            running[0] = False
            await beating

    with TemporaryDirectory() as state:
        os.environ["XDG_STATE_HOME"] = state        # no watchlist edits of the user's
        gc.callbacks.append(probe.on_gc)
        threading.Thread(target=probe.watch, args=(stop,), daemon=True).start()
        idle, from_w, _, complete = asyncio.run(probed())
        stop.set()
    before_w, from_w_on, _ = sorted(windows)
    print(json.dumps({"load": os.getloadavg()[0], "before_w_worst_ms": round(idle * 1000, 1),
                      "from_w_worst_ms": round(from_w * 1000, 1), "complete_s": round(complete, 2),
                      "late_before_w": probe.report(before_w), "late_from_w": probe.report(from_w_on)}), flush=True)


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    if runs == 1:
        main()
    else:       # each run in a process of its own, with a heap as fresh as a user's
        for _ in range(runs):
            subprocess.run([sys.executable, __file__], check=True)
