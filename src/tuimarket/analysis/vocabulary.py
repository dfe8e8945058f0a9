"""The words the analysis speaks: the market stance, an index's trend, a rotation quadrant, a MACD
side, and the direction a reading has taken (relative strength, MACD momentum).

Each is a StrEnum whose values are the strings written to JSON, CSV, the saved view and the cache
(a member is a `str` equal to its value), so those read exactly as before; the words a person reads
stand beside each member, here and nowhere else. No pandas and no Textual: the view models import
this at start-up.
"""

from __future__ import annotations

from enum import StrEnum


class Stance(StrEnum):
    """How invested to be, most invested first."""

    FULLY_INVESTED = "fully_invested"
    PARTIALLY_INVESTED = "partially_invested"
    DEFENSIVE = "defensive"

    @property
    def words(self) -> str:
        """As a sentence says it: "fully invested"."""
        return self.value.replace("_", " ")

    @property
    def label(self) -> str:
        """As a badge shows it: "FULLY INVESTED"."""
        return self.words.upper()

    @property
    def short(self) -> str:
        """As a narrow column heads it: "fully", "partially", "defensive"."""
        return self.value.removesuffix("_invested")

    @property
    def level(self) -> int:
        """2 fully invested, 1 partially, 0 defensive: a larger level is more invested."""
        return STANCE_LEVELS[self]

    @property
    def exposure(self) -> float:
        """The share of a portfolio invested: 1, 0.5 or 0."""
        return self.level / STANCE_LEVELS[Stance.FULLY_INVESTED]


STANCE_LEVELS = {Stance.FULLY_INVESTED: 2, Stance.PARTIALLY_INVESTED: 1, Stance.DEFENSIVE: 0}


class Trend(StrEnum):
    """An index's trend state (see analysis.trend)."""

    UPTREND = "uptrend"
    DOWNTREND = "downtrend"
    SIDEWAYS = "sideways"

    @property
    def label(self) -> str:
        """As a badge shows it: "UPTREND"."""
        return self.value.upper()

    @property
    def short(self) -> str:
        """As a dense table row says it: "up", "down", "side"."""
        return TREND_SHORT[self]


TREND_SHORT = {Trend.UPTREND: "up", Trend.DOWNTREND: "down", Trend.SIDEWAYS: "side"}


class Quadrant(StrEnum):
    """Where a symbol sits on the Relative Rotation Graph (see analysis.quadrants)."""

    LEADING = "leading"
    WEAKENING = "weakening"
    LAGGING = "lagging"
    IMPROVING = "improving"

    @property
    def label(self) -> str:
        """As the graph and its table name it: "Leading"."""
        return self.value.capitalize()

    @property
    def short(self) -> str:
        """On a narrow graph: "Lead", "Weak", "Lag", "Impr"."""
        return QUADRANT_SHORT[self]


QUADRANT_SHORT = {Quadrant.LEADING: "Lead", Quadrant.WEAKENING: "Weak", Quadrant.LAGGING: "Lag",
                  Quadrant.IMPROVING: "Impr"}


class MacdSide(StrEnum):
    """BUY while the MACD line is above its signal line, SELL below it."""

    BUY = "buy"
    SELL = "sell"

    @property
    def label(self) -> str:
        """As a badge shows it: "BUY"."""
        return self.value.upper()


class Direction(StrEnum):
    """Which way a reading has gone: relative strength's trend and swings, MACD momentum."""

    RISING = "rising"
    FALLING = "falling"
    FLAT = "flat"

    @property
    def short(self) -> str:
        """As a dense cell or a state class says it: "up", "down", "flat"."""
        return DIRECTION_SHORT[self]


DIRECTION_SHORT = {Direction.RISING: "up", Direction.FALLING: "down", Direction.FLAT: "flat"}
