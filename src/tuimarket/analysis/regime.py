"""The market stance that follows from index trends and sector breadth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
