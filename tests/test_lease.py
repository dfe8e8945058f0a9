"""One fetcher, many viewers: the process holding the fetch lease asks Yahoo, the others read the cache.

In one process, two `FetchLease` objects on one dir lock each other out exactly as two processes
do (a `flock` belongs to its open file); the last test runs three real processes.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
from yfinance.exceptions import YFRateLimitError

import lease_viewer
from fakes import FakeYahoo, no_sleep_recorder
from support import wait_for
from tuimarket.config import Config, RotationSettings, Symbol
from tuimarket.data.feed import Feed
from tuimarket.data.lease import LOCK_NAME, STATE_NAME, FetchLease
from tuimarket.data.model import FreshnessState
from tuimarket.data.store import FILENAME, Store

END = date(2026, 2, 13)
NOW = datetime(2026, 2, 14, 17, 0, tzinfo=timezone.utc)
LATER = datetime(2026, 2, 19, 2, 0, tzinfo=timezone.utc)
SPY_ONLY = Config(rotation=RotationSettings(include_indexes=False, symbols=(Symbol("SPY", "SPY"),)))


def viewer(cache: Path, fake: FakeYahoo, now: datetime | Callable[[], datetime],
           lease: FetchLease | None = None) -> Feed:
    """A viewer with its own lease on `cache`: another process, as far as the lock is concerned."""
    _, sleep = no_sleep_recorder()
    return Feed(SPY_ONLY, download=fake, store=Store(cache / FILENAME), lease=lease or FetchLease(cache),
                now=now, sleep=sleep, attempts=1)


def test_a_second_viewer_asks_yahoo_nothing_and_shows_what_the_first_cached(tmp_path) -> None:
    first, second = FakeYahoo(end=END), FakeYahoo(end=END)
    fetched = viewer(tmp_path, first, NOW).refresh()
    shown = viewer(tmp_path, second, NOW).refresh()
    assert len(first.calls) == 1 and second.calls == []
    for symbol in SPY_ONLY.all_symbols:
        pd.testing.assert_frame_equal(shown.bars[symbol], fetched.bars[symbol], check_index_type=False)
    assert {state.state for state in shown.freshness.values()} == {FreshnessState.LIVE}   # fetched just now
    assert any(f"another tuimarket (pid {os.getpid()}) fetches for this cache" in note for note in shown.notes)


def test_a_follower_reads_the_cache_again_only_when_it_changed(tmp_path) -> None:
    yahoo, moment = FakeYahoo(end=END), [NOW]
    holder = viewer(tmp_path, yahoo, lambda: moment[0])
    holder.refresh()
    follower = viewer(tmp_path, FakeYahoo(end=END), NOW)
    before, unchanged = follower.refresh(), follower.refresh()
    assert unchanged.bars["SPY"] is before.bars["SPY"]          # nothing written: nothing read
    moment[0], yahoo.end = LATER, date(2026, 2, 18)             # the holder's next refresh, days later
    holder.refresh()
    after = follower.refresh()
    assert after.bars["SPY"].index[-1] == pd.Timestamp("2026-02-18")


def test_the_rate_limit_backoff_outlives_the_feed_and_reaches_the_followers(tmp_path) -> None:
    lease = FetchLease(tmp_path)
    limited = FakeYahoo(end=END, error=YFRateLimitError())
    first = viewer(tmp_path, limited, NOW, lease).refresh()
    assert "rate limit" in first.error and len(limited.calls) == 1
    assert (tmp_path / STATE_NAME).is_file()
    again = FakeYahoo(end=END)       # a monitor started again, a minute is not up
    restarted = viewer(tmp_path, again, NOW + timedelta(seconds=30), lease).refresh()
    assert again.calls == [] and "next try" in restarted.error
    follower = viewer(tmp_path, FakeYahoo(end=END), NOW + timedelta(seconds=30)).refresh()
    assert follower.error == restarted.error
    resumed = FakeYahoo(end=END)
    viewer(tmp_path, resumed, NOW + timedelta(minutes=2), lease).refresh()
    assert len(resumed.calls) == 1


def test_a_lease_given_up_is_taken_over(tmp_path) -> None:
    """The OS frees a lock when its holder's file closes (as when the process dies): here, by hand."""
    tmp_path.mkdir(exist_ok=True)
    other = os.open(tmp_path / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)
    waiting = FakeYahoo(end=END)
    feed = viewer(tmp_path, waiting, NOW)
    feed.refresh()
    assert waiting.calls == []
    os.close(other)
    feed.refresh()
    assert len(waiting.calls) == 1


def test_a_garbled_state_file_is_no_backoff(tmp_path) -> None:
    lease = FetchLease(tmp_path)
    for garbage in ("{", '{"rate_limits": 3, "next_try": "2026-02-14T18:00:00"}', '[1, 2]', "\x1b[2J"):
        (tmp_path / STATE_NAME).write_text(garbage)
        fake = FakeYahoo(end=END)
        viewer(tmp_path, fake, NOW, lease).refresh()
        assert len(fake.calls) == 1, garbage


