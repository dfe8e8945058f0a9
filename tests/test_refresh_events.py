"""One refresh, one computation of the events: the monitor's alert pass and its panels share it, a
watcher's later passes make only what is new since every symbol's watermark, and a replay's step
clips the history already in memory. Real parts: the Feed on a fake Yahoo, a real SQLite cache."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from alert_support import Clock
from support import bundled_data
from tuimarket import config, monitor
from tuimarket.alert_pass import alerts_of, record_refresh, watched_through
from tuimarket.analysis import breadth, events as analysis_events
from tuimarket.data import bundled
from tuimarket.data.alert_store import AlertStore
from tuimarket.data.feed import Feed
from tuimarket.data.store import Store
from tuimarket.monitor import MarketPipeline, latest_events

# The alerts include every event kind. A first live load fetches 4 years, not 12: what is counted
# and compared here (passes, computations, what is announced) is the same over any length.
SETTINGS = config.parse("[data]\nhistory_years = 4\n")


@pytest.fixture
def computations(monkeypatch) -> list[date | None]:
    """The real market_events, counted: the `since` of each call."""
    calls: list[date | None] = []
    real = analysis_events.market_events

    def counted(*args, **kwargs):
        calls.append(kwargs.get("since"))
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis_events, "market_events", counted)
    return calls


def live_feed(tmp_path: Path, clock: Clock, name: str = "market.sqlite3") -> Feed:
    return Feed(SETTINGS, download=clock.yahoo, store=Store(tmp_path / name), now=lambda: clock.now,
                sleep=lambda _: None)


class WholeReads(list):
    """Every EventHistory made while a test runs, a pipeline's own too: `symbols()` is how many
    symbols their passes read from the whole history (each first pass reads all it is given)."""

    def symbols(self) -> int:
        return sum(history.symbols_read_whole for history in self)


@pytest.fixture
def whole_reads(monkeypatch) -> WholeReads:
    made = WholeReads()

    class Kept(analysis_events.EventHistory):
        def __init__(self, config, **options) -> None:
            super().__init__(config, **options)
            made.append(self)

    monkeypatch.setattr(analysis_events, "EventHistory", Kept)
    return made


@pytest.mark.parametrize("days", [monitor.LATEST_EVENT_DAYS, 1])
def test_the_panels_latest_events_are_those_of_the_whole_history(monkeypatch, days):
    """Made from the last LATEST_EVENT_DAYS only, and from the whole history when an index had
    none then (a window of a day leaves one quiet): each index's latest event of the whole pass."""
    panels = (*(index.symbol for index in SETTINGS.indexes), SETTINGS.benchmark)
    data = bundled_data(SETTINGS, date(2024, 11, 12), symbols=panels,
                        bars_of=lambda symbol: bundled.load(symbol).loc["2014":"2024-11-12"])
    whole = latest_events(SETTINGS, data, analysis_events.market_events(SETTINGS, data.bars))
    monkeypatch.setattr(monitor, "LATEST_EVENT_DAYS", days)
    assert latest_events(SETTINGS, data) == whole


def test_the_panels_events_leave_the_stances_timeline_to_the_snapshot(monkeypatch):
    """The panels show the indexes' own events: their passes never compute the stance's timeline
    (a third of their pass), a first pass or a replay's step."""
    computed = []
    timeline = analysis_events.market_timeline
    monkeypatch.setattr(analysis_events, "market_timeline", lambda *args, **options: computed.append(args)
                        or timeline(*args, **options))
    replay = MarketPipeline(SETTINGS, Feed(SETTINGS, source="bundled", as_of=date(2024, 11, 1)), source="bundled",
                            as_of=date(2024, 11, 1))
    assert set(replay.initial().latest_events) == {index.symbol for index in SETTINGS.indexes}
    assert replay.step(1).latest_events and computed == []


def test_a_live_refresh_computes_the_members_breadth_once(tmp_path, monkeypatch):
    """The snapshot's breadth and the alerts' breadth events read one history (30-60 ms each)."""
    computed = []
    history = breadth.breadth_history
    monkeypatch.setattr(breadth, "breadth_history", lambda *args, **options: computed.append(args)
                        or history(*args, **options))
    pipe = MarketPipeline(SETTINGS, live_feed(tmp_path, Clock(date(2024, 11, 8))))
    loaded = pipe.refresh()
    assert loaded.snapshot.market_breadth.reading.as_of == date(2024, 11, 8) and len(computed) == 1
    pipe.feed.store.close()


def test_a_live_refresh_computes_the_events_once_for_the_alerts_and_the_panels(tmp_path, computations, whole_reads):
    clock = Clock(date(2024, 11, 8))
    pipe = MarketPipeline(SETTINGS, live_feed(tmp_path, clock))
    loaded = pipe.refresh()
    assert computations == [] and whole_reads.symbols() == len(SETTINGS.all_symbols)
    data = pipe.feed.refresh()
    assert loaded.latest_events == latest_events(SETTINGS, data)    # what the panels computed alone
    # The next session's refresh continues from this one's events: no whole pass.
    clock.move(date(2024, 11, 11))
    loaded = pipe.refresh()
    assert whole_reads.symbols() == len(SETTINGS.all_symbols)
    assert loaded.latest_events == latest_events(SETTINGS, pipe.feed.refresh())
    pipe.feed.store.close()


