"""Plan + profile -> the exact steps the engine runs, checked before the belt moves.

Each kind expands to a short list of steps with exact speeds (running.md §6);
then the progression rules are checked: the first step no faster than easy,
speeds never dropping (the each-mile-faster cool-down excepted), nothing
faster than interval, and for every kind no incline beyond the runner's max.
A broken rule is a `FieldError` naming the plan field; the loader turns it into
`file:line: field: expected ...`. A speed above the runner's max_speed is not a
broken rule: the step runs capped, and a note says which and by how much.
"""

from __future__ import annotations

from dataclasses import replace

from treadpace.base import display
from treadpace.plans.draft import EPS_KMH, Ctx, Draft, make_step
from treadpace.plans.hr import resolve_cap
from treadpace.plans.models import (
    NegativeSplitPlan,
    Plan,
    SteadyPlan,
    ThirdsPlan,
)
from treadpace.plans.numbers import MAX_DISTANCE_M, MAX_DURATION_S
from treadpace.plans.paces import PaceExpr, format_clock
from treadpace.plans.profile import Profile
from treadpace.plans.progressive import each_faster, fast_finish
from treadpace.plans.segments import custom
from treadpace.plans.steps import CompiledPlan, CompiledStep, StepKind, StepRole
from treadpace.plans.yaml_document import FieldError, Loc

TITLES = {
    "negative-split": "Negative split",
    "each-mile-faster": "Each mile faster",
    "each-km-faster": "Each km faster",
    "each-interval-faster": "Each interval faster",
    "thirds": "Thirds",
    "fast-finish": "Fast finish",
    "steady": "Steady",
    "custom": "Custom",
}


def _length(plan: NegativeSplitPlan | ThirdsPlan | SteadyPlan) -> tuple[StepKind, float]:
    if plan.distance is not None:
        return "distance", plan.distance
    assert plan.duration is not None
    return "time", plan.duration


def _negative_split(plan: NegativeSplitPlan, ctx: Ctx) -> list[Draft]:
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
    names = ("first half", "second half")
    if abs(plan.split - 0.5) > 1e-9:
        # "first half" of a 60/40 split would be untrue: say the share instead.
        names = (f"first {plan.split * 100:.3g} %", f"last {(1 - plan.split) * 100:.3g} %")
    return [
        Draft(make_step(names[0], kind, a, first, str(plan.first), plan.incline), ("first",)),
        Draft(
            make_step(names[1], kind, total - a, second, str(plan.second), plan.incline),
            ("second",),
        ),
    ]


def _thirds(plan: ThirdsPlan, ctx: Ctx) -> list[Draft]:
    kind, total = _length(plan)
    out = []
    for i, field in enumerate(("first", "second", "third"), start=1):
        expr: PaceExpr = getattr(plan, field)
        kmh = ctx.speed(expr, (field,))
        out.append(
            Draft(
                make_step(f"third {i}", kind, total / 3.0, kmh, str(expr), plan.incline), (field,)
            )
        )
    return out


def _steady(plan: SteadyPlan, ctx: Ctx) -> list[Draft]:
    kind, total = _length(plan)
    kmh = ctx.speed(plan.pace, ("pace",))
    return [Draft(make_step("steady", kind, total, kmh, str(plan.pace), plan.incline), ("pace",))]


def _check_totals(drafts: list[Draft]) -> None:
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


