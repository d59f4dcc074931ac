"""Plan + profile -> the exact steps the engine runs, checked before the belt moves.

Each kind expands to a short list of steps with exact speeds (running.md §6);
then the progression rules are checked: the first step no faster than easy,
speeds never dropping (the each-mile-faster cool-down excepted), nothing
faster than interval, and for every kind nothing above the runner's max speed
or incline. A broken rule is a `FieldError` naming the plan field; the loader
turns it into `file:line: field: expected ...`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from treadpace.plans.models import (
    CustomPlan,
    EachMileFasterPlan,
    FastFinishPlan,
    NegativeSplitPlan,
    Plan,
    RepeatItem,
    Segment,
    SegmentItem,
    SteadyPlan,
    ThirdsPlan,
)
from treadpace.plans.numbers import MAX_DISTANCE_M, MAX_DURATION_S, MAX_STEPS
from treadpace.plans.paces import PaceExpr, format_clock, s_per_unit, to_s_per_km
from treadpace.plans.profile import Profile
from treadpace.plans.source import FieldError, Loc
from treadpace.plans.steps import CompiledPlan, CompiledStep, StepKind
from treadpace.units import METRES_PER_MILE, format_pace

EPS_KMH = 1e-9
FINISH_MIN_S = 300.0
FINISH_MAX_S = 900.0
TITLES = {
    "negative-split": "Negative split",
    "each-mile-faster": "Each mile faster",
    "thirds": "Thirds",
    "fast-finish": "Fast finish",
    "steady": "Steady",
    "custom": "Custom",
}


@dataclass(frozen=True)
class _Draft:
    step: CompiledStep
    loc: Loc
    """The plan field that set this step's target (for error messages)."""
    cooldown: bool = False


class _Ctx:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.paces = profile.paces.named()
        self.imperial = profile.imperial

    def speed(self, expr: PaceExpr, loc: Loc) -> float:
        try:
            return expr.speed_kmh(self.paces, self.imperial)
        except ValueError as exc:
            raise FieldError(loc, str(exc)) from None

    def pace(self, kmh: float) -> str:
        return format_pace(kmh, self.imperial)

    def named_kmh(self, name: str) -> float:
        return 3600.0 / self.paces[name]


def _step(
    name: str, kind: StepKind, amount: float, kmh: float, label: str, incline: float
) -> CompiledStep:
    return CompiledStep(
        name=name,
        kind=kind,
        amount=amount,
        speed_kmh=kmh,
        incline_percent=incline,
        pace_label=label,
    )


def _length(plan: NegativeSplitPlan | ThirdsPlan | SteadyPlan) -> tuple[StepKind, float]:
    if plan.distance is not None:
        return "distance", plan.distance
    assert plan.duration is not None
    return "time", plan.duration


def _negative_split(plan: NegativeSplitPlan, ctx: _Ctx) -> list[_Draft]:
    kind, total = _length(plan)
    first = ctx.speed(plan.first, ("first",))
    second = ctx.speed(plan.second, ("second",))
    if second <= first + EPS_KMH:
        raise FieldError(
            ("second",),
            f"expected a pace faster than the first part's {ctx.pace(first)} "
            f"({plan.first}), got {ctx.pace(second)} ({plan.second})",
        )
    a = total * plan.split
    return [
        _Draft(_step("first half", kind, a, first, str(plan.first), plan.incline), ("first",)),
        _Draft(
            _step("second half", kind, total - a, second, str(plan.second), plan.incline),
            ("second",),
        ),
    ]


def _thirds(plan: ThirdsPlan, ctx: _Ctx) -> list[_Draft]:
    kind, total = _length(plan)
    out = []
    for i, field in enumerate(("first", "second", "third"), start=1):
        expr: PaceExpr = getattr(plan, field)
        kmh = ctx.speed(expr, (field,))
        out.append(
            _Draft(_step(f"third {i}", kind, total / 3.0, kmh, str(expr), plan.incline), (field,))
        )
    return out


def _steady(plan: SteadyPlan, ctx: _Ctx) -> list[_Draft]:
    kind, total = _length(plan)
    kmh = ctx.speed(plan.pace, ("pace",))
    return [_Draft(_step("steady", kind, total, kmh, str(plan.pace), plan.incline), ("pace",))]


