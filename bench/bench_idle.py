"""The monitor left alone: CPU time and bytes written to the terminal over an idle window.

The real command (`python -m tuimarket --source bundled`) runs under a pseudo-terminal, as a
user would run it, so every byte Textual writes is counted. After its first paint settles, the
window opens (60 s; TUIMARKET_BENCH_IDLE_SECONDS shortens it). The market bar's clock repaints
when its minute changes; bursts of output that follow a minute boundary are counted as the
clock's, everything else against the 2 KB target.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from common import child_environment, verdict

WINDOW_SECONDS = float(os.environ.get("TUIMARKET_BENCH_IDLE_SECONDS", 60))
SIZE = (80, 24)
SETTLED_AFTER_QUIET_SECONDS = 2.0
BURST_GAP_SECONDS = 0.5
TARGET_CPU_PERCENT = 0.5
TARGET_EXTRA_BYTES = 2048
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS    # utime and stime


def _read(master: int, seconds: float) -> list[tuple[float, int]]:
    """(time, bytes) of every read from the terminal during `seconds`."""
    reads, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            reads.append((time.time(), len(os.read(master, 65536))))
    return reads


def _wait_until_settled(master: int, limit: float = 30.0) -> int:
    """Read the start-up paint until the terminal goes quiet; its size in bytes."""
    painted, deadline = 0, time.monotonic() + limit
    while time.monotonic() < deadline:
        reads = _read(master, SETTLED_AFTER_QUIET_SECONDS)
        if not reads:
            return painted
        painted += sum(size for _, size in reads)
    raise RuntimeError("the monitor never stopped painting")


def _clock_bytes(reads: list[tuple[float, int]], start: float) -> int:
    """Bytes of the bursts that begin after a wall-clock minute boundary the previous burst had not seen."""
    clock, last_time, minute_seen = 0, None, int(start // 60)
    counting = False
    for at, size in reads:
        if last_time is None or at - last_time > BURST_GAP_SECONDS:     # a new burst
            counting = int(at // 60) != minute_seen
            minute_seen = int(at // 60)
        clock += size if counting else 0
        last_time = at
    return clock


def run(seconds: float = WINDOW_SECONDS) -> dict:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    with tempfile.TemporaryDirectory() as cache_dir:
        environment = child_environment(cache_dir) | {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
        child = subprocess.Popen([sys.executable, "-m", "tuimarket", "--source", "bundled"], stdin=slave,
                                 stdout=slave, stderr=slave, env=environment, start_new_session=True)
        os.close(slave)
        try:
            first_paint = _wait_until_settled(master)
            cpu_before, start = _cpu_seconds(child.pid), time.time()
            reads = _read(master, seconds)
            cpu = _cpu_seconds(child.pid) - cpu_before
        finally:
            child.send_signal(signal.SIGTERM)
            child.wait(10)
            os.close(master)
    total = sum(size for _, size in reads)
    clock = _clock_bytes(reads, start)
    cpu_percent = 100 * cpu / seconds
    return {
        "name": "idle",
        "window_s": seconds,
        "terminal": f"{SIZE[0]}x{SIZE[1]}",
        "cpu_s": round(cpu, 3),
        "cpu_percent_of_one_core": round(cpu_percent, 3),
        "cpu_target_percent": TARGET_CPU_PERCENT,
        "cpu_result": verdict(cpu_percent, TARGET_CPU_PERCENT),
        "first_paint_bytes": first_paint,
        "bytes_written": total,
        "clock_bytes": clock,
        "other_bytes": total - clock,
        "bytes_target_beyond_clock": TARGET_EXTRA_BYTES,
        "bytes_result": verdict(total - clock, TARGET_EXTRA_BYTES),
    }


if __name__ == "__main__":
    print(run())
