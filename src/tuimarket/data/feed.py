"""The feed: what the app and the CLI ask for data. Cache first, then Yahoo, then the bundle.

`initial()` is the start-up path: cache and bundled history only, no network, no calendar.
`refresh()` is the live path: batched Yahoo downloads, each symbol asking only for what it
lacks (symbols that need the same start share a request of at most 100), merged into the cache;
every fault (Yahoo down, one symbol missing, a locked or read-only cache) becomes a freshness
state, a note or `MarketData.error`, never an exception.

Merging is careful about adjusted prices: Yahoo re-adjusts a symbol's whole history after a
split or dividend, so when the freshly downloaded closes disagree with the cached ones on the
dates both have, the symbol's history is downloaded again in full and replaced, never stitched
(stitching is how a 2-for-1 split turns into a -50% day). Nothing Yahoo answers ever shrinks
the cache: agreeing bars are added to it, and a history replaces it only when it holds at least
as much; a cut-short answer leaves the symbol stale on its cache, with a note saying why.

With breadth on, the index members' daily closes after the last ones at hand are fetched the
same way, once per session after its close (`refresh_members`), into the same cache. Every
process that shows breadth (the monitor, `watch`, `report`) asks for them through `CachedMembers`,
which reads them again whenever the cache's copy changed, whoever fetched them.

Several viewers on one cache dir make one set of requests: the process holding the fetch lease
(see `lease`) refreshes from Yahoo, for itself and for the symbols the others asked for; the
others show its cache, read again only when it changed. The rate-limit backoff is shared too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Callable, Sequence, TypedDict

import pandas as pd

from tuimarket.data import bundled, calendar, members, yahoo
from tuimarket.data.lease import Backoff, FetchLease
from tuimarket.data.model import Freshness, FreshnessState, MarketData, clip, impossible_bars
from tuimarket.data.store import Store

if TYPE_CHECKING:
    from tuimarket.config import Config

OVERLAP = pd.offsets.BDay(10)   # re-download this much before the last cached bar, to compare
TOLERANCE = 1e-4                # relative close difference still counted as rounding
LISTING_SLACK = timedelta(days=7)   # a history from the requested start begins within a week of it
A_YEAR_OF_SESSIONS = 252
MAX_SYMBOLS_PER_REQUEST = 100
RATE_LIMIT_WAIT = timedelta(minutes=1)    # after a rate limit, doubling while it lasts ...
RATE_LIMIT_MAX_WAIT = timedelta(hours=2)  # ... up to this (longer if Yahoo's Retry-After says so)
SHARED_START = timedelta(days=31)   # symbols needing starts this close share the earliest: one request


@dataclass(frozen=True)
class _Series:
    """One symbol's bars, where they came from and how fresh they are."""

    bars: pd.DataFrame | None
    origin: str | None             # "yahoo", "cache", "bundled"; None when missing
    freshness: Freshness


