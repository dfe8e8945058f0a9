"""`make bench`: every benchmark, side by side with its reference, as a table and bench/results.json.

Not part of the tests: the figures depend on the machine. TUIMARKET_BENCH_IDLE_SECONDS shortens
the 60-second idle window for a quick run.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from pathlib import Path

import bench_analysis
import bench_breadth
import bench_cache_read
import bench_events
import bench_idle
import bench_launch
import bench_member_refresh
import bench_memory
import bench_refresh
import bench_scale
import bench_watchlist

RESULTS = Path(__file__).with_name("results.json")


def machine() -> dict:
    models = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
              if line.startswith("model name")]
    return {"nproc": os.cpu_count(), "cpu": models[0] if models else platform.processor(),
            "python": platform.python_version()}


def rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(figure, reference, ratio, target, result) per line of the table."""
    launch, idle, refresh = results["launch"], results["idle"], results["refresh"]
    memory, analysis, scale, events = results["memory"], results["analysis"], results["scale"], results["events"]
    breadth, cache_read, watchlist = results["breadth"], results["cache_read"], results["watchlist"]
    member_refresh = results["member_refresh"]
    return [
        ("launch to first full paint (saved view)",
         f"{launch['monitor_s']:.2f} s vs hello-world {launch['hello_world_s']:.2f} s",
         f"{launch['ratio']:.2f}x", f"<= {launch['target_ratio']}x", launch["result"]),
        ("first launch ever (no saved view)", f"{launch['first_launch_ever_s']:.2f} s",
         f"{launch['first_launch_ever_ratio']:.2f}x", "", ""),
        ("  floor: the dashboard's widgets, no data", f"{launch['empty_dashboard_s']:.2f} s",
         f"{launch['empty_dashboard_ratio']:.2f}x", "", ""),
        (f"idle CPU over {idle['window_s']:.0f} s", f"{idle['cpu_s']:.2f} s CPU",
         f"{idle['cpu_percent_of_one_core']:.2f}% of a core", f"<= {idle['cpu_target_percent']}%", idle["cpu_result"]),
        (f"idle terminal bytes over {idle['window_s']:.0f} s",
         f"{idle['bytes_written']} B ({idle['clock_bytes']} B clock); first paint {idle['first_paint_bytes']} B",
         f"{idle['other_bytes']} B beyond the clock", f"<= {idle['bytes_target_beyond_clock']} B",
         idle["bytes_result"]),
        ("one refresh (pipeline, 14 symbols)", f"{refresh['pipeline_refresh_ms']:.0f} ms; snapshot "
         f"{refresh['build_snapshot_ms']:.0f} ms", "", "", ""),
        ("event-loop stall during a refresh", f"worst {refresh['loop_stall_worst_ms']:.0f} ms, median "
         f"{refresh['loop_stall_median_ms']:.0f} ms; handler {refresh['handler_median_ms']:.0f} ms",
         "", f"< {refresh['stall_target_ms']} ms", refresh["result"]),
        ("peak RSS through a refresh", f"{memory['monitor_peak_mb']:.0f} MB vs hello-world "
         f"{memory['hello_world_peak_mb']:.0f} MB", f"{memory['ratio']:.1f}x", f"<= {memory['target_mb']} MB",
         memory["result"]),
        ("analysis vs TA-Lib", f"build_snapshot {analysis['build_snapshot_ms']:.1f} ms vs TA-Lib SMA+MACD "
         f"{analysis['talib_sma_macd_ms']:.2f} ms", f"{analysis['ratio']:.0f}x", "", ""),
        (f"all events, {events['symbols']} symbols x 35 years", f"{events['events_s']:.2f} s vs the timeline "
         f"{events['timeline_s']:.2f} s, TA-Lib MACD of each {events['talib_macd_ms']:.2f} ms",
         f"{events['ratio']:.0f}x, {events['ratio_talib_macd']:,}x", f"<= {events['target_s']} s", events["result"]),
        ("one new session's events (carried)", f"{events['session_ms']:.0f} ms median, slowest "
         f"{events['session_worst_ms']:.0f} ms", f"{events['session_ratio']:.1%} of all",
         f"<= {events['session_target_ms']} ms", events["session_result"]),
        (f"scale: {scale['rotation_symbols']} symbols x {scale['bars_per_symbol']} bars",
         f"snapshot {scale['build_snapshot_ms']:.0f} ms, paint {scale['paint_ms']:.0f} ms", "", "", ""),
        (f"breadth: {breadth['members']} members x {breadth['sessions']} sessions",
         f"every indicator {breadth['breadth_ms']:.0f} ms vs TA-Lib SMA 50+200 {breadth['talib_sma_50_200_ms']:.1f} ms",
         f"{breadth['ratio']:.1f}x", f"<= {breadth['target_ratio']}x", breadth["result"]),
        (f"cache read: {cache_read['symbols']} symbols, {cache_read['bars']:,} bars",
         f"read_many {cache_read['read_many_s']:.2f} s vs pandas.read_csv {cache_read['read_csv_s']:.2f} s",
         f"{cache_read['ratio']:.2f}x", f"<= {cache_read['target_ratio']}x", cache_read["result"]),
        (f"member refresh: a session's bars of {member_refresh['members']}",
         f"{member_refresh['refresh_s']:.2f} s vs read_csv of their history {member_refresh['read_csv_s']:.2f} s",
         f"{member_refresh['ratio']:.2f}x", f"<= {member_refresh['target_ratio']}x", member_refresh["result"]),
        (f"watchlist of {watchlist['symbols']}: stall while it fills",
         f"worst {watchlist['loop_stall_worst_ms']:.0f} ms (analysis thread alone "
         f"{watchlist['analysis_thread_stall_worst_ms']:.0f} ms); rows "
         f"{watchlist['prices_and_signals_ms']:.0f} + {watchlist['trend_and_event_ms']:.0f} ms",
         f"{watchlist['prices_and_signals_vs_read_csv']:.0f}x read_csv", f"< {watchlist['stall_target_ms']} ms",
         watchlist["result"]),
    ]


def main() -> None:
    # Benchmarks run the app in this process too: give the run a cache of its own, not the user's.
    os.environ["TUIMARKET_CACHE_DIR"] = tempfile.mkdtemp(prefix="tuimarket-bench-")
    results = {}
    for module in (bench_launch, bench_idle, bench_refresh, bench_memory, bench_analysis, bench_events, bench_scale,
                   bench_breadth, bench_cache_read, bench_member_refresh, bench_watchlist):
        print(f"running {module.__name__} ...", flush=True)
        result = module.run()
        results[result["name"]] = result
    results["machine"] = machine()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    table = [("figure", "measured / reference", "ratio", "target", "result"), *rows(results)]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    print(f"machine: {results['machine']}; results in {RESULTS}")


if __name__ == "__main__":
    main()
