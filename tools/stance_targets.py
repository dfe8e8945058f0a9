"""Judge the stance against issue 12's out-of-sample targets, on the bundled history.

The rules and their defaults were chosen on 1990-2006 only; this prints how they fare on
2007 onwards, target by target. It judges, it does not tune: `python tools/stance_targets.py`.
"""

from __future__ import annotations

import pandas as pd

from tuimarket.analysis.evaluation import evaluate
from tuimarket.analysis.timeline import market_timeline
from tuimarket.config import Config
from tuimarket.data import bundled

START, END = "2007-01-01", "2026-12-31"
BULL_YEARS = (2013, 2017, 2019, 2021, 2024)
CRISES = (("2008-09-15", "2009-03-09"), ("2020-02-24", "2020-04-30"), ("2022-01-20", "2022-10-31"))
RECORD_BREADTH = 0.7


def main() -> None:
    config = Config()
    bars = {symbol: bundled.load(symbol) for symbol in config.all_symbols}
    end = pd.Timestamp(bundled.common_as_of(config.all_symbols))    # where sector breadth ends
    timeline = market_timeline(config, bars, detail=False).loc[START:end]
    stance = timeline["stance"]
    fully = stance == "fully_invested"
    print(f"Out of sample: {timeline.index[0].date()} to {timeline.index[-1].date()}")
    for year in BULL_YEARS:
        share = fully.loc[str(year)].mean()
        print(f"  fully invested in {year}: {share:.0%} (target >= 70%) {_verdict(share >= 0.7)}")
    for first, last in CRISES:
        share = 1 - fully.loc[first:last].mean()
        print(f"  not fully invested {first}..{last}: {share:.0%} (target >= 90%) {_verdict(share >= 0.9)}")
    close = bars[config.benchmark]["Close"]
    at_record = (close >= close.cummax()).reindex(timeline.index, fill_value=False)
    broad = timeline["breadth"].astype(float) >= RECORD_BREADTH
    bad = timeline.index[at_record & broad & (stance == "defensive")]
    print(f"  defensive at a record close with >= 70% of sectors above 200d: {len(bad)} sessions "
          f"(target 0) {_verdict(len(bad) == 0)}{' ' + ', '.join(str(d.date()) for d in bad[:5]) if len(bad) else ''}")
    result = evaluate(stance, bars[config.benchmark], START, end)
    print(f"  stance changes a year: {result.changes_per_year:.1f} (target <= 4) {_verdict(result.changes_per_year <= 4)}")
    by_name = {test.name: test for test in result.backtests}
    ours, rule = by_name["stance (1 / 0.5 / 0)"], by_name["200-day rule"]
    print(f"  return/drawdown: stance {ours.return_to_drawdown:.2f} ({ours.cagr:+.1%} / {ours.max_drawdown:.0%}), "
          f"200-day rule {rule.return_to_drawdown:.2f} ({rule.cagr:+.1%} / {rule.max_drawdown:.0%}) "
          f"{_verdict(ours.return_to_drawdown >= rule.return_to_drawdown)}")


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


if __name__ == "__main__":
    main()
