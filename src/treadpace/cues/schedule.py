"""The cue schedule: what to say and where in each step, from the compiled plan alone.

Every change of target (a step whose speed or incline differs from where the
previous one ended, or one that starts a ramp) and the plan's end get a warning
`lead_s` seconds ahead, a 3-2-1 countdown, and a cue as the change happens; the
last step and the halfway point are announced too. A cue is placed by what is
left of the step it falls in: seconds for the warnings (a distance step's time
left is predicted from the belt's speed while running), metres for the halfway
point of a distance step, or the step's start. Warnings that do not fit in the
step before the change (a 6 s step has no 10 s warning) are left out: the cue at
the previous change already said what comes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace

from treadpace.engine.events import Cue, CueChange, CueKind
from treadpace.plans.steps import CompiledStep

COUNTDOWN_S = (3, 2, 1)
DEFAULT_LEAD_S = 10
HALFWAY_MIN_PLAN_S = 120.0
"""A plan shorter than this has no halfway cue (it would crowd the warnings)."""
_FIT_MARGIN_S = 0.5
"""A warning must come at least this long after its step began."""
_SPEED_EPS_KMH = 0.005
_INCLINE_EPS = 0.05


class Trigger(enum.StrEnum):
    START = "start"
    """When the step begins."""
    LEFT_S = "left_s"
    """When `value` seconds of the step are left."""
    LEFT_M = "left_m"
    """When `value` metres of a distance step are left."""


@dataclass(frozen=True)
class Planned:
    """One cue of the schedule: due in step `step` at `trigger`/`value`; `cue.t` is unset."""

    step: int
    trigger: Trigger
    value: float
    cue: Cue


def change_between(prev: CompiledStep | None, nxt: CompiledStep | None) -> CueChange | None:
    """How the target moves from the end of `prev` into `nxt`; None when it does not."""
    if nxt is None:
        return CueChange.END
    v0 = prev.target_at(1.0) if prev is not None else 0.0
    i0 = prev.incline_at(1.0) if prev is not None else nxt.incline_percent
    if abs(nxt.speed_kmh - v0) >= _SPEED_EPS_KMH:
        return CueChange.FASTER if nxt.speed_kmh > v0 else CueChange.SLOWER
    if nxt.is_ramp:
        return CueChange.FASTER if nxt.target_at(1.0) > nxt.speed_kmh else CueChange.SLOWER
    i1_end = nxt.incline_at(1.0)
    if abs(nxt.incline_percent - i0) >= _INCLINE_EPS:
        return CueChange.STEEPER if nxt.incline_percent > i0 else CueChange.FLATTER
    if abs(i1_end - nxt.incline_percent) >= _INCLINE_EPS:
        return CueChange.STEEPER if i1_end > nxt.incline_percent else CueChange.FLATTER
    return None


def incline_moves(prev: CompiledStep | None, nxt: CompiledStep | None) -> bool:
    """Whether the incline at the start of `nxt` differs from where `prev` ended."""
    if prev is None or nxt is None:
        return False
    return abs(nxt.incline_percent - prev.incline_at(1.0)) >= _INCLINE_EPS


def about(step: CompiledStep, index: int, imperial: bool) -> Cue:
    """A cue template carrying what a runner hears about `step` (kind and time set later)."""
    return Cue(
        t=0.0,
        kind=CueKind.CHANGE,
        step_index=index,
        step_name=step.name,
        pace_label=step.pace_label,
        step_kind=step.kind,
        step_amount=float(step.amount),
        speed_kmh=step.speed_kmh,
        end_speed_kmh=step.end_speed_kmh if step.is_ramp else None,
        incline_percent=step.incline_percent,
        imperial=imperial,
    )


def build(
    steps: Sequence[CompiledStep], lead_s: int = DEFAULT_LEAD_S, imperial: bool = False
) -> tuple[Planned, ...]:
    """Every cue of a run of `steps`, in the order they come."""
    out: list[Planned] = []
    n = len(steps)
    half = _halfway(steps)
    for i, step in enumerate(steps):
        prev = steps[i - 1] if i > 0 else None
        nxt = steps[i + 1] if i + 1 < n else None
        came = change_between(prev, step)
        if i == n - 1 and n > 1:
            start = CueKind.LAST_STEP
        elif came is not None:
            start = CueKind.CHANGE
        else:
            start = None
        if start is not None:
            cue = replace(
                about(step, i, imperial),
                kind=start,
                change=came,
                incline_changes=incline_moves(prev, step),
            )
            out.append(Planned(i, Trigger.START, 0.0, cue))
        if half is not None and half[0] == i:
            trigger = Trigger.LEFT_S if step.kind == "time" else Trigger.LEFT_M
            cue = Cue(t=0.0, kind=CueKind.HALFWAY, step_index=i, imperial=imperial)
            out.append(Planned(i, trigger, half[1], cue))
        going = change_between(step, nxt)
        if going is not None:
            out.extend(_warnings(step, i, nxt, going, lead_s, imperial))
    return tuple(sorted(out, key=_order))


def _warnings(
    step: CompiledStep,
    index: int,
    nxt: CompiledStep | None,
    change: CueChange,
    lead_s: int,
    imperial: bool,
) -> list[Planned]:
    """The warning and the countdown before the end of `step`."""
    if nxt is not None:
        base = replace(about(nxt, index + 1, imperial), incline_changes=incline_moves(step, nxt))
    else:
        base = Cue(t=0.0, kind=CueKind.UPCOMING, step_index=index + 1, imperial=imperial)
    leads = [(CueKind.UPCOMING, lead_s)] if lead_s not in COUNTDOWN_S else []
    leads += [(CueKind.COUNTDOWN, s) for s in COUNTDOWN_S if s <= lead_s]
    fit = step.planned_time_s - _FIT_MARGIN_S
    return [
        Planned(
            index,
            Trigger.LEFT_S,
            float(s),
            replace(base, kind=kind, change=change, seconds=s),
        )
        for kind, s in leads
        if s <= fit
    ]


def _halfway(steps: Sequence[CompiledStep]) -> tuple[int, float] | None:
    """(step, seconds or metres left in it) where half the planned time is done.

    Within a step, progress is counted like the engine's: in proportion to the
    step's time or distance done.
    """
    total = sum(s.planned_time_s for s in steps)
    if total < HALFWAY_MIN_PLAN_S:
        return None
    half = total / 2.0
    done = 0.0
    for i, step in enumerate(steps):
        dur = step.planned_time_s
        if done + dur > half and dur > 0:  # exactly at a boundary: the next step's start
            fraction = (half - done) / dur
            return i, (1.0 - fraction) * step.amount
        done += dur
    return None


def _order(p: Planned) -> tuple[int, int, float]:
    # Within a step: its start first, then by what is left, most first.
    return (p.step, 0 if p.trigger == Trigger.START else 1, -p.value)
