"""The spike guard's line for `run`, the fitness signs, and the calendar's lines. Pure.

A run summary is built as `history` lists it; heart-rate efforts are (day, speed, bpm).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from tests.program_histories import PACES
from treadpace.plans.loader import compile_plan, plan_from_document
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.plans.yaml_document import Document
from treadpace.program.fitness import Effort, hr_offset, paces_changed, with_offset
from treadpace.program.ics import to_ics
from treadpace.program.planner import build_program
from treadpace.program.spike_guard import spike_warning
from treadpace.program.types import Settings
from treadpace.record.journal import RunStatus
from treadpace.record.runs import RunSummary

NOW = 1_780_000_000.0
TODAY = dt.date(2026, 3, 2)


def summary(
    minutes: float, days_ago: float, km: float = 5.0, simulated: bool = False
) -> RunSummary:
    return RunSummary(id="r", path=Path("r"), start_wall=NOW - days_ago * 86_400, plan_name="x",
                      imperial=False, distance_m=km * 1000, timer_s=minutes * 60,
                      status=RunStatus.FINISHED, simulated=simulated)  # fmt: skip


def plan(minutes: float, kmh: float = 9.0) -> CompiledPlan:
    return CompiledPlan("p", "steady", (CompiledStep("s", "time", minutes * 60, kmh),))


def test_a_plan_within_ten_percent_of_the_longest_is_said_nothing() -> None:
    assert spike_warning(plan(33), [summary(30, 3, km=6)], NOW) is None


def test_a_plan_over_ten_percent_longer_is_one_line_with_the_study() -> None:
    line = spike_warning(plan(40), [summary(30, 3, km=6), summary(50, 31)], NOW)
    assert line == (
        "this plan (40:00) is 33 % longer than your longest run of the last 30 days (30:00): "
        "a run 10-30 % longer had 1.64x the injury rate (Garmin-RUNSAFE, BJSM 2025)"
    )


def test_a_plan_farther_but_not_longer_is_a_spike_by_distance() -> None:
    line = spike_warning(plan(30, kmh=14.0), [summary(30, 3, km=5)], NOW, imperial=True)
    assert line is not None and "% farther" in line and " mi)" in line


def test_simulated_runs_and_no_runs_say_nothing() -> None:
    assert spike_warning(plan(90), [summary(10, 2, simulated=True)], NOW) is None
    assert spike_warning(plan(90), [], time.time()) is None


def efforts(days: range, bpm: float, speed: float = 9.2) -> list[Effort]:
    return [Effort(TODAY - dt.timedelta(days=d), speed, bpm) for d in days]


def test_a_lower_heart_rate_at_the_same_speed_makes_future_paces_faster() -> None:
    found = hr_offset([*efforts(range(20, 40, 5), 150), *efforts(range(1, 10, 3), 141)], TODAY)
    assert found is not None
    offset, why = found
    assert 0 < offset <= 10 and "9 bpm lower" in why and "faster" in why


def test_a_small_drift_or_too_few_runs_changes_nothing() -> None:
    assert (
        hr_offset([*efforts(range(20, 40, 5), 150), *efforts(range(1, 10, 3), 147)], TODAY) is None
    )
    assert hr_offset([*efforts(range(20, 40, 5), 150), *efforts(range(1, 2), 130)], TODAY) is None


def test_an_offset_is_written_on_named_paces_and_still_compiles() -> None:
    program = build_program([], TODAY, Settings(weeks=4, runs_per_week=4), PACES)
    from tests.program_histories import PROFILE

    for w in program.workouts:
        moved = with_offset(w.plan, 4.4)
        assert "easy - " not in str(moved) and with_offset(moved, 0.0) == dict(w.plan)
        assert w.role.value != "progression" or "- 4 s/km" in str(moved)
        compile_plan(plan_from_document(Document("p", moved)), PROFILE, "p")


def test_a_change_of_the_profiles_paces_is_said() -> None:
    said = paces_changed({"easy": 390.0, "marathon": 345.0}, {"easy": 380.0, "marathon": 345.2})
    assert (
        said == "the profile's paces changed (easy 6:30 -> 6:20/km): future weeks use the new ones"
    )
    assert paces_changed({"easy": 390.0}, {"easy": 390.4}) is None


def test_the_calendar_has_an_event_a_workout_in_short_crlf_lines() -> None:
    program = build_program([], TODAY, Settings(weeks=4, runs_per_week=2), PACES)
    text = to_ics(program, ["x, y; z\n" * 20] * len(program.workouts), dt.datetime(2026, 3, 1))
    lines = text.split("\r\n")
    assert text.count("BEGIN:VEVENT") == 8 and all(len(line.encode()) <= 75 for line in lines)
    assert "x\\, y\\; z\\n" in text.replace("\r\n ", "")
    assert [e for e, _ in program.events()] == [w.day for w in program.workouts]


def test_a_fitness_change_moves_only_future_workouts_and_is_said_once() -> None:
    import dataclasses

    from tests.program_histories import PROFILE
    from treadpace.program.service import _fitness, built_with
    from treadpace.program.types import Status

    program = build_program([], TODAY, Settings(weeks=4, runs_per_week=3), PACES)
    done = dataclasses.replace(program.workouts[0], status=Status.DONE)
    program = dataclasses.replace(
        program, workouts=(done, *program.workouts[1:]), built_with=built_with(PROFILE)
    )
    reasons: list[str] = []
    moved = _fitness(program, PROFILE, (5.0, "heart rate is lower"), reasons)
    assert reasons == ["heart rate is lower"]
    assert moved.workouts[0] == done
    hard = [w for w in moved.workouts if w.hard]
    assert all("- 5 s/km" in str(w.plan) for w in hard)
    again: list[str] = []
    assert _fitness(moved, PROFILE, (5.5, "heart rate is lower"), again) == moved
    assert again == []
    faster = PROFILE.model_copy(update={"paces": PROFILE.paces.model_copy(update={"easy": 380.0})})
    said: list[str] = []
    _fitness(moved, faster, None, said)
    assert said == [
        "the profile's paces changed (easy 6:30 -> 6:20/km): future weeks use the new ones"
    ]
