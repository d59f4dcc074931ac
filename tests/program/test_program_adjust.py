"""What happened moves the program: missed, cut and aborted runs, hard days, the guard.

Each test builds a newcomer's program, writes a history of what the runner did, and reads
what `adjust` made of it and why. A property test then draws which runs were done, cut or
missed, and checks that no two hard days ever come in a row, history and plan together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.program_histories import PACES, TODAY
from treadpace.program.missed_runs import adjust
from treadpace.program.planner import build_program
from treadpace.program.types import Outcome, PastRun, Program, Settings, Status, Workout

START = TODAY


def newcomer() -> Program:
    return build_program([], TODAY - dt.timedelta(days=1), Settings(weeks=8, start=START), PACES)


def hard(program: Program) -> list[Workout]:
    return [w for w in program.workouts if w.hard]


def did(w: Workout, outcome: Outcome = Outcome.FINISHED, seconds: float | None = None) -> PastRun:
    return PastRun(w.day, seconds or w.seconds, 3000.0, w.hard, str(w.plan["kind"]), outcome)


def before(program: Program, day: dt.date) -> list[PastRun]:
    return [did(w) for w in program.workouts if w.day < day]


def test_nothing_moves_when_everything_was_run() -> None:
    program = newcomer()
    day = hard(program)[1].day
    adjusted, reasons = adjust(program, before(program, day), day, PACES)
    assert reasons == []
    assert all(w.status == Status.DONE for w in adjusted.workouts if w.day < day)


def test_a_missed_easy_run_is_not_made_up() -> None:
    program = newcomer()
    first = program.workouts[0]
    adjusted, reasons = adjust(program, [], first.day + dt.timedelta(days=1), PACES)
    assert adjusted.workouts[0].status == Status.MISSED
    assert reasons == [f"{first.day}: the easy run was missed; it is not made up"]
    assert [w.day for w in adjusted.workouts] == [w.day for w in program.workouts]


def test_a_missed_progression_run_moves_to_the_next_run_day_and_says_so() -> None:
    program = newcomer()
    missed = hard(program)[0]
    history = [r for r in before(program, missed.day)]
    today = missed.day + dt.timedelta(days=1)
    adjusted, reasons = adjust(program, history, today, PACES)
    moved = next(w for w in adjusted.workouts if w.hard and w.status == Status.PLANNED)
    assert moved.plan == missed.plan and moved.day > missed.day and "moved from" in moved.why
    assert f"{missed.day}: the progression run was missed: it moves to {moved.day}" in reasons
    later = [w.day for w in hard(adjusted) if w.day > moved.day]
    assert all((b - a).days >= 10 for a, b in itertools.pairwise([moved.day, *later]))


def test_a_run_stopped_for_heart_rate_comes_again_shorter() -> None:
    program = newcomer()
    first = hard(program)[0]
    history = [*before(program, first.day), did(first, Outcome.HR_ABORT, 900.0)]
    adjusted, reasons = adjust(program, history, first.day + dt.timedelta(days=1), PACES)
    again = next(w for w in adjusted.workouts if w.hard and w.status == Status.PLANNED)
    assert again.seconds == 1620 and "(shorter)" in str(again.plan["name"])
    assert (again.day - first.day).days >= 2  # 48 hours after the hard effort
    assert any("zone 5" in r for r in reasons)


def test_a_cut_run_is_run_again_48_hours_later_never_the_next_day() -> None:
    program = newcomer()
    first = hard(program)[0]
    history = [*before(program, first.day), did(first, Outcome.CUT_SHORT, 600.0)]
    adjusted, _ = adjust(program, history, first.day + dt.timedelta(days=1), PACES)
    again = next(w for w in adjusted.workouts if w.hard and w.status == Status.PLANNED)
    assert (again.day - first.day).days >= 2
    assert adjusted.on(first.day) is not None
    assert adjusted.on(first.day).status == Status.CUT  # type: ignore[union-attr]


def test_today_is_easy_within_48_hours_of_a_hard_run_off_the_program() -> None:
    program = newcomer()
    day = hard(program)[0].day
    history = [*before(program, day), PastRun(day - dt.timedelta(days=1), 1800, 5000, True)]
    adjusted, reasons = adjust(program, history, day, PACES)
    assert not adjusted.on(day).hard  # type: ignore[union-attr]
    assert any("under 48 hours ago: easy today" in r for r in reasons)


def test_today_is_held_to_the_guard_against_what_was_really_run() -> None:
    program = newcomer()
    day = next(w.day for w in program.workouts if (w.day - START).days > 31 and not w.hard)
    past = tuple(
        dataclasses.replace(w, status=Status.DONE) if w.day < day else w for w in program.workouts
    )
    program = dataclasses.replace(program, workouts=past)
    history = [PastRun(day - dt.timedelta(days=2), 900.0, 2500.0, False)]  # all that was run
    adjusted, reasons = adjust(program, history, day, PACES)
    today = adjusted.on(day)
    assert today is not None and today.seconds == 960 and today.plan["duration"] == "16:00"
    assert reasons == [
        f"{day}: shortened to 16:00: the longest run of the last 30 days is 15:00 "
        "(the spike guard's 1.10x)"
    ]


@st.composite
def what_happened(draw: st.DrawFn) -> tuple[Program, list[PastRun], dt.date]:
    program = newcomer()
    today = START + dt.timedelta(days=draw(st.integers(1, 50)))
    history = []
    for w in program.workouts:
        if w.day >= today:
            break
        outcome = draw(st.sampled_from([None, *Outcome]))
        if outcome is not None:
            history.append(did(w, outcome, w.seconds * draw(st.floats(0.2, 1.0))))
    return program, history, today


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(what_happened())
def test_no_two_hard_days_in_a_row_whatever_happened(
    case: tuple[Program, list[PastRun], dt.date],
) -> None:
    program, history, today = case
    adjusted, _ = adjust(program, history, today, PACES)
    planned = [w.day for w in adjusted.workouts if w.hard and w.status == Status.PLANNED]
    done = [r.day for r in history if r.hard]
    days = sorted(set(done) | set(planned))
    assert all((b - a).days >= 2 for a, b in itertools.pairwise(days))
    assert all((b - a).days >= 10 for a, b in itertools.pairwise(sorted(planned)))
    assert adjust(program, history, today, PACES) == (adjusted, _)
