"""A treadmill whose speed fields carry mph (`mph-wire`): found, slowed down, guided.

The simulator's belt log holds the true belt speed in km/h; every assertion here
reads it, not the engine's view.
"""

from __future__ import annotations

import pytest

from tests.sim_engine import plan, run_sim
from treadpace.engine import EngineConfig, RunState
from treadpace.engine.causes import Departure, GuidedCause
from treadpace.engine.events import Notice, Tick
from treadpace.plans.steps import CompiledStep

PROFILE_MAX = 5.5


async def test_mph_wire_belt_is_brought_within_the_profile_max_and_the_run_is_guided() -> None:
    p = plan(CompiledStep("walk", "time", 120, 5.0), CompiledStep("brisk", "time", 90, 6.0))
    o = await run_sim(
        p, model="mph-wire", config=EngineConfig(countdown_s=0, max_speed_kmh=PROFILE_MAX)
    )
    r = o.result
    assert r.state == RunState.FINISHED
    assert r.guided_cause == GuidedCause.UNIT_MISMATCH
    assert Departure.GUIDED in r.departures
    loud = [e for e in o.events if isinstance(e, Notice) and e.level == "error"]
    assert loud and "mph" in loud[0].message and "stops commanding" in loud[0].message
    start = next(x.t for x in o.commands("start_or_resume") if x.r.get("result") == "success")
    found = loud[0].t - start
    assert found < 30  # within half a minute of the belt starting
    # From a few seconds after it is found, the true belt speed stays within the max,
    # and near step 1's 5.0 km/h (one 0.1 mph step below it at most).
    after = [x for x in o.belts() if loud[0].t + 5 < x.t < o.commands("stop_or_pause")[-1].t]
    true = [float(x.r["speed_kmh"]) for x in after]  # type: ignore[arg-type]
    assert true and max(true) <= PROFILE_MAX
    assert min(true) >= 5.0 - 0.17 and max(true) <= 5.0 + 1e-6
    # Nothing commanded after that, and the live speed shown is the true one.
    corrective = [x for x in o.speeds() if x.t >= loud[0].t]
    assert len(corrective) <= 1
    ticks = [e for e in o.events if isinstance(e, Tick) and e.t > loud[0].t + 5]
    assert ticks and abs(ticks[-1].speed_kmh - true[-1]) < 0.2


@pytest.mark.parametrize(
    "model",
    ["generic", "mph-grid", "slow-belt", "split-records", "wide-range", "odometer-jump"],
)
async def test_belts_that_report_their_speed_truly_are_not_flagged(model: str) -> None:
    p = plan(CompiledStep("a", "time", 120, 5.0), CompiledStep("b", "distance", 600, 9.0))
    o = await run_sim(p, model=model)
    assert o.result.guided_cause is None
    assert not [e for e in o.events if isinstance(e, Notice) and e.level == "error"]


async def test_after_the_mismatch_the_targets_shown_are_true_speeds_within_the_true_range() -> None:
    # The wire's range says 0.6-3.8 "km/h"; the belt really tops out at 3.8 mph = 6.12 km/h.
    # Guided mode must ask for what the machine can really do, not for the wire's number.
    p = plan(CompiledStep("walk", "time", 120, 5.0), CompiledStep("run", "time", 120, 9.0))
    o = await run_sim(p, model="mph-wire", config=EngineConfig(countdown_s=0, max_speed_kmh=12))
    assert o.result.guided_cause == GuidedCause.UNIT_MISMATCH
    shown = {round(e.target_speed_kmh, 2) for e in o.events if isinstance(e, Tick) and e.t > 150}
    assert shown == {6.12}  # 9 km/h asked of a belt whose true maximum is 6.12 km/h