def test_a_watcher_carries_its_events_from_pass_to_pass_and_announces_what_whole_passes_would(
        tmp_path, whole_reads):
    clock = Clock(date(2024, 11, 8))
    feed, reference_feed = live_feed(tmp_path, clock), live_feed(tmp_path, clock, "reference.sqlite3")
    watched, reference = AlertStore(feed.store), AlertStore(reference_feed.store)
    history = analysis_events.EventHistory(SETTINGS)
    for day in (date(2024, 11, 8), date(2024, 11, 11), date(2024, 11, 12), date(2024, 11, 13), date(2024, 11, 19)):
        clock.move(day)
        announced = record_refresh(SETTINGS, feed.refresh(), watched, history=history)
        assert announced == record_refresh(SETTINGS, reference_feed.refresh(), reference), day
    assert whole_reads.symbols() == len(SETTINGS.all_symbols)     # the first pass only
    feed.store.close()
    reference_feed.store.close()


def test_later_watch_passes_make_only_the_new_alerts_and_announce_what_the_whole_history_would(
        tmp_path, computations):
    clock = Clock(date(2024, 11, 8))
    feed, reference_feed = live_feed(tmp_path, clock), live_feed(tmp_path, clock, "reference.sqlite3")
    watched, reference = AlertStore(feed.store), AlertStore(reference_feed.store)
    for day in (date(2024, 11, 8), date(2024, 11, 11), date(2024, 11, 12), date(2024, 11, 19)):   # then a gap
        clock.move(day)
        data = feed.refresh()
        announced = record_refresh(SETTINGS, data, watched)
        through = watched_through(data.bars, set())
        assert announced == reference.record(alerts_of(SETTINGS, reference_feed.refresh().bars), through)
    # The watcher's passes (the reference computes everything each time): the first records the
    # whole history, quietly; each later one starts the day after the last session watched.
    assert computations[::2] == [None, date(2024, 11, 9), date(2024, 11, 12), date(2024, 11, 13)]
    assert computations[1::2] == [None] * 4
    recorded = {stored.alert.key for stored in watched.recent(100_000)}
    assert recorded == {stored.alert.key for stored in reference.recent(100_000)}
    feed.store.close()
    reference_feed.store.close()


@pytest.mark.parametrize("source", ["bundled", "cache"])
def test_a_replay_step_clips_the_history_in_memory_the_same_as_a_re_read(tmp_path, monkeypatch, source):
    if source == "cache":       # a cache a live run filled, replayed offline
        clock = Clock(date(2024, 11, 15))
        filler = live_feed(tmp_path, clock)
        filler.refresh()
        filler.store.close()

    def replay_at(day: date) -> MarketPipeline:
        feed = Feed(SETTINGS, source=source if source == "bundled" else None, as_of=day,
                    store=Store(tmp_path / "market.sqlite3"), sleep=lambda _: None)
        return MarketPipeline(SETTINGS, feed, source=source if source == "bundled" else None, as_of=day)

    stepping = replay_at(date(2024, 11, 1))
    stepping.initial()
    reads: list[str] = []          # what a step reads again from the cache or the bundle: nothing
    bundle_read, cache_read = bundled.load, Store.read_many
    for sessions, day in ((1, date(2024, 11, 4)), (4, date(2024, 11, 8)), (-5, date(2024, 11, 1))):
        with monkeypatch.context() as reading:
            reading.setattr(bundled, "load", lambda symbol: reads.append(symbol) or bundle_read(symbol))
            reading.setattr(Store, "read_many",
                            lambda store, symbols: reads.extend(symbols) or cache_read(store, symbols))
            stepped = stepping.step(sessions)
        re_read = replay_at(day).initial()
        assert stepped.snapshot == re_read.snapshot and stepped.latest_events == re_read.latest_events
        assert stepped.snapshot.as_of == day
    assert reads == []


def test_a_replay_stepping_on_reads_the_new_sessions_only_and_back_reads_whole(tmp_path, whole_reads):
    feed = Feed(SETTINGS, source="bundled", as_of=date(2024, 11, 1), store=Store(tmp_path / "market.sqlite3"),
                sleep=lambda _: None)
    stepping = MarketPipeline(SETTINGS, feed, source="bundled", as_of=date(2024, 11, 1))
    stepping.initial()
    panels = len({index.symbol for index in SETTINGS.indexes} | {SETTINGS.benchmark})
    assert whole_reads.symbols() == panels
    stepping.step(1)
    stepping.step(4)
    assert whole_reads.symbols() == panels
    stepping.step(-1)           # back: not a history grown, read whole
    assert whole_reads.symbols() == 2 * panels
    feed.store.close()
