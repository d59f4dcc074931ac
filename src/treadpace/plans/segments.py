"""A custom plan's segments and repeat blocks, expanded into steps.

A repeat may change from round to round: `faster_each: 0:10/km` takes 10 s/km
off every segment's pace each round (in the change's own unit, like an offset),
`incline_each: 1%` adds a percent each round. A segment inside the repeat may
set its own change, or `null` to stay the same every round (a recovery jog).
Round 1 runs as written. An incline may be a ramp `{from: 1%, to: 6%}`: the
engine moves it with the step like a speed ramp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from treadpace.plans.draft import Ctx, Draft
from treadpace.plans.hr import resolve_cap, resolve_target
from treadpace.plans.hr_rule import HrRule
from treadpace.plans.models import CustomPlan, RepeatBlock, RepeatItem, Segment, SegmentItem
from treadpace.plans.numbers import MAX_STEPS
from treadpace.plans.paces import PaceStep, format_clock, s_per_unit, to_s_per_km
from treadpace.plans.shapes import InclineRamp
from treadpace.plans.steps import CompiledStep, StepKind
from treadpace.plans.yaml_document import FieldError, Loc

OPEN_PLANNED_S = 300.0
"""The planned length of an open step that gives none (totals and display only)."""


@dataclass(frozen=True)
class _Round:
    """Where a segment is in one repeat: the round (0-based) and that repeat's changes."""

    index: int
    block: RepeatBlock
    loc: Loc


def _change(seg: Segment, rnd: _Round, key: str) -> object:
    if key in seg.model_fields_set:
        return getattr(seg, key)
    return getattr(rnd.block, key)


def _faster(kmh: float, change: PaceStep, rounds: int, loc: Loc, ctx: Ctx) -> float:
    s = s_per_unit(3600.0 / kmh, change.unit) - rounds * change.seconds
    if s <= 0:
        raise FieldError(
            loc,
            f'expected "{change.text}" each round to leave a pace above zero in round {rounds + 1}',
        )
    return 3600.0 / to_s_per_km(s, change.unit)


def _apply_rounds(
    seg: Segment, rounds: tuple[_Round, ...], start: float, end: float | None,
    incline: tuple[float, float | None], label: str, ctx: Ctx, loc: Loc,
) -> tuple[float, float | None, tuple[float, float | None], str]:  # fmt: skip
    """Speeds, inclines and label of this segment in the given rounds of its repeats."""
    inc0, inc1 = incline
    for rnd in rounds:
        if rnd.index == 0:
            continue
        faster = _change(seg, rnd, "faster_each")
        if isinstance(faster, PaceStep):
            start = _faster(start, faster, rnd.index, (*rnd.loc, "faster_each"), ctx)
            end = None if end is None else _faster(end, faster, rnd.index, rnd.loc, ctx)
            label = f"{label} - {format_clock(rnd.index * faster.seconds)}/{faster.unit}"
        steeper = _change(seg, rnd, "incline_each")
        if isinstance(steeper, float):
            inc0 += rnd.index * steeper
            inc1 = None if inc1 is None else inc1 + rnd.index * steeper
    return start, end, (inc0, inc1), label


def _segments(
    items: Sequence[SegmentItem], loc: Loc, ctx: Ctx, default_incline: float, suffix: str,
    rounds: tuple[_Round, ...], out: list[Draft],
) -> None:  # fmt: skip
    for i, item in enumerate(items):
        here: Loc = (*loc, i)
        if isinstance(item, RepeatItem):
            block = item.repeat
            for rep in range(block.times):
                _segments(
                    block.segments, (*here, "repeat", "segments"), ctx, default_incline,
                    f"{suffix} {rep + 1}/{block.times}",
                    (*rounds, _Round(rep, block, (*here, "repeat"))), out,
                )  # fmt: skip
            continue
        if not rounds and ("faster_each" in item.model_fields_set or (
            "incline_each" in item.model_fields_set
        )):  # fmt: skip
            key = "faster_each" if "faster_each" in item.model_fields_set else "incline_each"
            raise FieldError((*here, key), f"expected {key} only inside a repeat (it is per round)")
        out.append(_segment(item, here, ctx, default_incline, len(out), suffix, rounds))


def _segment(
    seg: Segment, loc: Loc, ctx: Ctx, default_incline: float, index: int, suffix: str,
    rounds: tuple[_Round, ...],
) -> Draft:  # fmt: skip
    kind: StepKind = "distance" if seg.distance is not None else "time"
    amount = seg.distance if seg.distance is not None else seg.duration
    if amount is None:  # an open step with no length of its own: planned as 5:00
        amount = OPEN_PLANNED_S
    incline: tuple[float, float | None] = (default_incline, None)
    if isinstance(seg.incline, InclineRamp):
        incline = (seg.incline.start, seg.incline.end)
    elif seg.incline is not None:
        incline = (seg.incline, None)
    end: float | None = None
    if seg.from_ is not None and seg.to is not None:
        start = ctx.speed(seg.from_, (*loc, "from"))
        end = ctx.speed(seg.to, (*loc, "to"))
        label = f"{seg.from_} -> {seg.to}"
        target: Loc = (*loc, "to") if end >= start else (*loc, "from")
    elif seg.target is not None:
        # the fastest allowed is the step's target: heart rate only ever slows it
        low = ctx.speed(seg.target.min, (*loc, "target", "min"))
        start = ctx.speed(seg.target.max, (*loc, "target", "max"))
        label = f"heart rate {seg.target.hr}"
        target = (*loc, "target", "max")
    elif seg.pace is None and seg.speed is None:  # free, with no guide: easy is the guide
        start = ctx.named_kmh("easy")
        label = "free"
        target = (*loc, "free")
    else:
        expr = seg.pace if seg.pace is not None else seg.speed
        assert expr is not None
        field = "pace" if seg.pace is not None else "speed"
        start = ctx.speed(expr, (*loc, field))
        label = f"free (guide {expr})" if seg.free else str(expr)
        target = (*loc, field)
    start, end, incline, label = _apply_rounds(seg, rounds, start, end, incline, label, ctx, loc)
    name = seg.name or f"segment {index + 1}"
    hr: HrRule | None = None
    if seg.target is not None:
        hr = resolve_target(seg.target, low, start, ctx.profile, (*loc, "target"))
        label = f"heart rate {hr.label}"
    elif seg.hr_cap is not None:
        hr = resolve_cap(seg.hr_cap, ctx.profile, (*loc, "hr_cap"), hold_back=False)
    step = CompiledStep(
        name=(name + suffix).strip(),
        kind=kind,
        amount=amount,
        speed_kmh=start,
        incline_percent=incline[0],
        end_speed_kmh=end,
        pace_label=label,
        end_incline_percent=incline[1],
        open=seg.open,
        free=seg.free,
        hr=hr,
        role=seg.role,
    )
    return Draft(step, target)


def _step_count(items: Sequence[SegmentItem]) -> int:
    """Steps once repeats are expanded, counted without expanding them (capped early)."""
    total = 0
    for item in items:
        if isinstance(item, RepeatItem):
            total += item.repeat.times * _step_count(item.repeat.segments)
        else:
            total += 1
        if total > MAX_STEPS:
            break
    return total


def custom(plan: CustomPlan, ctx: Ctx) -> list[Draft]:
    if _step_count(plan.segments) > MAX_STEPS:
        raise FieldError(
            ("segments",),
            f"expected at most {MAX_STEPS} steps once repeats are expanded: use fewer repeats",
        )
    out: list[Draft] = []
    _segments(plan.segments, ("segments",), ctx, plan.incline, "", (), out)
    return out
