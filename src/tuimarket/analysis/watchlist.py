"""A watchlist's table: per symbol the snapshot's own readings at its last bar.

Last close and change, the trend (`trend.trend_state`), the MACD side (`indicators.macd_state`),
relative strength against the benchmark (`rotation.relative_strength`), the distance below the
record close (`levels.all_time_high`) and the latest event (`events.market_events`): the same
functions as the dashboard's, so a symbol reads the same in a watchlist as on a panel.

Rows come in two passes, so a long list shows at once: `quick_rows` (everything but the trend
and the latest event, a few milliseconds a symbol) and `full_rows` (those two as well: the
events cost tens of milliseconds a symbol), which the caller takes a few symbols at a time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Mapping, Sequence

import pandas as pd

from tuimarket.analysis.events import NO_STANCE, Event, market_events
from tuimarket.analysis.indicators import macd, macd_state, sma
from tuimarket.analysis.levels import all_time_high
from tuimarket.analysis.results import WatchlistRow
from tuimarket.analysis.rotation import relative_ratio, relative_strength
from tuimarket.analysis.trend import trend_state, trend_table
from tuimarket.config import Config, Symbol
from tuimarket.data.model import empty_bars

EVENT_DAYS = 120     # the latest event is looked for this far back (calendar days before the last bar)
# The MACD side and the RS trend at the last bar depend on the last few hundred closes only: after
# 600 bars the EMAs' seed weighs less than 1e-18, and the RS trend reads its last 60 ratios.
RECENT_BARS = 600


def quick_rows(config: Config, entries: Sequence[Symbol], bars: Mapping[str, pd.DataFrame]) -> list[WatchlistRow]:
    """Each entry's row without its trend and latest event (an entry without bars: a row of None)."""
    benchmark_close = _closes(bars, config.benchmark)
    settings = config.analysis
    rows = []
    for entry in entries:
        close = _closes(bars, entry.symbol)
        if close.empty:
            rows.append(WatchlistRow(entry.symbol, entry.name, None, None, None, None, None, None, complete=True))
            continue
        last = float(close.iloc[-1])
        previous = float(close.iloc[-2]) if len(close) > 1 else None
        recent = close.iloc[-RECENT_BARS:]
        rs = None if entry.symbol == config.benchmark else relative_strength(
            relative_ratio(recent, benchmark_close), config.benchmark, settings.rs_average, settings.slope_lookback).trend
        record = all_time_high(close)
        rows.append(WatchlistRow(
            symbol=entry.symbol, name=entry.name, as_of=close.index[-1].date(), close=last,
            change_pct=last / previous - 1 if previous else None,
            macd=macd_state(macd(recent, settings.macd.fast, settings.macd.slow, settings.macd.signal)).state,
            rs=rs, below_record=record.pct_below if record else None,
        ))
    return rows


def full_rows(config: Config, rows: Sequence[WatchlistRow], bars: Mapping[str, pd.DataFrame]) -> list[WatchlistRow]:
    """`rows` (from `quick_rows`) with their trend and latest event."""
    frames = {row.symbol: bars[row.symbol].dropna(subset=["Close"]) for row in rows if row.as_of is not None}
    latest = latest_events(config, frames, bars.get(config.benchmark))
    long_period = max(config.analysis.sma_periods)
    completed = []
    for row in rows:
        frame = frames.get(row.symbol)
        if frame is None:
            completed.append(row)
            continue
        trend = trend_state(frame, trend_table(frame, sma(frame["Close"], long_period), config.analysis),
                            config.analysis)
        completed.append(replace(row, trend=trend.state, confirmed=trend.confirmed,
                                 latest_event=latest.get(row.symbol), complete=True))
    return completed


def latest_events(config: Config, frames: Mapping[str, pd.DataFrame],
                  benchmark: pd.DataFrame | None) -> dict[str, Event]:
    """Each symbol's newest event within EVENT_DAYS of its last bar (the most important of a day)."""
    if not frames:
        return {}
    since = min(frame.index[-1].date() for frame in frames.values()) - timedelta(days=EVENT_DAYS)
    if benchmark is not None:
        # Relative strength reads only the dates a symbol and the benchmark share, and the
        # benchmark's own events go unused: its history before the symbols' is only cost
        # (^GSPC reaches back to 1927; 40 stocks: 5.1 s against 5.8 s, on a loaded machine).
        benchmark = benchmark.loc[min(frame.index[0] for frame in frames.values()):]
    with_benchmark = dict(frames) if benchmark is None else {config.benchmark: benchmark, **frames}
    latest: dict[str, Event] = {}
    # By date, then the most important first: the first of the newest date wins.
    for event in market_events(config, with_benchmark, timeline=NO_STANCE, since=since):
        if event.symbol in frames and (event.symbol not in latest or event.date > latest[event.symbol].date):
            latest[event.symbol] = event
    return latest


def _closes(bars: Mapping[str, pd.DataFrame], symbol: str) -> pd.Series:
    frame = bars.get(symbol)
    return (empty_bars() if frame is None else frame)["Close"].dropna()
