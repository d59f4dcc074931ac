"""What the appliance's home page offers: the plan library and a plan compiled for today.

A plan is chosen by name only (a shipped plan, one of the runner's own, today's
suggestion from `treadpace next`, or today's workout of the program): a page never
names a file, so it can never make `serve` read one. The few things a runner
changes on the day are an `Adjust`: paces from a new race result (the profile's
race, replaced for this run only), a pace offset, and a shorter version (every
step's length scaled). They are applied to the compiled plan, so the preview is
exactly what the engine is given; the engine's caps still hold on every setpoint.

Rows and totals come from the same helpers as `plan show`, so the page and the
terminal never disagree.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from treadpace.base import display as fmt
from treadpace.base.printable import printable
from treadpace.base.units import KMH_PER_MPH
from treadpace.base.user_error import UserError
from treadpace.plans.models import Plan
from treadpace.plans.profile import Profile
from treadpace.plans.steps import CompiledPlan, CompiledStep

SUGGESTION = "suggestion"
"""Today's suggestion from `treadpace next`."""
PROGRAM = "program:today"
"""Today's workout of the runner's program."""
MIN_SCALE, MAX_SCALE = 0.25, 1.0
"""A shorter version only: never longer than the plan the runner chose."""
MAX_OFFSET_S = 60.0
"""Seconds per km (or mile) either way: a nudge for the day, not another plan."""


@dataclass(frozen=True)
class Adjust:
    """What the runner changes on the day (all optional)."""

    scale: float = 1.0
    offset_s: float = 0.0
    """Added to every pace, seconds per the runner's unit (positive: slower)."""
    race_distance: str = ""
    race_time: str = ""

    @property
    def plain(self) -> bool:
        return self.scale == 1.0 and self.offset_s == 0.0 and not self.race_distance


