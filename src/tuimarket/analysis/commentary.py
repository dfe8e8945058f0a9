"""Plain-English paragraphs generated from the signals; each clause restates a computed field."""

from __future__ import annotations

from datetime import date

from tuimarket.analysis.results import Formation, IndexAnalysis, Levels, RsSwing, SmaState, TrendState
from tuimarket.analysis.vocabulary import Direction, Trend
from tuimarket.formatting import price


def describe_index(analysis: IndexAnalysis, benchmark_name: str) -> str:
    """A short paragraph about one index, saying nothing its numbers do not."""
    if analysis.close is None:
        return f"There is no price history for the {analysis.name}."
    sentences = [
        _price_sentence(analysis),
        _trend_sentence(analysis),
        _averages_sentence(analysis.smas, analysis.stacked, BAR_UNITS[analysis.timeframe]),
        _macd_sentence(analysis),
        _levels_sentence(analysis),
        _relative_strength_sentence(analysis, benchmark_name),
    ]
    return " ".join(s for s in sentences if s)


PROVISIONAL = {"daily": " (provisional: the session is still open)",
               "weekly": " (provisional: the week is still forming)"}
BAR_UNITS = {"daily": "day", "weekly": "week"}      # the 50-day average, the 10-week average


def _price_sentence(analysis: IndexAnalysis) -> str:
    # A forming bar is not a close: it "is at" a price, and a high it makes is not yet a record close.
    # Dates, never "on the day": read days later, the paragraph must still say which day.
    verb = "is at" if analysis.provisional else "closed at"
    text = f"The {analysis.name} {verb} {price(analysis.close)} on {analysis.as_of}"
    if analysis.change_pct is not None:
        text += f" ({analysis.change_pct:+.1%}{' on the week' if analysis.timeframe == 'weekly' else ''})"
    high = analysis.all_time_high
    if high is None:              # its first session: the highest of one close is no record
        return text + "."
    if high.pct_below == 0:
        return text + (f", above its {high.span} closing high{PROVISIONAL[analysis.timeframe]}." if analysis.provisional
                       else f", a new {high.span} closing high.")
    return text + f", {high.pct_below:.1%} below its {high.span} high of {price(high.close)} ({high.date})."


def _today(analysis: IndexAnalysis, day: date | None) -> str:
    """' (provisional: ...)' for something dated on a still-forming bar."""
    return PROVISIONAL[analysis.timeframe] if analysis.provisional and day == analysis.as_of else ""


def _trend_sentence(analysis: IndexAnalysis) -> str:
    trend = analysis.trend
    if trend.state is None:
        return "There are too few swing points yet to judge its trend."
    highs = "higher highs" if trend.higher_highs else "lower highs" if trend.lower_highs else "mixed highs"
    lows = "higher lows" if trend.higher_lows else "lower lows" if trend.lower_lows else "mixed lows"
    structure = f"{highs} and {lows}"
    if trend.state is Trend.SIDEWAYS:
        return f"It is moving sideways: {structure}."
    article = "an" if trend.state is Trend.UPTREND else "a"
    if trend.confirmed is None:
        return f"It is in {article} {trend.state}, too early for the long average to confirm ({structure})."
    status = f"a confirmed {trend.state}" if trend.confirmed else f"{article} {trend.state} the long average does not confirm"
    if _swings_agree(trend):
        return f"It is in {status}: {structure}."
    # The state outlives a structure that has gone mixed: say what keeps it (see analysis.trend).
    if trend.state is Trend.UPTREND and analysis.all_time_high and analysis.all_time_high.pct_below == 0:
        keeps = "the record close keeps it so"
    elif trend.state is Trend.UPTREND:
        keeps = "price holds above its recent swing lows"
    else:
        keeps = "price stays below its recent swing highs"
    return f"It is in {status}: its recent swings are {structure}, but {keeps}."


def _swings_agree(trend: TrendState) -> bool:
    """Do the last swings step the trend's way (higher highs and lows for an uptrend)?"""
    if trend.state is Trend.UPTREND:
        return bool(trend.higher_highs and trend.higher_lows)
    return bool(trend.lower_highs and trend.lower_lows)


