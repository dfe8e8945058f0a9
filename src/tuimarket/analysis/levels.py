"""Support and resistance from clustered swing points; breakouts, retests and the all-time high."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Breakout:
    """A close above a resistance level, with the session it happened."""

    level: float
    date: date


@dataclass(frozen=True)
class Retest:
    """A pullback to a broken resistance whose low touched it while the close held above."""

    level: float
    date: date


@dataclass(frozen=True)
class Levels:
    support: tuple[float, ...]        # below the last close, nearest first
    resistance: tuple[float, ...]     # above the last close, nearest first
    breakout: Breakout | None
    retest: Retest | None


@dataclass(frozen=True)
class AllTimeHigh:
    """The highest close in the loaded history and how far the last close is below it."""

    close: float
    date: date
    pct_below: float                  # a fraction: 0.006 means 0.6% below
