"""Live member bars: a live refresh fetches the index members' closes after the bundle's end, once
per session after its close, in the feed's grouped requests, into the SQLite cache; breadth then
runs to the members' new last date. A failing member fetch never fails the index refresh.

The real MarketPipeline and Feed, a real SQLite file, the fake download serving the bundled
indexes and, for the members, their bundled closes carried on past 2026-02-18 by a fixed walk.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fakes
from fakes import FakeYahoo
from tuimarket.analysis.breadth import member_breadth
from tuimarket.config import parse
from tuimarket.data import members
from tuimarket.data.feed import MAX_SYMBOLS_PER_REQUEST, Feed
from tuimarket.data.lease import FetchLease
from tuimarket.data.store import Store
from tuimarket.monitor import MarketPipeline

# The indexes' first live load fetches 3 years, not 12: the members' closes are fetched from the
# bundle's end whatever that length, and the indexes' refresh and events cost a quarter.
LIVE_YEARS = "[data]\nhistory_years = 3\n"
CONFIG = parse(LIVE_YEARS)
BUNDLE_END = date(2026, 2, 18)
TODAY = date(2026, 3, 10)
AFTER_CLOSE = datetime(2026, 3, 10, 21, 0, tzinfo=timezone.utc)     # 17:00 in New York
LATER_THAT_EVENING = datetime(2026, 3, 11, 1, 0, tzinfo=timezone.utc)
MEMBERS_START = "2026-02-04"       # ten sessions before the bundle's end: the overlap compared
VIEWER = Path(__file__).with_name("member_viewer.py")


@pytest.fixture(scope="module")
def bundle() -> members.Members:
    return members.bundled()


@pytest.fixture(scope="module")
def member_history(bundle) -> dict[str, pd.DataFrame]:
    return fakes.member_history(bundle.closes, TODAY)


def pipeline(cache: Path, download, now: datetime = AFTER_CLOSE) -> MarketPipeline:
    feed = Feed(CONFIG, download=download, store=Store(cache / "market.sqlite3"), now=now, sleep=lambda _: None,
                attempts=1)
    return MarketPipeline(CONFIG, feed)


def member_calls(fake: FakeYahoo, bundle: members.Members) -> list[dict]:
    return [call for call in fake.calls if set(call["tickers"]) & set(bundle.closes.columns)]


def test_a_live_refresh_carries_breadth_past_the_bundle_in_grouped_requests_once_a_session(
        tmp_path: Path, bundle, member_history) -> None:
    fake = FakeYahoo(end=TODAY, history=member_history)
    live = pipeline(tmp_path, fake)
    first = live.refresh()
    breadth = first.snapshot.market_breadth
    assert breadth.reading.as_of == TODAY and not breadth.stale
    assert breadth.reading.members == len(bundle.closes.columns)
    asked = member_calls(fake, bundle)
    assert len(asked) == 6 and all(len(call["tickers"]) <= MAX_SYMBOLS_PER_REQUEST for call in asked)
    assert {call["start"] for call in asked} == {MEMBERS_START}
    assert sorted(ticker for call in asked for ticker in call["tickers"]) == sorted(bundle.closes.columns)

    fake.calls.clear()
    again = live.refresh()                       # the same session: the members' closes are in hand
    assert member_calls(fake, bundle) == [] and fake.calls        # the indexes were still asked
    assert again.snapshot.market_breadth.reading.as_of == TODAY

    fake.calls.clear()
    restarted = pipeline(tmp_path, fake, now=LATER_THAT_EVENING)
    assert restarted.initial().snapshot.market_breadth.reading.as_of == TODAY   # from the cache, no request
    restarted.refresh()
    assert member_calls(fake, bundle) == [] and fake.calls     # the cache has the session's close


def test_the_cache_scale_carries_the_bundled_closes(tmp_path: Path, bundle, member_history) -> None:
    """Yahoo's history re-adjusted (here: every member halved, as after a 2-for-1 split) puts the
    bundled closes on its scale: breadth of the bundle's dates is what the bundle alone says."""
    halved = {symbol: bars.assign(**{column: bars[column] / 2 for column in ("Open", "High", "Low", "Close")})
              for symbol, bars in member_history.items()}
    live = pipeline(tmp_path, FakeYahoo(end=TODAY, history=halved))
    live.refresh()
    carried = live.members
    assert carried is not None and carried.closes.index[-1] == pd.Timestamp(TODAY)
    assert member_breadth(carried, BUNDLE_END) == member_breadth(bundle, BUNDLE_END)
    assert carried.closes.loc[str(BUNDLE_END), "AAPL"] == pytest.approx(bundle.closes.loc[str(BUNDLE_END), "AAPL"] / 2)


def test_a_failing_member_fetch_leaves_breadth_at_its_date_and_the_indexes_live(
        tmp_path: Path, bundle, member_history) -> None:
    fake = FakeYahoo(end=TODAY, history=member_history)
    listed = set(bundle.closes.columns)

    def members_down(tickers, **options):
        if set(tickers) & listed:
            raise ConnectionError("Could not resolve host: query1.finance.yahoo.com")
        return fake(tickers, **options)

    loaded = pipeline(tmp_path, members_down).refresh()
    assert loaded.error is None and loaded.snapshot.as_of == TODAY
    breadth = loaded.snapshot.market_breadth
    assert breadth.stale and breadth.reading.as_of == BUNDLE_END
    assert any(note.endswith(" for 503 of 503 index members; breadth stays at its date")
               for note in loaded.snapshot.notes), loaded.snapshot.notes