def _check(plan: Plan, drafts: list[Draft], ctx: Ctx) -> list[str]:
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
        if abs(s.max_incline_percent) > profile.max_incline_percent + 1e-9:
            inc_loc: Loc = (*d.loc[:-1], "incline") if plan.kind == "custom" else ("incline",)
            raise FieldError(
                inc_loc,
                f"expected an incline within ±{profile.max_incline_percent:g} % "
                f"(the profile's max incline), got {s.max_incline_percent:g} % in {s.name}",
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
        cooldown = s.role is StepRole.COOLDOWN
        if previous is not None and not cooldown and s.speed_kmh < previous - EPS_KMH:
            raise FieldError(
                d.loc,
                f"expected {s.name} at least as fast as the step before ({ctx.pace(previous)}), "
                f"got {ctx.pace(s.speed_kmh)} ({s.pace_label})",
            )
        previous = s.speed_kmh
    # A hundredth of a km/h is far below any belt's grid: an imported workout's rounding
    # (a pace written to 0.01 s/km) must not read as "faster than easy".
    if not progression and drafts and drafts[0].step.speed_kmh > easy + 0.01:
        what = "the run" if plan.kind == "steady" else "the first segment"
        notes.append(
            f"{what} ({ctx.pace(drafts[0].step.speed_kmh)}) is faster than easy "
            f"({ctx.pace(easy)}): consider a warm-up"
        )
    return notes


_BUILDERS = {
    "negative-split": _negative_split,
    "each-mile-faster": each_faster,
    "each-km-faster": each_faster,
    "each-interval-faster": each_faster,
    "thirds": _thirds,
    "fast-finish": fast_finish,
    "steady": _steady,
    "custom": custom,
}


def build_steps(plan: Plan, profile: Profile) -> tuple[list[CompiledStep], list[str]]:
    """Steps and notes, or FieldError (with the plan field's loc) when a rule is broken."""
    ctx = Ctx(profile)
    drafts = _BUILDERS[plan.kind](plan, ctx)  # type: ignore[operator]
    _check_totals(drafts)
    notes = _check(plan, drafts, ctx)
    steps, capped = cap_steps(_with_hr(plan, [d.step for d in drafts], ctx), ctx)
    return steps, [*ctx.notes, *notes, *capped]


def cap_steps(steps: list[CompiledStep], ctx: Ctx) -> tuple[list[CompiledStep], list[str]]:
    """Every step within the profile's max_speed, and one note for each step that was not.

    A plan written for a faster runner (or a fast runner's own threshold above the belt
    limit they chose) runs at the cap rather than being refused; the rules above were
    judged on the plan's own speeds. The engine caps every command anyway (safety rule 1):
    this makes the plan's table, totals and cues tell the truth before the run.
    """
    cap = ctx.profile.max_speed_kmh
    out: list[CompiledStep] = []
    notes: list[str] = []
    for s in steps:
        top = max(s.speed_kmh, s.end_speed_kmh or 0.0)
        if top <= cap + EPS_KMH:
            out.append(s)
            continue
        end = None if s.end_speed_kmh is None else min(s.end_speed_kmh, cap)
        out.append(replace(s, speed_kmh=min(s.speed_kmh, cap), end_speed_kmh=end,
                           capped_from_kmh=top))  # fmt: skip
        notes.append(
            f"{s.name}: capped at {display.speed(cap, ctx.imperial)} (max_speed) where the plan "
            f"asks {display.speed(top, ctx.imperial)} ({ctx.pace(top)}), "
            f"{display.speed(top - cap, ctx.imperial)} slower"
        )
    return out, notes


SAFE_KINDS = ("negative-split", "each-mile-faster", "each-km-faster", "each-interval-faster",
              "thirds", "fast-finish")  # fmt: skip
"""The article's progression kinds (each-mile-faster in its three spellings)."""


def _with_hr(plan: Plan, steps: list[CompiledStep], ctx: Ctx) -> list[CompiledStep]:
    """The plan's `hr_cap` on every step without a heart-rate rule of its own."""
    if plan.safe_progression:
        if plan.kind not in SAFE_KINDS:
            raise FieldError(
                ("safe_progression",),
                f"expected safe_progression only on a progression kind "
                f"({', '.join(SAFE_KINDS)}), got kind {plan.kind}",
            )
        if plan.hr_cap is None:
            raise FieldError(
                ("safe_progression",), "expected an hr_cap as well (the cap each rise waits for)"
            )
    if plan.hr_cap is None:
        return steps
    rule = resolve_cap(plan.hr_cap, ctx.profile, ("hr_cap",), hold_back=plan.safe_progression)
    return [s if s.hr is not None else replace(s, hr=rule) for s in steps]


def compiled(plan: Plan, steps: list[CompiledStep], notes: list[str], source: str) -> CompiledPlan:
    return CompiledPlan(
        name=plan.name or TITLES[plan.kind],
        kind=plan.kind,
        steps=tuple(steps),
        source=source,
        notes=tuple(notes),
    )