class Feed:
    def __init__(self, config: Config, *, source: str | None = None, as_of: date | None = None,
                 download: yahoo.Download | None = None, store: Store | None = None,
                 lease: FetchLease | None = None, now: Callable[[], datetime] | datetime | None = None,
                 sleep: Callable[[float], None] | None = None, attempts: int = 3,
                 symbols: Sequence[str] | None = None, asker: str = "monitor") -> None:
        """`source` overrides config.data.source; `as_of` replays history up to that date offline.
        `symbols`: what this feed shows (by default every symbol the config names).

        `attempts` bounds the retries of one refresh: a one-shot command makes one, so it falls
        back to the cache or the bundle at once instead of backing off while the user waits.

        `download`, `store`, `lease`, `now` (a tz-aware datetime or a function giving one) and
        `sleep` replace the network, the cache file, the fetch lease shared with other processes,
        the clock and the backoff wait in tests.
        """
        self.config = config
        self.source = source or config.data.source
        self.as_of = as_of
        self.symbols = tuple(symbols) if symbols is not None else config.all_symbols
        self.asker = asker      # whose symbols these are, for the fetch lease's holder
        self.no_data: frozenset[str] = frozenset()   # symbols Yahoo had nothing for, at the last refresh
        self._download = download
        self._store = store
        self._now: Callable[[], datetime] = (lambda: now) if isinstance(now, datetime) else (now or calendar.now_utc)
        self._sleep = sleep or time.sleep
        self._attempts = attempts
        self._lease = lease
        self._followed: tuple[int | None, dict[str, pd.DataFrame]] | None = None  # cache version, its bars
        self._replayed: dict[str, tuple[_Series, ...]] | None = None     # a replay's histories, read once
        self._members_session: date | None = None    # the session whose member closes were asked for

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.for_config(self.config)
        return self._store

    @property
    def lease(self) -> FetchLease:
        if self._lease is None:
            self._lease = FetchLease.for_dir(self.store.path.parent)    # beside the cache it guards
        return self._lease

    def for_symbols(self, symbols: Sequence[str], asker: str) -> Feed:
        """A feed of other symbols on the same cache, lease, network and clock, for `asker` (a watchlist)."""
        return Feed(self.config, source=self.source, as_of=self.as_of, download=self._download, store=self.store,
                    lease=self._lease, now=self._now, sleep=self._sleep, attempts=self._attempts, symbols=symbols,
                    asker=asker)

    @property
    def offline(self) -> bool:
        return self.source == "bundled" or self.as_of is not None

    # ---- start-up --------------------------------------------------------------------------------

    def initial(self) -> MarketData:
        """Cache and bundled history only: fast, no network, safe before the first paint. A replay
        reads them once: stepping to another date (a new `as_of`) clips what is in memory again."""
        if self.as_of is None:
            return self._assemble(self._history())
        if self._replayed is None:
            self._replayed = self._replay_histories()
        return self._assemble({symbol: _deepest(histories, self.as_of)
                               for symbol, histories in self._replayed.items()})

    def _replay_histories(self) -> dict[str, tuple[_Series, ...]]:
        """Each symbol's cached history and, behind it, its bundled one: a live session caches only
        its last years (12 by default), and a replay of 2007 read from that cache showed no bar."""
        return {symbol: (series, self._fallback(symbol)) if series.origin == "cache" else (series,)
                for symbol, series in self._history().items()}

    def _history(self) -> dict[str, _Series]:
        if self.source == "bundled":
            return {symbol: self._fallback(symbol) for symbol in self.symbols}
        return self._cached_or_fallback(self.store.read_many(self.symbols), self._now())

    def _cached_or_fallback(self, cached: dict[str, pd.DataFrame], now: datetime) -> dict[str, _Series]:
        return {symbol: self._from_cache(symbol, cached[symbol], now) if symbol in cached else self._fallback(symbol)
                for symbol in self.symbols}

    # ---- live ------------------------------------------------------------------------------------

    def refresh(self) -> MarketData:
        """Fetch from Yahoo and update the cache; offline sources and replays just re-read.

        While Yahoo rate-limits us, refreshes show the cache without asking, and the error says
        when the next request will be made. While another process holds the fetch lease, this
        one asks nothing and shows what that process caches.
        """
        if self.offline:
            return self.initial()
        now = self._now()
        if not self.lease.acquire():
            return self._follow(now)
        symbols = list(dict.fromkeys([*self.symbols, *self.lease.wanted()]))   # the followers' too
        cached = self.store.read_many(symbols)
        backoff = self.lease.backoff()
        if backoff.next_try is not None and now < backoff.next_try:
            return self._assemble(self._after_failure(cached, set(self.symbols), now),
                                  error=_rate_limited(backoff),
                                  notes=[self._failure_note(yahoo.Failure.RATE_LIMITED, cached)])
        fresh, whole_history, failures = self._fetch_by_need(self._needs(cached, now, symbols), now)
        self.no_data = frozenset(symbol for symbol, exc in failures.items() if exc.failure is yahoo.Failure.NO_DATA)
        limit = _rate_limit(failures)
        backoff = _next_backoff(backoff, now, limit)
        self.lease.record(backoff)
        if failures and not fresh:
            exc = next(iter(failures.values()))
            return self._assemble(self._after_failure(cached, set(self.symbols), now),
                                  error=f"{exc}; {_next_try_text(backoff)}" if limit else str(exc),
                                  notes=[self._failure_note(exc.failure, cached)])
        sane, screened = _screen(fresh)
        fetched, refused = self._save(sane, cached, now, whole_history=whole_history)
        failed = set(self.symbols) - set(fetched)
        series = self._after_failure(cached, failed, now)
        series.update({symbol: self._live(bars, now) for symbol, bars in fetched.items()})
        notes = []
        if failures:
            notes.append(f"{next(iter(failures.values())).failure} for {_some(sorted(failures))}; "
                         "showing what was cached")
        if no_data := sorted(failed - set(fresh) - set(failures)):
            notes.append(f"Yahoo had no data for {', '.join(no_data)}")
            self.no_data |= set(no_data)
        notes.extend(problems[symbol] for problems in (screened, refused) for symbol in sorted(problems))
        return self._assemble({symbol: series[symbol] for symbol in self.symbols}, notes=notes,
                              error=_rate_limited(backoff) if limit else None)

    def update_cache(self) -> frozenset[str]:
        """Bring this feed's symbols up to date in the cache, for a reader of its own (the watchlist's
        row worker): the symbols that have bars now. While another process holds the fetch lease
        this reads nothing (200 histories: 80-190 ms in a thread, for nothing): it asks the holder
        to fetch them, and the reader reads what the holder caches."""
        if not self.offline and not self.lease.acquire():
            self.lease.want(self.symbols, self.asker)
            return frozenset()
        return frozenset(self.refresh().bars)

    def _follow(self, now: datetime) -> MarketData:
        """Another process fetches: its cache, read again only when a write changed it."""
        self.lease.want(self.symbols, self.asker)
        version = self.store.data_version()
        if self._followed is None or version is None or version != self._followed[0]:
            self._followed = (version, self.store.read_many(self.symbols))
        backoff = self.lease.backoff()
        limited = backoff.next_try is not None and now < backoff.next_try
        holder = self.lease.holder()
        return self._assemble(self._cached_or_fallback(self._followed[1], now),
                              error=_rate_limited(backoff) if limited else None,
                              notes=[f"another tuimarket{f' (pid {holder})' if holder else ''} "
                                     "fetches for this cache; showing what it saves"])

    def refresh_members(self, at_hand: members.Members) -> str | None:
        """Fetch the index members' daily closes after the last ones at hand into the cache; a note
        when some could not be fetched (None when all were, or nothing was asked).

        Breadth reads closes only, so members are asked only while breadth's date is before the
        last closed session, and once per session (a member's forming bar is not needed), in the
        same grouped requests as the indexes, under the same lease and rate-limit backoff: a
        one-shot `report` asks nothing when the cache has the session's closes. A failure leaves
        breadth at its date, with a note.
        """
        if self.offline:
            return None
        now = self._now()
        session = calendar.last_closed_session(now)
        if at_hand.as_of is not None and at_hand.as_of >= session:
            return None
        behind = {symbol: (pd.Timestamp(last) - OVERLAP).date() for symbol, last in at_hand.last_closes().items()
                  if last < session}
        backoff = self.lease.backoff()
        if (not behind or self._members_session == session or not self.lease.acquire()
                or backoff.next_try is not None and now < backoff.next_try):
            return None
        self._members_session = session
        fresh, _, failures = self._fetch_by_need(behind, now)
        self.lease.record(_next_backoff(backoff, now, _rate_limit(failures)))
        sane, _ = _screen(fresh)
        fetched, _ = self._save(sane, self.store.read_many(list(sane)), now, whole_history=set())
        if not failures:
            return None
        note = f"{next(iter(failures.values())).failure} for {len(failures)} of {len(behind)} index members"
        return note + ("; breadth stays at its date" if not fetched else "")

    def _fetch_by_need(self, needs: dict[str, date], now: datetime
                       ) -> tuple[dict[str, pd.DataFrame], set[str], dict[str, yahoo.FetchError]]:
        """Every request of this refresh: the bars that came, the symbols that came whole, what failed."""
        full_start = self._full_start(now)
        fresh: dict[str, pd.DataFrame] = {}
        whole_history: set[str] = set()
        failures: dict[str, yahoo.FetchError] = {}
        for start, batch in _requests(needs):
            if limit := _rate_limit(failures):
                failures.update(dict.fromkeys(batch, limit))
                continue     # asking again now only prolongs the limit
            try:
                answer = self._yahoo(batch, start=start, now=now)
            except yahoo.FetchError as exc:
                failures.update(dict.fromkeys(batch, exc))
                continue
            fresh.update(answer)
            if start <= full_start:
                whole_history.update(answer)
        return fresh, whole_history, failures

    def _needs(self, cached: dict[str, pd.DataFrame], now: datetime, symbols: list[str]) -> dict[str, date]:
        """The first date each symbol asks for: a symbol with a complete cache needs its last few
        sessions; one new to the cache, or whose history is shorter than `history_years` for no
        known reason, needs years."""
        full_start = self._full_start(now)
        return {symbol: full_start if self._short_of_history(symbol, cached.get(symbol), full_start)
                else (cached[symbol].index[-1] - OVERLAP).date() for symbol in symbols}

    def _full_start(self, now: datetime) -> date:
        return now.date() - timedelta(days=round(365.25 * self.config.data.history_years))

    def _short_of_history(self, symbol: str, bars: pd.DataFrame | None, full_start: date) -> bool:
        """Does the cache lack years it should hold? Not when Yahoo said its history begins later."""
        if bars is None:
            return True
        if bars.index[0].date() <= full_start + LISTING_SLACK:
            return False
        meta = self.store.meta(symbol)
        return not (meta and meta.complete_from and meta.complete_from <= full_start)

    def _yahoo(self, symbols: Sequence[str], *, start: date, now: datetime) -> dict[str, pd.DataFrame]:
        return yahoo.fetch(symbols, start=start, download=self._download, sleep=self._sleep,
                           attempts=self._attempts, today=now.astimezone(calendar.NEW_YORK).date(), now=now)

    def _save(self, fresh: dict[str, pd.DataFrame], cached: dict[str, pd.DataFrame], now: datetime, *,
              whole_history: set[str]) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        """Merge each fresh download into the cache; the bars now current, and why others were refused.

        `whole_history` names the symbols whose download asked for all of `history_years`.

        A symbol whose history was re-adjusted is downloaded again in full; if that second call
        fails, or brings less history than the cache holds, the symbol is refused (shown stale on
        its cache) rather than shown on two price scales or cut short.
        """
        full_start = self._full_start(now)
        current, readjusted = {}, []
        for symbol, bars in fresh.items():
            merged = self._merge(symbol, cached.get(symbol), bars, now,
                                 full_start if symbol in whole_history else None)
            if merged is None:
                readjusted.append(symbol)
            else:
                current[symbol] = merged
        refused = {}
        if readjusted:
            start = min(full_start, *(cached[s].index[0].date() for s in readjusted))
            reloaded: dict[str, pd.DataFrame] = {}
            for first in range(0, len(readjusted), MAX_SYMBOLS_PER_REQUEST):
                try:
                    reloaded |= self._yahoo(readjusted[first:first + MAX_SYMBOLS_PER_REQUEST], start=start, now=now)
                except yahoo.FetchError:
                    pass     # refused below, shown stale on its cache
            for symbol in readjusted:
                old, whole = cached[symbol], reloaded.get(symbol)
                merged = None if whole is None else self._merge(symbol, old, whole, now, full_start)
                if merged is not None:
                    current[symbol] = merged
                elif whole is None:
                    refused[symbol] = (f"Yahoo re-adjusted the history of {symbol} (a split or dividend) "
                                       "but the full reload failed; showing the cache")
                else:
                    refused[symbol] = (f"Yahoo's history of {symbol} ({_span(whole)}) is shorter than the "
                                       f"cached history ({_span(old)}) and on another price scale; "
                                       "keeping the cache")
        return current, refused

    def _merge(self, symbol: str, old: pd.DataFrame | None, bars: pd.DataFrame, now: datetime,
               full_start: date | None) -> pd.DataFrame | None:
        """Cache `bars` beside or instead of `old`; the symbol's bars now, or None when neither is safe.

        Bars that agree with the cache are added to it, never deleting a cached bar, so an answer
        with gaps or cut short costs nothing. Bars on another price scale replace the cache only
        when they hold at least all the history it does. `full_start` is set when `bars` answer a
        request for the whole history.
        """
        complete_from = full_start if full_start and _is_whole_history(bars, old, full_start) else None
        if old is None or self._agrees(symbol, old, bars):
            self._write(symbol, bars, now, replace=False, complete_from=complete_from)
            return bars if old is None else _beside(old, bars)
        if bars.index[0] <= old.index[0] and len(bars) >= len(old):
            self._write(symbol, bars, now, replace=True, complete_from=complete_from)
            return bars
        return None

    def _agrees(self, symbol: str, old: pd.DataFrame, new: pd.DataFrame) -> bool:
        """Do the closes both frames have match (bar a bar that was still forming when cached)?"""
        meta = self.store.meta(symbol)
        common = old.index.intersection(new.index)
        if meta and meta.partial_date:
            common = common.drop([pd.Timestamp(meta.partial_date)], errors="ignore")
        if common.empty:
            return False    # nothing to compare: cannot tell the scales match, so reload
        before, after = old.loc[common, "Close"], new.loc[common, "Close"]
        return bool(((after - before).abs() / before.abs()).max() <= TOLERANCE)

    def _write(self, symbol: str, bars: pd.DataFrame, now: datetime, *, replace: bool,
               complete_from: date | None) -> None:
        """Cache the bars; a failed write only costs a note (the store records its problem)."""
        write = self.store.replace if replace else self.store.upsert
        write(symbol, bars, source="yahoo", fetched_at=now, partial_date=_forming_date(bars, now),
              complete_from=complete_from)

    # ---- freshness -------------------------------------------------------------------------------

    def _live(self, bars: pd.DataFrame, now: datetime) -> _Series:
        return _Series(bars, "yahoo", Freshness(FreshnessState.LIVE, _last(bars), now,
                                                partial=_forming_date(bars, now) is not None))

    def _from_cache(self, symbol: str, bars: pd.DataFrame, now: datetime, *, stale: bool = False) -> _Series:
        meta = self.store.meta(symbol)
        since = meta.fetched_at if meta else None
        if stale:
            state = FreshnessState.STALE
        elif since and (now - since).total_seconds() <= self.config.refresh.open_seconds:
            state = FreshnessState.LIVE      # the calendar is not loaded yet: the short interval decides
        else:
            state = FreshnessState.DELAYED
        partial = bool(meta and meta.partial_date == _last(bars))
        return _Series(bars, "cache", Freshness(state, _last(bars), since, partial))

    def _fallback(self, symbol: str) -> _Series:
        """The bundled history, unless the source is Yahoo only (or the bundle lacks the symbol):
        an index member's closes when that is all the bundle has of it."""
        bars = bundled.load(symbol) if self.source != "yahoo" else None
        if bars is None and self.source != "yahoo":
            bars = members.bundled_bars(symbol)
        if bars is None:
            return _Series(None, None, Freshness(FreshnessState.MISSING))
        return _Series(bars, "bundled", Freshness(FreshnessState.BUNDLED, _last(bars)))

    def _after_failure(self, cached: dict[str, pd.DataFrame], failed: set[str], now: datetime) -> dict[str, _Series]:
        """What failed symbols show: their cache marked stale, else the fallback."""
        return {symbol: self._from_cache(symbol, cached[symbol], now, stale=True) if symbol in cached
                else self._fallback(symbol) for symbol in self.symbols if symbol in failed}

    def _failure_note(self, failure: yahoo.Failure, cached: dict[str, pd.DataFrame]) -> str:
        if cached:
            return f"{failure}; showing the cached data"
        if self.source == "yahoo":
            return f"{failure} and nothing is cached"
        return f"{failure}; showing the bundled history"

    # ---- the view --------------------------------------------------------------------------------

    def _assemble(self, series: dict[str, _Series], *, notes: Sequence[str] = (),
                  error: str | None = None) -> MarketData:
        """Clip to the replay date (and to one common date when all is bundled) into MarketData."""
        notes = list(notes)
        cutoff = self.as_of
        shown = [symbol for symbol, entry in series.items() if entry.bars is not None]
        if shown and all(series[symbol].origin == "bundled" for symbol in shown):
            # every bundled series counts, an index member's closes too (they end on another date)
            ends = [end for symbol in shown if (end := series[symbol].freshness.as_of) is not None]
            common = min(ends, default=None)
            if common is not None and (cutoff is None or common < cutoff):
                cutoff = common
                notes.append(f"offline: bundled history, every symbol clipped at {common}, "
                             "the last date all of them have")
        if self.as_of is not None:
            notes.append(f"replay as of {self.as_of}")
        bars, freshness = {}, {}
        for symbol, entry in series.items():
            if entry.bars is None:
                freshness[symbol] = entry.freshness
                continue
            bars[symbol] = clip(entry.bars, cutoff)
            freshness[symbol] = _with_as_of(entry.freshness, _last(bars[symbol]))
        if self._store is not None and self._store.problem:
            notes.append(self._store.problem)
        origins = {symbol: entry.origin for symbol, entry in series.items() if entry.origin}
        return MarketData(
            bars=bars,
            freshness=freshness,
            as_of=max((last for frame in bars.values() if (last := _last(frame)) is not None), default=None),
            source="+".join(dict.fromkeys(origins[s] for s in self.symbols if s in origins)) or "none",
            notes=tuple(notes),
            error=error,
            origins=origins,
        )


