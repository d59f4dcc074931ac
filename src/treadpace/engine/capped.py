"""Which steps of the plan this treadmill can only run capped, said once before the start.

The policy caps every command at min(profile max, machine max) (safety rule 1),
so a 4 mph walking pad runs a running plan at 4 mph from start to end. That is
safe but must not be a surprise: once the machine's range is known (on
connecting, before the countdown) the core says in one line which steps will
run capped and by how much. Pure: steps and a top speed in, text out.
"""

from __future__ import annotations

from collections.abc import Sequence

from treadpace.base import display
from treadpace.plans.steps import CompiledStep

SLACK_KMH = 0.05
"""Below half a grid step: a target the grid rounds to the top is not "capped"."""

NAMED = 3
"""Steps named in the line; more are counted."""


def step_top_kmh(step: CompiledStep) -> float:
    """The fastest the step asks for (a free step sets no speed: it asks nothing)."""
    if step.free:
        return 0.0
    return max(step.speed_kmh, step.end_speed_kmh or 0.0)


def capped_line(
    steps: Sequence[CompiledStep],
    top_kmh: float,
    *,
    machine_max_kmh: float,
    imperial: bool,
) -> str | None:
    """One line naming the steps above `top_kmh` (None when every step fits)."""
    over = [(i, s) for i, s in enumerate(steps) if step_top_kmh(s) > top_kmh + SLACK_KMH]
    if not over:
        return None
    why = (
        "this treadmill's top speed"
        if machine_max_kmh <= top_kmh + SLACK_KMH
        else "the profile's max_speed"
    )
    names = ", ".join(s.name for _, s in over[:NAMED])
    if len(over) > NAMED:
        names += f" and {len(over) - NAMED} more"
    worst = max(step_top_kmh(s) for _, s in over)
    return (
        f"capped at {display.speed(top_kmh, imperial)} ({why}): {len(over)} of {len(steps)} "
        f"steps run slower than planned ({names}; up to "
        f"{display.speed(worst - top_kmh, imperial)} slower)"
    )
