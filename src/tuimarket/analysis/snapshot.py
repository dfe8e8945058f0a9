"""One immutable MarketSnapshot for a date: everything the report and the UI show.

The snapshot and every result in it are declared in `analysis.results`, free of pandas.
Containers are tuples and read-only mappings; a value that cannot be computed (a missing symbol,
a history shorter than the longest average) is None, never NaN and never invented.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Mapping

import pandas as pd

from tuimarket.analysis.commentary import describe_index
from tuimarket.analysis.indicators import Macd, macd, macd_state, sma, sma_states, stacked
from tuimarket.analysis.market_breadth import market_breadth
from tuimarket.analysis.levels import all_time_high, find_levels
from tuimarket.analysis.results import IndexAnalysis, MarketSnapshot, OptionalFloats, PriceSeries
from tuimarket.analysis.rotation import describe_rotation, ranked, relative_ratio, relative_strength, rotation_row
from tuimarket.analysis.timeframe import week_forming, weekly_bars, weekly_settings
from tuimarket.analysis.timeline import index_trends, market_timeline, regime_of
from tuimarket.analysis.trend import trend_state, trend_table
from tuimarket.analysis.vocabulary import Quadrant
from tuimarket.config import AnalysisSettings, Config, Symbol
from tuimarket.data.model import MarketData, clip, dates_of, empty_bars

CHART_SESSIONS = 1260   # about five years of daily bars: the longest chart range
CHART_WEEKS = 260       # the same five years of weekly bars


def build_snapshot(config: Config, data: MarketData, *, weekly: bool = True) -> MarketSnapshot:
    """Analyse `data.bars` clipped to `data.as_of` into one snapshot. Pure: no I/O, no clock.

    Without an `as_of` the latest date in the bars is used. Missing symbols give None fields.
    `weekly`: the indexes on weekly bars too (a fifth more time), for a reader that shows them.
    """
    as_of = data.as_of or max((frame.index[-1].date() for frame in data.bars.values() if not frame.empty),
                              default=None)
    missing = empty_bars()
    bars = {symbol: clip(frame, as_of).dropna(subset=["Close"]) for symbol, frame in data.bars.items()}
    benchmark_close = bars.get(config.benchmark, missing)["Close"]
    benchmark_name = config.name_of(config.benchmark)
    settings = config.analysis
    long_period = max(settings.sma_periods)
    rotation = ranked(tuple(
        rotation_row(entry.symbol, entry.name, bars.get(entry.symbol, missing)["Close"], benchmark_close,
                     benchmark=config.benchmark, average=settings.rs_average,
                     lookback=settings.slope_lookback, long_period=long_period, window=config.rrg.window)
        for entry in config.rotation_universe
    ))
    quadrants = {row.symbol: row.quadrant for row in rotation}
    forming = {symbol for symbol, freshness in data.freshness.items() if freshness.partial}
    trends = index_trends(config, bars)
    indices = tuple(
        analyse_index(entry, bars.get(entry.symbol, missing), benchmark_close, config, benchmark_name,
                      trends[entry.symbol], quadrants.get(entry.symbol), provisional=entry.symbol in forming)
        for entry in config.indexes
    )
    weeks = tuple(weekly_analysis(daily, bars.get(daily.symbol, missing), benchmark_close, config, benchmark_name)
                  for daily in indices) if weekly else ()
    provisional = any(index.provisional for index in indices)
    members = market_breadth(data.members, as_of, benchmark_close, benchmark_name)
    return MarketSnapshot(
        as_of=as_of,
        source=data.source,
        benchmark=config.benchmark,
        indices=indices,
        rotation=rotation,
        regime=regime_of(config, market_timeline(config, bars, detail=False, trends=trends), provisional),
        freshness=MappingProxyType({symbol: state.label() for symbol, state in data.freshness.items()}),
        notes=tuple(data.notes),
        rotation_commentary=describe_rotation(rotation, benchmark_name, config.rrg.tail),
        provisional=provisional,
        breadth=members.reading if members else None,
        market_breadth=members,
        weekly=weeks,
    )


def on_weekly_bars(snapshot: MarketSnapshot) -> MarketSnapshot:
    """`snapshot` with its indexes read on weekly bars (`report --timeframe weekly`); the stance,
    rotation and breadth stay daily. Provisional while any index's week is still forming."""
    return replace(snapshot, indices=snapshot.weekly, provisional=any(index.provisional for index in snapshot.weekly))


