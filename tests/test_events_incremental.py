"""The events of a history growing a session at a time (`EventHistory`), against the whole pass
(`market_events`) of the same bars: equal on every session, a forming bar included, and read whole
again when the history is re-adjusted. Real parts: the bundled history, no stand-ins."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from tuimarket.analysis.events import MARKET, NO_STANCE, EventHistory, market_events
from tuimarket.config import Config
from tuimarket.data import bundled

CONFIG = Config()
SYMBOLS = (*CONFIG.all_symbols, "SPY", "QQQ", "IWM")      # those of bench/bench_events.py
# Ten years before the sessions stepped through, not the bundle's 35: the events carried from pass
# to pass are compared with a whole pass over the same bars, whatever their first date, and ten
# years hold every average, level and regime the events look back on (at a third of the CPU).
FIRST_DATE = "2014-11-01"
BARS = {symbol: bundled.load(symbol).loc[FIRST_DATE:] for symbol in SYMBOLS}
# The benchmark, an index and two sectors: a whole pass cheap enough to make on every session.
FEW = {symbol: BARS[symbol] for symbol in (CONFIG.benchmark, "^RUT", "XLK", "XLE")}
# Early November 2024: the month's turn, the Russell's breakout (the 6th), three Fridays (quadrant changes).
SESSIONS = BARS["^GSPC"].loc["2024-10-30":"2024-11-15"].index


def clipped(bars: dict[str, pd.DataFrame], day: pd.Timestamp) -> dict[str, pd.DataFrame]:
    return {symbol: frame.loc[:day] for symbol, frame in bars.items()}


def test_each_new_session_gives_the_events_of_the_whole_pass():
    history = EventHistory(CONFIG)
    for day in SESSIONS:
        bars = clipped(FEW, day)
        assert history.events(bars) == market_events(CONFIG, bars), day


def test_without_the_stance_each_session_gives_the_symbols_events_of_the_whole_pass():
    # The panels' way: the indexes' own events, the stance's timeline never computed.
    history = EventHistory(CONFIG, stance=False)
    for day in SESSIONS[:6]:
        bars = clipped(FEW, day)
        forming = {"^RUT"} if day == SESSIONS[5] else set()
        events = history.events(bars, forming=forming)
        assert events == market_events(CONFIG, bars, forming=forming, timeline=NO_STANCE), day
        whole = market_events(CONFIG, bars, forming=forming)
        assert any(event.symbol == MARKET for event in whole)
        assert events == tuple(event for event in whole if event.symbol != MARKET), day


def test_the_17_symbols_session_by_session_are_the_whole_pass_of_the_last():
    # Events never depend on later bars (test_events.py holds that), so the whole pass of the last
    # session, cut at each earlier one, is the whole pass of that one.
    whole = market_events(CONFIG, clipped(BARS, SESSIONS[-1]))
    history = EventHistory(CONFIG)
    for day in SESSIONS:
        events = history.events(clipped(BARS, day))
        assert events == tuple(event for event in whole if event.date <= day.date()), day
    assert events == whole


def test_a_forming_bar_is_read_on_top_and_never_carried():
    history = EventHistory(CONFIG)
    history.events(clipped(FEW, SESSIONS[0]))
    for day in SESSIONS[1:6]:
        bars = clipped(FEW, day)
        forming = history.events(bars, forming={"^RUT", "XLK"})
        assert forming == market_events(CONFIG, bars, forming={"^RUT", "XLK"}), day
        assert all(event.date == day.date() for event in forming if not event.final)
        assert history.events(bars) == market_events(CONFIG, bars), day    # the same session, closed


def test_asked_since_a_date_the_first_pass_makes_those_events_and_the_later_ones_go_on():
    """The panels' way (`monitor.latest_events`): each pass has the whole pass's events from
    `since` on, the first one making only those, a pass stepping back reading whole again."""
    since = SESSIONS[0].date() - timedelta(days=60)
    whole = market_events(CONFIG, clipped(FEW, SESSIONS[-1]))
    history = EventHistory(CONFIG)
    for day in (*SESSIONS, SESSIONS[3]):
        events = history.events(clipped(FEW, day), since=since)
        assert events == tuple(event for event in whole if since <= event.date <= day.date()), day


def test_a_history_re_adjusted_for_a_dividend_is_read_whole_again():
    history = EventHistory(CONFIG)
    for day in SESSIONS[:5]:
        history.events(clipped(FEW, day))
    bars = clipped(FEW, SESSIONS[5])
    adjusted = bars["XLK"].copy()
    before = adjusted.index < SESSIONS[5]
    adjusted.loc[before, ["Open", "High", "Low", "Close"]] *= 0.99     # the prices before the ex-date, as Yahoo re-adjusts them
    bars["XLK"] = adjusted
    events = history.events(bars)
    assert events == market_events(CONFIG, bars)
    assert events != market_events(CONFIG, clipped(FEW, SESSIONS[5]))    # carrying the old states on would be wrong


@pytest.mark.parametrize("change", ["added", "removed", "session corrected"])
def test_bars_that_do_not_continue_the_last_pass_are_read_whole_again(change):
    history = EventHistory(CONFIG)
    history.events(clipped(FEW, SESSIONS[3]))
    bars = clipped(FEW, SESSIONS[4])
    if change == "added":
        bars["XLF"] = BARS["XLF"].loc[:SESSIONS[4]]
    elif change == "removed":
        del bars["XLE"]
    else:
        corrected = bars["^RUT"].copy()
        corrected.loc[SESSIONS[2], "Close"] *= 1.01
        bars["^RUT"] = corrected
    assert history.events(bars) == market_events(CONFIG, bars)


@pytest.mark.parametrize("late", ["XLK", CONFIG.benchmark])
def test_a_session_arriving_a_pass_later_than_the_others_is_read_as_the_whole_pass_reads_it(late):
    # The benchmark's bar arriving late changes every symbol's relative strength and the stance on
    # that session, and a sector's changes the stance's breadth: all are made again from there.
    history = EventHistory(CONFIG)
    history.events(clipped(FEW, SESSIONS[4]))
    for day, late_day in ((SESSIONS[5], SESSIONS[4]), (SESSIONS[6], SESSIONS[4]), (SESSIONS[6], SESSIONS[6])):
        bars = clipped(FEW, day)
        bars[late] = FEW[late].loc[:late_day]
        assert history.events(bars) == market_events(CONFIG, bars), (day, late_day)


def test_a_symbol_with_no_bars_yet_goes_on_as_the_benchmark_gains_sessions():
    # A sector with no bars (nothing fetched, or before its listing) while the benchmark gains a
    # session, then listed: its relative strength starts from nothing. The empty one failed with
    # "Cannot losslessly convert units" (test_ragged_histories.py, thorough profile, seed 1).
    history = EventHistory(CONFIG)
    for day in SESSIONS[:3]:
        bars = {**clipped(FEW, day), "XLC": BARS["XLC"].iloc[:0]}
        assert history.events(bars) == market_events(CONFIG, bars), day
    bars = {**clipped(FEW, SESSIONS[3]), "XLC": BARS["XLC"].loc[SESSIONS[3]:SESSIONS[3]]}    # listed today
    assert history.events(bars) == market_events(CONFIG, bars)
