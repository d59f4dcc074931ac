"""What happened since the program was planned, and what that does to it. Pure.

`adjust` reads the history against the program (a run on a workout's day is that
workout, whatever plan it ran) and moves what must move, saying why:

- A missed easy run is not made up: two runs are never put on one day.
- A missed progression run moves to the next easy run day at least 48 hours after the last
  hard run; one cut short, aborted, or stopped with heart rate in zone 5 is run again there
  (the last 10 % shorter). With no run day left, it is dropped: never stacked.
- Every later progression run stays 10 days or more after the one before: it changes days
  with the first easy run far enough on.
- Today's run is checked against the real history: never a hard run within 48 hours of the
  last one, and never over the spike guard's limit (made shorter when it would be).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from treadpace.base.display import duration as clock
from treadpace.program import workout_plans as plans
from treadpace.program.planner import DAY, MIN_HARD_GAP_DAYS
from treadpace.program.spike_guard import limit, longest_before
from treadpace.program.types import Outcome, PastRun, Program, Role, Status, Workout

RECOVERY_HOURS = 48
HR_SHORTER = 0.9


def adjust(
    program: Program, history: Sequence[PastRun], today: dt.date, paces: Mapping[str, float]
) -> tuple[Program, list[str]]:
    """The program as it now stands, and what changed (empty when nothing did)."""
    reasons: list[str] = []
    runs = {r.day: r for r in history}
    items = list(program.workouts)
    pending: tuple[Workout, PastRun | None] | None = None
    for i, w in enumerate(items):
        if w.status != Status.PLANNED or w.day > today:
            continue
        run = runs.get(w.day)
        if run is None and w.day == today:
            continue
        if run is None:
            items[i] = dataclasses.replace(w, status=Status.MISSED)
            if w.hard:
                pending = (w, None)
            else:
                reasons.append(f"{w.day}: the easy run was missed; it is not made up")
            continue
        done = run.outcome == Outcome.FINISHED
        items[i] = dataclasses.replace(w, status=Status.DONE if done else Status.CUT)
        if w.hard and not done:
            pending = (w, run)
    hard_runs = [r.day for r in history if r.hard]
    if pending is not None:
        _move(items, pending, hard_runs, today, reasons)
    _space(items, today, reasons)
    out = dataclasses.replace(program, workouts=tuple(items))
    return _today(out, history, today, paces, reasons), reasons


def _move(
    items: list[Workout],
    pending: tuple[Workout, PastRun | None],
    hard_runs: list[dt.date],
    today: dt.date,
    reasons: list[str],
) -> None:
    """Put a missed or cut progression run on the next day it may go, or drop it."""
    workout, run = pending
    after = max([*hard_runs, today - DAY * 2], default=today)
    earliest = max(today, after + dt.timedelta(hours=RECOVERY_HOURS))
    free = [i for i, w in enumerate(items) if w.status == Status.PLANNED and w.day >= earliest]
    what = "missed" if run is None else _said(run.outcome)
    slot = next((i for i in free if not items[i].hard), None)
    if slot is None:
        reasons.append(
            f"{workout.day}: the progression run was {what}; no run day is left for it, "
            "so it is dropped, not stacked"
        )
        return
    target = items[slot]
    plan, seconds = dict(workout.plan), workout.seconds
    if run is not None and run.outcome == Outcome.HR_ABORT:
        seconds = round(seconds * HR_SHORTER / 60) * 60.0
        plan = {**plan, "name": f"{plan.get('name', 'progression')} (shorter)"}
        plan = _resized(plan, seconds)
    items[slot] = dataclasses.replace(
        target, role=Role.PROGRESSION, plan=plan, seconds=seconds,
        why=f"moved from {workout.day} (it was {what})",
    )  # fmt: skip
    reasons.append(f"{workout.day}: the progression run was {what}: it moves to {target.day}")


def _said(outcome: Outcome) -> str:
    return {
        Outcome.CUT_SHORT: "cut short",
        Outcome.ABORTED: "aborted",
        Outcome.HR_ABORT: "stopped with heart rate in zone 5 (again, 10 % shorter)",
        Outcome.FINISHED: "run",
    }[outcome]


def _resized(plan: dict[str, object], seconds: float) -> dict[str, object]:
    """A time-based plan's length changed; a distance-based one is left as it is."""
    if "duration" in plan:
        return {**plan, "duration": plans.minutes(seconds)}
    return plan


