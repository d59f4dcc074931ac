"""Recorded runs as the planner reads them: days, lengths, hard or not, how they ended.

The runs come from `record.runs.list_runs` (the one public listing of run summaries), so
the program benefits from whatever makes that faster. Simulated runs are not training and
are left out. A run is hard when its plan was a progression kind, or when it ran on a
program's progression day (the beginner run is a custom plan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from pathlib import Path

from treadpace.plans.models import PROGRESSION_KINDS
from treadpace.plans.profile import Profile
from treadpace.program.fitness import MIN_STEP_S, Effort
from treadpace.program.types import Outcome, PastRun
from treadpace.record.journal import RunStatus
from treadpace.record.runs import RunSummary, list_runs


def local_day(wall: float) -> dt.date:
    """The runner's calendar day of a wall-clock time (the machine's time zone)."""
    return dt.datetime.fromtimestamp(wall).date()


def past_runs(
    runs: Sequence[RunSummary], profile: Profile, hard_days: Collection[dt.date] = ()
) -> list[PastRun]:
    bounds = profile.heart_rate.bounds()
    out = []
    for r in runs:
        if r.simulated:
            continue
        day = local_day(r.start_wall)
        if r.status == RunStatus.FINISHED:
            outcome = Outcome.FINISHED
        elif bounds is not None and r.max_hr_bpm is not None and r.max_hr_bpm >= bounds[4]:
            outcome = Outcome.HR_ABORT
        elif r.status == RunStatus.ABORTED:
            outcome = Outcome.CUT_SHORT
        else:
            outcome = Outcome.ABORTED
        hard = r.plan_kind in PROGRESSION_KINDS or day in hard_days
        out.append(PastRun(day, r.timer_s, r.distance_m, hard, r.plan_kind, outcome))
    return out


def efforts(runs: Sequence[RunSummary]) -> list[Effort]:
    """Steady stretches with heart rate, for the fitness check (simulated runs left out)."""
    out = []
    for r in runs:
        if r.simulated:
            continue
        for step in r.steps:
            if step.elapsed_s >= MIN_STEP_S and step.avg_hr_bpm and step.hr_held_s < 1:
                out.append(Effort(local_day(r.start_wall), step.avg_speed_kmh, step.avg_hr_bpm))
    return out


def recorded(directory: Path) -> list[RunSummary]:
    return list_runs(directory)
