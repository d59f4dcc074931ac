"""What becomes of a Start that is not answered with a plain yes or no.

A Start with no answer may have set the belt moving: the run ends as a failure and
the belt is stopped, confirmed by the belt (safety rule 4). A Start that failed in
transport never reached the machine: the run ends the same way, with nothing to stop.
(A refused Start is guided mode: `test_engine_guided.py`.)
"""

from __future__ import annotations

import asyncio

from test_engine_core import plan
from test_engine_fakes import FakeTreadmill
from treadpace.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunFinished, RunState
from treadpace.engine.outcome import EndCause
from treadpace.plans.steps import CompiledStep
from treadpace.treadmill.port import ControlTimeout, TreadmillError

STEPS = plan(CompiledStep("a", "time", 60, 10.0))


class StartNoAnswer(FakeTreadmill):
    """The belt starts, but the answer to Start never comes."""

    async def start(self) -> None:
        await super().start()
        raise ControlTimeout("start: no answer within 5 s")


class StartNotSent(FakeTreadmill):
    """Start fails in transport: the machine never saw it."""

    async def start(self) -> None:
        raise TreadmillError("start: ATT error 0x0e")


async def run_with(tm: FakeTreadmill, clock: VirtualClock) -> RunFinished:
    engine = Engine(tm, STEPS, EngineConfig(countdown_s=0), clock, EventHub())

    async def go() -> RunFinished:
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        await clock.sleep(20)  # the belt stands still by now
        result = await task
        await tm.disconnect()
        return result

    return await clock.drive(go())


async def test_a_start_with_no_answer_ends_the_run_and_stops_the_belt_it_may_have_started() -> None:
    clock = VirtualClock()
    tm = StartNoAnswer(clock)
    result = await run_with(tm, clock)
    assert result.state == RunState.ABORTED
    assert result.end_cause == EndCause.FAILED
    assert "no answer" in result.reason
    assert "stop" in [c.op for c in tm.commands]
    assert not tm.running


async def test_a_start_that_never_reached_the_machine_ends_the_run_with_nothing_to_stop() -> None:
    clock = VirtualClock()
    tm = StartNotSent(clock)
    result = await run_with(tm, clock)
    assert result.state == RunState.ABORTED
    assert result.end_cause == EndCause.FAILED
    assert not [c for c in tm.commands if c.op in ("stop", "set_speed", "start")]
