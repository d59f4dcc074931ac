"""When the engine core must next look again, with nothing new from the treadmill.

A time step ends at a moment of the plan clock; a distance step at the moment
the odometer predicts its distance is reached (inf when it cannot tell, and
then the next reading decides); a ramp's target crosses onto the next grid
step at a moment of its own; a refused write is tried again after its pause.
The earliest of these is when the driver wakes the core. All of it is run time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from treadpace.engine.run_core import RunCore

if TYPE_CHECKING:
    from treadpace.plans.steps import CompiledStep


def step_wake(core: RunCore, step: CompiledStep) -> float:
    """The run time of the next moment the running step needs a look."""
    now, cur = core.now, core.cursor
    best = math.inf
    end = step.amount + cur.extra
    if step.open:
        pass  # ends on a skip, which is an input of its own
    elif step.kind == "time":
        best = now + cur.t0 + end - core.plan_now()
    else:
        best = now + core.odometer.time_to(cur.m0 + end, now)
    lead = core.lead()
    if lead is not None and best - lead[1] > now:
        best = min(best, best - lead[1])  # the next step's speed goes out early
    if step.is_ramp and core.policy.hold is None and not core.guided:
        best = min(best, now + _ramp_wait(core, step))
    retry = core.policy.retry.wait(now)
    if retry > 0:
        best = min(best, now + retry)
    return best


def _ramp_wait(core: RunCore, step: CompiledStep) -> float:
    """Seconds until a ramp's target moves onto the next step of the machine's grid."""
    grid, offset = core.policy.speed_grid, core.policy.offset
    v0 = step.speed_kmh
    v1 = step.end_speed_kmh if step.end_speed_kmh is not None else v0
    value = step.target_at(core.fraction()) + offset
    if v1 > v0:
        thr = grid.threshold_above(value) + 1e-6
        if thr <= value or thr - offset > v1:
            return math.inf
    else:
        thr = grid.threshold_below(value) - 1e-6
        if thr >= value or thr - offset < v1:
            return math.inf
    f = (thr - offset - v0) / (v1 - v0)
    cur = core.cursor
    if step.kind == "time":
        return cur.t0 + f * step.amount - core.plan_now()
    return core.odometer.time_to(cur.m0 + f * step.amount, core.now)
