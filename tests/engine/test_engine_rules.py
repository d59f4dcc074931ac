"""Safety rules 1-5 proven on the pure engine core, over random runs (see `engine_rules`).

Each sequence draws a plan, a profile and a machine, then plays up to 25 inputs
from the treadmill, the runner, the clock and the driver; after every input what
the core did is checked against every rule. The guards that make the rules hold
are taken out one at a time in `test_engine_rules_guards.py`, to show that these
checks catch each of them.

The default run plays 1,000 sequences (a few seconds, far inside the per-test
timeout on a loaded machine); the deep profile plays 10,000:

    python -m pytest tests/engine/test_engine_rules.py --hypothesis-profile=deep

Every race the machine ever found is kept below as an explicit case, so the
default run proves each of them whatever the random draw.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from tests.depth import sized
from tests.engine_checks import SafetyChecks
from tests.engine_rules import EngineRules
from tests.engine_world import World
from treadpace.engine.config import EngineConfig
from treadpace.engine.events import Command, RunState
from treadpace.engine.gate import CommandSource
from treadpace.engine.messages import Answer, Write, WriteOp
from treadpace.ftms import SpeedRange
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.port import BeltStartedByUser, BeltStoppedByUser, SafetyKeyPulled

EngineRules.TestCase.settings = settings(
    max_examples=sized(1_000, 10_000),
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineRules = EngineRules.TestCase


def _one_step(config: EngineConfig, *, kmh: float = 10.0, mph_liar: bool = False) -> SafetyChecks:
    """A one-step plan at `kmh` on a commanded 0.8-16 km/h machine without incline."""
    return SafetyChecks(
        World(
            plan=CompiledPlan("p", "custom", (CompiledStep("s", "time", 600.0, kmh),)),
            config=config,
            speeds=SpeedRange(0.8, 16.0, 0.1),
            inclines=None,
            controllable=True,
            mph_liar=mph_liar,
        )
    )


def test_a_start_unanswered_when_the_driver_leaves_is_stopped_before_the_report() -> None:
    """Found by the machine: a Start cut off on its way (the run task cancelled, an error
    under the write) may have reached the treadmill, so the way out stops the belt."""
    run = _one_step(EngineConfig(countdown_s=0))
    run.answer(Answer.TAKEN)  # control
    run.command(Command.START, CommandSource.LOCAL, None)
    assert run.pending == Write(WriteOp.START)
    run.leave()
    assert run.stop_asked and run.finished is None
    run.stop_answered(True)
    assert run.finished is not None and run.done


def _running() -> SafetyChecks:
    """A one-step run on a commanded machine, running at its first speed."""
    run = _one_step(EngineConfig(countdown_s=0, allow_remote_start=True))
    run.answer(Answer.TAKEN)  # control
    run.command(Command.START, CommandSource.LOCAL, None)
    run.answer(Answer.TAKEN)  # start
    run.answer(Answer.TAKEN)  # the first speed
    assert run.state == RunState.RUNNING and run.pending is None
    return run


def test_a_resume_asked_in_an_earlier_pause_does_not_undo_a_later_one() -> None:
    """Found by the machine: resume pressed while the pause was still being written, the
    belt restarted on the console, paused again: the old resume must not start it."""
    run = _running()
    run.command(Command.PAUSE, CommandSource.LOCAL, None)
    assert run.pending == Write(WriteOp.PAUSE)
    run.command(Command.RESUME, CommandSource.LOCAL, None)  # queued behind the pause
    run.treadmill(BeltStartedByUser(run.now))
    run.command(Command.PAUSE, CommandSource.LOCAL, None)
    assert run.state == RunState.PAUSED
    run.answer(Answer.TAKEN)  # the first pause: what comes next is the second, not a resume
    assert run.pending == Write(WriteOp.PAUSE)


@pytest.mark.parametrize(
    "stop", [BeltStoppedByUser(0.0, paused=False), SafetyKeyPulled(0.0)], ids=["console", "key"]
)
def test_a_resume_asked_before_a_stop_at_the_treadmill_is_void(
    stop: BeltStoppedByUser | SafetyKeyPulled,
) -> None:
    """Found by the machine: resume pressed while the pause was still being written, then
    the belt stopped on the console (or the key pulled): only the runner there resumes."""
    run = _running()
    run.command(Command.PAUSE, CommandSource.LOCAL, None)
    run.command(Command.RESUME, CommandSource.LOCAL, None)  # queued behind the pause
    run.treadmill(stop)
    run.answer(Answer.TAKEN)  # the pause
    assert run.pending is None
    run.command(Command.RESUME, CommandSource.REMOTE, None)  # nor from away
    assert run.pending is None
    run.command(Command.RESUME, CommandSource.LOCAL, None)
    assert run.pending == Write(WriteOp.RESUME)


def test_a_pause_still_queued_when_the_runner_restarts_the_belt_is_dropped() -> None:
    """A pause pressed while a speed was being written, then the belt restarted on the
    console: the run is running again, so the queued pause must not stop the belt."""
    run = _running()
    run.command(Command.NUDGE_UP, CommandSource.LOCAL, None)
    assert run.pending is not None and run.pending.op == WriteOp.SPEED
    run.command(Command.PAUSE, CommandSource.LOCAL, None)  # queued behind the speed
    run.treadmill(BeltStartedByUser(run.now))
    assert run.state == RunState.RUNNING
    run.answer(Answer.TAKEN)  # the speed
    assert run.pending != Write(WriteOp.PAUSE)


def test_a_unit_fix_is_not_sent_when_even_the_slowest_setting_is_above_the_cap() -> None:
    """Found by the machine: a cap at the machine's minimum on a belt that runs 1.3x what it
    reports; the slowest command is then above the cap in true km/h, so none is sent."""
    run = _one_step(EngineConfig(countdown_s=0, max_speed_kmh=0.8), kmh=0.8, mph_liar=True)
    run.answer(Answer.TAKEN)  # control
    run.command(Command.START, CommandSource.LOCAL, None)
    run.answer(Answer.TAKEN)  # start
    run.answer(Answer.TAKEN)  # the first speed
    for _ in range(120):  # the unit check needs windows of >= 5 s and >= 10 m
        run.telemetry(1.0)
        if run.core.guided:
            break
    assert run.core.guided


@pytest.mark.parametrize(
    "stop", [BeltStoppedByUser(0.0, paused=False), SafetyKeyPulled(0.0)], ids=["console", "key"]
)
def test_a_stop_at_the_treadmill_while_paused_holds_the_run_for_the_runner_there(
    stop: BeltStoppedByUser | SafetyKeyPulled,
) -> None:
    """Found by the machine: the run paused from the terminal, then the belt stopped on the
    console (or the key pulled) while paused: a resume from away must not restart it."""
    run = _running()
    run.command(Command.PAUSE, CommandSource.LOCAL, None)
    run.answer(Answer.TAKEN)  # the pause
    assert run.state == RunState.PAUSED and run.pending is None
    run.treadmill(stop)
    run.command(Command.RESUME, CommandSource.REMOTE, None)
    assert run.pending is None
    run.command(Command.RESUME, CommandSource.LOCAL, None)
    assert run.pending == Write(WriteOp.RESUME)
