"""The program file: YAML in the runner's data dir that the runner may read and edit.

Read through the project's one YAML reader (`plans.source.read_yaml`, on `safe_yaml`) and
validated like a plan: pydantic models, every workout's plan against the plan models,
and any problem one line naming the file, the line, the field and what was expected
(exit 2). Written whole to a temporary file and renamed, so a crash never leaves half.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from treadpace.base.display import duration as clock
from treadpace.base.paths import data_dir
from treadpace.base.user_error import UserError
from treadpace.plans.models import PLAN_KINDS, PLAN_MODELS, UNION_TAGS, Plan, Seconds
from treadpace.plans.numbers import FILE_CONTEXT, Number, Whole
from treadpace.plans.yaml_document import Document, FieldError, describe_error, read_yaml
from treadpace.program.types import Goal, Program, Role, Settings, Status, Workout

FILE_NAME = "program.yaml"
VERSION = 1
HEADER = """\
# A treadpace program (`treadpace program show` reads it; edit it freely).
# Each workout's `plan` is a plan as in a plan file; `status` is planned, done, missed or
# cut. `treadpace program today` moves what a missed or cut run moves, and says why.
"""
_FORBID = ConfigDict(extra="forbid")


class SettingsFile(BaseModel):
    model_config = _FORBID

    weeks: Whole = Field(ge=4, le=16)
    runs_per_week: Whole = Field(ge=2, le=6)
    goal: Goal = Goal.GENERAL
    rhythm: Whole = Field(default=3, ge=2, le=3)
    easy_share: Number = Field(default=0.8, ge=0.5, le=1.0)
    longest: Seconds | None = None
    allow_spike: bool = False


class WorkoutFile(BaseModel):
    model_config = _FORBID

    date: dt.date
    week: Whole = Field(ge=1, le=16)
    role: Role
    length: Seconds
    status: Status = Status.PLANNED
    why: str = ""
    plan: dict[str, Any]


class ProgramFile(BaseModel):
    model_config = _FORBID

    version: Whole = Field(ge=VERSION, le=VERSION)
    start: dt.date
    settings: SettingsFile
    base_longest: Seconds
    built_with: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    workouts: list[WorkoutFile]


def program_path() -> Path:
    return data_dir() / FILE_NAME


def load(path: Path) -> tuple[Program, list[Plan]]:
    """The program in `path` and each workout's validated plan (UserError on any problem)."""
    doc = read_yaml(path, "program", expand_env=False)
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping (version:, start:, settings:, workouts:)")
    try:
        raw = ProgramFile.model_validate(doc.data, context=FILE_CONTEXT)
    except ValidationError as exc:
        loc, message = describe_error(exc.errors()[0], frozenset(), doc.data)
        raise doc.error(loc, message) from None
    plans = [_plan(doc, i, w.plan) for i, w in enumerate(raw.workouts)]
    s = raw.settings
    settings = Settings(s.weeks, s.runs_per_week, s.goal, raw.start, s.longest, s.allow_spike,
                        s.easy_share, s.rhythm)  # fmt: skip
    workouts = tuple(
        Workout(w.date, w.week, w.role, w.length, w.plan, w.why, w.status)
        for w in sorted(raw.workouts, key=lambda w: w.date)
    )
    days = [w.day for w in workouts]
    if len(set(days)) != len(days):
        twice = next(d for d in days if days.count(d) > 1)
        index = next(i for i, w in enumerate(raw.workouts) if w.date == twice)
        raise doc.error(("workouts", index, "date"), f"expected one workout a day ({twice} twice)")
    program = Program(settings, raw.start, raw.base_longest, workouts, tuple(raw.notes),
                      raw.built_with)  # fmt: skip
    order = sorted(range(len(plans)), key=lambda i: raw.workouts[i].date)
    return program, [plans[i] for i in order]


def _plan(doc: Document, index: int, data: dict[str, Any]) -> Plan:
    """One workout's plan, validated as a plan file is, errors naming the program file."""
    loc = ("workouts", index, "plan")
    kind = data.get("kind")
    if kind not in PLAN_KINDS:
        raise doc.error((*loc, "kind"), f"expected one of: {', '.join(PLAN_KINDS)}")
    try:
        plan: Plan = PLAN_MODELS[kind].model_validate(data, context=FILE_CONTEXT)  # type: ignore[assignment]
    except ValidationError as exc:
        sub, message = describe_error(exc.errors()[0], UNION_TAGS, data)
        raise doc.error((*loc, *sub), message) from None
    except FieldError as exc:
        raise doc.error((*loc, *exc.loc), exc.message) from None
    plan._lines = {k[3:]: line for k, line in doc.lines.items() if k[:3] == loc}
    plan._source = doc.path
    return plan


def as_mapping(program: Program) -> dict[str, Any]:
    s = program.settings
    return {
        "version": VERSION,
        "start": program.start,
        "settings": {
            "weeks": s.weeks, "runs_per_week": s.runs_per_week, "goal": s.goal.value,
            "rhythm": s.rhythm, "easy_share": s.easy_share,
            "longest": clock(s.longest_s) if s.longest_s is not None else None,
            "allow_spike": s.allow_spike,
        },
        "base_longest": clock(program.base_longest_s),
        "built_with": dict(program.built_with),
        "notes": list(program.notes),
        "workouts": [
            {"date": w.day, "week": w.week, "role": w.role.value, "length": clock(w.seconds),
             "status": w.status.value, "why": w.why, "plan": dict(w.plan)}
            for w in program.workouts
        ],
    }  # fmt: skip


def save(program: Program, path: Path) -> None:
    text = HEADER + yaml.safe_dump(as_mapping(program), sort_keys=False, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UserError(f"{path}: cannot write the program ({exc.strerror})") from None
