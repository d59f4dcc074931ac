"""The stop at the end of a run: our own Stop's echo is not the runner's, and it is confirmed.

Against the software treadmill on the virtual clock. `echo-status` is the model of
the many consoles that notify the sender of a command with its Machine Status
(`02 01` after our Stop); `refuse_write` and `control_point_silent` are the faults
of a stop that does not get through.
"""

from __future__ import annotations

from ftms_sim.treadmill import SimulatedTreadmill
from test_engine_sim import Outcome, plan, run_sim
from treadpace.clock import VirtualClock
from treadpace.engine import Command, Engine, RunState
from treadpace.engine.events import Notice, StateChanged
from treadpace.plans.steps import CompiledStep

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
