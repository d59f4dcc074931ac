"""Piecewise-linear curves through measured points, flat beyond the first and last.

A belt's speed error is known at a few speeds (a simulated model's truth, a
calibration's measured ratios) and must be read between them without inventing a
trend beyond them: linear between neighbours, the nearest point's value outside.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence


def piecewise_linear(points: Sequence[tuple[float, float]], x: float) -> float:
    """The curve through `points` (by rising x) at `x`; 0 for no points."""
    if not points:
        return 0.0
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]