def analyse_index(entry: Symbol, bars: pd.DataFrame, benchmark_close: pd.Series, config: Config,
                  benchmark_name: str, trend: pd.DataFrame, quadrant: Quadrant | None = None, *,
                  provisional: bool = False) -> IndexAnalysis:
    """Every signal for one index at its last bar, plus its chart series and commentary.
    `trend` is the index's `trend.trend_table` (the timeline's too)."""
    settings = config.analysis
    ratio = relative_ratio(bars["Close"], benchmark_close)
    analysis = replace(
        _bar_signals(entry.symbol, entry.name, bars, ratio, settings, trend, CHART_SESSIONS),
        all_time_high=all_time_high(bars["Close"]),
        relative_strength=None if entry.symbol == config.benchmark else relative_strength(
            ratio, config.benchmark, settings.rs_average, settings.slope_lookback,
            (settings.rs_minor_reversal, settings.rs_major_reversal)),
        quadrant=quadrant,
        provisional=provisional,
    )
    return replace(analysis, commentary=describe_index(analysis, benchmark_name))


def weekly_analysis(daily: IndexAnalysis, bars: pd.DataFrame, benchmark_close: pd.Series, config: Config,
                    benchmark_name: str) -> IndexAnalysis:
    """`daily` read again on weekly bars (see analysis.timeframe): the averages (10, 20 and 40
    weeks), MACD, the trend and its confirmation, support and resistance, and the chart.

    What stays daily, and why: the record close (a weekly close is one of the daily closes, and the
    record is a fact about all of them); relative strength (its words name its 50-session average)
    and the rotation quadrant, weekly already; and, outside this function, the stance, breadth, the
    rotation table and the events, whose rules and thresholds were chosen and tested on sessions.
    The weekly bar is provisional while the daily one is, or while its week may have a session to come.
    """
    weekly = weekly_bars(bars)
    settings = weekly_settings(config.analysis)
    trend = trend_table(weekly, sma(weekly["Close"], max(settings.sma_periods)), settings)
    ratio = relative_ratio(weekly["Close"], benchmark_close)      # at each week's last session
    analysis = replace(
        _bar_signals(daily.symbol, daily.name, weekly, ratio, settings, trend, CHART_WEEKS),
        all_time_high=daily.all_time_high,
        relative_strength=daily.relative_strength,
        quadrant=daily.quadrant,
        provisional=daily.provisional or (daily.as_of is not None and week_forming(daily.as_of)),
        timeframe="weekly",
    )
    return replace(analysis, commentary=describe_index(analysis, benchmark_name))


def _bar_signals(symbol: str, name: str, bars: pd.DataFrame, ratio: pd.Series, settings: AnalysisSettings,
                 trend: pd.DataFrame, chart_bars: int) -> IndexAnalysis:
    """What one timeframe's bars say at the last of them: the last bar's change, the averages, MACD,
    the trend and the levels, and the last `chart_bars` of each series (the caller adds the rest)."""
    close = bars["Close"]
    averages = {period: sma(close, period) for period in settings.sma_periods}
    smas = sma_states(close, averages, settings.slope_lookback)
    lines = macd(close, settings.macd.fast, settings.macd.slow, settings.macd.signal)
    previous_close = float(close.iloc[-2]) if len(close) > 1 else None
    last_close = float(close.iloc[-1]) if len(close) else None
    change = None if last_close is None or previous_close is None else last_close - previous_close
    return IndexAnalysis(
        symbol=symbol,
        name=name,
        as_of=close.index[-1].date() if len(close) else None,
        close=last_close,
        change=change,
        change_pct=None if change is None or previous_close is None else change / previous_close,
        smas=smas,
        stacked=stacked(smas),
        macd=macd_state(lines),
        trend=trend_state(bars, trend, settings),
        all_time_high=None,
        levels=find_levels(bars, window=settings.swing_window, lookback=settings.level_lookback,
                           tolerance=settings.level_tolerance, min_touches=settings.level_min_touches,
                           retest_away=settings.retest_away),
        relative_strength=None,
        commentary="",
        series=_chart_series(close, averages, lines, ratio, chart_bars),
    )


def _chart_series(close: pd.Series, averages: Mapping[int, pd.Series], lines: Macd, ratio: pd.Series,
                  length: int) -> PriceSeries:
    window = dates_of(close)[-length:]
    return PriceSeries(
        dates=tuple(window.date),
        close=tuple(close.loc[window].tolist()),
        sma=MappingProxyType({period: _optional(average.loc[window]) for period, average in averages.items()}),
        macd=_optional(lines.macd.loc[window]),
        signal=_optional(lines.signal.loc[window]),
        histogram=_optional(lines.histogram.loc[window]),
        rs_ratio=_optional(ratio.reindex(window)),
    )


def _optional(values: pd.Series) -> OptionalFloats:
    """The values as floats, None where undefined."""
    return tuple(None if value != value else value for value in values.tolist())   # NaN != NaN
