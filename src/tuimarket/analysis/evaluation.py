"""How the stance would have served: its shares, changes and runs, and a sanity backtest.

A sanity check of the stance, not a trading system. The backtest trades the benchmark index
(price only: no dividends, cash earns 0%, no costs). A signal is read at a session's close and
traded at the next session's open: the exposure set by the close of day t−1 holds from the open
of day t, so the overnight move into day t belongs to the exposure set at close t−2. Nothing
uses a later bar. Exposures: the stance (fully 1, partially 0.5, defensive 0, rebalanced daily),
"not defensive" (1 unless defensive), the 200-day rule (1 while the close is above its 200-day
average) and buy and hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tuimarket.analysis.indicators import sma
from tuimarket.analysis.vocabulary import Stance
from tuimarket.data.model import dates_of

RULE_PERIOD = 200
SHORT_RUN = 5        # a stance run of this many sessions or fewer is a whipsaw


@dataclass(frozen=True)
class Backtest:
    name: str
    cagr: float
    max_drawdown: float          # a negative fraction
    return_to_drawdown: float    # cagr / |max_drawdown| (inf without a drawdown)
    time_invested: float         # share of sessions with any exposure
    switches: int                # exposure changes


@dataclass(frozen=True)
class Evaluation:
    start: pd.Timestamp
    end: pd.Timestamp
    by_year: pd.DataFrame        # year → sessions, a share per stance, changes
    runs: int
    median_run: float
    short_runs: float            # share of runs of SHORT_RUN sessions or fewer
    changes_per_year: float
    backtests: tuple[Backtest, ...]
    stale_opens: float           # share of sessions whose open equals the previous close (see evaluate)


def evaluate(stance: pd.Series, bars: pd.DataFrame, start: str | pd.Timestamp, end: str | pd.Timestamp) -> Evaluation:
    """The stance per session (a timeline's column) and the benchmark's bars, judged on [start, end].

    The 200-day rule's average is computed on all the bars given, so it is ready on day one."""
    rule = (bars["Close"] > sma(bars["Close"], RULE_PERIOD)).astype(float)
    window = stance.loc[start:end].index.intersection(bars.index)
    stance = stance.loc[window]
    prices = bars.loc[window]
    exposures = {
        "stance (1 / 0.5 / 0)": stance.map(lambda value: Stance(value).exposure),
        "not defensive": (stance != Stance.DEFENSIVE).astype(float),
        f"{RULE_PERIOD}-day rule": rule.loc[window],
        "buy and hold": pd.Series(1.0, index=window),
    }
    changed = stance.ne(stance.shift()) & stance.shift().notna()
    run_lengths = stance.groupby(changed.cumsum()).size()
    years = (window[-1] - window[0]).days / 365.25
    return Evaluation(
        start=window[0],
        end=window[-1],
        by_year=_by_year(stance, changed),
        runs=len(run_lengths),
        median_run=float(run_lengths.median()),
        short_runs=float((run_lengths <= SHORT_RUN).mean()),
        changes_per_year=int(changed.sum()) / years if years else 0.0,
        backtests=tuple(_backtest(name, exposure, prices, years) for name, exposure in exposures.items()),
        # Yahoo's ^GSPC opens before 2007 mostly repeat the previous close: there "the next open"
        # is in effect the signal's own close, which the output says.
        stale_opens=float((prices["Open"] == prices["Close"].shift(1)).iloc[1:].mean()) if len(prices) > 1 else 0.0,
    )


def _by_year(stance: pd.Series, changed: pd.Series) -> pd.DataFrame:
    year = dates_of(stance).year
    shares = pd.crosstab(year, stance, normalize="index").reindex(columns=list(Stance), fill_value=0.0)
    shares.insert(0, "sessions", stance.groupby(year).size())
    shares["changes"] = changed.groupby(year).sum().astype(int)
    shares.index.name = "year"
    return shares


def _backtest(name: str, exposure: pd.Series, prices: pd.DataFrame, years: float) -> Backtest:
    held_from_open = exposure.shift(1).fillna(0.0)       # set at yesterday's close, traded at today's open
    held_overnight = exposure.shift(2).fillna(0.0)       # what was held through last night
    overnight = prices["Open"] / prices["Close"].shift(1) - 1
    intraday = prices["Close"] / prices["Open"] - 1
    growth = (1 + held_overnight * overnight.fillna(0.0)) * (1 + held_from_open * intraday)
    equity = growth.cumprod()
    cagr = float(equity.iloc[-1]) ** (1 / years) - 1 if years else 0.0
    drawdown = float((equity / equity.cummax() - 1).min())
    return Backtest(
        name=name,
        cagr=cagr,
        max_drawdown=drawdown,
        return_to_drawdown=cagr / abs(drawdown) if drawdown else float("inf"),
        time_invested=float((held_from_open > 0).mean()),
        switches=int(held_from_open.diff().fillna(0.0).ne(0).sum()),
    )