class CachedMembers:
    """The configured members with the closes the cache holds now, for one process.

    Read when first asked, and again whenever the members' closes in the cache changed: after
    this process fetched them, and after the process holding the fetch lease did
    (a viewer that does not hold it never fetches, but its breadth moves on with the holder's).
    """

    def __init__(self, config: Config, feed: Callable[[], Feed]) -> None:
        """`feed()`: the process's feed (made on first use), whose cache and lease are read."""
        self.config = config
        self._feed = feed
        self._members: members.Members | None = None
        self._read: tuple[list[str], tuple[object, ...]] | None = None    # the symbols read, their version then

    def current(self) -> members.Members | None:
        """The members (None when breadth is off), read again if their cached closes changed."""
        if not self.config.breadth.enabled:
            return None
        if self._read is None or self._feed().store.bars_version(self._read[0]) != self._read[1]:
            self._members = members.for_config(self.config, self._read_closes)
        return self._members

    def refresh(self, data: MarketData) -> MarketData:
        """`data` with the members, live after fetching the closes of a session closed since
        breadth's date (`Feed.refresh_members`: once a session, by the lease holder, never offline
        or in a replay, nor when Yahoo just failed `data`'s own request: asking again only waits
        twice); a failed fetch of theirs is a note."""
        note = None
        if data.error is None and (at_hand := self.current()) is not None:
            note = self._feed().refresh_members(at_hand)
        return replace(data, members=self.current(), notes=(*data.notes, note) if note else data.notes)

    def _read_closes(self, symbols: list[str]) -> dict[str, pd.DataFrame]:
        store = self._feed().store
        self._read = symbols, store.bars_version(symbols)     # before reading: a write meanwhile is read next time
        return store.read_many(symbols)


