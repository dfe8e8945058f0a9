"""Histories as feeds give them: cut at random starts and ends, a symbol listed days ago or gone
early, sessions missing, a single bar, flat prices, no benchmark at all. Every face of the analysis
(the snapshot on daily and weekly bars, the report in each format, the events, the dashboard's view
models, the members' breadth) says what it can and never breaks, and stays free of lookahead.

Property tests over the bundled history (real bars, only cut, thinned or flattened): the family of
crashes a symbol with 6 sessions once caused (`test_events.py::test_a_symbol_listed_days_ago_breaks_nothing`).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import date
from typing import Mapping

import numpy as np
import pandas as pd
from hypothesis import given, strategies as st
from pandas.testing import assert_frame_equal

from tuimarket.analysis.changes import changes_since
from tuimarket.analysis.divergence import member_events
from tuimarket.analysis.events import EventHistory, market_events
from tuimarket.analysis.market_breadth import market_breadth
from tuimarket.analysis.snapshot import build_snapshot, on_weekly_bars
from tuimarket.analysis.timeframe import weekly_bars
from tuimarket.analysis.timeline import market_timeline
from tuimarket.config import AnalysisSettings, Config, ConfigError, RegimeSettings, RrgSettings, parse
from tuimarket.data import bundled, members
from tuimarket.data.model import Freshness, FreshnessState, MarketData, clip
from tuimarket.report import FORMATS, render
from tuimarket.ui.timeline_model import event_timeline
from tuimarket.ui.viewmodels import dashboard, rrg_view

from test_snapshot import _values
from test_timeframe import resampled_oracle

CONFIG = Config()
END = bundled.common_as_of(CONFIG.all_symbols)
BARS = {symbol: clip(bundled.load(symbol), END) for symbol in CONFIG.all_symbols}
SESSIONS = BARS["XLRE"].index           # every symbol has these sessions
LONGEST = 1500                          # sessions an example reads at most (events over 35 years take a second)
SHORT = 12                              # "a few sessions": up to a bit more than the slope's lookback


def _few_or_any(most: int) -> st.SearchStrategy[int]:
    """A count from 0 to `most`, a few (the edge a crash hides in) half the time."""
    return st.one_of(st.integers(0, min(SHORT, most)), st.integers(0, most))


@st.composite
def ragged(draw, bars: pd.DataFrame) -> pd.DataFrame:
    """`bars` as a feed may give them: listed late, ended early, with sessions missing (every
    k-th, or a suspension of several), a session without a close before the last, or flat at one price."""
    length = len(bars)
    start = draw(st.one_of(st.just(0), st.integers(0, length)))
    kept = draw(st.one_of(st.just(length - start), _few_or_any(length - start)))
    bars = bars.iloc[start:start + kept].copy()
    every = draw(st.one_of(st.none(), st.integers(2, 7)))
    if every is not None:
        bars = bars.iloc[[position % every != 0 for position in range(len(bars))]]
    if draw(st.booleans()) and len(bars):
        first = draw(st.integers(0, len(bars) - 1))
        bars = bars.drop(bars.index[first:first + draw(st.integers(1, 30))])
    if draw(st.booleans()) and len(bars) > 1:     # (the feed drops such bars; the analysis skips them too)
        bars.iloc[draw(st.integers(0, len(bars) - 2)), bars.columns.get_loc("Close")] = np.nan
    if draw(st.booleans()) and bars["Close"].notna().any():
        bars[["Open", "High", "Low", "Close"]] = float(bars["Close"].dropna().iloc[0])
    return bars


@st.composite
def markets(draw) -> dict[str, pd.DataFrame]:
    """Every configured symbol's bars over one window of sessions, each ragged its own way (or
    absent, the benchmark too)."""
    last = draw(st.integers(0, len(SESSIONS) - 1))
    first = SESSIONS[max(0, last - draw(_few_or_any(LONGEST)))]
    frames = {}
    for symbol in CONFIG.all_symbols:
        if draw(st.integers(0, 9)) == 0:
            continue                    # a symbol the feed has nothing for
        whole = BARS[symbol].loc[first:SESSIONS[last]]
        frames[symbol] = whole if draw(st.booleans()) else draw(ragged(whole))
    return frames


# Symbols whose last bar is a session still forming (provisional), as a feed marks them while the market is open.
formings = st.sets(st.sampled_from(CONFIG.all_symbols), max_size=4)


def _data(bars: Mapping[str, pd.DataFrame], as_of: date | None, forming: set[str]) -> MarketData:
    return MarketData(bars, {symbol: Freshness(FreshnessState.LIVE, as_of, partial=symbol in forming)
                             for symbol in bars}, as_of, "yahoo")


def _sessions(bars: Mapping[str, pd.DataFrame]) -> list[pd.Timestamp]:
    """Every session some symbol has a close on, in order."""
    return sorted({day for frame in bars.values() for day in frame.dropna(subset=["Close"]).index})


@given(markets(), st.one_of(st.none(), st.integers(0, 300)), formings)
def test_every_face_of_a_ragged_history_says_what_it_can(bars, replay_back, forming):
    """`replay_back`: a replay that many sessions before the last (None: no replay)."""
    days = _sessions(bars)
    as_of = days[max(0, len(days) - 1 - replay_back)].date() if days and replay_back is not None else None
    data = _data(bars, as_of, forming)
    snapshot = build_snapshot(CONFIG, data)
    assert snapshot.as_of == (as_of or (days[-1].date() if days else None))
    assert not any(value != value for value in _values(snapshot))      # NaN != NaN: None, never NaN
    changes = None
    if snapshot.as_of is not None:
        events = market_events(CONFIG, {symbol: clip(frame, snapshot.as_of) for symbol, frame in bars.items()},
                               forming=forming, since=snapshot.as_of.replace(day=1))
        changes = changes_since(events, snapshot.as_of, "month")
    for shown in (snapshot, on_weekly_bars(snapshot)):
        for fmt in FORMATS:
            text = render(shown, fmt, changes=changes)
            assert text.strip()
        json.loads(render(shown, "json", changes=changes))
        dashboard(shown, "offline")
    for entry in CONFIG.indexes:
        event_timeline(CONFIG, data, entry.symbol)
    market_timeline(CONFIG, bars, detail=True)


@given(markets(), st.integers(1, 300))
def test_no_lookahead_on_a_ragged_history(bars, back):
    """The final events up to D are those of the same ragged bars cut at D."""
    days = _sessions(bars)
    if not days:
        return
    day = days[max(0, len(days) - 1 - back)]
    cut = {symbol: frame.loc[:day] for symbol, frame in bars.items()}
    assert [event for event in market_events(CONFIG, bars) if event.date <= day.date()] == [
        event for event in market_events(CONFIG, cut) if event.final]


@given(markets(), st.integers(1, 5), formings)
def test_a_ragged_history_growing_by_sessions_gives_the_events_of_the_whole_pass(bars, sessions, forming):
    days = _sessions(bars)
    history = EventHistory(CONFIG)
    for day in days[-sessions - 1:]:
        cut = {symbol: frame.loc[:day] for symbol, frame in bars.items()}
        assert history.events(cut, forming=forming) == market_events(CONFIG, cut, forming=forming), day


@given(st.data())
def test_weekly_bars_of_a_ragged_history_are_pandas_weekly_resampling(data):
    symbol = data.draw(st.sampled_from(sorted(BARS)))
    bars = data.draw(ragged(BARS[symbol].iloc[-LONGEST:])).dropna(subset=["Close"])    # as the snapshot reads them
    if bars.empty:
        assert weekly_bars(bars).empty          # (pandas' empty resampling has another index type)
    else:
        assert_frame_equal(weekly_bars(bars), resampled_oracle(bars), check_freq=False)


BUNDLE = members.bundled()


@st.composite
def member_sets(draw) -> members.Members:
    """A few bundled members over a window, some listed late or gone early, cut at any date."""
    dates = BUNDLE.closes.index
    last = draw(st.integers(0, len(dates) - 1))
    first = max(0, last - draw(_few_or_any(LONGEST)))
    symbols = draw(st.lists(st.sampled_from(list(BUNDLE.closes.columns)), max_size=12, unique=True))
    closes = BUNDLE.closes.iloc[first:last + 1][symbols].copy()
    for column in range(len(symbols)):
        listed, gone = sorted((draw(st.integers(0, len(closes))), draw(st.integers(0, len(closes)))))
        closes.iloc[:listed, column] = np.nan
        if draw(st.booleans()):
            closes.iloc[gone:, column] = np.nan
    in_index = None if draw(st.booleans()) else BUNDLE.in_index.loc[closes.index, symbols]
    return members.Members(closes, BUNDLE.sectors, in_index, "bundled")


@given(member_sets(), markets())
def test_the_breadth_of_a_few_ragged_members_says_what_it_can(chosen, bars):
    benchmark = bars.get(CONFIG.benchmark, BARS[CONFIG.benchmark].iloc[:0])["Close"]
    as_of = chosen.as_of
    breadth = market_breadth(chosen, as_of, benchmark, "the S&P 500")
    if breadth is not None:
        assert not any(value != value for value in _values(breadth.reading))
        assert all(share is None or 0 <= share <= 1 for share in breadth.reading.above.values())
    member_events(chosen, benchmark)
    snapshot = build_snapshot(CONFIG, MarketData(bars, {}, None, "bundled", members=chosen))
    for fmt in FORMATS:
        render(snapshot, fmt)
    dashboard(snapshot, "offline")


def _values_of(hint) -> st.SearchStrategy:
    """A value the schema accepts for a key annotated `hint`: at a bound half the time (where a
    crash hides), anywhere between otherwise; a table's keys each so."""
    if dataclasses.is_dataclass(hint):
        return st.fixed_dictionaries({field.name: _values_of(typing.get_type_hints(hint, include_extras=True)[field.name])
                                      for field in dataclasses.fields(hint)})
    kind, *metas = typing.get_args(hint)
    if typing.get_origin(kind) is tuple:                       # a list of numbers, each bounded
        return st.lists(_values_of(typing.get_args(kind)[0]), min_size=1, max_size=4, unique=True)
    low, high = next((meta.ge, meta.le) for meta in metas if meta.ge is not None)
    anywhere = st.integers(low, high) if kind is int else st.floats(low, high)
    return st.one_of(st.sampled_from([low, high]), anywhere)


