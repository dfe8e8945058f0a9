"""Events on the bundled history: known facts, TA-Lib's MACD crosses, no lookahead, and the
agreement of each event with `report --as-of` its date."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import talib
from hypothesis import given, strategies as st

from tuimarket.analysis.events import MARKET, Event, EventKind, market_events
from tuimarket.analysis.levels import LevelTracker, find_breakout
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config
from tuimarket.data import bundled
from tuimarket.data.model import clip

from support import sampled
from ui_support import bundled_data

CONFIG = Config()
END = bundled.common_as_of(CONFIG.all_symbols)
BARS = {symbol: clip(bundled.load(symbol), END) for symbol in CONFIG.all_symbols}


@pytest.fixture(scope="module")
def events() -> tuple[Event, ...]:
    return market_events(CONFIG, BARS)


def _of(events, symbol: str, *kinds: EventKind, year: int | None = None) -> list[Event]:
    return [event for event in events if event.symbol == symbol and event.kind in kinds
            and (year is None or event.date.year == year)]


def test_the_sp500_death_cross_of_2022_and_golden_cross_of_2023(events):
    crosses = _of(events, "^GSPC", EventKind.GOLDEN_CROSS, EventKind.DEATH_CROSS)
    in_2022_2023 = [(event.kind, event.date) for event in crosses if event.date.year in (2022, 2023)]
    assert in_2022_2023 == [(EventKind.DEATH_CROSS, date(2022, 3, 14)), (EventKind.GOLDEN_CROSS, date(2023, 2, 2))]
    # Looked up independently: the first sessions the 50-day average closed below / above the 200-day.
    close = BARS["^GSPC"]["Close"]
    above = (close.rolling(50).mean() > close.rolling(200).mean()).loc["2022":"2023"]
    flips = above.index[above.ne(above.shift()) & above.shift().notna()]
    assert [day.date() for day in flips] == [date(2022, 3, 14), date(2023, 2, 2)]
    assert all(event.subject == "50/200" and event.final for event in crosses)


def test_record_closes_the_first_in_two_years_on_2024_01_19(events):
    records = _of(events, "^GSPC", EventKind.RECORD_CLOSE, year=2024)
    first = records[0]
    assert (first.date, first.since) == (date(2024, 1, 19), date(2022, 1, 3))
    close = BARS["^GSPC"]["Close"]
    assert first.close == close.loc["2024-01-19"] > close.loc[:"2024-01-18"].max() == first.value
    # Each record counts only after 20 sessions without one: no two within 21 sessions.
    positions = close.index.get_indexer([pd.Timestamp(event.date) for event in _of(events, "^GSPC",
                                                                                    EventKind.RECORD_CLOSE)])
    assert (np.diff(positions) > 20).all()


def test_macd_crosses_are_the_sign_changes_of_talibs_histogram(events):
    close = BARS["^GSPC"]["Close"]
    _, _, histogram = talib.MACD(close.to_numpy(), 12, 26, 9)
    side = pd.Series(histogram > 0, index=close.index).where(~np.isnan(histogram))
    changed = side.ne(side.shift()) & side.notna() & side.shift().notna()
    expected = [(EventKind.MACD_BUY if side[day] else EventKind.MACD_SELL, day.date()) for day in side.index[changed]]
    ours = [(event.kind, event.date) for event in _of(events, "^GSPC", EventKind.MACD_BUY, EventKind.MACD_SELL)]
    assert ours == expected
    assert (EventKind.MACD_BUY, date(2023, 11, 2)) in ours      # one TA-Lib dates the same, named


def test_the_russell_breaks_out_in_november_2024_above_the_highs_of_july(events):
    breakout = [event for event in _of(events, "^RUT", EventKind.BREAKOUT, year=2024) if event.date.month == 11][-1]
    assert breakout.date == date(2024, 11, 6)
    assert breakout.value == pytest.approx(2286.53, abs=0.01)
    assert date(2024, 7, 17) in breakout.formed_by.highs and date(2024, 7, 31) in breakout.formed_by.highs


def test_kinds_are_one_enum_with_words_versions_and_a_stable_key(events):
    assert all(kind.words and kind.rule_version >= 1 for kind in EventKind)
    assert [kind.importance for kind in EventKind] == list(range(len(EventKind)))
    keys = [event.key for event in events]
    assert len(keys) == len(set(keys))
    death = _of(events, "^GSPC", EventKind.DEATH_CROSS, year=2022)[0]
    assert death.key == "^GSPC|death_cross/50/200|2022-03-14|1"
    stances = _of(events, MARKET, EventKind.STANCE_CHANGED)
    assert stances and all(event.state != event.previous for event in stances)


def test_events_on_a_forming_bar_are_provisional():
    day = date(2024, 11, 6)
    bars = {symbol: clip(frame, day) for symbol, frame in BARS.items()}
    events = market_events(CONFIG, bars, forming={"^RUT"})
    on_the_day = [event for event in events if event.date == day]
    assert {event.final for event in on_the_day if event.symbol == "^RUT"} == {False}
    assert {event.final for event in on_the_day if event.symbol != "^RUT"} == {True}
    assert all(event.final for event in events if event.date < day)


SESSIONS = BARS["XLRE"].index        # every symbol has these sessions
LOOKAHEAD_SYMBOLS = ("^GSPC", "^RUT", "XLK")


LOOKAHEAD_HISTORY = 1500        # sessions before D: both runs start there (35 years each took 3 s an example)


@given(st.integers(min_value=300, max_value=len(SESSIONS) - 2), st.integers(min_value=1, max_value=300))
def test_no_lookahead_final_events_up_to_d_ignore_later_bars(cut, extra):
    first, day = SESSIONS[max(0, cut - LOOKAHEAD_HISTORY)], SESSIONS[cut]
    later = SESSIONS[min(cut + extra, len(SESSIONS) - 1)]
    symbols = (*LOOKAHEAD_SYMBOLS, *(entry.symbol for entry in CONFIG.indexes), *(s.symbol for s in CONFIG.rotation.symbols))
    short = market_events(CONFIG, {s: BARS[s].loc[first:day] for s in symbols})
    long = market_events(CONFIG, {s: BARS[s].loc[first:later] for s in symbols})
    assert [event for event in long if event.date <= day.date()] == [event for event in short if event.final]


@given(st.integers(min_value=300, max_value=len(SESSIONS) - 1), st.sampled_from([0, 1, 5, 30, 300]))
def test_the_events_since_a_recent_session_are_those_of_the_whole_computation(cut, back):
    """A new session's events (back 0), or a few sessions', made from the whole history's states
    but following breaks only from the last quiet stretch (see events._followed_crossings): the
    same events, of every kind, as computing everything and keeping the window."""
    first, day, since = SESSIONS[max(0, cut - LOOKAHEAD_HISTORY)], SESSIONS[cut], SESSIONS[cut - back].date()
    bars = {symbol: frame.loc[first:day] for symbol, frame in BARS.items()}
    everything = market_events(CONFIG, bars, forming={"^RUT"})
    assert market_events(CONFIG, bars, forming={"^RUT"}, since=since) == tuple(
        event for event in everything if event.date >= since)


SAMPLED = [date(2022, 3, 14), date(2023, 2, 2), date(2024, 1, 19), date(2024, 11, 6), date(2024, 11, 15),
           date(2020, 3, 23), date(2008, 10, 10), date(2016, 11, 9)]


def _index_states(snapshot) -> dict[str, dict]:
    states = {}
    for index in snapshot.indices:
        states[index.symbol] = {
            "macd": index.macd.state,
            "uptrend": index.trend.state == "uptrend" and bool(index.trend.confirmed),
            "above": {str(s.period): s.above for s in index.smas},
            "breakout": index.levels.breakout,
            "retest": index.levels.retest,
        }
    return states


@pytest.mark.parametrize("day", sampled(SAMPLED), ids=str)
def test_the_events_of_a_date_are_what_report_as_of_that_date_says(events, day):
    """Each change the snapshot shows between the session before and this one is an event of this
    date, and each event of this date is a change the snapshot shows."""
    before = BARS["^GSPC"].index[BARS["^GSPC"].index < pd.Timestamp(day)][-1].date()
    now, then = (build_snapshot(CONFIG, bundled_data(CONFIG, d)) for d in (day, before))
    states_now, states_then = _index_states(now), _index_states(then)
    for index in now.indices:
        symbol, old, new = index.symbol, states_then[index.symbol], states_now[index.symbol]
        todays = {(event.kind, event.subject): event for event in events if event.symbol == symbol and event.date == day}
        macd = {EventKind.MACD_BUY: "buy", EventKind.MACD_SELL: "sell"}
        assert {macd[k] for k, _ in todays if k in macd} == ({new["macd"]} if new["macd"] != old["macd"] else set())
        trend = {k for k, _ in todays if k in (EventKind.UPTREND_CONFIRMED, EventKind.UPTREND_LOST)}
        assert trend == ({EventKind.UPTREND_CONFIRMED if new["uptrend"] else EventKind.UPTREND_LOST}
                         if new["uptrend"] != old["uptrend"] else set())
        for period, above in new["above"].items():
            kind = EventKind.ABOVE_AVERAGE if above else EventKind.BELOW_AVERAGE
            assert ((kind, period) in todays) == (old["above"][period] is not None and above != old["above"][period])
        breakout = new["breakout"]
        if breakout and breakout.date == day:
            # A close back above a support broken days before is that breakdown failing.
            named = todays.get((EventKind.BREAKOUT, "")) or todays.get((EventKind.RETEST_FAILED, "below"))
            assert named.value == pytest.approx(breakout.level, rel=CONFIG.analysis.level_tolerance)
        if (EventKind.BREAKOUT, "") in todays:
            assert breakout and breakout.date == day and breakout.level == todays[(EventKind.BREAKOUT, "")].value
        if (EventKind.RETEST_HELD, "above") in todays:
            assert new["retest"] and new["retest"].date == day
        record = (EventKind.RECORD_CLOSE, "") in todays
        assert not record or index.all_time_high.pct_below == 0
    stance_events = [event for event in events if event.symbol == MARKET and event.date == day]
    changed = now.regime.stance != then.regime.stance
    assert [(e.previous, e.state) for e in stance_events] == ([(then.regime.stance, now.regime.stance)] if changed else [])


def test_the_crossings_of_one_pass_are_the_breaks_find_levels_dates_each_session():
    bars = BARS["^RUT"].loc[:"2024-12-31"]
    settings = CONFIG.analysis
    tracker = LevelTracker(bars, window=settings.swing_window, lookback=settings.level_lookback,
                           tolerance=settings.level_tolerance, min_touches=settings.level_min_touches)
    crossings = {bar: (direction, level) for bar, direction, level, _ in tracker.crossings()}
    for bar in range(len(bars) - 250, len(bars)):
        prices, _ = tracker.prices_at(bar)
        for direction in (1, -1):
            crossing = find_breakout(bars["Close"].iloc[:bar + 1], prices, direction)
            dated_today = crossing is not None and crossing.date == bars.index[bar].date()
            assert dated_today == (crossings.get(bar, (0, None))[0] == direction)
            assert not dated_today or crossings[bar][1] == crossing.level


@pytest.mark.parametrize("sessions", range(1, CONFIG.analysis.slope_lookback + 2))
def test_a_symbol_listed_days_ago_breaks_nothing(sessions):
    """Up to the slope's lookback of sessions (XLC in its first days): no average turn, no error
    (a watcher's whole alert pass went with it; 6 sessions broke the relative strength's slope)."""
    newcomer = BARS["XLC"].iloc[:sessions]
    events = market_events(CONFIG, {"^GSPC": BARS["^GSPC"], "XLC": newcomer})
    assert not [event for event in events if event.symbol == "XLC"
                and event.kind in (EventKind.AVERAGE_UP, EventKind.AVERAGE_DOWN)]
