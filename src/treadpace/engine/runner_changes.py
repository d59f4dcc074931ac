"""The runner's changes to the plan's speed, kept within what treadpace may command.

Two hands change the speed mid-step. A nudge (`+`/`-` in the live view, MQTT) is an
offset or a change of the held speed that treadpace commands, so it is clamped to
the grid's limits at the moment it is made: presses past the cap do not pile up
into an offset that the next presses in the other direction cannot undo (#12). A
console press is the runner's own (safety rule 5), even above the profile's cap,
which treadpace never commands (rule 1): such a press is left alone for the rest of
the step, and the next step's target brings the belt back within the cap.
"""

from __future__ import annotations

from treadpace.engine.setpoint import Grid

_WIRE_EPS = 0.005
"""Half the 0.01 km/h a speed travels in: closer than this is the same speed."""


def above_cap(speed_kmh: float, grid: Grid) -> bool:
    """Whether the machine's target is one treadpace may not command (above the cap)."""
    return speed_kmh > grid.maximum + _WIRE_EPS


def _limits(grid: Grid) -> tuple[float, float]:
    """The lowest and highest speed that can be commanded, both on the grid."""
    return grid.quantise(grid.minimum), grid.quantise(grid.maximum)


def nudge_offset(offset: float, delta: float, plan_kmh: float, grid: Grid) -> float:
    """The step's offset after one nudge of `delta`, with the plan at `plan_kmh` now."""
    lo, hi = _limits(grid)
    low, high = lo - plan_kmh, hi - plan_kmh
    start = min(max(offset, low), high)  # a console press above the cap starts at the cap
    return min(max(start + delta, low), high)


def nudge_hold(hold: float, delta: float, grid: Grid) -> float:
    """The held speed after one nudge of `delta`."""
    lo, hi = _limits(grid)
    return min(max(min(max(hold, lo), hi) + delta, lo), hi)
