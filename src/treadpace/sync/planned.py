"""Planned workouts from the intervals.icu calendar, as plans treadpace can run.

`icu:today`, `icu:tomorrow`, `icu:next` (the next planned run within two weeks)
and `icu:YYYY-MM-DD` name a day's planned running workout. Its steps are the
site's own text format (the event's `description`), read by the same importer as
an intervals.icu text file (`treadpace.workouts.icu_reader`), so absolute paces, % of
threshold pace and pace zones map to the runner's profile the same way, and what
a treadmill cannot follow (power, heart-rate-only targets, the lap button) is
refused with its name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from treadpace.base.printable import printable
from treadpace.base.user_error import UserError
from treadpace.workouts.common import Imported, WorkoutError

PREFIX = "icu:"
LOOK_AHEAD_DAYS = 14
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Wanted:
    spec: str
    oldest: dt.date
    newest: dt.date


@dataclass(frozen=True)
class Planned:
    day: dt.date
    name: str
    sport: str
    description: str
    event_id: str


def is_planned(arg: str) -> bool:
    return arg.lower().startswith(PREFIX)


def wanted(spec: str, today: dt.date) -> Wanted:
    """The days `icu:...` asks about; a UserError for anything else."""
    word = spec[len(PREFIX) :].strip().lower()
    if word == "today":
        return Wanted(spec, today, today)
    if word == "tomorrow":
        day = today + dt.timedelta(days=1)
        return Wanted(spec, day, day)
    if word == "next":
        return Wanted(spec, today, today + dt.timedelta(days=LOOK_AHEAD_DAYS))
    if _DATE.match(word):
        try:
            day = dt.date.fromisoformat(word)
        except ValueError:
            pass
        else:
            return Wanted(spec, day, day)
    raise UserError(f"{spec}: expected icu:today, icu:tomorrow, icu:next or icu:YYYY-MM-DD")


def planned(event: Any) -> Planned | None:
    """A calendar event as a planned workout, or None when it is not one (a note, a race)."""
    if not isinstance(event, dict) or event.get("category") != "WORKOUT":
        return None
    start = str(event.get("start_date_local") or "")[:10]
    try:
        day = dt.date.fromisoformat(start)
    except ValueError:
        return None
    return Planned(
        day=day,
        name=printable(str(event.get("name") or "Planned workout")),
        sport=str(event.get("type") or ""),
        description=str(event.get("description") or ""),
        event_id=str(event.get("id") or ""),
    )


def runs_of(events: list[dict[str, Any]]) -> list[Planned]:
    found = [p for p in map(planned, events) if p is not None]
    return sorted(found, key=lambda p: (p.day, p.event_id))


def choose(want: Wanted, events: list[dict[str, Any]]) -> Planned:
    """The day's first planned run; a UserError naming what there is instead."""
    workouts = [p for p in runs_of(events) if want.oldest <= p.day <= want.newest]
    runs = [p for p in workouts if p.sport == "Run"]
    if runs:
        return runs[0]
    days = str(want.oldest) if want.oldest == want.newest else f"{want.oldest} to {want.newest}"
    if workouts:
        other = workouts[0]
        raise UserError(
            f"{want.spec}: the workout planned on intervals.icu for {other.day} is"
            f" {other.sport or 'not a run'} ({other.name!r}), not a run"
        )
    raise UserError(f"{want.spec}: no running workout planned on intervals.icu for {days}")


def as_plan(found: Planned, spec: str) -> Imported:
    """The planned run's steps as a plan mapping, through the intervals.icu text importer."""
    from treadpace.workouts.icu_reader import read_icu

    if not found.description.strip():
        raise UserError(
            f"{spec}: {found.name!r} on {found.day} has no steps in its description"
            " (write them in the intervals.icu workout builder)"
        )
    try:
        imported = read_icu(found.description.encode("utf-8"), f"{found.name}.txt")
    except WorkoutError as exc:
        raise UserError(f"{spec}: {found.name!r} on {found.day}: {exc}") from None
    imported.plan["description"] = f"Planned on intervals.icu for {found.day}"
    return imported