class SymbolRow(TypedDict):
    symbol: str
    name: str
    first: date | None
    last: date | None
    last_close: float | None
    source: str
    freshness: str


def describe(data: MarketData, config: Config) -> list[SymbolRow]:
    """One row per configured symbol for `tuimarket data`: its span, last close, origin, freshness."""
    rows: list[SymbolRow] = []
    for symbol in config.all_symbols:
        bars = data.bars.get(symbol)
        if bars is not None and bars.empty:
            bars = None
        freshness = data.freshness.get(symbol, Freshness(FreshnessState.MISSING))
        rows.append({
            "symbol": symbol,
            "name": config.name_of(symbol),
            "first": bars.index[0].date() if bars is not None else None,
            "last": bars.index[-1].date() if bars is not None else None,
            "last_close": float(bars["Close"].iloc[-1]) if bars is not None else None,
            "source": data.origins.get(symbol, "none"),
            "freshness": freshness.label(),
        })
    return rows


def _requests(needs: dict[str, date]) -> list[tuple[date, list[str]]]:
    """The downloads of one refresh: (start, symbols), each symbol asking from its own need.

    Symbols whose starts lie within SHARED_START of each other share one request from the
    earliest (a few more overlapping bars cost less than another request), at most
    MAX_SYMBOLS_PER_REQUEST each: adding one symbol costs one request for itself, never
    everyone's history again.
    """
    groups: list[tuple[date, list[str]]] = []
    for symbol in sorted(needs, key=needs.__getitem__):
        if groups and needs[symbol] - groups[-1][0] <= SHARED_START:
            groups[-1][1].append(symbol)
        else:
            groups.append((needs[symbol], [symbol]))
    return [(start, symbols[first:first + MAX_SYMBOLS_PER_REQUEST])
            for start, symbols in groups for first in range(0, len(symbols), MAX_SYMBOLS_PER_REQUEST)]


