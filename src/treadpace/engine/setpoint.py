"""Setpoint policy: what the engine may command, on the machine's own grid.

Safety rule 1 lives here: a commanded speed never exceeds min(profile max,
machine max) and never goes under the machine's minimum; incline likewise. Values
are quantised half-up, in integer FTMS units (0.01 km/h, 0.1 %), onto the grid that
starts at the machine's minimum and steps by its increment (running.md §5), so a
command is never rejected as off-grid and never rounds past a limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _units(value: float, resolution: int) -> int:
    """`value` in integer units of 1/resolution, rounded half-up."""
    return int((value * resolution * 2 + 1) // 2)


@dataclass(frozen=True)
class Grid:
    """A machine's setpoint grid, with the effective limits folded in."""

    minimum: float
    maximum: float
    increment: float
    resolution: int
    """Integer units per whole unit: 100 for km/h, 10 for incline %."""

    @classmethod
    def build(
        cls, minimum: float, maximum: float, increment: float, cap: float, resolution: int
    ) -> Grid:
        """Machine range `minimum..maximum` capped by the profile's `cap`."""
        top = min(maximum, cap)
        if top < minimum:
            top = minimum
        return cls(minimum, top, increment if increment > 0 else 1 / resolution, resolution)

    def quantise(self, value: float) -> float:
        """Clamp to the limits, then snap half-up to the grid (never past the top)."""
        r = self.resolution
        # Limits in whole units, rounded inwards: a cap of 12.345 km/h allows 12.34.
        lo = math.ceil(self.minimum * r - 1e-6)
        hi = max(lo, math.floor(self.maximum * r + 1e-6))
        step = max(1, _units(self.increment, r))
        # Exact value in units (no double rounding), half-up; the tiny epsilon keeps a
        # decimal half such as 10.05 (1004.9999... in binary) rounding up.
        x = min(max(value * r, lo), hi)
        k = math.floor((x - lo) / step + 0.5 + 1e-9)
        q = lo + k * step
        if q > hi:  # the top may be off-grid (a profile cap): the grid point below it
            q = lo + ((hi - lo) // step) * step
        return q / r

    def threshold_above(self, value: float) -> float:
        """The smallest exact value above `value` whose quantisation is one step higher."""
        q = self.quantise(value)
        return q + self.increment / 2

    def threshold_below(self, value: float) -> float:
        """The largest exact value below `value` whose quantisation is one step lower."""
        q = self.quantise(value)
        return q - self.increment / 2
