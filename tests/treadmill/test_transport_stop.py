"""The stop at the end of a run: our own Stop's echo is not the runner's, and it is confirmed.

Against the software treadmill on the virtual clock. `echo-status` is the model of
the many consoles that notify the sender of a command with its Machine Status
(`02 01` after our Stop); `refuse_write` and `control_point_silent` are the faults
of a stop that does not get through.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.sim_engine import Outcome, Record, plan, run_sim
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunFinished, RunState
from treadpace.engine.causes import NOT_CONFIRMED, GuidedCause
from treadpace.engine.events import Notice, StateChanged
from treadpace.plans.steps import CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.faults import Fault
from treadpace_sim.treadmill import SimulatedTreadmill

STEPS = (CompiledStep("a", "time", 60, 9.0), CompiledStep("b", "time", 60, 10.0))


def states(o: Outcome) -> list[tuple[RunState, str]]:
    return [(e.state, e.reason) for e in o.events if isinstance(e, StateChanged)]


def notices(o: Outcome) -> list[str]:
    return [e.message for e in o.events if isinstance(e, Notice)]


async def until(clock: VirtualClock, condition: object, limit: float = 300) -> None:
    end = clock.now() + limit
    while not condition():  # type: ignore[operator]
        assert clock.now() < end, "condition not reached"
        await clock.sleep(0.5)


async def test_our_own_stop_echoed_does_not_pause_the_end_of_the_run() -> None:
    o = await run_sim(plan(*STEPS), model="echo-status")
    assert o.result.state == RunState.FINISHED and o.result.reason == "plan complete"
    assert RunState.PAUSED not in [s for s, _ in states(o)]
    assert not any("on the treadmill" in m for m in notices(o))
    assert o.sim.belt.speed_kmh == 0.0


async def test_a_console_stop_on_an_echoing_machine_still_pauses() -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(30)
        sim.press_stop()
        await until(clock, lambda: engine.state == RunState.PAUSED)
        await engine.command(Command.STOP)

    o = await run_sim(plan(*STEPS), model="echo-status", script=script)
    assert (RunState.PAUSED, "stopped on the treadmill") in states(o)


async def test_our_own_resume_echoed_is_not_a_console_start() -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(20)
        await engine.command(Command.PAUSE)
        await until(clock, lambda: sim.belt.speed_kmh == 0.0)
        await engine.command(Command.RESUME)

    o = await run_sim(plan(*STEPS), model="echo-status", script=script)
    reasons = [r for _, r in states(o)]
    assert "resumed by the runner" in reasons
    assert "resumed on the treadmill" not in reasons
    assert o.result.state == RunState.FINISHED


def stops(o: Outcome) -> list[object]:
    return [x.r.get("result") for x in o.commands("stop_or_pause")]


def ending(how: str, refusals: int):  # type: ignore[no-untyped-def]
    """End the run `how` (the plan's end, `q`, a signal, an exception) with Stop refused."""

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        sim.apply(Fault(0, "refuse_write", op="stop_or_pause", count=refusals))
        if how == "finish":
            return
        await clock.sleep(40)
        if how == "q":
            await engine.command(Command.STOP)
        elif how == "signal":
            engine.abort("interrupted (SIGTERM)")
        else:

            def broken(plan_now: float, run_m: float) -> None:
                raise RuntimeError("a bug in a step boundary")

            engine.core.run.cursor.crossing = broken  # type: ignore[method-assign]
            await clock.sleep(2)  # the next reading meets it

    return script


EXITS = ["finish", "q", "signal", "exception"]


async def run_ending_tolerant(how: str, refusals: int) -> Outcome:
    """`run_sim`, except that an engine that ends with an exception still gives an outcome."""
    clock = VirtualClock()
    records: list[Record] = []
    sim = SimulatedTreadmill(
        "generic", clock, observers=[lambda t, r: records.append(Record(t, r, 0.0))]
    )
    hub = EventHub()
    sub = hub.subscribe()
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    engine = Engine(treadmill, plan(*STEPS), EngineConfig(countdown_s=0), clock, hub)
    results: list[RunFinished] = []

    async def go() -> None:
        await sim.start()
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        await ending(how, refusals)(engine, sim, clock)
        try:
            results.append(await task)
        except RuntimeError:
            assert how == "exception"
        await treadmill.disconnect()
        await sim.close()

    await clock.drive(go())
    events = [e async for e in sub]
    finished = results[0] if results else next(e for e in events if isinstance(e, RunFinished))
    return Outcome(finished, records, events, sim, engine)


@pytest.mark.parametrize("how", EXITS)
async def test_a_refused_final_stop_is_retried_until_the_belt_stops(how: str) -> None:
    o = await run_ending_tolerant(how, refusals=2)
    assert stops(o)[:3] == ["att_error_0x80", "att_error_0x80", "success"]
    assert not o.engine.belt_left_running
    assert o.sim.belt.speed_kmh == 0.0
    assert any("could not stop the belt" in m for m in notices(o))  # said at once
    assert NOT_CONFIRMED not in notices(o)


@pytest.mark.parametrize("how", EXITS)
async def test_a_stop_that_never_gets_through_is_said_loudly_and_bounded(how: str) -> None:
    o = await run_ending_tolerant(how, refusals=10_000)
    assert o.engine.belt_left_running
    assert NOT_CONFIRMED in notices(o)
    assert o.sim.belt.speed_kmh > 5  # the simulator's belt really is still running
    tries = [x.t for x in o.commands("stop_or_pause")]
    assert 3 <= len(tries) <= 15  # retried, with backoff, within a bound
    assert tries[-1] - tries[0] <= 35


def silent_from(at: float, duration: float | None = None):  # type: ignore[no-untyped-def]
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(at)
        sim.control_point_silent(duration)

    return script


async def test_a_control_point_silent_for_good_is_not_plan_complete_nor_a_silent_belt() -> None:
    o = await run_sim(plan(*STEPS), script=silent_from(30))
    assert o.result.reason != "plan complete"
    assert "not answering" in o.result.reason
    assert o.engine.guided_cause == GuidedCause.CONTROL_SILENT
    assert o.result.guided_s > 0
    # The stop was tried again and again, then said loudly: the belt really runs on.
    assert len([r for r in stops(o) if r == "no_response"]) >= 3
    assert o.engine.belt_left_running and NOT_CONFIRMED in notices(o)
    assert o.sim.belt.speed_kmh == pytest.approx(9.0, abs=0.1)


async def test_a_control_point_that_comes_back_gets_the_belt_stopped() -> None:
    o = await run_sim(plan(*STEPS), script=silent_from(30, duration=100))
    assert o.engine.guided_cause == GuidedCause.CONTROL_SILENT
    assert o.result.reason != "plan complete"
    assert stops(o)[-1] == "success"  # retried until the machine listened again
    assert not o.engine.belt_left_running
    assert o.sim.belt.speed_kmh == 0.0
