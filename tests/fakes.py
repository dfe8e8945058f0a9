"""Test doubles for the network, shared by every test module.

`FakeYahoo` stands in for `yfinance.download`. It serves the bundled history, shaped exactly as
yfinance 1.7's `download(..., group_by="column", multi_level_index=True)` returns daily bars
(see yfinance/multi.py `_download_impl`; tests/test_yahoo_http.py checks it against the real path):

- one frame per ticker with columns Open, High, Low, Close, Volume (auto_adjust, no actions);
  a ticker that failed gets `utils.empty_df()`: the same columns *plus* "Adj Close", no rows;
- daily data has `ignore_tz=True`, so each index is tz-naive midnight, named "Date", in seconds
  (`datetime64[s]`: parsed from Yahoo's epoch seconds); Volume is int64 until a reindex adds NaN;
- every frame is reindexed to the union of dates (a failed ticker becomes all-NaN columns),
  concatenated with keys under names ["Ticker", "Price"], then the levels are swapped to
  ("Price", "Ticker") and sorted, so prices come alphabetically: Close, High, Low, Open, Volume;
- with `multi_level_index=False` and one ticker the columns are flat.
- when every ticker fails the frame has no rows at all (yfinance's usual way of failing).

Knobs (all optional) simulate what Yahoo does to us; `calls` records each call's arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tuimarket.data import bundled


@dataclass
class FakeYahoo:
    end: date | None = None                 # the last date Yahoo "has" (like a clock); None = all bundled
    failing: set[str] = field(default_factory=set)   # tickers that come back as all-NaN columns
    empty: bool = False                     # every call returns an empty frame
    error: Exception | None = None          # every failing call raises this (e.g. YFRateLimitError())
    failures: int | None = None             # only the first N calls fail (empty or `error`); None = all
    nan_rows: int = 0                       # append this many all-NaN rows after the last bar
    splits: dict[str, float] = field(default_factory=dict)  # {"XLK": 2.0}: Yahoo's post-split view
    forming: dict[str, float] = field(default_factory=dict)  # {"SPY": 1.01}: add a bar on the next
    # weekday after `end`, closing at this factor times the last close (today's forming bar)
    tz: str | None = None                   # give tz-aware indexes (as with ignore_tz=False)
    history: dict[str, pd.DataFrame] = field(default_factory=dict)  # overrides the bundled bars
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, tickers, start=None, end=None, period=None, multi_level_index=True,
                 group_by="column", **kwargs) -> pd.DataFrame:
        tickers = [tickers] if isinstance(tickers, str) else list(tickers)
        self.calls.append({"tickers": tickers, "start": start, "end": end, "period": period,
                           "multi_level_index": multi_level_index, "group_by": group_by, **kwargs})
        if self._fails_now():
            if self.error is not None:
                raise self.error
            return pd.DataFrame()
        frames = {t.upper(): self._one(t, start, period) for t in tickers}
        return _combine(frames, multi_level_index=multi_level_index, single=len(tickers) == 1)

    def _fails_now(self) -> bool:
        failing_call = self.failures is None or len(self.calls) <= self.failures
        return failing_call and (self.empty or self.error is not None)

    def _one(self, ticker: str, start, period) -> pd.DataFrame:
        bars = self.history.get(ticker)
        bars = bars.copy() if bars is not None else bundled.load(ticker)
        if ticker in self.failing or bars is None:
            return _failed_frame()
        if self.end is not None:
            bars = bars.loc[: pd.Timestamp(self.end)]
        if ticker in self.splits:
            ratio = self.splits[ticker]
            bars[["Open", "High", "Low", "Close"]] /= ratio
            bars["Volume"] *= ratio
        if ticker in self.forming:
            bars = _with_forming_bar(bars, self.forming[ticker])
        bars = bars.loc[_first_date(bars, start, period):]
        bars["Volume"] = bars["Volume"].round().astype("int64")    # Yahoo's volumes are whole numbers
        if self.nan_rows:
            extra = pd.bdate_range(bars.index[-1] + pd.Timedelta(days=1), periods=self.nan_rows)
            bars = pd.concat([bars, pd.DataFrame(np.nan, index=extra, columns=bars.columns)])
        bars.index = pd.DatetimeIndex(bars.index, name="Date").as_unit("s")   # parsed from epoch seconds
        if self.tz:
            bars.index = bars.index.tz_localize(self.tz)
        return bars


def _first_date(bars: pd.DataFrame, start, period) -> pd.Timestamp:
    if start is not None:
        return pd.Timestamp(start)
    if period in (None, "max"):
        return bars.index[0]
    return bars.index[-1] - pd.DateOffset(years=int(period.removesuffix("y")))


def _with_forming_bar(bars: pd.DataFrame, factor: float) -> pd.DataFrame:
    last = bars.iloc[-1]
    day = pd.bdate_range(bars.index[-1] + pd.Timedelta(days=1), periods=1)[0]
    bar = last * factor
    bar["Volume"] = last["Volume"] / 3   # a session still under way has traded less
    return pd.concat([bars, bar.to_frame(day).T])


def _failed_frame() -> pd.DataFrame:
    """yfinance.utils.empty_df(): note the extra "Adj Close" column."""
    frame = pd.DataFrame(index=[], data={c: np.nan for c in
                                         ["Open", "High", "Low", "Close", "Adj Close", "Volume"]})
    frame.index.name = "Date"
    return frame


def _combine(frames: dict[str, pd.DataFrame], *, multi_level_index: bool, single: bool) -> pd.DataFrame:
    """What yfinance.multi does after the per-ticker downloads (reindex_dfs, concat, swaplevel)."""
    index = None
    for frame in frames.values():
        if not frame.empty:
            index = frame.index if index is None else index.union(frame.index)
    index = pd.DatetimeIndex([]) if index is None else index
    frames = {t: f.reindex(index) for t, f in frames.items()}
    data = pd.concat(frames.values(), axis=1, sort=True, keys=frames.keys(), names=["Ticker", "Price"])
    data.columns = data.columns.swaplevel(0, 1)
    data = data.sort_index(level=0, axis=1)
    if not multi_level_index and single:
        data = data.droplevel(1, axis=1).rename_axis(None, axis=1)
    return data


def no_sleep_recorder() -> tuple[list[float], Any]:
    """A `sleep` replacement that records the delays instead of waiting."""
    delays: list[float] = []
    return delays, delays.append


def member_history(closes: pd.DataFrame, end: date) -> dict[str, pd.DataFrame]:
    """Each index member's bars as Yahoo would serve them from 2025-12: its bundled `closes`, then
    a seeded walk on weekdays to `end` (open = high = low = close)."""
    shipped = closes.loc["2025-12-01":]
    later = pd.bdate_range(shipped.index[-1] + pd.Timedelta(days=1), pd.Timestamp(end), name="Date")
    steps = np.random.default_rng(14).normal(0.0005, 0.015, size=(len(later), shipped.shape[1]))
    walked = shipped.ffill().iloc[-1].to_numpy() * np.exp(np.cumsum(steps, axis=0))
    history = pd.concat([shipped, pd.DataFrame(walked, index=later, columns=shipped.columns)])
    return {symbol: pd.DataFrame({"Open": close, "High": close, "Low": close, "Close": close, "Volume": 1e6})
            for symbol, close in ((symbol, history[symbol].dropna()) for symbol in history.columns)}
