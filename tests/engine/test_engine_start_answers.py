"""What becomes of a Start that is not answered with a plain yes or no.

A Start with no answer may have set the belt moving: the run ends as a failure and
the belt is stopped, confirmed by the belt (safety rule 4). A Start that failed in
transport never reached the machine: the run ends the same way, with nothing to stop.
(A refused Start is guided mode: `test_engine_guided.py`.) Each is shown on a fake
treadmill and again on the simulated one, with the fault a real machine would have.
"""

from __future__ import annotations

import asyncio

from tests.fake_treadmill import FakeTreadmill
from tests.sim_engine import drive_to_end, plan
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunFinished, RunState
from treadpace.engine.causes import EndCause
from treadpace.plans.steps import CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import ControlTimeout, TreadmillError
from treadpace.treadmill.sim import SimLink
from treadpace_sim.faults import Fault
from treadpace_sim.treadmill import SimulatedTreadmill

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


async def run_on_the_simulator(fault: Fault) -> tuple[RunFinished, list[float], bool]:
    """The same run on the simulated treadmill with `fault` from the start: the result,
    every belt speed the simulator logged, and whether the stop was left unconfirmed."""
    clock = VirtualClock()
    belt: list[float] = []

    def observe(_t: float, r: dict[str, object]) -> None:
        if r.get("event") == "belt":
            belt.append(float(r["speed_kmh"]))  # type: ignore[arg-type]

    sim = SimulatedTreadmill("generic", clock, faults=[fault], observers=[observe])
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    engine = Engine(treadmill, STEPS, EngineConfig(countdown_s=0), clock, EventHub())

    result = await drive_to_end(engine, sim, treadmill, clock)
    return result, belt, engine.belt_left_running


async def test_a_start_the_machine_swallows_ends_the_run_with_the_standing_belt_confirmed() -> None:
    # Accepted, neither acted on nor answered: the Start timed out; the stop that follows
    # is judged by the belt, which reports 0 km/h.
    result, belt, left_running = await run_on_the_simulator(
        Fault(0, "control_point_silent", duration=60)
    )
    assert result.state == RunState.ABORTED and result.end_cause == EndCause.FAILED
    assert max(belt, default=0.0) == 0.0
    assert not left_running


async def test_a_start_refused_in_transport_every_time_ends_the_run_and_never_moves_the_belt() -> (
    None
):
    result, belt, left_running = await run_on_the_simulator(
        Fault(0, "refuse_write", op="start_or_resume", count=10)
    )
    assert result.state == RunState.ABORTED and result.end_cause == EndCause.FAILED
    assert max(belt, default=0.0) == 0.0
    assert not left_running