def _space(items: list[Workout], today: dt.date, reasons: list[str]) -> None:
    """Keep every planned progression run 10 days or more after the one before."""
    last: dt.date | None = None
    for i, w in enumerate(items):
        if not w.hard or w.status in (Status.MISSED, Status.CUT):
            continue  # a cut run is run again 48 hours on: it keeps no later one away
        if w.status != Status.PLANNED or last is None or (w.day - last).days >= MIN_HARD_GAP_DAYS:
            last = w.day
            continue
        gap_end = last + MIN_HARD_GAP_DAYS * DAY
        j = next(
            (j for j, e in enumerate(items)
             if e.status == Status.PLANNED and not e.hard and e.day >= max(gap_end, today)),
            None,
        )  # fmt: skip
        if j is None:
            items[i] = _as_easy(w)
            reasons.append(f"{w.day}: no room for a progression run 10 days after the last: easy")
            continue
        e = items[j]
        items[j] = dataclasses.replace(w, day=e.day, week=e.week, why=f"moved from {w.day}")
        items[i] = dataclasses.replace(e, day=w.day, week=w.week)
        reasons.append(f"{w.day}: the progression run moves to {e.day}, 10 days after the last")
        last = e.day


def _as_easy(workout: Workout) -> Workout:
    plan = plans.easy_plan(f"W{workout.week} easy run", workout.seconds, 0.0)
    return dataclasses.replace(workout, role=Role.EASY, plan=plan, why="easy instead")


def _today(
    program: Program,
    history: Sequence[PastRun],
    today: dt.date,
    paces: Mapping[str, float],
    reasons: list[str],
) -> Program:
    """Today's workout checked against the real history: 48 hours after hard, the guard."""
    workout = program.on(today)
    if workout is None or workout.status != Status.PLANNED:
        return program
    changed = workout
    recent_hard = [r.day for r in history if r.hard and r.day < today]
    if workout.hard and recent_hard and (today - max(recent_hard)).days * 24 < RECOVERY_HOURS:
        changed = _as_easy(workout)
        reasons.append(f"{today}: a hard run {max(recent_hard)}, under 48 hours ago: easy today")
    lengths = [(r.day, r.seconds) for r in history]
    lengths.append((program.start - DAY, program.base_longest_s))
    longest = longest_before(lengths, today)
    if longest is not None and not program.settings.allow_spike:
        cap = limit(longest) // 60 * 60
        if changed.seconds > cap + 1e-6 and cap >= 60:
            changed = _shortened(changed, cap, paces)
            reasons.append(
                f"{today}: shortened to {clock(changed.seconds)}: the longest run of the last "
                f"30 days is {clock(longest)} (the spike guard's 1.10x)"
            )
    if changed is workout:
        return program
    items = tuple(changed if w.day == today else w for w in program.workouts)
    return dataclasses.replace(program, workouts=items)


def _shortened(workout: Workout, seconds: float, paces: Mapping[str, float]) -> Workout:
    kind = str(workout.plan.get("kind", ""))
    name = str(workout.plan.get("name", ""))
    if not workout.hard or "duration" in workout.plan:
        plan = _resized(dict(workout.plan), seconds)
        return dataclasses.replace(workout, plan=plan, seconds=seconds)
    key = plans.BEGINNER if kind == "custom" else kind
    try:
        plan, planned = plans.progression_plan(key, name, seconds, paces, 0.0)
    except ValueError:
        plan, planned = plans.progression_plan("negative-split", name, seconds, paces, 0.0)
    return dataclasses.replace(workout, plan=plan, seconds=planned)
