"""The four quadrants of a Relative Rotation Graph; no pandas, so the view models can use it at start-up."""

from __future__ import annotations

from tuimarket.analysis.vocabulary import Quadrant


def quadrant(rs_ratio: float | None, rs_momentum: float | None) -> Quadrant | None:
    """Leading (both ≥ 100), weakening (ratio ≥ 100 only), lagging (both < 100), improving (momentum ≥ 100 only)."""
    if rs_ratio is None or rs_momentum is None:
        return None
    if rs_ratio >= 100:
        return Quadrant.LEADING if rs_momentum >= 100 else Quadrant.WEAKENING
    return Quadrant.IMPROVING if rs_momentum >= 100 else Quadrant.LAGGING
