"""Planned workouts from intervals.icu for `run icu:today` and `plan list`.

`run icu:DAY` fetches the day's planned running workout, compiles it with the
runner's paces and runs it like any plan. `plan list` adds the coming week's
planned workouts when intervals.icu is configured; offline, that is one line,
not a failure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from treadpace.plans.profile import Profile
    from treadpace.plans.steps import CompiledPlan


def load_and_compile(arg: str, profile_path: Path | str | None) -> tuple[CompiledPlan, Profile]:
    """A plan by path or name (`treadpace.library`), or `icu:DAY` from the calendar."""
    if arg.lower().startswith("icu:"):
        return load_planned(arg, profile_path)
    from treadpace.library import load_and_compile as from_library

    return from_library(arg, profile_path)


def load_planned(spec: str, profile_path: Path | str | None) -> tuple[CompiledPlan, Profile]:
    import asyncio

    from treadpace.plans.loader import compile_plan, load_profile, plan_from_document
    from treadpace.plans.yaml_document import Document
    from treadpace.sync.failure import SyncError
    from treadpace.sync.icu_calendar import fetch_events
    from treadpace.sync.planned import as_plan, choose, wanted

    profile = load_profile(profile_path)
    want = wanted(spec, dt.date.today())
    try:
        events = asyncio.run(fetch_events(profile.sync, want.oldest, want.newest))
    except SyncError as exc:
        raise UserError(f"{spec}: {exc}") from None
    found = choose(want, events)
    imported = as_plan(found, spec)
    plan = plan_from_document(Document(path=spec, data=imported.plan))
    compiled = compile_plan(plan, profile, f"{spec} ({found.name}, intervals.icu)")
    if imported.notes:
        compiled = dataclasses.replace(compiled, notes=(*imported.notes, *compiled.notes))
    return compiled, profile


def week_lines(profile: Profile, today: dt.date | None = None) -> list[str]:
    """The coming week's planned workouts, one line each; [] when icu is not configured."""
    from treadpace.sync.credentials import icu_configured

    if not icu_configured(profile.sync):
        return []  # a plan list without intervals.icu loads no network code
    import asyncio

    from treadpace.sync.failure import SyncError
    from treadpace.sync.icu_calendar import fetch_events
    from treadpace.sync.planned import runs_of

    start = today or dt.date.today()
    try:
        events = asyncio.run(fetch_events(profile.sync, start, start + dt.timedelta(days=6)))
    except (SyncError, UserError) as exc:
        return [f"planned on intervals.icu: not available ({exc})"]
    found = runs_of(events)
    if not found:
        return ["planned on intervals.icu: nothing in the coming week"]
    lines = ["planned on intervals.icu (run one with `treadpace run icu:YYYY-MM-DD`):"]
    for item in found:
        runnable = "" if item.sport == "Run" else f"  ({item.sport or 'not a run'})"
        lines.append(f"  {item.day}  {item.name}{runnable}")
    return lines
