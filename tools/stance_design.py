"""The design grid behind the stance's defaults, run on 1991-2006 only (the design period).

Each line is one combination of the four settings that shape the stance, judged on what a
technician wants from it in the design years: fully invested in the bull years, never fully
invested in the 2001-2002 bear market, few changes, and a return-to-drawdown at least the
200-day rule's. The defaults in config.toml are the line
`floor 4 band 0.05 full 2 confirm 10`. Nothing after 2006 is read for the choice:
`tools/stance_targets.py` judges the chosen rules on 2007 onwards.
Run: python tools/stance_design.py
"""

from __future__ import annotations

import itertools

from tuimarket.analysis.evaluation import evaluate
from tuimarket.analysis.timeline import market_timeline
from tuimarket.config import parse
from tuimarket.data import bundled

START, END = "1991-01-01", "2006-12-31"      # 1990 is the averages' warm-up
BULL_YEARS = [1991, 1995, 1996, 1997, 1999, 2003, 2006]
BEAR_YEARS = [2001, 2002]
GRID = {
    "analysis.trend_floor_swings": [2, 3, 4],
    "analysis.confirm_band": [0.0, 0.03, 0.05],
    "regime.full_min_uptrends": [2, 3],
    "regime.confirm_sessions": [3, 5, 10],
}


def main() -> None:
    bars = None
    for floor, band, full, confirm in itertools.product(*GRID.values()):
        config = parse(f"[analysis]\ntrend_floor_swings = {floor}\nconfirm_band = {band}\n"
                       f"[regime]\nfull_min_uptrends = {full}\nconfirm_sessions = {confirm}\n")
        bars = bars or {symbol: bundled.load(symbol).loc[:END] for symbol in config.all_symbols}
        timeline = market_timeline(config, bars, detail=False)
        result = evaluate(timeline["stance"], bars[config.benchmark], START, END)
        fully = result.by_year["fully_invested"]
        ours, rule = result.backtests[0], result.backtests[2]
        print(f"floor {floor} band {band:.2f} full {full} confirm {confirm:2}: "
              f"bull years fully {fully.loc[BULL_YEARS].mean():.0%} (min {fully.loc[BULL_YEARS].min():.0%}), "
              f"bear years not fully {1 - fully.loc[BEAR_YEARS].mean():.0%}, {result.changes_per_year:.1f} changes/yr, "
              f"stance {ours.cagr:+.1%} / {ours.max_drawdown:.0%} = {ours.return_to_drawdown:.2f} "
              f"(200-day rule {rule.return_to_drawdown:.2f})")


if __name__ == "__main__":
    main()
