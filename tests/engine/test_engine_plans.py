"""Every shipped plan, compiled for the default runner, through the simulator.

Checks the accuracy promises of DESIGN.md against the simulator's own record of
each Control Point write: a step that ends on time gets its new speed within
0.1 s of the plan, a step that ends on distance within 1 m of belt distance.
The expected boundaries are walked from the belt itself (time of a distance
step's end = when the belt really covered it), so errors cannot hide in the
engine's own bookkeeping.
"""

from __future__ import annotations

import bisect
from pathlib import Path

import pytest

from tests.sim_engine import Outcome, Record, run_sim
from tests.where import ROOT
from treadpace.engine import EngineConfig, RunState
from treadpace.engine.setpoint import Grid
from treadpace.engine.true_pace import TruePaceConfig
from treadpace.library import load_and_compile

PLANS = sorted((ROOT / "configs" / "plans").glob("*.yaml"))


class BeltTrace:
    """Belt distance over time, from the commands (exact) and the 1 Hz belt log."""

    def __init__(self, o: Outcome) -> None:
        points = sorted(
            [(x.t, x.belt_m) for x in o.records if x.r.get("event") == "command"]
            + [
                (x.t, float(x.r["distance_m"]))  # type: ignore[arg-type]
                for x in o.belts()
                if not x.r.get("projected")
            ]
        )
        self.t = [p[0] for p in points]
        self.m = [p[1] for p in points]

    def at(self, t: float) -> float:
        i = bisect.bisect_left(self.t, t)
        if i <= 0:
            return self.m[0]
        if i >= len(self.t):
            return self.m[-1]
        t0, t1, m0, m1 = self.t[i - 1], self.t[i], self.m[i - 1], self.m[i]
        return m0 if t1 == t0 else m0 + (m1 - m0) * (t - t0) / (t1 - t0)

    def when(self, metres: float) -> float:
        i = bisect.bisect_left(self.m, metres)
        t0, t1, m0, m1 = self.t[i - 1], self.t[i], self.m[i - 1], self.m[i]
        return t0 + (t1 - t0) * (metres - m0) / (m1 - m0)


@pytest.mark.parametrize("path", PLANS, ids=[p.stem for p in PLANS])
async def test_shipped_plan_finishes_with_accurate_step_changes(path: Path) -> None:
    plan, profile = load_and_compile(str(path), None)
    # Changes on the plan clock, to the tenth of a second: no belt-lag lead here.
    exact = TruePaceConfig()
    config = EngineConfig.from_profile(profile, countdown_s=0, true_pace=exact)
    o = await run_sim(plan, config=config)
    assert o.result.state == RunState.FINISHED
    assert [s.index for s in o.result.steps] == list(range(len(plan.steps)))
    grid = Grid.build(0.8, 20.0, 0.1, profile.max_speed_kmh, 100)  # the generic model
    speeds = o.speeds()
    trace = BeltTrace(o)
    start = next(x for x in o.commands("start_or_resume"))
    t, m = start.t, start.belt_m
    checked = 0
    for i, step in enumerate(plan.steps):
        if step.kind == "time":
            t_end = t + step.amount
            m_end = trace.at(t_end)
        else:
            m_end = m + step.amount
            t_end = trace.when(m_end)
        if i + 1 < len(plan.steps):
            nxt = plan.steps[i + 1]
            last = step.end_speed_kmh if step.end_speed_kmh is not None else step.speed_kmh
            if grid.quantise(nxt.speed_kmh) != grid.quantise(last):
                first: Record = next(x for x in speeds if x.t >= t_end - 0.5)
                assert first.r["speed_kmh"] == pytest.approx(grid.quantise(nxt.speed_kmh))
                if step.kind == "time":
                    assert abs(first.t - t_end) < 0.1, (step.name, first.t, t_end)
                else:
                    assert abs(first.belt_m - m_end) < 1.0, (step.name, first.belt_m, m_end)
                checked += 1
        t, m = t_end, m_end
    stop = o.commands("stop_or_pause")[-1]
    last_step = plan.steps[-1]
    if last_step.kind == "time":
        assert abs(stop.t - t) < 0.1
    else:
        assert abs(stop.belt_m - m) < 1.0
    assert checked == sum(
        1
        for a, b in zip(plan.steps, plan.steps[1:], strict=False)
        if grid.quantise(b.speed_kmh)
        != grid.quantise(a.end_speed_kmh if a.end_speed_kmh is not None else a.speed_kmh)
    )
