"""Wires the monitor together: the feed, the market calendar and the analysis behind the UI's port.

This is the one place that knows both sides, so `ui/` never imports the data layer. The data
layer and the analysis (pandas, SQLite, exchange_calendars) are imported on first use, in the
refresh worker: start-up imports only Textual, so the last session's saved view paints at once.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from tuimarket.config import Config
from tuimarket.data import schedule
from tuimarket.ui.port import Loaded
from tuimarket.ui.timeline_model import EventTimeline, event_timeline
from tuimarket.ui.viewmodels import AlertLine, LatestEvent, MarketHours

if TYPE_CHECKING:
    from tuimarket.alerts import Alert
    from tuimarket.alerts.delivery import Deliveries
    from tuimarket.analysis.events import Event, EventHistory
    from tuimarket.data.alert_store import AlertStore
    from tuimarket.data.feed import CachedMembers, Feed
    from tuimarket.data.members import Members
    from tuimarket.data.model import MarketData
    from tuimarket.watchlist_source import WatchlistSource


def data_status(data: MarketData) -> str:
    """One line on freshness: the label all symbols share, or each label with its count.

    In the order of FreshnessState (live first, without data last), then the larger group first:
    "live", "15 live, 3 stale since 2025-09-26 21:00 UTC", "3 offline bundled as of 2025-09-25,
    12 without data".
    """
    from tuimarket.data.model import FreshnessState

    if all(f.state == FreshnessState.MISSING for f in data.freshness.values()):
        return "no data"
    groups = Counter((f.state, f.label() if f.state != FreshnessState.MISSING else "without data")
                     for f in data.freshness.values())
    if len(groups) == 1:
        return next(iter(groups))[1]
    states = list(FreshnessState)
    ordered = sorted(groups.items(), key=lambda group: (states.index(group[0][0]), -group[1], group[0][1]))
    return ", ".join(f"{count} {label}" for (_, label), count in ordered)


def is_offline(data: MarketData) -> bool:
    """Nothing shown came from Yahoo, now or cached: the bundled history at most."""
    from tuimarket.data.model import FreshnessState

    return bool(data.freshness) and all(f.state in (FreshnessState.BUNDLED, FreshnessState.MISSING)
                                        for f in data.freshness.values())


# An index's latest event is weeks old at most (43 days, in the 35 years of the bundled indexes).
LATEST_EVENT_DAYS = 120


def latest_events(config: Config, data: MarketData, events: Sequence[Event] | None = None,
                  history: EventHistory | None = None) -> dict[str, LatestEvent]:
    """Each index's latest event in the bars up to the data's date, with its age in sessions and
    the change since. `events` are those of all of `data.bars`, when the refresh has them already.

    Otherwise only the indexes and the benchmark go in: an index's events depend on nothing else,
    and leaving the sectors out makes this a quarter of the work; so is the stance left out (its
    timeline was a third of this pass). Only the events of the last LATEST_EVENT_DAYS are
    made (a third of the work again), those of the whole history when an index has none so
    recent. `history` (made without the stance) carries them from one call to the next (a replay
    stepping a session on reads that session only).
    """
    import pandas as pd

    from tuimarket.alerts import event_words
    from tuimarket.analysis.events import NO_STANCE, market_events
    from tuimarket.data.model import dates_of

    indexes = {index.symbol for index in config.indexes}
    end = pd.Timestamp(data.as_of) if data.as_of else None
    bars = {symbol: frame.loc[:end] for symbol, frame in data.bars.items() if symbol in indexes | {config.benchmark}}
    forming = {symbol for symbol, fresh in data.freshness.items() if fresh.partial}
    if events is None:
        since = (end - pd.Timedelta(days=LATEST_EVENT_DAYS)).date() if end is not None else None
        events = (history.events(bars, forming=forming, since=since) if history
                  else market_events(config, bars, forming=forming, timeline=NO_STANCE, since=since))
        if {symbol for symbol in indexes if len(bars.get(symbol, ()))} - {event.symbol for event in events}:
            events = market_events(config, bars, forming=forming, timeline=NO_STANCE)    # an index quiet that long
    latest: dict[str, Event] = {}
    for event in events:   # by date, then the most important first
        if event.symbol in indexes and (event.symbol not in latest or event.date > latest[event.symbol].date):
            latest[event.symbol] = event
    found = {}
    for symbol, event in latest.items():
        closes = bars[symbol]["Close"].dropna()
        sessions_ago = int((dates_of(closes).date > event.date).sum())
        change = float(closes.iloc[-1]) / event.close - 1 if event.close else None
        found[symbol] = LatestEvent(event_words(event), event.date, sessions_ago, event.close, change)
    return found


def alert_line(alert: Alert, read: bool = False) -> AlertLine:
    return AlertLine(alert.key, alert.symbol, alert.kind, alert.date, alert.title, alert.body, read)


class MarketPipeline:
    """The UI's `Pipeline`: cache-first start-up, live refreshes, the exchange's hours, the alerts.

    Each live refresh records its alerts in the cache exactly as `tuimarket watch` does and hands
    the news to the configured sinks, whose threads deliver them without delaying the refresh.
    """

    def __init__(self, config: Config, feed: Feed | None = None, *, source: str | None = None,
                 as_of: date | None = None, deliveries: Deliveries | None = None) -> None:
        self.config = config
        self.source = source or config.data.source
        self.replay = as_of
        self.live = as_of is None and self.source != "bundled"
        self._feed = feed
        self._deliveries = deliveries
        self._data: MarketData | None = None     # the data last loaded
        self._watchlists: WatchlistSource | None = None
        self._members: CachedMembers | None = None
        # The events carried from one load to the next: every symbol's (the alerts'), the panels'.
        self._event_histories: dict[str, EventHistory] = {}

    @property
    def feed(self) -> Feed:
        if self._feed is None:
            from tuimarket.data.feed import Feed

            self._feed = Feed(self.config, source=self.source, as_of=self.replay)
        return self._feed

    @property
    def saved_view(self) -> Path | None:
        """A file per configuration and source; a replay shows history, so it keeps none."""
        if self.replay is not None:
            return None
        fingerprint = hashlib.sha256(f"{self.config!r}|{self.source}".encode()).hexdigest()[:16]
        return self.config.cache_dir / f"view-{fingerprint}.json"

    @property
    def alerts(self) -> AlertStore:
        from tuimarket.data.alert_store import AlertStore

        return AlertStore(self.feed.store)

    @property
    def members(self) -> Members | None:
        """The index members breadth is measured over, read in the worker when first asked and
        again when their cached closes changed (None when breadth is off)."""
        return self._member_source.current()

    @property
    def _member_source(self) -> CachedMembers:
        if self._members is None:
            from tuimarket.data.feed import CachedMembers

            self._members = CachedMembers(self.config, lambda: self.feed)
        return self._members

    def _refresh_members(self, data: MarketData) -> MarketData:
        """`data` with the members; live, after fetching their closes since the last ones at hand
        (the feed asks once per session, after the close). A failure only leaves breadth at its
        date, said in a note."""
        return self._member_source.refresh(data) if self.live else data    # else `_loaded` adds them

    def _loaded(self, data: MarketData, announced: list[Alert] | tuple[()] = (),
                events: Sequence[Event] | None = None) -> Loaded:
        from tuimarket.analysis.snapshot import build_snapshot

        data = replace(data, members=self.members)
        self._data = data     # what the detail screen's event timeline is made of
        return Loaded(build_snapshot(self.config, data), data_status(data), data.error, is_offline(data),
                      self._sessions_old(data.as_of), tuple(alert_line(alert) for alert in announced),
                      self.alerts.unread_count(),
                      latest_events(self.config, data, events, self._event_history("panels")),
                      retry_at=self.feed.lease.backoff().next_try)

    def _sessions_old(self, as_of: date | None) -> int:
        """Sessions closed since `as_of`; a replay shows the past on purpose, so it is never behind."""
        from tuimarket.data import calendar

        if as_of is None or self.replay is not None:
            return 0
        return calendar.sessions_since(as_of, calendar.now_utc())

    def initial(self) -> Loaded:
        data = self.feed.initial()
        if self.replay is not None and data.as_of is not None:
            self.replay = data.as_of        # a day without a session replays the session before
        return self._loaded(data)

    def refresh(self) -> Loaded:
        data = self._refresh_members(self.feed.refresh())
        # Alerts come from what Yahoo just sent: over the bundled history or a failed fetch they
        # would be old signals dressed as new.
        fetched = self.live and data.error is None and not is_offline(data)
        if not fetched:
            return self._loaded(data)
        events = self._events(data)      # computed once: for the alerts and for the panels
        return self._loaded(data, self._announce(data, events), events)

    def _events(self, data: MarketData) -> Sequence[Event] | None:
        """Every symbol's events, when the alerts include them (the panels then read theirs there)."""
        from tuimarket.alert_pass import wants_events

        if not wants_events(self.config):
            return None
        forming = {symbol for symbol, fresh in data.freshness.items() if fresh.partial}
        return self._event_history("alerts").events(data.bars, forming=forming)

    def _event_history(self, purpose: str) -> EventHistory:
        """The events carried from refresh to refresh for the alerts, or for the panels (without the stance)."""
        from tuimarket.analysis.events import EventHistory

        if purpose not in self._event_histories:
            self._event_histories[purpose] = EventHistory(self.config, stance=purpose != "panels")
        return self._event_histories[purpose]

    def _announce(self, data: MarketData, events: Sequence[Event] | None = None) -> list[Alert]:
        """Record this refresh's alerts (the watcher's path) and queue the news for the sinks."""
        from tuimarket.alert_pass import record_refresh

        announced = record_refresh(self.config, data, self.alerts, events)
        if self._deliveries is not None:
            for alert in announced:
                self._deliveries.send(alert)
        return announced

    def step(self, sessions: int) -> Loaded:
        from tuimarket.data import calendar

        assert self.replay is not None, "only a replay steps through sessions"
        day, direction = self.replay, 1 if sessions > 0 else -1
        for _ in range(abs(sessions)):
            day += timedelta(days=direction)
            while not calendar.is_session(day):
                day += timedelta(days=direction)
        self.feed.as_of = day
        data = self.feed.initial()      # the history read at the start, clipped at the new date
        if data.as_of is None and self._data is not None:    # before the first bar: that bar's date, if any
            first = min((frame.index[0].date() for frame in self._data.bars.values() if len(frame)), default=None)
            if first is not None:
                self.feed.as_of = first
                data = self.feed.initial()
        self.replay = self.feed.as_of = data.as_of or day    # past the last bar: that bar's date
        return self._loaded(data)

    def event_timeline(self, symbol: str) -> EventTimeline:
        if self._data is None:
            return EventTimeline(symbol, None, ())
        return event_timeline(self.config, self._data, symbol)

    def alert_log(self, limit: int) -> list[AlertLine]:
        return [alert_line(stored.alert, stored.read) for stored in self.alerts.recent(limit)]

    def mark_read(self, keys: list[str] | None) -> int:
        alerts = self.alerts
        alerts.mark_read(keys)
        return alerts.unread_count()

    def mute(self, what: str, value: str) -> bool:
        return self.alerts.mute(what, value)

    def close(self) -> None:
        """End what outlives a refresh: the watchlists' row worker process."""
        if self._watchlists is not None:
            self._watchlists.worker.close()

    @property
    def watchlists(self) -> WatchlistSource:
        if self._watchlists is None:
            from tuimarket.watchlist_source import WatchlistSource

            self._watchlists = WatchlistSource(self.config, lambda: self.feed, live=self.live)
        return self._watchlists

    def market_hours(self, now: datetime) -> MarketHours:
        from tuimarket.data import calendar

        return calendar.market_hours(now)

    def refresh_interval(self, now: datetime) -> float:
        return schedule.interval(now, self.market_hours(now), self.config.refresh)


def run_monitor(config: Config, *, source: str | None = None, as_of: date | None = None) -> int:
    # A dashboard needs no 60 fps: a lower cap keeps bursts (scrolling, resizing) light on an SSH
    # link. Textual reads it once, at import; a user's own TEXTUAL_FPS still wins.
    os.environ.setdefault("TEXTUAL_FPS", "20")
    from tuimarket.ui.app import TuimarketApp

    deliveries = None
    if config.alerts.sinks and as_of is None:   # built now: a URL apprise cannot parse is exit 2, as for watch
        from tuimarket.alerts.delivery import build_deliveries

        deliveries = build_deliveries(config)
    pipeline = MarketPipeline(config, source=source, as_of=as_of, deliveries=deliveries)
    app = TuimarketApp(config, pipeline)
    try:
        app.run()
    finally:
        pipeline.close()
    return 0 if app.return_code in (None, 0) else app.return_code
