"""Random run histories for the program's property tests, and the checks they share.

Five shapes a runner's history takes (a new runner, a month off, a daily runner, an
injury break, runs stopped for heart rate), each drawn with random lengths and days, so
the planner meets what real histories hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from hypothesis import strategies as st

from treadpace.plans import load_profile
from treadpace.plans.loader import compile_plan, plan_from_document
from treadpace.plans.yaml_document import Document
from treadpace.program.spike_guard import SPIKE_LIMIT, longest_before
from treadpace.program.types import Goal, Outcome, PastRun, Program, Settings

ROOT = Path(__file__).resolve().parents[1]
PROFILE = load_profile(ROOT / "configs" / "profiles" / "metric.yaml")
PACES = PROFILE.paces.named()
TODAY = dt.date(2026, 3, 2)
KINDS = ("negative-split", "thirds", "fast-finish", "each-mile-faster", "steady", "custom")


@st.composite
def _runs(draw: st.DrawFn, first: int, last: int, every: int, hr_aborts: bool) -> list[PastRun]:
    """Runs from `first` to `last` days before TODAY, one every `every` days or so."""
    out = []
    day = first
    while day >= last:
        kind = draw(st.sampled_from(KINDS))
        outcome = Outcome.FINISHED
        if hr_aborts and draw(st.booleans()):
            outcome = Outcome.HR_ABORT
        minutes = draw(st.integers(10, 120))
        hard = kind in KINDS[:4]
        when = TODAY - dt.timedelta(days=day)
        out.append(PastRun(when, minutes * 60.0, minutes * 160.0, hard, kind, outcome))
        day -= draw(st.integers(max(1, every - 1), every + 1))
    return out


def histories() -> st.SearchStrategy[list[PastRun]]:
    return st.one_of(
        st.just([]),  # a new runner
        _runs(90, 35, 2, False),  # a month off since
        _runs(60, 1, 1, False),  # a daily runner
        st.builds(lambda a, b: a + b, _runs(80, 50, 3, False), _runs(12, 1, 3, False)),  # injury
        _runs(40, 1, 3, True),  # runs stopped for heart rate
    )


def settings() -> st.SearchStrategy[Settings]:
    return st.builds(
        Settings,
        weeks=st.integers(4, 16),
        runs_per_week=st.integers(2, 6),
        goal=st.sampled_from(list(Goal)),
        start=st.one_of(st.none(), st.dates(TODAY, TODAY + dt.timedelta(days=10))),
        longest_s=st.one_of(st.none(), st.integers(15, 120).map(lambda m: m * 60.0)),
        rhythm=st.sampled_from([2, 3]),
    )


def spikes(program: Program, history: Sequence[PastRun]) -> list[str]:
    """Every generated run over 1.10x the longest of the 30 days before it."""
    lengths = [(r.day, r.seconds) for r in history if r.day < program.start]
    lengths.append((program.start - dt.timedelta(days=1), program.base_longest_s))
    found = []
    for w in program.workouts:
        longest = longest_before(lengths, w.day)
        assert longest is not None
        if w.seconds > longest * SPIKE_LIMIT + 1e-6:
            found.append(f"{w.day}: {w.seconds} over {longest}")
        lengths.append((w.day, w.seconds))
    return found


def hard_days(program: Program, history: Iterable[PastRun]) -> list[dt.date]:
    days = [r.day for r in history if r.hard and r.day < program.start]
    return sorted(days + [w.day for w in program.workouts if w.hard])


def compiles(program: Program) -> None:
    for w in program.workouts:
        plan = plan_from_document(Document(path="program", data=dict(w.plan)))
        compile_plan(plan, PROFILE, "program")
