"""The four quadrants of a Relative Rotation Graph; no pandas, so the view models can use it at start-up."""

from __future__ import annotations

from typing import Literal

Quadrant = Literal["leading", "weakening", "lagging", "improving"]


def quadrant(rs_ratio: float | None, rs_momentum: float | None) -> Quadrant | None:
    """Leading (both ≥ 100), weakening (ratio ≥ 100 only), lagging (both < 100), improving (momentum ≥ 100 only)."""
    if rs_ratio is None or rs_momentum is None:
        return None
    if rs_ratio >= 100:
        return "leading" if rs_momentum >= 100 else "weakening"
    return "improving" if rs_momentum >= 100 else "lagging"
