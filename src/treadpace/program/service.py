"""The program's glue: the runner's profile, history and program file around the pure parts.

`treadpace program` and `treadpace run program:today` both come through here: build a
program, or read the saved one, bring it up to date with what happened (`adjust`), with
the profile's paces and with heart rate (`fitness`), save it when that changed anything,
and compile each workout's plan for the runner.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from treadpace.base.user_error import UserError
from treadpace.plans.loader import compile_plan
from treadpace.plans.models import Plan
from treadpace.plans.profile import Profile
from treadpace.plans.steps import CompiledPlan
from treadpace.program import fitness, store
from treadpace.program.missed_runs import adjust
from treadpace.program.past_runs import efforts, past_runs, recorded
from treadpace.program.planner import build_program
from treadpace.program.types import Program, Settings, Status

PROGRAM_TODAY = "program:today"
OFFSET_CHANGE_S = 2.0


def paces_of(profile: Profile) -> dict[str, float]:
    return profile.paces.named()


def built_with(profile: Profile, offset_s: float = 0.0) -> dict[str, Any]:
    named = paces_of(profile)
    return {
        "vdot": round(float(profile.vdot), 1) if profile.vdot is not None else None,
        "paces_s_per_km": {k: round(named[k], 1) for k in ("easy", "marathon", "threshold")},
        "pace_offset_s_per_km": round(offset_s, 1),
    }


def new_program(settings: Settings, profile: Profile, runs_dir: Path, today: dt.date) -> Program:
    history = past_runs(recorded(runs_dir), profile)
    if settings.longest_s is None and profile.longest_run is not None:
        settings = dataclasses.replace(settings, longest_s=float(profile.longest_run))
    program = build_program(history, today, settings, paces_of(profile))
    return dataclasses.replace(program, built_with=built_with(profile))


def current(
    profile: Profile, runs_dir: Path, path: Path, today: dt.date
) -> tuple[Program, list[Plan], list[str]]:
    """The saved program brought up to date, its plans, and what changed (saved if any)."""
    if not path.is_file():
        raise UserError(f"{path}: no program yet (expected one: `treadpace program new`)")
    loaded, _ = store.load(path)
    program = loaded
    summaries = recorded(runs_dir)
    hard_days = {w.day for w in program.workouts if w.hard}
    history = past_runs(summaries, profile, hard_days)
    program, reasons = adjust(program, history, today, paces_of(profile))
    program = _fitness(program, profile, fitness.hr_offset(efforts(summaries), today), reasons)
    if program != loaded:
        store.save(program, path)  # and read back: a moved plan is checked like any other
    program, plans = store.load(path)
    return program, plans, reasons


def _fitness(
    program: Program,
    profile: Profile,
    drift: tuple[float, str] | None,
    reasons: list[str],
) -> Program:
    """Say a change of the profile's paces; move future paces by a heart-rate drift."""
    before = dict(program.built_with)
    old = before.get("paces_s_per_km")
    offset = float(before.get("pace_offset_s_per_km") or 0.0)
    if isinstance(old, dict):
        said = fitness.paces_changed({k: float(v) for k, v in old.items()}, paces_of(profile))
        if said is not None:
            reasons.append(said)
    if drift is not None and abs(drift[0] - offset) >= OFFSET_CHANGE_S:
        offset = drift[0]
        reasons.append(drift[1])
        program = dataclasses.replace(program, workouts=tuple(
            dataclasses.replace(w, plan=fitness.with_offset(w.plan, offset))
            if w.status == Status.PLANNED else w
            for w in program.workouts
        ))  # fmt: skip
    now = built_with(profile, offset)
    if now != before:
        program = dataclasses.replace(program, built_with=now)
    return program


def compile_all(plans: list[Plan], profile: Profile, path: Path) -> list[CompiledPlan]:
    return [compile_plan(p, profile, str(path)) for p in plans]


def today_plan(profile: Profile, today: dt.date | None = None) -> tuple[Plan, str, list[str]]:
    """`run program:today`: today's workout's plan, where it came from, and the reasons."""
    day = today or dt.date.today()
    path = store.program_path()
    program, plans, reasons = current(profile, profile.recording.directory, path, day)
    for workout, plan in zip(program.workouts, plans, strict=True):
        if workout.day == day and workout.status == Status.PLANNED:
            return plan, f"{path} ({day})", [*reasons, workout.why]
    upcoming = next((w for w in program.workouts if w.day > day), None)
    then = f"; next: {upcoming.day} {upcoming.plan.get('name', '')}" if upcoming else ""
    raise UserError(f"{PROGRAM_TODAY}: no run planned for {day} in {path} (a rest day{then})")