def test_a_few_members_fetched_make_no_breadth_date(tmp_path: Path, bundle, member_history) -> None:
    """Yahoo answering for a handful of members only: their dates would be breadth of a handful."""
    few = dict(list(member_history.items())[:20])
    loaded = pipeline(tmp_path, FakeYahoo(end=TODAY, history=few)).refresh()
    assert loaded.snapshot.market_breadth.reading.as_of == BUNDLE_END
    assert loaded.snapshot.market_breadth.reading.members == len(bundle.closes.columns)


def test_replays_and_the_bundled_source_never_fetch_members(tmp_path: Path, bundle, member_history) -> None:
    fake = FakeYahoo(end=TODAY, history=member_history)
    offline = MarketPipeline(CONFIG, Feed(CONFIG, source="bundled", download=fake,
                                          store=Store(tmp_path / "market.sqlite3"), now=AFTER_CLOSE))
    offline.refresh()
    replay = MarketPipeline(CONFIG, Feed(CONFIG, as_of=date(2025, 6, 2), download=fake,
                                         store=Store(tmp_path / "market.sqlite3"), now=AFTER_CLOSE),
                            as_of=date(2025, 6, 2))
    replay.refresh()
    assert fake.calls == []


def test_a_breadth_event_after_the_bundle_reaches_the_alert_log(tmp_path: Path, bundle, member_history) -> None:
    """Every member falls six sessions after the bundle's end, then rises: a breadth thrust that
    only the fetched closes hold, recorded by the monitor's alert pass like the indexes' events."""
    later = pd.bdate_range(pd.Timestamp(BUNDLE_END) + pd.Timedelta(days=1), pd.Timestamp(TODAY))
    factors = pd.Series(np.cumprod(np.where(np.arange(len(later)) < 6, 0.99, 1.01)), index=later)
    washout_then_rush = {}
    for symbol, bars in member_history.items():
        shipped = bars.loc[:str(BUNDLE_END)]
        walked = pd.DataFrame({column: shipped[column].iloc[-1] * factors for column in shipped.columns
                               if column != "Volume"}).assign(Volume=1e6)
        washout_then_rush[symbol] = pd.concat([shipped, walked])
    config = replace(CONFIG, alerts=replace(CONFIG.alerts, events=("breadth_thrust",)))
    feed = Feed(config, download=FakeYahoo(end=TODAY, history=washout_then_rush),
                store=Store(tmp_path / "market.sqlite3"), now=AFTER_CLOSE, sleep=lambda _: None, attempts=1)
    live = MarketPipeline(config, feed)
    live.refresh()
    thrusts = [line for line in live.alert_log(100) if line.kind == "breadth_thrust" and line.date > BUNDLE_END]
    assert len(thrusts) == 1, live.alert_log(100)


def test_a_viewer_without_the_lease_moves_on_with_the_members_the_holder_fetches(
        tmp_path: Path, member_history) -> None:
    holder = pipeline(tmp_path, FakeYahoo(end=TODAY, history=member_history))
    asked = FakeYahoo(end=TODAY, history=member_history)
    follower = MarketPipeline(CONFIG, Feed(CONFIG, download=asked, store=Store(tmp_path / "market.sqlite3"),
                                           lease=FetchLease(tmp_path), now=AFTER_CLOSE, attempts=1))
    assert holder.feed.lease.acquire()          # this process's lease: the follower's is another's
    follower.refresh()
    assert follower.members is not None and follower.members.as_of == BUNDLE_END     # nothing fetched yet
    holder.refresh()                            # the members' closes since the bundle, into the cache
    assert follower.refresh().snapshot.market_breadth.reading.as_of == TODAY
    assert asked.calls == []                    # read from the cache: the follower asked Yahoo nothing


@pytest.mark.processes
def test_a_monitor_a_watcher_and_a_report_sharing_a_cache_download_the_members_once(tmp_path: Path) -> None:
    log = tmp_path / "member-requests"
    log.touch()
    (tmp_path / "config" / "tuimarket").mkdir(parents=True)
    (tmp_path / "config" / "tuimarket" / "config.toml").write_text(LIVE_YEARS)     # each process's config
    environment = os.environ | {"TUIMARKET_CACHE_DIR": str(tmp_path / "cache"),
                                "XDG_CONFIG_HOME": str(tmp_path / "config")}

    def run(*modes: str) -> None:
        viewers = [subprocess.Popen([sys.executable, str(VIEWER), mode, str(log)], env=environment,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for mode in modes]
        for mode, viewer in zip(modes, viewers):
            out, err = viewer.communicate(timeout=180)
            assert viewer.returncode == 0, err
            assert out.split()[-1] == TODAY.isoformat(), (mode, out, err)   # breadth of the last session

    run("monitor", "watch")     # together: one holds the lease and fetches, the other reads what it saves
    run("report")               # after them: the cache has the session's closes, so it asks nothing
    requests = [line.split() for line in log.read_text().splitlines()]
    assert len({pid for pid, _ in requests}) == 1, requests       # one process fetched the members ...
    assert sum(int(count) for _, count in requests) == len(members.bundled().closes.columns)   # ... once each
