"""The program's values: settings, past runs as the planner reads them, and planned workouts.

Plain frozen dataclasses and enums, so the pure planner needs neither pydantic nor the
recorder: `history.py` turns recorded runs into `PastRun`s, `store.py` turns a program into
the YAML file the runner reads and edits and back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Goal(StrEnum):
    FIVE_K = "5k"
    TEN_K = "10k"
    HALF = "half"
    MARATHON = "marathon"
    GENERAL = "general"


class Outcome(StrEnum):
    """How a past run went, as far as the program cares."""

    FINISHED = "finished"
    CUT_SHORT = "cut-short"
    """Ended by the runner before the plan's end (the plan was not done)."""
    ABORTED = "aborted"
    """Ended by something else: the treadmill, the link, an error."""
    HR_ABORT = "hr-abort"
    """Ended early with heart rate in zone 5: run it again shorter, capped."""


class Role(StrEnum):
    EASY = "easy"
    LONG = "long"
    """The week's longest easy run."""
    PROGRESSION = "progression"
    """One of the article's four progression runs: the hard day."""


class Status(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    MISSED = "missed"
    CUT = "cut"
    """Run, but cut short or aborted."""


@dataclass(frozen=True)
class PastRun:
    day: dt.date
    seconds: float
    metres: float
    hard: bool
    """A progression run (a quality workout)."""
    kind: str = ""
    outcome: Outcome = Outcome.FINISHED


@dataclass(frozen=True)
class Settings:
    weeks: int = 8
    runs_per_week: int = 3
    goal: Goal = Goal.GENERAL
    start: dt.date | None = None
    """The program's first day (default: tomorrow)."""
    longest_s: float | None = None
    """The runner's declared longest run of the last 30 days (runs outside treadpace too)."""
    allow_spike: bool = False
    easy_share: float = 0.8
    rhythm: int = 3
    """Build weeks before each easier week: 3 (3:1) or 2 (2:1)."""


@dataclass(frozen=True)
class Workout:
    day: dt.date
    week: int
    """1-based week of the program."""
    role: Role
    seconds: float
    """Planned length (for the guard and the totals; the plan is what runs)."""
    plan: Mapping[str, Any]
    """A plan file's contents, named paces only: it compiles with the runner's profile."""
    why: str = ""
    status: Status = Status.PLANNED

    @property
    def hard(self) -> bool:
        return self.role == Role.PROGRESSION


@dataclass(frozen=True)
class Program:
    settings: Settings
    start: dt.date
    base_longest_s: float
    """The longest run of the 30 days before the start that the guard starts from."""
    workouts: tuple[Workout, ...]
    notes: tuple[str, ...] = ()
    built_with: Mapping[str, Any] = field(default_factory=dict)
    """What the paces were when the program was built (VDOT, race), to see them change."""

    def week(self, number: int) -> tuple[Workout, ...]:
        return tuple(w for w in self.workouts if w.week == number)

    def on(self, day: dt.date) -> Workout | None:
        return next((w for w in self.workouts if w.day == day), None)

    def events(self) -> list[tuple[dt.date, Mapping[str, Any]]]:
        """(day, plan) for every workout, in order: what a calendar or a sync service gets."""
        return [(w.day, w.plan) for w in self.workouts]
