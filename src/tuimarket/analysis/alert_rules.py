"""The user's level rules ([[alerts.rules]] in config.toml) as alerts: a pure function of the bars.

A rule fires on the session a symbol's close crosses its level (or its moving average) in the
rule's direction, judged on the close alone: a close equal to the level is on neither side and
keeps the side before it, so a close that touches the level and turns back is no crossing.
Each crossing depends only on that session and the one before, so the alerts up to a date are the
same whatever later bars are loaded (what lets `watch --replay` say what would have fired).
"""

from __future__ import annotations

from typing import Collection, Iterator, Mapping

import numpy as np
import pandas as pd

from tuimarket.alerts import Alert
from tuimarket.analysis.indicators import sma
from tuimarket.config import AlertRule, Config

RULE_VERSION = 1
DIRECTIONS = {"above": (1,), "below": (-1,), "crosses": (1, -1)}
KINDS = ("crossed_above", "crossed_below")     # the alert kinds of level rules


def level_alerts(config: Config, bars: Mapping[str, pd.DataFrame], *, forming: Collection[str] = ()) -> list[Alert]:
    """Every crossing of every rule, by date. `forming` names the symbols whose last bar is a
    session still forming: a crossing on it is provisional."""
    alerts = [alert for rule in config.alerts.rules if rule.symbol in bars
              for alert in _crossings(rule, bars[rule.symbol], config.name_of(rule.symbol),
                                      forming=rule.symbol in forming)]
    return sorted(alerts, key=lambda alert: alert.date)


def _crossings(rule: AlertRule, bars: pd.DataFrame, name: str, *, forming: bool) -> Iterator[Alert]:
    close = bars["Close"].dropna()
    target = sma(close, rule.average) if rule.average else pd.Series(rule.level, index=close.index)
    # the side of the target each close is on (+1 above, -1 below), a touch keeping the side before
    side = pd.Series(np.sign(close - target), index=close.index).replace(0.0, np.nan).ffill().to_numpy()
    crossed = np.flatnonzero((side[1:] != side[:-1]) & ~np.isnan(side[:-1]) & ~np.isnan(side[1:])) + 1
    subject = f"{rule.average}-day average" if rule.average else f"{rule.level:g}"
    for position in crossed.tolist():
        direction = int(side[position])
        if direction not in DIRECTIONS[rule.condition]:
            continue
        day = close.index[position].date()
        price, level = float(close.iloc[position]), float(target.iloc[position])
        way = "above" if direction > 0 else "below"
        what = f"its {subject}" if rule.average else f"{level:,.2f}".rstrip("0").rstrip(".")
        yield Alert(key=f"{rule.symbol}|crossed_{way}/{subject}|{day.isoformat()}|{RULE_VERSION}",
                    symbol=rule.symbol, kind=f"crossed_{way}", date=day,
                    title=f"{name} closed {way} {what}",
                    body=f"close {price:,.2f} on {day.isoformat()}"
                         + (f"; {subject} {level:,.2f}" if rule.average else ""),
                    fields={"close": price, "level": level}, final=not (forming and position == len(close) - 1),
                    subject=subject)
