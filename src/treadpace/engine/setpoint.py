"""Setpoint policy: what the engine may command, on the machine's own grid.

Safety rule 1 lives here: a commanded speed never exceeds min(profile max,
machine max) and never goes under the machine's minimum; incline likewise. Values
are quantised half-up, in integer FTMS units (0.01 km/h, 0.1 %), onto the grid that
starts at the machine's minimum and steps by its increment (running.md §5), so a
command is never rejected as off-grid and never rounds past a limit.

A console that counts in 0.1 mph (ftms.md Q9: the Urevo E1L) reports its range in
km/h rounded to 0.01, so its 0.16 km/h "increment" drifts from the belt's real steps
(0.160934 km/h): by 8 mph the two grids are half a step apart. Such a grid is
quantised in the machine's own unit (`per_unit` km/h per unit), and each point
travels as the 0.01 km/h nearest to it, which the machine rounds back to itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from treadpace.base.units import KMH_PER_MPH

_MPH_STEP_KMH = 0.1 * KMH_PER_MPH


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
    per_unit: float = 1.0
    """km/h per unit of the machine's own grid: 1.609344 on an mph console, else 1."""

    _lo_hi_step_top: tuple[int, int, int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The limits and the step in whole units, worked out once: a setpoint is
        # quantised several times for every telemetry reading.
        r = self.resolution
        # Limits in whole units, rounded inwards: a cap of 12.345 km/h allows 12.34.
        lo = math.ceil(self.minimum * r - 1e-6)
        hi = max(lo, math.floor(self.maximum * r + 1e-6))
        step = max(1, _units(self.increment, r))
        # The top may be off-grid (a profile cap): the grid point below it.
        top = lo + ((hi - lo) // step) * step
        object.__setattr__(self, "_lo_hi_step_top", (lo, hi, step, top))

    @classmethod
    def build(
        cls,
        minimum: float,
        maximum: float,
        increment: float,
        cap: float,
        resolution: int,
        per_unit: float = 1.0,
    ) -> Grid:
        """Machine range `minimum..maximum` capped by the profile's `cap`."""
        top = min(maximum, cap)
        if top < minimum:
            top = minimum
        if increment <= 0:
            increment = 1 / resolution
        if per_unit != 1.0:  # the machine's own step, behind its rounded km/h figure
            increment = max(1, round(increment / per_unit * resolution)) / resolution * per_unit
        return cls(minimum, top, increment, resolution, per_unit)

    def quantise(self, value: float) -> float:
        """Clamp to the limits, then snap half-up to the grid (never past the top)."""
        if self.per_unit != 1.0:
            return self._wire(self._index(value))
        r = self.resolution
        lo, hi, step, top = self._lo_hi_step_top
        # Exact value in units (no double rounding), half-up; the tiny epsilon keeps a
        # decimal half such as 10.05 (1004.9999... in binary) rounding up.
        x = value * r
        x = lo if x < lo else hi if x > hi else x
        q = lo + math.floor((x - lo) / step + 0.5 + 1e-9) * step
        return (top if q > hi else q) / r

    def threshold_above(self, value: float) -> float:
        """The smallest exact value above `value` whose quantisation is one step higher."""
        if self.per_unit != 1.0:
            return self._point(self._index(value) + 0.5)
        q = self.quantise(value)
        return q + self.increment / 2

    def threshold_below(self, value: float) -> float:
        """The largest exact value below `value` whose quantisation is one step lower."""
        if self.per_unit != 1.0:
            return self._point(self._index(value) - 0.5)
        q = self.quantise(value)
        return q - self.increment / 2

    # --- a grid in the machine's own unit (mph) ------------------------------------------

    def _units(self) -> tuple[int, int]:
        """(minimum, step) in integer units of the machine's unit (0.01 mph)."""
        r, f = self.resolution, self.per_unit
        # The nearest 0.01 mph: the machine's true minimum behind its rounded km/h.
        return round(self.minimum / f * r), max(1, round(self.increment / f * r))

    def _point(self, k: float) -> float:
        """Grid point `k` (or a half-way point) in exact km/h."""
        lo, step = self._units()
        return (lo + k * step) / self.resolution * self.per_unit

    def _wire(self, k: int) -> float:
        """Grid point `k` as it travels: the nearest 0.01 km/h, half-up."""
        return math.floor(self._point(k) * 100 + 0.5) / 100

    def _index(self, value: float) -> int:
        """The grid point nearest `value` (half-up) whose wire value is within the limits."""
        lo, step = self._units()
        r, f = self.resolution, self.per_unit
        # The reported maximum is rounded too: start a step high, keep what travels within it.
        top = max(0, math.floor((self.maximum / f * r - lo) / step) + 1)
        while top > 0 and self._wire(top) > self.maximum + 1e-9:
            top -= 1
        bottom = 0
        while bottom < top and self._wire(bottom) < self.minimum - 1e-9:
            bottom += 1
        k = math.floor((value / f * r - lo) / step + 0.5 + 1e-9)
        return min(max(k, bottom), top)


def speed_grid(minimum: float, maximum: float, increment: float, cap: float) -> Grid:
    """The machine's speed grid from its Supported Speed Range (km/h), capped at `cap`.

    An increment of 0.16 km/h (0.161 rounded to the field's 0.01) is a 0.1 mph console;
    every other increment is taken as km/h.
    """
    mph = abs(increment - _MPH_STEP_KMH) < 0.0051
    return Grid.build(minimum, maximum, increment, cap, 100, KMH_PER_MPH if mph else 1.0)
