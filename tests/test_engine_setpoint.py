"""The setpoint path against the simulator: refused writes, console presses, odd status packets.

Each test reproduces what a runner met on a real machine (a refused write, a console
press, a garbage Machine Status) as a simulator fault, and checks that the run keeps
commanding the plan, never above the cap, and ends as what it was.
"""

from __future__ import annotations

from ftms_sim.faults import Fault
from ftms_sim.treadmill import SimulatedTreadmill
from test_engine_sim import Outcome, Script, plan, run_sim
from treadpace.clock import VirtualClock
from treadpace.engine import Engine, RunState
from treadpace.engine.events import Notice
from treadpace.plans.steps import CompiledStep


def _notices(o: Outcome, text: str) -> list[str]:
    return [e.message for e in o.events if isinstance(e, Notice) and text in e.message]


def _sent(o: Outcome) -> list[float]:
    return [float(x.r["speed_kmh"]) for x in o.speeds()]  # type: ignore[arg-type]


def _faults(*faults: Fault) -> Script:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        for fault in faults:
            sim.schedule(fault)

    return script


THREE = plan(
    CompiledStep("one", "time", 200, 9.0),
    CompiledStep("two", "time", 200, 10.0),
    CompiledStep("three", "time", 200, 11.0),
)


async def test_a_garbage_target_speed_status_is_skipped_not_an_offset() -> None:
    garbage = Fault(
        120, "garbage", "belt_start", characteristic="machine_status", data=bytes.fromhex("05ffff")
    )
    o = await run_sim(THREE, script=_faults(garbage))
    assert o.result.state == RunState.FINISHED and o.result.reason == "plan complete"
    assert not o.engine.guided
    assert not _notices(o, "console speed change")
    assert _sent(o)[-2:] == [10.0, 11.0]


async def test_a_garbage_target_incline_status_is_skipped() -> None:
    garbage = Fault(
        120, "garbage", "belt_start", characteristic="machine_status", data=bytes.fromhex("06ff7f")
    )
    p = plan(
        CompiledStep("one", "time", 200, 9.0, incline_percent=1.0),
        CompiledStep("two", "time", 200, 10.0, incline_percent=2.0),
    )
    o = await run_sim(p, script=_faults(garbage))
    inclines = [float(x.r["incline_percent"]) for x in o.commands("set_target_inclination")]  # type: ignore[arg-type]
    assert inclines == [1.0, 2.0]
    assert not o.engine.guided