@pytest.mark.processes
def test_three_processes_make_one_processes_requests_and_one_takes_over_from_a_killed_holder(tmp_path) -> None:
    cache, downloads, refreshes, stop = (tmp_path / "cache", tmp_path / "downloads", tmp_path / "refreshes",
                                         tmp_path / "stop")
    downloads.touch()
    refreshes.touch()
    # Forked from this process, whose imports they share (a fresh interpreter's cost a second of
    # CPU each): each a process of its own, with its own lease, store and fake Yahoo.
    fork = multiprocessing.get_context("fork")
    viewers = [fork.Process(target=lease_viewer.main, args=(str(cache), str(downloads), str(refreshes), str(stop)))
               for _ in range(3)]
    for process in viewers:
        process.start()
    try:
        wait_for(lambda: min(refreshes_by(refreshes, viewers).values()) >= 5, "every viewer refreshing")
        refreshed = refreshes_by(refreshes, viewers)    # read before the downloads: a refresh logs last
        fetchers = Counter(lines(downloads))
        assert len(fetchers) == 1, f"downloads came from several processes: {fetchers}"
        holder = next(iter(fetchers))
        first, later = lone_requests(tmp_path / "alone")
        alone = first + (refreshed[holder] - 1) * later     # what the holder would ask on its own
        assert alone <= fetchers[holder] <= alone + later
        latest = {pid: day for pid, day in (line.split() for line in lines(refreshes))}
        assert set(latest.values()) == {"2026-08-20"}   # every viewer shows the holder's bars (not the bundle's)

        os.kill(int(holder), signal.SIGKILL)
        next(p for p in viewers if str(p.pid) == holder).join(timeout=10)
        seen = len(lines(downloads))
        wait_for(lambda: len(lines(downloads)) > seen + 2, "another viewer fetching")
        successors = Counter(lines(downloads)[seen:])
        assert len(successors) == 1 and holder not in successors, successors
    finally:
        stop.touch()
        for process in viewers:
            process.join(timeout=20)
            if process.is_alive():
                process.kill()


def lone_requests(cache: Path) -> tuple[int, int]:
    """Requests a lone viewer makes at its first refresh and at each one after (as lease_viewer's)."""
    fake = FakeYahoo()
    feed = Feed(SPY_ONLY, download=fake, store=Store(cache / FILENAME), attempts=1)
    feed.refresh()
    first = len(fake.calls)
    feed.refresh()
    return first, len(fake.calls) - first


def lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line]


def refreshes_by(path: Path, viewers: list[multiprocessing.process.BaseProcess]) -> Counter:
    counts = Counter(line.split()[0] for line in lines(path))
    return Counter({str(p.pid): counts[str(p.pid)] for p in viewers if p.is_alive()})


def test_the_holder_fetches_the_symbols_a_follower_watches_and_it_does_not(tmp_path) -> None:
    asked = FakeYahoo(end=END)
    holder = viewer(tmp_path, asked, NOW)
    holder.refresh()
    with_qqq = Config(rotation=RotationSettings(include_indexes=False,
                                                symbols=(Symbol("SPY", "SPY"), Symbol("QQQ", "QQQ"))))
    follower = Feed(with_qqq, download=FakeYahoo(end=END), store=Store(tmp_path / FILENAME),
                    lease=FetchLease(tmp_path), now=NOW, attempts=1)
    assert follower.refresh().origins["QQQ"] == "bundled"       # nobody has fetched it yet
    asked.calls.clear()
    holder.refresh()
    assert "QQQ" in {ticker for call in asked.calls for ticker in call["tickers"]}
    assert "QQQ" not in holder.refresh().bars          # fetched for the follower, not shown by the holder
    shown = follower.refresh()
    assert shown.origins["QQQ"] == "cache" and shown.bars["QQQ"].index[-1] == pd.Timestamp(END)


def test_a_wants_list_of_an_ended_process_or_with_garbage_asks_for_nothing_odd(tmp_path) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    wants = tmp_path / "fetch-wants"
    wants.mkdir(parents=True)
    (wants / ended.stdout.strip()).write_text("QQQ")
    (wants / str(os.getpid())).write_text("DIA\n\x1b[2J\n../../etc\n" + "X" * 40)
    assert FetchLease(tmp_path).wanted() == ["DIA"]
    assert not (wants / ended.stdout.strip()).exists()


def test_the_holder_fetches_what_every_feed_of_a_follower_watches(tmp_path) -> None:
    # A follower's dashboard and its watchlist share the process's lease: the watchlist's list of
    # symbols once replaced the dashboard's, so the holder fetched each only every other refresh.
    asked = FakeYahoo(end=END)
    holder = viewer(tmp_path, asked, NOW)
    holder.refresh()
    with_dia = Config(rotation=RotationSettings(include_indexes=False, symbols=(Symbol("DIA", "DIA"),)))
    dashboard = Feed(with_dia, download=FakeYahoo(end=END), store=Store(tmp_path / FILENAME),
                     lease=FetchLease(tmp_path), now=NOW, attempts=1)
    watchlist = dashboard.for_symbols(["QQQ"], "watchlist")
    dashboard.refresh()
    watchlist.refresh()
    asked.calls.clear()
    holder.refresh()
    assert {"DIA", "QQQ"} <= {ticker for call in asked.calls for ticker in call["tickers"]}
