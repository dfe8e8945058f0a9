"""Every event of the 17 benchmark symbols over their whole bundled history, pinned to a digest:
an optimisation of `market_events` must leave every key and value as it was. And `since`, which
only spares making the older events, gives exactly the newer events of the whole computation."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from tuimarket.analysis.events import Event, market_events
from tuimarket.config import Config
from tuimarket.data import bundled

from support import sampled

CONFIG = Config()
SYMBOLS = (*CONFIG.all_symbols, "SPY", "QQQ", "IWM")      # those of bench/bench_events.py
BARS = {symbol: bundled.load(symbol) for symbol in SYMBOLS}
# The digest of the events as they were before any optimisation (commit 5e88941), re-pinned once
# when quadrant changes moved to the weekly rotation graph's points (rule 2): the other 77,246
# events kept their digest, db8961d6….
GOLDEN_COUNT = 89065
GOLDEN_DIGEST = "e7f2938276922e4d79bc735f9590a13514a51b9dd4eedd8c1c5b9cbac73ace8a"


def digest(events: tuple[Event, ...]) -> str:
    """Every field of every event, in order (`repr` writes floats exactly)."""
    return hashlib.sha256("\n".join(repr(event) for event in events).encode()).hexdigest()


@pytest.fixture(scope="module")
def events() -> tuple[Event, ...]:
    return market_events(CONFIG, BARS, forming={"^RUT", "QQQ"})


def test_all_events_of_17_symbols_over_35_years_are_unchanged():
    events = market_events(CONFIG, BARS)
    assert (len(events), digest(events)) == (GOLDEN_COUNT, GOLDEN_DIGEST)


# A Saturday mid-history and the newest session in `make test`; the others in `make test-slow`.
@pytest.mark.parametrize("since", sampled([date(2008, 10, 11), date(1990, 1, 1), date(2022, 3, 14), None,
                                           date(2024, 11, 6), date(2100, 1, 1)]))
def test_events_since_a_date_are_the_newer_events_of_the_whole_computation(events, since):
    since = since or events[-1].date      # None: the newest event's session alone
    newer = market_events(CONFIG, BARS, forming={"^RUT", "QQQ"}, since=since)
    assert newer == tuple(event for event in events if event.date >= since)
    assert bool(newer) == (since.year != 2100)
