"""The planner over random histories: the guard, the spacing, the profile, stability.

Hypothesis draws histories of five shapes (tests/program_histories.py) and settings; the
planner must hold its rules on every one. Example counts are kept small: each test stays
within a couple of seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings

from tests.program_histories import PACES, TODAY, compiles, hard_days, histories, spikes
from tests.program_histories import settings as program_settings
from treadpace.program.planner import FIRST_S, RECOVERY_MIN_EASY_S, build_program
from treadpace.program.types import PastRun, Role, Settings

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(histories(), program_settings())
def test_no_generated_run_is_over_the_spike_guard(history: list[PastRun], s: Settings) -> None:
    program = build_program(history, TODAY, s, PACES)
    assert spikes(program, history) == []


@FAST
@given(histories(), program_settings())
def test_the_guard_starts_from_the_history_or_the_declared_run(
    history: list[PastRun], s: Settings
) -> None:
    program = build_program(history, TODAY, s, PACES)
    window = [r.seconds for r in history if 0 < (program.start - r.day).days <= 30]
    known = [*window, *([s.longest_s] if s.longest_s is not None else [])]
    assert program.base_longest_s == (max(known) if known else FIRST_S)


@FAST
@given(histories(), program_settings())
def test_progression_runs_are_ten_days_apart_and_never_on_two_days_running(
    history: list[PastRun], s: Settings
) -> None:
    program = build_program(history, TODAY, s, PACES)
    days = hard_days(program, history)
    planned = [w.day for w in program.workouts if w.hard]
    for a, b in itertools.pairwise(days):
        if b in planned:
            assert (b - a).days >= 10
    every = sorted({w.day for w in program.workouts if w.hard} | {r.day for r in history if r.hard})
    assert all((b - a).days > 1 for a, b in itertools.pairwise(every) if b in planned)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), program_settings())
def test_every_week_compiles_with_the_runners_profile(history: list[PastRun], s: Settings) -> None:
    compiles(build_program(history, TODAY, s, PACES))


@FAST
@given(histories(), program_settings())
def test_the_same_inputs_give_the_same_program(history: list[PastRun], s: Settings) -> None:
    first = build_program(history, TODAY, s, PACES)
    assert build_program(list(reversed(history)), TODAY, s, PACES) == first
    assert build_program(history, TODAY, s, PACES) == first


@FAST
@given(histories(), program_settings())
def test_a_program_has_its_weeks_its_runs_and_a_rhythm(history: list[PastRun], s: Settings) -> None:
    program = build_program(history, TODAY, s, PACES)
    assert {w.week for w in program.workouts} == set(range(1, s.weeks + 1))
    assert all(len(program.week(n)) == s.runs_per_week for n in range(1, s.weeks + 1))
    assert all(w.day >= program.start for w in program.workouts)
    easier = {w.week for w in program.workouts if "easier week" in w.why}
    assert easier == {n for n in range(1, s.weeks + 1) if n % (s.rhythm + 1) == 0}
    # An easier week is easier than the one before, or its easy runs are as short as they go
    # (two short runs around a 30-minute progression run can weigh more than a tiny week).
    total = {n: sum(w.seconds for w in program.week(n)) for n in range(1, s.weeks + 1)}
    for n in easier:
        floor = all(w.seconds <= RECOVERY_MIN_EASY_S + 30 for w in program.week(n) if not w.hard)
        assert total[n] < total[n - 1] or floor, (n, total)


def test_a_newcomer_starts_with_the_thirty_minute_beginner_run() -> None:
    program = build_program([], TODAY, Settings(weeks=8), PACES)
    first = next(w for w in program.workouts if w.role == Role.PROGRESSION)
    assert first.seconds == 1800 and first.plan["kind"] == "custom"
    kinds = [w.plan["kind"] for w in program.workouts if w.hard]
    assert kinds[1:4] == ["negative-split", "thirds", "fast-finish"]
    assert "declare yours with --longest" in program.notes[0]


def test_an_experienced_runner_goes_on_with_the_next_kind_of_the_four() -> None:
    easy = [PastRun(TODAY - dt.timedelta(days=d), 2400.0, 6000.0, False) for d in range(30, 6, -2)]
    thirds = PastRun(TODAY - dt.timedelta(days=5), 2400.0, 6000.0, True, "thirds")
    program = build_program([*easy, thirds], TODAY, Settings(weeks=6, runs_per_week=4), PACES)
    hard = [w for w in program.workouts if w.hard]
    assert hard[0].plan["kind"] == "fast-finish" and (hard[0].day - thirds.day).days >= 10
    assert hard[0].seconds == 2400  # the last one's length again, then growing


def test_a_spike_is_planned_only_when_allowed_and_then_said() -> None:
    history = [PastRun(TODAY - dt.timedelta(days=3), 1200.0, 3000.0, False)]
    s = Settings(weeks=4, runs_per_week=3)
    held = build_program(history, TODAY, s, PACES)
    assert spikes(held, history) == []
    allowed = build_program(history, TODAY, dataclasses.replace(s, allow_spike=True), PACES)
    over = spikes(allowed, history)
    assert over and any("allowed by --allow-spike" in w.why for w in allowed.workouts)
