"""Every event of the 17 benchmark symbols over their whole bundled history, pinned to a digest:
an optimisation of `market_events` must leave every key and value as it was."""

from __future__ import annotations

import hashlib

from tuimarket.analysis.events import Event, market_events
from tuimarket.config import Config
from tuimarket.data import bundled

CONFIG = Config()
SYMBOLS = (*CONFIG.all_symbols, "SPY", "QQQ", "IWM")      # those of bench/bench_events.py
# The digest of the events as they were before any optimisation (commit 5e88941).
GOLDEN_COUNT = 84365
GOLDEN_DIGEST = "7ae593de9d200db0c1eec372919ec438e1f128730cfe6c766af0ac64ea95ffb0"


def digest(events: tuple[Event, ...]) -> str:
    """Every field of every event, in order (`repr` writes floats exactly)."""
    return hashlib.sha256("\n".join(repr(event) for event in events).encode()).hexdigest()


def test_all_events_of_17_symbols_over_35_years_are_unchanged():
    events = market_events(CONFIG, {symbol: bundled.load(symbol) for symbol in SYMBOLS})
    assert (len(events), digest(events)) == (GOLDEN_COUNT, GOLDEN_DIGEST)