def _number(data: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    raw = data.get(key)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise UserError(f"{key}: expected a number from {low:g} to {high:g}") from None
    if not low <= value <= high:
        raise UserError(f"{key}: expected a number from {low:g} to {high:g}, not {value:g}")
    return value


def parse_adjust(data: Mapping[str, Any]) -> Adjust:
    """The day's changes from a page's query or body; UserError names the field."""
    distance = str(data.get("race_distance") or "").strip()[:32]
    race_time = str(data.get("race_time") or "").strip()[:32]
    if bool(distance) != bool(race_time):
        raise UserError("race: expected both a distance (e.g. 5k) and a time (e.g. 24:10)")
    return Adjust(
        scale=_number(data, "scale", 1.0, MIN_SCALE, MAX_SCALE),
        offset_s=_number(data, "offset", 0.0, -MAX_OFFSET_S, MAX_OFFSET_S),
        race_distance=distance,
        race_time=race_time,
    )


def with_race(profile: Profile, adjust: Adjust) -> Profile:
    """The profile with this run's race result (paces derived from it), or as it is."""
    if not adjust.race_distance:
        return profile
    derived = ("race", "paces", "vdot")
    kept = {k: getattr(profile, k) for k in Profile.model_fields if k not in derived}
    kept["race"] = {"distance": adjust.race_distance, "time": adjust.race_time}
    try:
        return Profile.model_validate(kept)
    except (ValidationError, ValueError) as exc:
        why = _first_error(exc)
        raise UserError(f"race: expected a race such as 5k in 24:10 ({why})") from None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        return str(errors[0].get("msg", "")) if errors else ""
    return getattr(exc, "message", str(exc))


def plan_of(name: str, profile: Profile) -> tuple[Plan, str, list[str]]:
    """The plan called `name` (never a path): the library, the suggestion, or the program."""
    from treadpace.library import library, load_entry

    if name == SUGGESTION:
        return suggestion(profile)
    if name == PROGRAM:
        from treadpace.program.service import today_plan

        return today_plan(profile)
    entry = library().get(name)
    if entry is None:
        raise UserError(f"plan: expected a plan of the library, not {printable(name[:40])!r}")
    return load_entry(entry), entry.where, []


def suggestion(profile: Profile) -> tuple[Plan, str, list[str]]:
    """`treadpace next`'s plan and its reasons, from the runs directory."""
    import yaml

    from treadpace.plans.loader import plan_from_document
    from treadpace.plans.yaml_document import parse_yaml
    from treadpace.program.next_run import suggest
    from treadpace.record.runs import list_runs

    advice = suggest(list_runs(profile.recording.directory), profile, time.time())
    text = yaml.safe_dump(advice.plan, sort_keys=False, allow_unicode=True)
    return plan_from_document(parse_yaml(text, "suggestion")), "suggestion", advice.reasons


def compile_for_today(name: str, profile: Profile, adjust: Adjust) -> tuple[CompiledPlan, Profile]:
    """The plan as the engine will run it today, and the profile it was compiled for."""
    from treadpace.plans.loader import compile_plan

    prof = with_race(profile, adjust)
    plan, source, notes = plan_of(name, prof)
    compiled = compile_plan(plan, prof, source)
    if notes:
        compiled = dataclasses.replace(compiled, notes=(*notes, *compiled.notes))
    return adjusted(compiled, adjust, prof.imperial), prof


def _offset_kmh(kmh: float, offset_s: float, imperial: bool) -> float:
    if kmh <= 0 or offset_s == 0:
        return kmh
    unit_km = KMH_PER_MPH if imperial else 1.0  # the length of the runner's pace unit, in km
    pace = 3600.0 * unit_km / kmh + offset_s  # seconds per unit
    return 3600.0 * unit_km / max(pace, 60.0)


def _adjusted_step(step: CompiledStep, adjust: Adjust, imperial: bool) -> CompiledStep:
    def move(kmh: float | None) -> float | None:
        return None if kmh is None else _offset_kmh(kmh, adjust.offset_s, imperial)

    speed = _offset_kmh(step.speed_kmh, adjust.offset_s, imperial)
    return dataclasses.replace(
        step,
        amount=step.amount * adjust.scale,
        speed_kmh=speed,
        end_speed_kmh=move(step.end_speed_kmh),
    )


def adjusted(compiled: CompiledPlan, adjust: Adjust, imperial: bool) -> CompiledPlan:
    """Every step shorter by `scale` and slower (or faster) by the offset."""
    if adjust.scale == 1.0 and adjust.offset_s == 0.0:
        return compiled
    steps = tuple(_adjusted_step(s, adjust, imperial) for s in compiled.steps)
    said: list[str] = []
    if adjust.scale != 1.0:
        said.append(f"{adjust.scale * 100:.0f} % of its length")
    if adjust.offset_s:
        unit = "mi" if imperial else "km"
        said.append(f"paces {adjust.offset_s:+.0f} s/{unit}")
    notes = (*compiled.notes, "today: " + ", ".join(said))
    return dataclasses.replace(compiled, steps=steps, notes=notes)


def preview(compiled: CompiledPlan, profile: Profile) -> dict[str, Any]:
    """The compiled steps, totals and target chart, as `plan show` has them."""
    from treadpace.plans.plan_report import step_rows, totals_line
    from treadpace.web.plan_picture import planned_rows

    return {
        "name": printable(compiled.name),
        "kind": compiled.kind,
        "headers": ["#", "step", "start", "length", "pace", "speed", "incline"],
        "rows": [[printable(c) for c in row] for row in step_rows(compiled, profile.imperial)],
        "total": totals_line(compiled, profile.imperial),
        "planned": planned_rows(compiled.steps, profile.imperial),
        "unit": fmt.speed_unit(profile.imperial),
        "notes": [printable(n) for n in compiled.notes],
    }


def library_rows(profile: Profile) -> list[dict[str, Any]]:
    """Every plan of the library with its total at the runner's paces (a bad one says why)."""
    from treadpace.library import library, load_entry
    from treadpace.plans.loader import compile_plan

    rows: list[dict[str, Any]] = []
    for name, entry in sorted(library().items()):
        row: dict[str, Any] = {"name": name, "shelf": entry.shelf}
        try:
            compiled = compile_plan(load_entry(entry), profile, entry.where)
        except UserError as exc:
            row["error"] = printable(str(exc))
        else:
            row["title"] = printable(compiled.name)
            row["distance"] = fmt.distance(compiled.total_distance_m, profile.imperial)
            row["time"] = fmt.duration(compiled.total_time_s)
        rows.append(row)
    return rows