def _fast_finish(plan: FastFinishPlan, ctx: _Ctx) -> list[_Draft]:
    if not FINISH_MIN_S <= plan.finish <= FINISH_MAX_S:
        raise FieldError(
            ("finish",),
            f"expected a finish between 5:00 and 15:00, got {format_clock(plan.finish)}",
        )
    if plan.finish >= plan.duration:
        raise FieldError(
            ("finish",),
            f"expected a finish shorter than the duration {format_clock(plan.duration)}, "
            f"got {format_clock(plan.finish)}",
        )
    easy = ctx.speed(plan.pace, ("pace",))
    fast = ctx.speed(plan.finish_pace, ("finish_pace",))
    return [
        _Draft(
            _step("easy", "time", plan.duration - plan.finish, easy, str(plan.pace), plan.incline),
            ("pace",),
        ),
        _Draft(
            _step("fast finish", "time", plan.finish, fast, str(plan.finish_pace), plan.incline),
            ("finish_pace",),
        ),
    ]


def _each_mile_faster(plan: EachMileFasterPlan, ctx: _Ctx) -> list[_Draft]:
    out: list[_Draft] = []
    mile = 1
    if plan.warmup is not None:
        kmh = ctx.speed(plan.warmup, ("warmup",))
        out.append(
            _Draft(
                _step("warm-up", "distance", METRES_PER_MILE, kmh, str(plan.warmup), plan.incline),
                ("warmup",),
            )
        )
        mile += 1
    start_kmh = ctx.speed(plan.start, ("start",))
    unit = plan.step.unit
    start_s = s_per_unit(3600.0 / start_kmh, unit)
    interval_kmh = ctx.named_kmh("interval")
    for k in range(plan.progressive_miles):
        s = start_s - k * plan.step.seconds
        if k == 0:
            label = str(plan.start)
        else:
            label = f"{plan.start} - {format_clock(k * plan.step.seconds)}/{unit}"
        kmh = 3600.0 / to_s_per_km(s, unit) if s > 0 else 0.0
        if s <= 0 or kmh > interval_kmh + EPS_KMH:
            shown = ctx.pace(kmh) if s > 0 else "a pace below zero"
            raise FieldError(
                ("progressive_miles",),
                f"expected every mile no faster than interval {ctx.pace(interval_kmh)}; "
                f"mile {mile} would be {shown} ({label}): use fewer progressive_miles "
                "or a smaller step",
            )
        out.append(
            _Draft(
                _step(f"mile {mile}", "distance", METRES_PER_MILE, kmh, label, plan.incline),
                ("start",) if k == 0 else ("step",),
            )
        )
        mile += 1
    if plan.cooldown is not None:
        kmh = ctx.speed(plan.cooldown, ("cooldown",))
        out.append(
            _Draft(
                _step(
                    "cool-down", "distance", METRES_PER_MILE, kmh, str(plan.cooldown), plan.incline
                ),
                ("cooldown",),
                cooldown=True,
            )
        )
    return out


def _segments(
    items: Sequence[SegmentItem], loc: Loc, ctx: _Ctx, default_incline: float, suffix: str
) -> list[_Draft]:
    out: list[_Draft] = []
    for i, item in enumerate(items):
        here: Loc = (*loc, i)
        if isinstance(item, RepeatItem):
            block = item.repeat
            for rep in range(1, block.times + 1):
                out.extend(
                    _segments(
                        block.segments,
                        (*here, "repeat", "segments"),
                        ctx,
                        default_incline,
                        f"{suffix} {rep}/{block.times}",
                    )
                )
            continue
        out.append(_segment(item, here, ctx, default_incline, len(out), suffix))
    return out


def _segment(
    seg: Segment, loc: Loc, ctx: _Ctx, default_incline: float, index: int, suffix: str
) -> _Draft:
    kind: StepKind = "distance" if seg.distance is not None else "time"
    amount = seg.distance if seg.distance is not None else seg.duration
    assert amount is not None
    incline = default_incline if seg.incline is None else seg.incline
    end: float | None = None
    if seg.from_ is not None and seg.to is not None:
        start = ctx.speed(seg.from_, (*loc, "from"))
        end = ctx.speed(seg.to, (*loc, "to"))
        label = f"{seg.from_} -> {seg.to}"
        target: Loc = (*loc, "to") if end >= start else (*loc, "from")
    else:
        expr = seg.pace if seg.pace is not None else seg.speed
        assert expr is not None
        field = "pace" if seg.pace is not None else "speed"
        start = ctx.speed(expr, (*loc, field))
        label = str(expr)
        target = (*loc, field)
    name = seg.name or f"segment {index + 1}"
    step = CompiledStep(
        name=(name + suffix).strip(),
        kind=kind,
        amount=amount,
        speed_kmh=start,
        incline_percent=incline,
        end_speed_kmh=end,
        pace_label=label,
    )
    return _Draft(step, target)


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


