"""The market stance that follows from index trends and sector breadth.

Each session has a *signalled* stance (`decide_stance`, from that session alone) and a *held*
stance, the one shown (`held_stances`): the held stance changes only once the signals have pointed
the same way from it (more invested, or less) `confirm_sessions` sessions in a row, and then takes
the latest signalled stance; so a single session's wobble never flips it, and signals that waver
between two lower stances still count as one move down. A record close of the benchmark is a
clear break that ends a defensive stance at once.
"""

from __future__ import annotations

from typing import Sequence

from tuimarket.analysis.results import Regime
from tuimarket.analysis.vocabulary import Stance
from tuimarket.config import RegimeSettings


def decide_stance(uptrends: int, of: int, breadth: float | None, settings: RegimeSettings) -> Stance:
    """The stance one session signals, by these rules in order (breadth None: no sector data,
    so breadth neither confirms nor denies):
    fully_invested when at least full_min_uptrends indexes (all of them, if fewer are configured)
    are in a confirmed uptrend and breadth is unknown or ≥ full_min_breadth;
    defensive when breadth < defensive_below_breadth (breadth denies), or when at most
    defensive_max_uptrends indexes are in a confirmed uptrend and breadth does not reach
    breadth_keeps_invested (broad participation keeps a foot in);
    partially_invested otherwise. With no index configured: defensive."""
    if of == 0:
        return Stance.DEFENSIVE
    if uptrends >= min(settings.full_min_uptrends, of) and (breadth is None or breadth >= settings.full_min_breadth):
        return Stance.FULLY_INVESTED
    if breadth is not None and breadth < settings.defensive_below_breadth:
        return Stance.DEFENSIVE
    keeps_invested = breadth is not None and breadth >= settings.breadth_keeps_invested
    if uptrends <= settings.defensive_max_uptrends and not keeps_invested:
        return Stance.DEFENSIVE
    return Stance.PARTIALLY_INVESTED


def held_stances(signalled: Sequence[Stance], benchmark_at_record: Sequence[bool],
                 confirm_sessions: int, stance: Stance | None = None) -> list[Stance]:
    """The held stance per session (see the module docstring); the first session holds what it
    signals, or goes on from `stance`, held the session before with no change pending."""
    held: list[Stance] = []
    direction, run = 0, 0                # which way the signals point from the held stance, for how long
    for today, record in zip(signalled, benchmark_at_record):
        pointing = 0 if stance is None else _sign(today.level - stance.level)
        run = run + 1 if pointing and pointing == direction else int(pointing != 0)
        direction = pointing
        if stance is None or run >= confirm_sessions or (record and stance is Stance.DEFENSIVE):
            stance, direction, run = today, 0, 0
        held.append(stance)
    return held


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def describe_regime(regime: Regime, long_period: int, confirm_sessions: int) -> str:
    """The regime in one paragraph: the counts behind the stance, and a pending change if any."""
    of, sectors_counted = regime.of, regime.sectors_counted
    index_part = f"{regime.uptrends} of {of} {'index is' if of == 1 else 'indexes are'} in a confirmed uptrend"
    if sectors_counted:
        breadth_part = (f"{regime.sectors_above} of {sectors_counted} sectors "
                        f"({regime.sectors_above / sectors_counted:.0%}) are above their {long_period}-day average")
    else:
        breadth_part = "sector breadth is unknown (no sector history)"
    text = f"{index_part}, and {breadth_part}. Stance: {regime.stance.words}."
    if regime.signalled and regime.signalled != regime.stance:
        text += (f" The signals point to {regime.signalled.words}; the stance follows if they "
                 f"hold {confirm_sessions} sessions in a row.")
    if regime.provisional:
        text += " Provisional: today's session is still open, so this becomes final only after the close."
    return text
