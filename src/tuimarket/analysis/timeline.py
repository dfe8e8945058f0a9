"""The market's state on every session, computed as series: the `history` timeline.

One pass per symbol over its whole history, never a snapshot per session: each index's trend
(`trend.trend_table`), MACD side, relative-strength direction and distance below its record;
the share of sectors above their long average; the signalled and held stance, and the reason.
A symbol's value on a session is its value at its own last bar on or before that session, as in
a snapshot clipped there, so the row of date D equals `report --as-of D` (a test holds them
together). Nothing on a row depends on a later bar: swing points enter only `swing_window` bars
after they form (see `trend`).
"""

from __future__ import annotations

import functools
from typing import Mapping, TypeVar

import numpy as np
import pandas as pd

from tuimarket.analysis.breadth import members_history
from tuimarket.analysis.indicators import macd, sma
from tuimarket.analysis.regime import decide_stance, describe_regime, held_stances
from tuimarket.analysis.results import Regime
from tuimarket.analysis.rotation import TREND_NAMES as RS_NAMES, relative_ratio, rs_trend_codes
from tuimarket.analysis.trend import TREND_NAMES, trend_table
from tuimarket.analysis.vocabulary import MacdSide, Stance
from tuimarket.config import Config
from tuimarket.data.members import Members
from tuimarket.data.model import dates_of, empty_bars

Values = TypeVar("Values", pd.Series, pd.DataFrame)

INDEX_FIELDS = ("trend", "confirmed", "macd", "rs", "below_record")
MEMBER_FIELDS = ("members_above_50", "members_above_200", "ad_line", "mcclellan")


def market_timeline(config: Config, bars: Mapping[str, pd.DataFrame], *, detail: bool = True,
                    trends: Mapping[str, pd.DataFrame] | None = None, averages: Mapping[str, pd.Series] | None = None,
                    after: pd.Timestamp | None = None, held: Stance | None = None) -> pd.DataFrame:
    """One row per session any index traded: `stance`, `signalled`, `uptrends`, `sectors_above`,
    `sectors_counted`, `breadth`, and with `detail` a `reason` and per index `SYMBOL.field` for each
    of INDEX_FIELDS (words, booleans and fractions; None where unknown). `trends` are the indexes'
    `index_trends`, and `averages` the symbols' long averages, when the caller has them already.
    With `after`, only the sessions after it,
    the stance going on from `held`, the one held on `after` with no change pending then."""
    settings = config.analysis
    long_period = max(settings.sma_periods)
    frames = known_closes(bars)
    index_frames = {entry.symbol: _bars(frames, entry.symbol) for entry in config.indexes}
    trends = trends or index_trends(config, index_frames)
    calendar = functools.reduce(lambda dates, index: dates.union(index),
                                (dates_of(frame) for frame in index_frames.values()), pd.DatetimeIndex([]))
    if after is not None:
        calendar = calendar[calendar > after]
    table = pd.DataFrame(index=calendar)
    table.index.name = "date"
    benchmark_close = _bars(frames, config.benchmark)["Close"]
    uptrends = np.zeros(len(calendar), dtype=int)
    for symbol, frame in index_frames.items():
        close = frame["Close"]
        trend = _on(calendar, trends[symbol])
        uptrends += ((trend["trend"] == 1) & (trend["confirmed"] == 1)).to_numpy()
        if detail:
            table[f"{symbol}.trend"] = _words(trend["trend"], TREND_NAMES)
            table[f"{symbol}.confirmed"] = _flags(trend["confirmed"])
            histogram = macd(close, settings.macd.fast, settings.macd.slow, settings.macd.signal).histogram
            side = (histogram > 0).astype(float).where(histogram.shift().notna())   # a state needs two bars
            table[f"{symbol}.macd"] = _words(_on(calendar, side), {1: MacdSide.BUY, 0: MacdSide.SELL})
            rs = rs_trend_codes(relative_ratio(close, benchmark_close), settings.rs_average, settings.slope_lookback)
            table[f"{symbol}.rs"] = (None if symbol == config.benchmark else _words(_on(calendar, rs), RS_NAMES))
            table[f"{symbol}.below_record"] = _numbers(_on(calendar, 1 - close / close.cummax()))
    above = pd.DataFrame({
        entry.symbol: _on(calendar, _above_average(_bars(frames, entry.symbol)["Close"], long_period,
                                                   (averages or {}).get(entry.symbol)))
        for entry in config.rotation.symbols
    }, index=calendar)
    counted = above.notna().sum(axis=1).to_numpy()
    above_count = (above == 1).sum(axis=1).to_numpy()
    breadth = [above_n / n if n else None for above_n, n in zip(above_count.tolist(), counted.tolist())]
    of = len(config.indexes)
    signalled = [decide_stance(up, of, share, config.regime) for up, share in zip(uptrends.tolist(), breadth)]
    at_record = _on(calendar, benchmark_close >= benchmark_close.cummax(), fill=False).astype(bool)
    table["stance"] = held_stances(signalled, at_record.tolist(), config.regime.confirm_sessions, held)
    table["signalled"] = signalled
    table["uptrends"] = uptrends
    table["sectors_above"] = above_count
    table["sectors_counted"] = counted
    table["breadth"] = breadth
    if not detail:
        return table
    table["reason"] = [
        _reason(up, of, n_above, n, stance, signal, long_period)
        for up, n_above, n, stance, signal in zip(uptrends.tolist(), above_count.tolist(), counted.tolist(),
                                                   table["stance"], signalled)
    ]
    leading = ["stance", "reason", "signalled", "uptrends", "sectors_above", "sectors_counted", "breadth"]
    return table[leading + [column for column in table.columns if column not in leading]]


