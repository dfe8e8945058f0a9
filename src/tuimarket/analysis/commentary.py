"""Plain-English paragraphs generated from the signals; each clause restates a computed field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuimarket.formatting import price

if TYPE_CHECKING:   # only for annotations: snapshot imports this module
    from tuimarket.analysis.indicators import SmaState
    from tuimarket.analysis.snapshot import IndexAnalysis


def describe_index(analysis: IndexAnalysis, benchmark_name: str) -> str:
    """A short paragraph about one index, saying nothing its numbers do not."""
    if analysis.close is None:
        return f"There is no price history for the {analysis.name}."
    sentences = [
        _price_sentence(analysis),
        _trend_sentence(analysis),
        _averages_sentence(analysis.smas, analysis.stacked),
        _macd_sentence(analysis),
        _levels_sentence(analysis),
        _relative_strength_sentence(analysis, benchmark_name),
    ]
    return " ".join(s for s in sentences if s)


def _price_sentence(analysis: IndexAnalysis) -> str:
    # Dates, never "on the day": read days later, the paragraph must still say which day.
    text = f"The {analysis.name} closed at {price(analysis.close)} on {analysis.as_of}"
    if analysis.change_pct is not None:
        text += f" ({analysis.change_pct:+.1%})"
    high = analysis.all_time_high
    if high.pct_below == 0:
        return text + ", a new all-time closing high."
    return text + f", {high.pct_below:.1%} below its all-time high of {price(high.close)} ({high.date})."


def _trend_sentence(analysis: IndexAnalysis) -> str:
    trend = analysis.trend
    if trend.state is None:
        return "There are too few swing points yet to judge its trend."
    highs = "higher highs" if trend.higher_highs else "lower highs" if trend.lower_highs else "mixed highs"
    lows = "higher lows" if trend.higher_lows else "lower lows" if trend.lower_lows else "mixed lows"
    structure = f"{highs} and {lows}"
    if trend.state == "sideways":
        return f"It is moving sideways: {structure}."
    if trend.confirmed is None:
        return f"Its swings make a {trend.state} ({structure}), too early for the long average to confirm."
    if trend.confirmed:
        return f"It is in a confirmed {trend.state}: {structure}."
    return f"Its swings make a {trend.state} ({structure}), but the long average does not confirm it."


def _averages_sentence(smas: tuple[SmaState, ...], stacked: bool | None) -> str:
    groups: dict[str, list[int]] = {}
    for sma in smas:
        if sma.value is not None and sma.rising is not None:
            side = "above" if sma.above else "below"
            groups.setdefault(f"{side} its {'rising' if sma.rising else 'falling'}", []).append(sma.period)
    if not groups:
        return ""
    clauses = [f"{where} {_periods(periods)}-day average{'s' if len(periods) > 1 else ''}"
               for where, periods in groups.items()]
    sentence = f"It is {_join(clauses)}."
    if stacked:
        sentence += " The averages are stacked " + " > ".join(str(s.period) for s in smas) + "."
    return sentence


def _macd_sentence(analysis: IndexAnalysis) -> str:
    macd = analysis.macd
    if macd.state is None:
        return ""
    if macd.crossed_on is None:
        since = f"is on a {macd.state} signal"
    elif macd.crossed_on == analysis.as_of:
        since = f"crossed to a {macd.state} signal on {macd.crossed_on}"
    else:
        since = f"has been on a {macd.state} signal since {macd.crossed_on}"
    return f"MACD {since} and momentum is {macd.momentum}."


def _levels_sentence(analysis: IndexAnalysis) -> str:
    levels = analysis.levels
    parts = []
    if levels.breakout:
        text = f"It broke out above {price(levels.breakout.level)} on {levels.breakout.date}"
        if levels.retest:
            text += f" and held a retest of that level on {levels.retest.date}"
        parts.append(text + ".")
    nearest = []
    if levels.resistance:
        nearest.append(f"resistance is at {price(levels.resistance[0])}")
    if levels.support:
        nearest.append(f"support at {price(levels.support[0])}")
    if nearest:
        parts.append(f"Nearest {_join(nearest)}.")
    return " ".join(parts)


def _relative_strength_sentence(analysis: IndexAnalysis, benchmark_name: str) -> str:
    strength = analysis.relative_strength
    if strength is None or strength.trend is None:
        return ""
    if strength.trend == "flat":
        return f"Its strength relative to the {benchmark_name} is flat."
    return f"Its strength relative to the {benchmark_name} has been {strength.trend} since {strength.since}."


def _periods(periods: list[int]) -> str:
    return _join([f"{p}-" for p in periods[:-1]] + [str(periods[-1])])


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

