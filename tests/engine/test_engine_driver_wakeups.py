"""The engine's driver wakes for what changed, and never spins on one instant.

A core that asks again for the wake-up it was just given (a ramp's deadline a rounding
error ahead of the clock) once made the driver loop on `sleep(0)`: on a virtual clock
time stood still until the clock gave up waiting for a quiet loop, tens of thousands
of turns later; on a real clock a core was busy for nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.sim_engine import drive_to_end
from treadpace.base.clock import VirtualClock
from treadpace.engine import Engine, EngineConfig, EventHub
from treadpace.engine.messages import Input, TimePassed
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill


async def test_a_capped_sprint_then_a_ramp_is_driven_without_spinning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    told: list[float] = []
    feed = Engine._feed

    def counting(self: Engine, inp: Input) -> None:
        if isinstance(inp, TimePassed):
            told.append(self.clock.now())
        feed(self, inp)

    monkeypatch.setattr(Engine, "_feed", counting)
    plan = CompiledPlan(
        "capped",
        "custom",
        (
            CompiledStep("sprint", "time", 60, 30.0, incline_percent=25.0),
            CompiledStep("ramp", "time", 120, 12.0, end_speed_kmh=17.0),
        ),
    )
    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    config = EngineConfig(countdown_s=0, max_speed_kmh=15.55, max_incline_percent=6.0)
    engine = Engine(treadmill, plan, config, clock, EventHub())
    result = await drive_to_end(engine, sim, treadmill, clock)
    assert result.elapsed_s == pytest.approx(180, abs=2)
    # a wake-up per ramp step and step end, never a loop on one instant
    repeats: dict[Any, int] = {}
    for t in told:
        repeats[t] = repeats.get(t, 0) + 1
    assert max(repeats.values()) <= 2, max(repeats.items(), key=lambda kv: kv[1])
    assert len(told) < 500
