"""The cue driver alone: events in, cues and wake-up times out (no engine, no clock)."""

from __future__ import annotations

import math

from treadpace.cues.driver import CueDriver
from treadpace.engine.events import (
    CueKind,
    RunStarted,
    RunState,
    StateChanged,
    StepFinished,
    StepStarted,
)
from treadpace.plans.steps import CompiledStep

A = CompiledStep("a", "time", 60, 9.0)
B = CompiledStep("b", "time", 60, 11.0)


def started(d: CueDriver) -> None:
    d.feed(RunStarted(0.0, 0.0, "p", "custom", "", (A, B), False, "sim"), 0.0)
    d.feed(StateChanged(0.0, RunState.RUNNING, RunState.COUNTDOWN), 0.0)
    [change] = d.feed(StepStarted(0.0, 0, A, 2), 0.0)
    assert change.kind == CueKind.CHANGE


def test_the_next_cue_is_due_on_the_plan_clock() -> None:
    d = CueDriver(lead_s=10)
    started(d)
    assert d.due(0.0) == 50.0
    assert d.fire(49.9) == []
    [upcoming] = d.fire(50.0)
    assert (upcoming.kind, upcoming.seconds, upcoming.t) == (CueKind.UPCOMING, 10, 50.0)
    assert d.fire(50.0) == []  # once
    assert d.due(50.0) == 57.0


def test_a_pause_stops_the_countdown_and_the_resume_picks_it_up() -> None:
    d = CueDriver(lead_s=10)
    started(d)
    d.feed(StateChanged(48.0, RunState.PAUSED, RunState.RUNNING), 48.0)  # 12 s left
    assert d.due(48.0) == math.inf
    assert d.fire(100.0) == []  # nothing said while paused
    assert d.feed(StateChanged(100.0, RunState.RUNNING, RunState.PAUSED), 100.0) == []
    assert d.due(100.0) == 102.0
    [upcoming] = d.fire(102.0)
    assert upcoming.kind == CueKind.UPCOMING
    d.feed(StateChanged(104.0, RunState.PAUSED, RunState.RUNNING), 104.0)
    d.feed(StateChanged(200.0, RunState.RUNNING, RunState.PAUSED), 200.0)
    assert d.due(200.0) == 205.0  # the countdown's 3: the 10 s warning is not said again


def test_a_skipped_step_takes_its_warnings_along() -> None:
    d = CueDriver(lead_s=10)
    started(d)
    assert d.feed(StepFinished(20.0, 0, A, 20.0, 50.0, skipped=True), 20.0) == []
    assert d.due(20.0) == math.inf
    said = d.feed(StepStarted(20.0, 1, B, 2), 20.0)
    assert [c.kind for c in said] == [CueKind.LAST_STEP, CueKind.HALFWAY]  # by planned time
    assert d.due(20.0) == 70.0  # the plan's end, 10 s ahead
    [done] = d.feed(StepFinished(80.0, 1, B, 60.0, 183.0), 80.0)
    assert (done.kind, done.distance_m, done.elapsed_s) == (CueKind.FINISH, 233.0, 80.0)
