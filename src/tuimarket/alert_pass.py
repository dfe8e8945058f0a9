"""One refresh's alerts, the one path `tuimarket watch` and the monitor share: every source's
alerts computed from the bars, recorded in the cache, and those that are news returned.

It sits below both (the layers keep the watcher and the monitor apart) and above the analysis,
the data and the alerts it joins. Nothing here imports Textual.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from bisect import bisect_left
from datetime import date, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Callable, Collection, Iterable, Mapping, Sequence

import pandas as pd

from tuimarket.alerts import Alert, from_event
from tuimarket.analysis.alert_rules import level_alerts
from tuimarket.config import Config
from tuimarket.data.alert_store import AlertStore
from tuimarket.data.model import MarketData

if TYPE_CHECKING:
    from tuimarket.analysis.events import Event, EventHistory
    from tuimarket.data.members import Members

log = logging.getLogger("tuimarket.alerts")

# (config, bars, forming, since, events, members): the alerts dated from `since` on (all without
# it); `events` are the analysis' events of the same bars, when the caller has computed them
# already; `members` the index members with the closes at hand (the configured ones when None).
AlertSource = Callable[[Config, Mapping[str, pd.DataFrame], Collection[str], "date | None",
                        "Sequence[Event] | None", "Members | None"], list[Alert]]


def _level_source(config: Config, bars: Mapping[str, pd.DataFrame], forming: Collection[str], since: date | None,
                  events: Sequence[Event] | None, members: Members | None) -> list[Alert]:
    return [alert for alert in level_alerts(config, bars, forming=forming) if since is None or alert.date >= since]


def _event_source(config: Config, bars: Mapping[str, pd.DataFrame], forming: Collection[str], since: date | None,
                  events: Sequence[Event] | None, members: Members | None) -> list[Alert]:
    """The analysis' events (issue 13 part 1) of the kinds `alerts.events` names, as alerts."""
    from tuimarket.analysis.events import market_events

    if events is None:     # only the window's events are made; their states still come from the whole history
        events = market_events(config, bars, forming=forming, since=since)
    elif since is not None:      # in date order: those before `since` are skipped, not read
        events = events[bisect_left(events, since, key=attrgetter("date")):]
    return _wanted(config, events, since)


def _breadth_source(config: Config, bars: Mapping[str, pd.DataFrame], forming: Collection[str], since: date | None,
                    events: Sequence[Event] | None, members: Members | None) -> list[Alert]:
    """The members' breadth divergences and thrusts against the benchmark, up to its last bar
    (and the members' last close: live, with the closes the monitor fetched)."""
    from tuimarket.analysis.divergence import member_events

    benchmark = bars.get(config.benchmark)
    if benchmark is None or benchmark.empty:
        return []
    last = benchmark.index[-1]
    forming_day = last.date() if config.benchmark in forming else None
    return _wanted(config, member_events((members or _members(config)).until(last), benchmark["Close"], since=since,
                                         forming_day=forming_day), since)


@functools.lru_cache(maxsize=1)
def _members(config: Config) -> Members:
    """The configured members, read once per configuration (the bundle is 3.6 MB)."""
    from tuimarket.data.members import for_config

    members = for_config(config)
    assert members is not None, "the breadth source runs only with breadth on"
    return members


def _wanted(config: Config, events: Iterable[Event], since: date | None) -> list[Alert]:
    """The events from `since` on (all without it) of the kinds `alerts.events` names, as alerts."""
    wanted = config.alerts.events
    return [from_event(event, config.name_of) for event in events
            if (since is None or event.date >= since) and (wanted == ("all",) or event.kind.value in wanted)]


def event_kinds() -> tuple[str, ...]:
    """The analysis' event kinds; none until `tuimarket.analysis.events` is installed."""
    if importlib.util.find_spec("tuimarket.analysis.events") is None:
        return ()
    from tuimarket.analysis.events import EventKind

    return tuple(kind.value for kind in EventKind)


def alert_sources(config: Config) -> tuple[AlertSource, ...]:
    """The user's level rules, and the analysis' events where that module is installed."""
    if event_kinds() and config.alerts.events:
        return (_level_source, _event_source) + ((_breadth_source,) if config.breadth.enabled else ())
    return (_level_source,)


def wants_events(config: Config) -> bool:
    """Whether the alerts include the analysis' events (so a refresh computes every symbol's)."""
    return len(alert_sources(config)) > 1


def alerts_of(config: Config, bars: Mapping[str, pd.DataFrame], forming: Collection[str] = (), *,
              since: date | None = None, events: Sequence[Event] | None = None,
              members: Members | None = None) -> list[Alert]:
    return [alert for source in alert_sources(config)
            for alert in source(config, bars, forming, since, events, members)]


def watched_through(bars: Mapping[str, pd.DataFrame], forming: Collection[str]) -> dict[str, date]:
    """Per symbol, its last final session (the one before a bar still forming)."""
    through = {}
    for symbol, frame in bars.items():
        final = frame.index[:-1] if symbol in forming else frame.index
        if len(final):
            through[symbol] = final[-1].date()
    return through


def first_unwatched(watermarks: Mapping[str, date], through: Mapping[str, date]) -> date | None:
    """The first day some symbol of `through` has not been watched through: every alert dated
    before it is recorded already (watermarks only rise). None when a symbol was never watched:
    its whole history is to be recorded, quietly."""
    if not through or not set(through) <= set(watermarks):
        return None
    return min(watermarks[symbol] for symbol in through) + timedelta(days=1)


def record_refresh(config: Config, data: MarketData, alerts: AlertStore,
                   events: Sequence[Event] | None = None, history: EventHistory | None = None) -> list[Alert]:
    """The alerts of one refresh, recorded; those that are news, to announce (the watcher's and the
    monitor's one path). Only those dated after what every symbol was watched through are made
    (all on a first watch). `events` are the analysis' events of `data.bars`, when the caller has
    them; or `history` makes them, continuing from the refresh before (each a session or so on).
    None are announced when the cache could not be written: it says why in the log."""
    forming = {symbol for symbol, fresh in data.freshness.items() if fresh.partial}
    if events is None and history is not None and wants_events(config):
        events = history.events(data.bars, forming=forming)
    through = watched_through(data.bars, forming)
    since = first_unwatched(alerts.watermarks(), through)
    announced = alerts.record(alerts_of(config, data.bars, forming, since=since, events=events,
                                        members=data.members), through)
    if announced is None:
        log.warning("alerts not recorded, so none announced: %s", alerts.problem)
        return []
    return announced
