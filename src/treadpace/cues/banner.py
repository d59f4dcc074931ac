"""The live view's countdown to the next change: "faster in 0:08 → 5:16/km".

Worked out from the plan and the latest `Tick`, so it counts down with every
telemetry packet, stands still while the run is paused, and follows a skip or an
extended step at once. Steps that keep the same target are looked through: the
banner counts to the next real change (their planned time added).
"""

from __future__ import annotations

from collections.abc import Sequence

from treadpace.base import display as fmt
from treadpace.cues.schedule import change_between, incline_moves
from treadpace.engine.events import CueChange, Tick
from treadpace.plans.steps import CompiledStep

_WORD = {
    CueChange.FASTER: "faster",
    CueChange.SLOWER: "slower",
    CueChange.STEEPER: "steeper",
    CueChange.FLATTER: "flatter",
    CueChange.END: "finish",
}
_MIN_KMH = 0.5


def countdown(steps: Sequence[CompiledStep], tick: Tick | None, imperial: bool) -> str | None:
    """The banner text, or None when no change is ahead (or nothing is known yet)."""
    if tick is None or not 0 <= tick.step_index < len(steps):
        return None
    i = tick.step_index
    step = steps[i]
    if step.kind == "time":
        left: float | None = tick.step_remaining
    elif tick.speed_kmh >= _MIN_KMH:
        left = tick.step_remaining / (tick.speed_kmh / 3.6)
    else:
        left = None
    while True:
        nxt = steps[i + 1] if i + 1 < len(steps) else None
        change = change_between(steps[i], nxt)
        if change is not None:
            break
        assert nxt is not None  # the end of the plan is always a change
        i += 1
        if left is not None:
            left += nxt.planned_time_s
    if left is None:
        when = f"after {fmt.distance(tick.step_remaining, imperial)}"
    else:
        when = f"in {fmt.duration(left)}"
    text = f"{_WORD[change]} {when}"
    if nxt is None:
        return text
    if change in (CueChange.STEEPER, CueChange.FLATTER):
        return f"{text} → {nxt.incline_percent:g} %"
    text += f" → {fmt.pace(nxt.speed_kmh, imperial)}"
    if incline_moves(steps[i], nxt):
        text += f", {nxt.incline_percent:g} %"
    return text