def _toml(table: dict, name: str) -> str:
    """`table` as TOML under [name], its sub-tables after it."""
    keys = [f"{key} = {json.dumps(value)}" for key, value in table.items() if not isinstance(value, dict)]
    tables = [_toml(value, f"{name}.{key}") for key, value in table.items() if isinstance(value, dict)]
    return "\n".join([f"[{name}]", *keys, *tables]) + "\n"


@given(_values_of(AnalysisSettings), _values_of(RegimeSettings), _values_of(RrgSettings), markets())
def test_any_settings_the_configuration_accepts_break_nothing(analysis, regime, rrg, bars):
    """Every [analysis], [regime] and [rrg] key at its bounds or between, on a ragged history:
    refused in one line (keys at odds with each other) or analysed, in every face."""
    # Most pairs drawn apart would be refused (a fast MACD average not below the slow one): ordered.
    for table, low, high in ((analysis["macd"], "fast", "slow"), (analysis, "rs_minor_reversal", "rs_major_reversal"),
                             (regime, "defensive_max_uptrends", "full_min_uptrends")):
        table[low], table[high] = sorted((table[low], table[high]))
    try:
        config = parse(_toml(analysis, "analysis") + _toml(regime, "regime") + _toml(rrg, "rrg"))
    except ConfigError:
        return
    assert dataclasses.asdict(config.regime) == regime and dataclasses.asdict(config.rrg) == rrg   # read as drawn
    snapshot = build_snapshot(config, _data(bars, None, set()))
    for shown in (snapshot, on_weekly_bars(snapshot)):
        json.loads(render(shown, "json"))
        board = dashboard(shown, "offline")
        rrg_view(board.rrg, None, config.rrg.tail)
    market_events(config, bars)
