"""Control-point writes lost in transport: retried within bounds, never taken for a refusal.

Against the software treadmill (virtual clock), with the `refuse_write` fault: an ATT
error on a Control Point write says nothing about what the machine wants, unlike a
`05` (control not permitted) answer.
"""

from __future__ import annotations

import itertools

from tests.sim_engine import Outcome, Script, plan, run_sim
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, RunState
from treadpace.engine.events import Notice
from treadpace.plans.steps import CompiledStep
from treadpace_sim.faults import Fault
from treadpace_sim.treadmill import SimulatedTreadmill

STEPS = (CompiledStep("a", "time", 60, 9.0), CompiledStep("b", "time", 60, 10.0))


def refusing(op: str, count: int, *, stop_after: float | None = None) -> Script:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        sim.apply(Fault(0, "refuse_write", op=op, count=count))
        if stop_after is not None:  # a guided run waits for the runner: end it
            await clock.sleep(stop_after)
            await engine.command(Command.STOP)

    return script


async def stop_at(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
    await clock.sleep(30)
    await engine.command(Command.STOP)


def results(o: Outcome, op: str) -> list[object]:
    return [x.r.get("result") for x in o.commands(op)]


async def test_one_failed_request_control_write_is_retried_not_guided() -> None:
    o = await run_sim(plan(*STEPS), script=refusing("request_control", 1, stop_after=300))
    assert results(o, "request_control") == ["att_error_0x80", "success"]
    assert not o.engine.guided
    assert o.result.state == RunState.FINISHED
    assert [round(float(x.r["speed_kmh"]), 1) for x in o.speeds()] == [9.0, 10.0]  # type: ignore[arg-type]


async def test_request_control_retries_back_off_on_the_clock() -> None:
    o = await run_sim(plan(*STEPS), script=refusing("request_control", 3, stop_after=300))
    tries = [x.t for x in o.commands("request_control")]
    assert results(o, "request_control") == ["att_error_0x80"] * 3 + ["success"]
    gaps = [round(b - a, 2) for a, b in itertools.pairwise(tries)]
    assert gaps == [0.5, 1.0, 2.0]
    assert not o.engine.guided


async def test_request_control_that_never_gets_through_is_bounded_and_said() -> None:
    o = await run_sim(plan(*STEPS), script=refusing("request_control", 100, stop_after=30))
    assert results(o, "request_control") == ["att_error_0x80"] * 4  # bounded
    assert o.engine.guided
    notices = [e.message for e in o.events if isinstance(e, Notice)]
    assert any("could not ask the treadmill for control" in m for m in notices)
    assert not any("refused control" in m for m in notices)  # it never said no
    assert o.sim.belt.speed_kmh == 0.0  # guided: treadpace never started the belt


async def test_control_not_permitted_is_still_a_refusal_at_once() -> None:
    o = await run_sim(plan(*STEPS), model="locked", script=stop_at)
    assert results(o, "request_control") == ["control_not_permitted"]
    assert o.engine.guided
