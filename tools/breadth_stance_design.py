"""Would member breadth improve the stance? Designed on 2018-2021, reported on 2022 on.

The stance of `analysis/timeline.py` is recomputed with one extra rule on the signalled stance,
for each candidate threshold: "fully invested needs at least T of the members above their
50-day (or 200-day) average, else partially invested". The design span reads no member close
after 2021 and picks the best return-to-drawdown there; that one choice is then shown on
2022-2026-02 beside the stance as it is, never tuned there. Run: python tools/breadth_stance_design.py
"""

from __future__ import annotations

import pandas as pd

from tuimarket.analysis.breadth import breadth_history
from tuimarket.analysis.evaluation import evaluate
from tuimarket.analysis.regime import held_stances
from tuimarket.analysis.timeline import market_timeline
from tuimarket.config import Config
from tuimarket.data import bundled, members

DESIGN = ("2018-01-02", "2021-12-31")
EVALUATION = ("2022-01-03", None)       # to the members' last close
THRESHOLDS = (0.3, 0.4, 0.5, 0.6)
PERIODS = (50, 200)


def stance_with(timeline: pd.DataFrame, above: pd.Series | None, threshold: float, benchmark: pd.Series,
                confirm: int) -> pd.Series:
    signalled = timeline["signalled"].copy()
    if above is not None:
        share = above.reindex(timeline.index)
        demoted = (signalled == "fully_invested") & (share < threshold)
        signalled[demoted] = "partially_invested"
    record = (benchmark >= benchmark.cummax()).reindex(timeline.index, fill_value=False)
    return pd.Series(held_stances(signalled.tolist(), record.tolist(), confirm), index=timeline.index)


def score(stance: pd.Series, bars: pd.DataFrame, span: tuple[str, str | None]) -> tuple[float, float, float, float]:
    result = evaluate(stance, bars, span[0], span[1] or stance.index[-1])
    test = result.backtests[0]
    return test.cagr, test.max_drawdown, test.return_to_drawdown, result.changes_per_year


def main() -> None:
    config = Config()
    bars = {symbol: bundled.load(symbol) for symbol in config.all_symbols}
    known = members.bundled()
    design_members = known.until(pd.Timestamp(DESIGN[1]))
    timeline = market_timeline(config, bars, detail=False)
    benchmark = bars[config.benchmark]
    confirm = config.regime.confirm_sessions

    def line(name: str, numbers: tuple[float, float, float, float]) -> str:
        cagr, drawdown, ratio, changes = numbers
        return f"{name:28} CAGR {cagr:+6.1%}  max DD {drawdown:6.1%}  CAGR/DD {ratio:5.2f}  changes/yr {changes:4.1f}"

    design = breadth_history(design_members.closes, in_index=design_members.in_index)
    clipped = timeline.loc[:DESIGN[1]]
    print(f"design {DESIGN[0]}..{DESIGN[1]} (member closes up to {DESIGN[1]} only)")
    base = score(stance_with(clipped, None, 0, benchmark["Close"], confirm), benchmark, DESIGN)
    print(line("stance as it is", base))
    ratios = {}
    for period in PERIODS:
        for threshold in THRESHOLDS:
            numbers = score(stance_with(clipped, design.above[period], threshold, benchmark["Close"], confirm),
                            benchmark, DESIGN)
            print(line(f"full needs {threshold:.0%} > {period}d", numbers))
            ratios[period, threshold] = numbers[2]
    chosen = max(ratios, key=lambda candidate: ratios[candidate])    # the first of equals: the loosest
    print(f"chosen on the design span: full needs {chosen[1]:.0%} > {chosen[0]}d")
    whole = breadth_history(known.closes, in_index=known.in_index)
    print(f"\nevaluation {EVALUATION[0]}..{known.closes.index[-1].date()} (never tuned on)")
    end = str(known.closes.index[-1].date())
    span = (EVALUATION[0], end)
    print(line("stance as it is", score(stance_with(timeline, None, 0, benchmark["Close"], confirm), benchmark, span)))
    for period, threshold in dict.fromkeys([chosen, (50, 0.5), (200, 0.5)]):
        numbers = score(stance_with(timeline, whole.above[period], threshold, benchmark["Close"], confirm),
                        benchmark, span)
        print(line(f"full needs {threshold:.0%} > {period}d", numbers))


if __name__ == "__main__":
    main()
