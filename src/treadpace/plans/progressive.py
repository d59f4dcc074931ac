"""Builders for the "each part faster" kinds and the fast finish.

Each mile faster (running.md §6.3) and its kilometre and clock variants share
one shape: an easy warm-up part, parts getting `step` faster from `start`, an
easy cool-down part. The article's own rule is "each further mile faster", and
ours is "nothing faster than interval"; both hold when a part that would pass
interval pace runs at interval pace instead (still faster than the part before,
with a note). Only a part that could then not be faster than the one before is
refused: the plan asks for more fast parts than fit below interval.

The fast finish takes a time or a distance for its finish; either way the finish
must take 5-15 minutes at its pace and the easy part must be the larger part.
"""

from __future__ import annotations

from treadpace.base.display import duration as format_duration
from treadpace.base.units import METRES_PER_MILE
from treadpace.plans.draft import EPS_KMH, Ctx, Draft, make_step
from treadpace.plans.models import (
    EachIntervalFasterPlan,
    EachKmFasterPlan,
    EachMileFasterPlan,
    FastFinishPlan,
)
from treadpace.plans.paces import PaceExpr, format_clock, s_per_unit, to_s_per_km
from treadpace.plans.steps import StepKind, StepRole
from treadpace.plans.yaml_document import FieldError

FINISH_MIN_S = 300.0
FINISH_MAX_S = 900.0

_Each = EachMileFasterPlan | EachKmFasterPlan | EachIntervalFasterPlan


def _shape(plan: _Each) -> tuple[StepKind, float, str, int, str]:
    """(step kind, amount, part word, number of fast parts, the count's field name)."""
    if isinstance(plan, EachMileFasterPlan):
        return "distance", METRES_PER_MILE, "mile", plan.progressive_miles, "progressive_miles"
    if isinstance(plan, EachKmFasterPlan):
        return "distance", 1000.0, "km", plan.progressive_km, "progressive_km"
    return "time", plan.every, "part", plan.intervals, "intervals"


_EASY_PARTS = {"warmup": ("warm-up", StepRole.WARMUP), "cooldown": ("cool-down", StepRole.COOLDOWN)}
"""The plan field of each easy part: its name shown to the runner, and its role."""


def _easy(plan: _Each, ctx: Ctx, field: str, kind: StepKind, amount: float) -> Draft:
    expr: PaceExpr | None = getattr(plan, field)
    assert expr is not None
    kmh = ctx.speed(expr, (field,))
    name, role = _EASY_PARTS[field]
    return Draft(make_step(name, kind, amount, kmh, str(expr), plan.incline, role), (field,))


def each_faster(plan: _Each, ctx: Ctx) -> list[Draft]:
    kind, amount, word, count, count_field = _shape(plan)
    out: list[Draft] = []
    number = 1
    if plan.warmup is not None:
        out.append(_easy(plan, ctx, "warmup", kind, amount))
        number += 1
    start_kmh = ctx.speed(plan.start, ("start",))
    unit = plan.step.unit
    start_s = s_per_unit(3600.0 / start_kmh, unit)
    interval_kmh = ctx.named_kmh("interval")
    previous: float | None = None
    for k in range(count):
        s = start_s - k * plan.step.seconds
        label = str(plan.start) if k == 0 else (
            f"{plan.start} - {format_clock(k * plan.step.seconds)}/{unit}"
        )  # fmt: skip
        kmh = 3600.0 / to_s_per_km(s, unit) if s > 0 else float("inf")
        name = f"{word} {number}"
        if kmh > interval_kmh + EPS_KMH:
            asked = ctx.pace(kmh) if s > 0 else "a pace below zero"
            if previous is not None and previous >= interval_kmh - EPS_KMH:
                raise FieldError(
                    (count_field,),
                    f"expected every {word} faster than the one before and none faster than "
                    f"interval {ctx.pace(interval_kmh)}; {name} would be {asked} ({label}) "
                    f"after a {word} at interval already: use fewer {count_field} "
                    "or a smaller step",
                )
            ctx.notes.append(
                f"{name} runs at interval pace {ctx.pace(interval_kmh)}: {label} would be "
                f"{asked}, faster than interval"
            )
            kmh, label = interval_kmh, f"interval (for {label})"
        out.append(
            Draft(
                make_step(name, kind, amount, kmh, label, plan.incline),
                ("start",) if k == 0 else ("step",),
            )
        )
        previous = kmh
        number += 1
    if plan.cooldown is not None:
        out.append(_easy(plan, ctx, "cooldown", kind, amount))
    return out


def fast_finish(plan: FastFinishPlan, ctx: Ctx) -> list[Draft]:
    easy = ctx.speed(plan.pace, ("pace",))
    fast = ctx.speed(plan.finish_pace, ("finish_pace",))
    finish = plan.finish
    finish_s = finish.amount if finish.kind == "time" else finish.amount / (fast / 3.6)
    shown = (
        finish.text
        if finish.kind == "time"
        else f"{finish.text} ({format_duration(finish_s)} at {plan.finish_pace})"
    )
    if not FINISH_MIN_S - 1e-9 <= finish_s <= FINISH_MAX_S + 1e-9:
        raise FieldError(("finish",), f"expected a finish between 5:00 and 15:00, got {shown}")
    if plan.distance is not None:
        total_kind: StepKind = "distance"
        total = plan.distance
        finish_part = finish.amount if finish.kind == "distance" else finish_s * fast / 3.6
    else:
        assert plan.duration is not None
        total_kind, total = "time", plan.duration
        finish_part = finish_s
    easy_part = total - finish_part
    easy_s = easy_part if total_kind == "time" else easy_part / (easy / 3.6)
    if easy_part <= 0 or easy_s <= finish_s + 1e-9:
        length = format_duration(total) if total_kind == "time" else f"{total / 1000:g} km"
        raise FieldError(
            ("finish",),
            f"expected a finish shorter than the easy part (mostly easy, then faster); "
            f"the run is {length} and the finish {shown}",
        )
    return [
        Draft(
            make_step("easy", total_kind, easy_part, easy, str(plan.pace), plan.incline),
            ("pace",),
        ),
        Draft(
            make_step(
                "fast finish", finish.kind, finish.amount, fast, str(plan.finish_pace), plan.incline
            ),
            ("finish_pace",),
        ),
    ]
