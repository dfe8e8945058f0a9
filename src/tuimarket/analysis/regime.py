"""The market stance that follows from index trends and sector breadth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tuimarket.config import RegimeSettings

Stance = Literal["fully_invested", "partially_invested", "defensive"]


@dataclass(frozen=True)
class Regime:
    uptrends: int                      # indexes in a confirmed uptrend
    of: int                            # indexes configured
    sectors_above: int                 # rotation sectors above their long average
    sectors_counted: int               # rotation sectors with enough history to tell
    sector_breadth: float | None       # sectors_above / sectors_counted
    stance: Stance
    commentary: str


def decide_stance(uptrends: int, of: int, breadth: float | None, settings: RegimeSettings) -> Stance:
    """The stance rules, in order (a breadth of None, no sector data, never meets a breadth test):
    fully_invested when every index is in a confirmed uptrend and breadth ≥ full_min_breadth;
    defensive when uptrends ≤ defensive_max_uptrends or breadth < defensive_below_breadth;
    partially_invested otherwise."""
    known = breadth is not None
    if of > 0 and uptrends == of and known and breadth >= settings.full_min_breadth:
        return "fully_invested"
    if uptrends <= settings.defensive_max_uptrends or (known and breadth < settings.defensive_below_breadth):
        return "defensive"
    return "partially_invested"


def assess(uptrends: int, of: int, sectors_above: int, sectors_counted: int,
           settings: RegimeSettings, long_period: int) -> Regime:
    """The regime from confirmed-uptrend and sector counts, with a one-paragraph explanation."""
    breadth = sectors_above / sectors_counted if sectors_counted else None
    stance = decide_stance(uptrends, of, breadth, settings)
    return Regime(uptrends, of, sectors_above, sectors_counted, breadth, stance,
                  describe_regime(uptrends, of, sectors_above, sectors_counted, stance, long_period))


def describe_regime(uptrends: int, of: int, sectors_above: int, sectors_counted: int,
                    stance: Stance, long_period: int) -> str:
    index_part = f"{uptrends} of {of} {'index is' if of == 1 else 'indexes are'} in a confirmed uptrend"
    if sectors_counted:
        breadth_part = (f"{sectors_above} of {sectors_counted} sectors "
                        f"({sectors_above / sectors_counted:.0%}) are above their {long_period}-day average")
    else:
        breadth_part = "sector breadth is unknown (no sector history)"
    return f"{index_part}, and {breadth_part}. Stance: {stance.replace('_', ' ')}."