def known_closes(bars: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The bars without those missing a close (copied only when some are: a refresh reads them all)."""
    return {symbol: frame.dropna(subset=["Close"]) if frame["Close"].isna().any() else frame
            for symbol, frame in bars.items()}


def with_member_breadth(timeline: pd.DataFrame, members: Members | None) -> pd.DataFrame:
    """The timeline with the members' breadth on each session (MEMBER_FIELDS: the fractions above
    their 50- and 200-day averages, the advance/decline line, the McClellan oscillator), NaN where
    the members' closes do not reach (never zero); unchanged when breadth is off."""
    if members is None:
        return timeline
    history = members_history(members)
    series = (history.above[50], history.above[200], history.ad_line, history.mcclellan)
    return timeline.assign(**{name: values.reindex(timeline.index) for name, values in zip(MEMBER_FIELDS, series)})


def index_trends(config: Config, frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each configured index's `trend.trend_table` (its bars without missing closes)."""
    long_period = max(config.analysis.sma_periods)
    trends = {}
    for entry in config.indexes:
        frame = _bars(frames, entry.symbol).dropna(subset=["Close"])
        trends[entry.symbol] = trend_table(frame, sma(frame["Close"], long_period), config.analysis)
    return trends


def regime_of(config: Config, timeline: pd.DataFrame, provisional: bool = False) -> Regime:
    """The regime on the timeline's last session (the snapshot's regime); `provisional` when that
    session is still forming."""
    long_period = max(config.analysis.sma_periods)
    of = len(config.indexes)
    if timeline.empty:
        stance = decide_stance(0, of, None, config.regime)
        regime = Regime(0, of, 0, 0, None, stance, "")
    else:
        last = timeline.iloc[-1]
        regime = Regime(int(last["uptrends"]), of, int(last["sectors_above"]), int(last["sectors_counted"]),
                        None if pd.isna(last["breadth"]) else float(last["breadth"]), Stance(last["stance"]), "",
                        Stance(last["signalled"]))
    regime = Regime(**{**regime.__dict__, "provisional": provisional})
    return Regime(**{**regime.__dict__,
                     "commentary": describe_regime(regime, long_period, config.regime.confirm_sessions)})


def _reason(uptrends: int, of: int, above: int, counted: int, stance: str, signalled: Stance, long_period: int) -> str:
    breadth = f"{above}/{counted} sectors above {long_period}d" if counted else "no sector data"
    text = f"{uptrends}/{of} confirmed uptrends, {breadth}"
    return text if stance == signalled else f"{text}; signals {signalled.words}, not yet held"


def _bars(frames: Mapping[str, pd.DataFrame], symbol: str) -> pd.DataFrame:
    """A symbol's bars, empty when there are none (made only then: an empty frame costs as much
    as a long history's average)."""
    return frames[symbol] if symbol in frames else empty_bars()


def _above_average(close: pd.Series, period: int, average: pd.Series | None = None) -> pd.Series:
    """1 where the close is above its `period` average (`average`, when the caller has it), 0
    where not, NaN while the average is unknown."""
    average = sma(close, period) if average is None else average
    return (close > average).astype(float).where(average.notna())


def _on(calendar: pd.DatetimeIndex, values: Values, fill: float = np.nan) -> Values:
    """Each session's value: the last one on or before it (`fill` before the first)."""
    if values.empty:
        return values.reindex(calendar, fill_value=fill)
    return values.reindex(calendar, method="ffill", fill_value=fill)


def _words(codes: pd.Series, names: Mapping[int, str]) -> list[str | None]:
    return [None if code != code else names[int(code)] for code in codes.tolist()]


def _flags(values: pd.Series) -> list[bool | None]:
    return [None if value != value else bool(value) for value in values.tolist()]


def _numbers(values: pd.Series) -> list[float | None]:
    return [None if value != value else value for value in values.tolist()]