def _forming_date(bars: pd.DataFrame, now: datetime) -> date | None:
    """The last bar's date when it is today's session still under way, else None."""
    last = _last(bars)
    if last is None or not calendar.is_open(now):
        return None
    return last if last == calendar.last_session(now) else None


def _screen(fresh: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Yahoo's bars without the impossible ones, and a note per symbol that had some.

    One impossible bar in ten or fewer is dropped and the rest kept; more, and nothing of that
    symbol's answer is believed (a feed garbling that much may garble the rest plausibly).
    """
    sane, notes = {}, {}
    for symbol, bars in fresh.items():
        bad = impossible_bars(bars)
        if bad.empty:
            sane[symbol] = bars
            continue
        days = _days(bad)
        if len(bad) * 10 > len(bars):
            notes[symbol] = (f"Yahoo sent impossible prices for {symbol} on {len(bad)} of {len(bars)} days "
                             f"({days}); none of its answer was used")
        else:
            sane[symbol] = bars.drop(bad)
            notes[symbol] = f"Yahoo sent impossible prices for {symbol} on {days}; left out"
    return sane, notes


def _days(dates: pd.Index) -> str:
    shown = ", ".join(str(day.date()) for day in dates[:3])
    return shown + (f" and {len(dates) - 3} more" if len(dates) > 3 else "")


def _is_whole_history(bars: pd.DataFrame, old: pd.DataFrame | None, full_start: date) -> bool:
    """Is this answer to a whole-history request all the history Yahoo has since `full_start`?

    A history that begins later is either a symbol listed since or an answer cut short, which is
    typically a few bars. So it is believed when it holds a year or more, or when Yahoo gives the
    same first date twice: a newly listed symbol costs one more full download, never one per refresh.
    """
    first = bars.index[0]
    return (first.date() <= full_start + LISTING_SLACK or len(bars) >= A_YEAR_OF_SESSIONS
            or old is not None and first == old.index[0])


def _beside(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The cached bars with the new ones in place, as the cache now holds them (new wins a date)."""
    kept = old[~old.index.isin(new.index)]
    merged = pd.concat([kept, new])
    # The usual answer is the latest bars, after everything kept; one with gaps needs sorting.
    return merged if kept.empty or kept.index[-1] < new.index[0] else merged.sort_index()


def _next_backoff(backoff: Backoff, now: datetime, limit: yahoo.FetchError | None) -> Backoff:
    """After a rate limit, wait a minute, doubling while it lasts (at least what Yahoo asked)."""
    if limit is None:
        return Backoff()
    rate_limits = backoff.rate_limits + 1
    wait = min(RATE_LIMIT_WAIT * 2 ** (rate_limits - 1), RATE_LIMIT_MAX_WAIT)
    if limit.retry_after is not None:
        wait = max(wait, timedelta(seconds=limit.retry_after))
    return Backoff(rate_limits, now + wait)


def _rate_limited(backoff: Backoff) -> str:
    return f"{yahoo.Failure.RATE_LIMITED}; {_next_try_text(backoff)}"


def _next_try_text(backoff: Backoff) -> str:
    assert backoff.next_try is not None, "asked only while a rate limit holds"
    return f"next try {backoff.next_try.astimezone():%H:%M}"   # the user's own clock


def _rate_limit(failures: dict[str, yahoo.FetchError]) -> yahoo.FetchError | None:
    return next((exc for exc in failures.values() if exc.failure is yahoo.Failure.RATE_LIMITED), None)


def _some(symbols: list[str]) -> str:
    shown = ", ".join(symbols[:5])
    return shown + (f" and {len(symbols) - 5} more" if len(symbols) > 5 else "")


def _span(bars: pd.DataFrame) -> str:
    return f"{len(bars):,} bars from {_last(bars.iloc[:1])}"


def _last(bars: pd.DataFrame) -> date | None:
    return bars.index[-1].date() if len(bars) else None


def _deepest(histories: tuple[_Series, ...], day: date) -> _Series:
    """The history that reaches `day`, or closest to it, with the most bars before it (the first on a
    tie): the bundle's decades rather than a cache's last years, a cache past the bundle's end."""
    def reach(series: _Series) -> tuple[pd.Timestamp, int]:
        bars = series.bars
        if bars is None:
            return pd.Timestamp.min, 0
        held = int(bars.index.searchsorted(pd.Timestamp(day), side="right"))
        return (bars.index[held - 1] if held else pd.Timestamp.min), held
    return max(histories, key=reach)


def _with_as_of(freshness: Freshness, as_of: date | None) -> Freshness:
    return Freshness(freshness.state, as_of, freshness.since, freshness.partial and as_of == freshness.as_of)
