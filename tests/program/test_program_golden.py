"""The first four weeks of a program for each goal, as `program show` prints them.

Compared verbatim with tests/data/program/<goal>.txt: a change to the planner that moves a
run, a length or a reason shows up here as a diff to read. The runner is Runner A
(configs/profiles/metric.yaml) with a month of easy runs behind them and a thirds run
eight days ago. To accept a deliberate change, write the new text with
`TREADPACE_WRITE_GOLDEN=1` and read the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tests.program_histories import PACES, PROFILE, TODAY
from tests.where import DATA
from treadpace.plans.loader import compile_plan, plan_from_document
from treadpace.plans.yaml_document import Document
from treadpace.program.planner import build_program
from treadpace.program.types import Goal, PastRun, Settings
from treadpace.program.view import week_lines

GOLDEN = DATA / "program"
HISTORY = [
    *(PastRun(TODAY - dt.timedelta(days=d), 1800.0 + 60 * (d % 4), 4700.0, False, "steady")
      for d in range(29, 0, -3)),
    PastRun(TODAY - dt.timedelta(days=8), 2100.0, 5400.0, True, "thirds"),
]  # fmt: skip


def first_weeks(goal: Goal) -> str:
    s = Settings(weeks=12, runs_per_week=4, goal=goal, start=TODAY + dt.timedelta(days=1))
    program = build_program(sorted(HISTORY, key=lambda r: r.day), TODAY, s, PACES)
    compiled = [
        compile_plan(plan_from_document(Document("program", dict(w.plan))), PROFILE, "program")
        for w in program.workouts
    ]
    easy_kmh = 3600.0 / float(PROFILE.paces.easy)
    return "\n".join(week_lines(program, compiled, easy_kmh, PROFILE.imperial, weeks=4)) + "\n"


@pytest.mark.parametrize("goal", list(Goal))
def test_the_first_four_weeks_of_each_goal(goal: Goal) -> None:
    path = GOLDEN / f"{goal.value}.txt"
    text = first_weeks(goal)
    if os.environ.get("TREADPACE_WRITE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text