def _averages_sentence(smas: tuple[SmaState, ...], stacked: bool | None, unit: str) -> str:
    groups: dict[str, list[int]] = {}
    for sma in smas:
        if sma.value is not None and sma.rising is not None:
            side = "above" if sma.above else "below"
            slope = Direction.RISING if sma.rising else Direction.FALLING
            groups.setdefault(f"{side} its {slope}", []).append(sma.period)
    if not groups:
        return ""
    clauses = [f"{where} {_periods(periods)}-{unit} average{'s' if len(periods) > 1 else ''}"
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
        since = f"crossed to a {macd.state} signal on {macd.crossed_on}{_today(analysis, macd.crossed_on)}"
    else:
        since = f"has been on a {macd.state} signal since {macd.crossed_on}"
    return f"MACD {since} and momentum is {macd.momentum}."


def _levels_sentence(analysis: IndexAnalysis) -> str:
    levels = analysis.levels
    parts = []
    if levels.breakout:
        formed = _formation(levels, levels.breakout.level, before=levels.breakout.date)
        text = (f"It broke out above {price(levels.breakout.level)}{formed} on {levels.breakout.date}"
                f"{_today(analysis, levels.breakout.date)}")
        if levels.retest:
            text += f" and held a retest of that level on {levels.retest.date}"
        parts.append(text + ".")
    nearest = []
    if levels.resistance:
        nearest.append(f"resistance is at {price(levels.resistance[0])}{_formation(levels, levels.resistance[0])}")
    if levels.support and levels.breakout and levels.support[0] == levels.breakout.level:
        nearest.append(f"support at {price(levels.support[0])}, the level it broke out above")
    elif levels.support:
        nearest.append(f"support at {price(levels.support[0])}{_formation(levels, levels.support[0])}")
    if nearest:
        parts.append(f"Nearest {_join(nearest)}.")
    return " ".join(parts)


MAX_DATES = 4      # a level formed by more swing points names its first and last


def _formation(levels: Levels, level: float, before: date | None = None) -> str:
    """' (the highs of 2024-07-17, 2024-07-31 and 2024-10-16)': the swing points that formed a level
    (those before `before`, for a breakout: a low that later retested the level did not form it)."""
    formation = levels.formed_by.get(level)
    named = formation_words(formation, before) if formation else ""
    return f" ({named})" if named else ""


def formation_words(formation: Formation, before: date | None = None) -> str:
    """'the highs of 2024-07-17 and 2024-07-31' ("" when none is before `before`)."""
    named = []
    for kind, days in (("high", formation.highs), ("low", formation.lows)):
        days = tuple(day for day in days if before is None or day < before)
        if len(days) > MAX_DATES:
            named.append(f"{len(days)} {kind}s from {days[0]} to {days[-1]}")
        elif days:
            named.append(f"the {kind}{'s' if len(days) > 1 else ''} of {_join([str(day) for day in days])}")
    return " and ".join(named)


def _relative_strength_sentence(analysis: IndexAnalysis, benchmark_name: str) -> str:
    """The long swing of RS against the benchmark (and a reversal on the medium view), then the
    short view and the rotation graph's quadrant, named as the two different measures they are."""
    strength = analysis.relative_strength
    if strength is None:
        return ""
    sentences = [_rs_swings(strength.long, strength.medium, benchmark_name)]
    if strength.trend is Direction.FLAT:
        sentences.append(f"Over {RS_SHORT_VIEW} its relative strength is flat")
    elif strength.trend:
        sentences.append(f"Over {RS_SHORT_VIEW} its relative strength has been {strength.trend} since {strength.since}")
    if analysis.quadrant:
        sentences[-1] += f"; on the rotation graph it is {analysis.quadrant}"
    return " ".join(sentence + "." for sentence in sentences if sentence)


RS_SHORT_VIEW = "the short view (its 50-session average)"
OUTPERFORMED = {Direction.RISING: "outperformed", Direction.FALLING: "underperformed"}


def _rs_swings(long: RsSwing | None, medium: RsSwing | None, benchmark_name: str) -> str:
    if long is None:
        return ""
    if medium is None or medium.trend == long.trend or medium.since < long.extreme_on:
        return (f"Against the {benchmark_name} it has {OUTPERFORMED[long.trend]} since {long.since} "
                f"(relative strength {_to_now(long):+.0%})")
    extreme = "a high" if long.trend is Direction.RISING else "a low"
    return (f"Against the {benchmark_name} it {OUTPERFORMED[long.trend]} from {long.since} to {extreme} on "
            f"{long.extreme_on} (relative strength {long.change:+.0%}) and has {OUTPERFORMED[medium.trend]} "
            f"since {medium.since} ({_to_now(medium):+.0%})")


def _to_now(swing: RsSwing) -> float:
    """RS now against where the swing began."""
    return (1 + swing.change) * (1 + swing.from_extreme) - 1


def _periods(periods: list[int]) -> str:
    return _join([f"{p}-" for p in periods[:-1]] + [str(periods[-1])])


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

