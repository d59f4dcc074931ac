"""A belt the runner restarts on the console resumes the run, even with no `04` to say so.

Driven on the pure core: what the telemetry must show before it counts (the belt
stood, then two readings in a row at a speed a belt runs), what never counts (the
wind-down after a stop, a stray value, one reading, a pause the runner asked of
treadpace), and that the plan is followed again with setpoints, never a Start.
"""

from __future__ import annotations

from treadpace.engine.config import EngineConfig
from treadpace.engine.core import EngineCore
from treadpace.engine.events import Command, RunState, StateChanged
from treadpace.engine.gate import CommandSource
from treadpace.engine.messages import (
    Action,
    Answer,
    Connected,
    FromTreadmill,
    Input,
    RunnerCommand,
    Write,
    WriteOp,
    Written,
)
from treadpace.ftms import SpeedRange
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.port import (
    BeltStoppedByUser,
    LinkLost,
    LinkRestored,
    SafetyKeyPulled,
    Telemetry,
    TreadmillUpdate,
)

PLAN = CompiledPlan(name="t", kind="custom", steps=(CompiledStep("a", "time", 600, 10.0),))


class Run:
    """The core, with a driver that answers every write at once and keeps the time."""

    def __init__(self, controllable: bool = True) -> None:
        self.core = EngineCore(PLAN, EngineConfig(countdown_s=0))
        self.now = 0.0
        self.metres = 0.0
        self.actions: list[Action] = []
        self.feed(Connected("m", SpeedRange(0.8, 20.0, 0.1), None, controllable))
        self.feed(RunnerCommand(Command.START, None, CommandSource.LOCAL))
        self.belt(10.0, 5)
        assert self.state() == RunState.RUNNING

    def state(self) -> RunState:
        return self.core.state

    def feed(self, inp: Input) -> None:
        out = self.core.handle(inp, self.now, wall=self.now, has_control=True)
        self.actions += out
        for a in out:
            if isinstance(a, Write):
                self.feed(Written(a.op, Answer.TAKEN))

    def update(self, u: TreadmillUpdate) -> None:
        self.feed(FromTreadmill(u))

    def belt(self, kmh: float, seconds: int) -> None:
        """`seconds` readings of the belt at `kmh`, one a second."""
        for _ in range(seconds):
            self.now += 1.0
            self.metres += kmh / 3.6
            self.update(Telemetry(self.now, kmh, None, float(int(self.metres))))

    def writes(self, since: int = 0) -> list[Write]:
        return [a for a in self.actions[since:] if isinstance(a, Write)]

    def reasons(self) -> list[str]:
        return [a.reason for a in self.actions if isinstance(a, StateChanged)]


def stopped_there(run: Run) -> None:
    run.update(BeltStoppedByUser(run.now, paused=False))
    assert run.state() == RunState.PAUSED
    for kmh in (8.0, 6.0, 4.0, 2.0, 0.0, 0.0):  # the belt winds down and stands
        run.belt(kmh, 1)
    assert run.state() == RunState.PAUSED  # the wind-down is no restart


def test_console_restart_seen_in_the_telemetry_resumes_and_follows_the_plan() -> None:
    run = Run()
    stopped_there(run)
    elapsed = run.core.plan_now()
    mark = len(run.actions)
    run.belt(1.0, 1)
    assert run.state() == RunState.PAUSED  # one reading is not enough
    run.belt(1.0, 1)
    assert run.state() == RunState.RUNNING
    assert "belt restarted on the treadmill" in run.reasons()
    sent = run.writes(mark)
    # The plan's target is set again on the moving belt; treadpace itself started nothing.
    assert [w.op for w in sent] == [WriteOp.SPEED] and sent[0].value == 10.0
    run.belt(10.0, 30)
    assert run.core.plan_now() > elapsed + 29  # the plan clock runs again


def test_safety_key_then_a_console_restart_resumes() -> None:
    run = Run()
    run.update(SafetyKeyPulled(run.now))
    run.belt(0.0, 3)
    run.belt(3.0, 2)
    assert run.state() == RunState.RUNNING


def test_a_stop_during_a_lost_link_then_a_console_restart_resumes() -> None:
    run = Run(controllable=False)
    run.update(LinkLost(run.now))
    run.now += 5
    run.update(LinkRestored(run.now))
    run.belt(0.0, 3)  # the belt was stopped while the link was down
    assert run.state() == RunState.PAUSED
    run.belt(4.0, 2)
    assert run.state() == RunState.RUNNING
    assert not run.writes(0)[1:]  # read-only: guided, nothing is ever written


def test_a_belt_still_running_after_the_stop_never_counts_without_standing_first() -> None:
    run = Run()
    run.update(BeltStoppedByUser(run.now, paused=True))
    run.belt(10.0, 10)  # a console that pauses the plan, not the belt: never seen standing
    assert run.state() == RunState.PAUSED
    assert not [w for w in run.writes(0) if w.op == WriteOp.SPEED][1:]


def test_stray_values_and_repeated_packets_are_not_a_restart() -> None:
    run = Run()
    stopped_there(run)
    for kmh in (300.0, 0.3, 300.0, 0.2):  # beyond the machine, below any belt
        run.belt(kmh, 1)
    assert run.state() == RunState.PAUSED
    run.belt(5.0, 1)
    run.update(Telemetry(run.now, 5.0, None, run.metres))  # the same instant again
    assert run.state() == RunState.PAUSED
    run.belt(0.0, 1)
    run.belt(5.0, 1)  # a standing reading between: not two in a row
    assert run.state() == RunState.PAUSED


def test_a_pause_the_runner_asked_of_treadpace_is_not_ended_by_the_belt() -> None:
    run = Run(controllable=False)  # guided: the pause writes nothing, the belt is the runner's
    run.feed(RunnerCommand(Command.PAUSE, None, CommandSource.LOCAL))
    assert run.state() == RunState.PAUSED
    run.belt(0.0, 3)
    run.belt(6.0, 5)
    assert run.state() == RunState.PAUSED


def test_a_stop_there_before_the_first_reading_after_a_lost_link_is_not_resumed() -> None:
    """Found by the state machine: the console's stop came with the link, the belt still
    winding down was taken for "the belt runs on" and the plan's target was sent again."""
    run = Run()
    run.update(LinkLost(run.now))
    run.now += 3
    run.update(LinkRestored(run.now))
    run.update(BeltStoppedByUser(run.now, paused=False))
    mark = len(run.actions)
    for kmh in (7.0, 4.0, 1.0, 0.0):
        run.belt(kmh, 1)
    assert run.state() == RunState.PAUSED
    assert not run.writes(mark)
    run.belt(3.0, 2)  # and the runner's Start on the console is followed as ever
    assert run.state() == RunState.RUNNING


def test_a_reading_no_belt_runs_at_does_not_decide_a_restored_link() -> None:
    run = Run()
    run.update(LinkLost(run.now))
    run.now += 3
    run.update(LinkRestored(run.now))
    run.belt(655.35, 1)  # garbage: not "moving", and not "stopped" either
    assert run.state() == RunState.PAUSED
    run.belt(10.0, 1)  # the belt ran on through the drop: the plan goes on
    assert run.state() == RunState.RUNNING
    assert "link restored" in run.reasons()