def _custom(plan: CustomPlan, ctx: _Ctx) -> list[_Draft]:
    if _step_count(plan.segments) > MAX_STEPS:
        raise FieldError(
            ("segments",),
            f"expected at most {MAX_STEPS} steps once repeats are expanded: use fewer repeats",
        )
    return _segments(plan.segments, ("segments",), ctx, plan.incline, "")


def _check_totals(drafts: list[_Draft]) -> None:
    """Each length is within limits on its own; repeats can still add up to days."""
    for kind, limit, shown in (
        ("time", MAX_DURATION_S, format_clock(MAX_DURATION_S)),
        ("distance", MAX_DISTANCE_M, f"{MAX_DISTANCE_M / 1000:g} km"),
    ):
        total = 0.0
        for d in drafts:
            if d.step.kind == kind:
                total += d.step.amount
                if total > limit:
                    raise FieldError(
                        d.loc[:-1] or d.loc,
                        f"expected a plan of at most {shown} in total ({d.step.name} goes past it)",
                    )


def _check(plan: Plan, drafts: list[_Draft], ctx: _Ctx) -> list[str]:
    """Safety limits for every kind, progression rules for the article kinds; returns notes."""
    profile = ctx.profile
    notes: list[str] = []
    progression = plan.kind not in ("custom", "steady")
    capped = plan.kind != "custom"
    easy = ctx.named_kmh("easy")
    interval = ctx.named_kmh("interval")
    previous: float | None = None
    for i, d in enumerate(drafts):
        s = d.step
        top = max(s.speed_kmh, s.end_speed_kmh or 0.0)
        if top > profile.max_speed_kmh + EPS_KMH:
            raise FieldError(
                d.loc,
                f"expected at most the profile's max speed {ctx.pace(profile.max_speed_kmh)} "
                f"({_speed_text(profile.max_speed_kmh, ctx.imperial)}), "
                f"got {ctx.pace(top)} ({_speed_text(top, ctx.imperial)}) in {s.name}",
            )
        if abs(s.incline_percent) > profile.max_incline_percent + 1e-9:
            inc_loc: Loc = (*d.loc[:-1], "incline") if plan.kind == "custom" else ("incline",)
            raise FieldError(
                inc_loc,
                f"expected an incline within ±{profile.max_incline_percent:g} % "
                f"(the profile's max incline), got {s.incline_percent:g} % in {s.name}",
            )
        if capped and s.speed_kmh > interval + EPS_KMH:
            raise FieldError(
                d.loc,
                f"expected no step faster than interval {ctx.pace(interval)}, "
                f"got {ctx.pace(s.speed_kmh)} ({s.pace_label}) in {s.name}",
            )
        if not progression:
            continue
        if i == 0 and s.speed_kmh > easy + EPS_KMH:
            raise FieldError(
                d.loc,
                f"expected the first step no faster than easy {ctx.pace(easy)} "
                f"(don't start too fast), got {ctx.pace(s.speed_kmh)} ({s.pace_label})",
            )
        if previous is not None and not d.cooldown and s.speed_kmh < previous - EPS_KMH:
            raise FieldError(
                d.loc,
                f"expected {s.name} at least as fast as the step before ({ctx.pace(previous)}), "
                f"got {ctx.pace(s.speed_kmh)} ({s.pace_label})",
            )
        previous = s.speed_kmh
    if not progression and drafts and drafts[0].step.speed_kmh > easy + EPS_KMH:
        what = "the run" if plan.kind == "steady" else "the first segment"
        notes.append(
            f"{what} ({ctx.pace(drafts[0].step.speed_kmh)}) is faster than easy "
            f"({ctx.pace(easy)}): consider a warm-up"
        )
    return notes


def _speed_text(kmh: float, imperial: bool) -> str:
    return f"{kmh / 1.609344:.1f} mph" if imperial else f"{kmh:.1f} km/h"


_BUILDERS = {
    "negative-split": _negative_split,
    "each-mile-faster": _each_mile_faster,
    "thirds": _thirds,
    "fast-finish": _fast_finish,
    "steady": _steady,
    "custom": _custom,
}


def build_steps(plan: Plan, profile: Profile) -> tuple[list[CompiledStep], list[str]]:
    """Steps and notes, or FieldError (with the plan field's loc) when a rule is broken."""
    ctx = _Ctx(profile)
    drafts = _BUILDERS[plan.kind](plan, ctx)  # type: ignore[operator]
    _check_totals(drafts)
    notes = _check(plan, drafts, ctx)
    return [d.step for d in drafts], notes


def compiled(plan: Plan, steps: list[CompiledStep], notes: list[str], source: str) -> CompiledPlan:
    return CompiledPlan(
        name=plan.name or TITLES[plan.kind],
        kind=plan.kind,
        steps=tuple(steps),
        source=source,
        notes=tuple(notes),
    )
