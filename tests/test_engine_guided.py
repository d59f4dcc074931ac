"""Guided mode as the runner meets it: what the prompts ask for, and what the run says after."""

from __future__ import annotations

import pytest

from ftms_sim.treadmill import SimulatedTreadmill
from test_engine_sim import run_sim
from treadpace.clock import VirtualClock
from treadpace.engine import Engine, RunState
from treadpace.engine.events import Notice
from treadpace.plans.steps import CompiledPlan, CompiledStep


def _plan(*steps: CompiledStep) -> CompiledPlan:
    return CompiledPlan(name="guided test", kind="custom", steps=steps)


async def _press_start(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
    await clock.sleep(5)
    sim.press_start()


@pytest.mark.parametrize("model", ["read-only", "locked"])
async def test_the_start_prompt_asks_for_step_one_not_the_machine_minimum(model: str) -> None:
    p = _plan(CompiledStep("easy", "time", 30, 10.0), CompiledStep("on", "time", 30, 12.0))
    o = await run_sim(p, model=model, script=_press_start)
    assert o.result.state == RunState.FINISHED
    prompts = [
        e.message for e in o.events if isinstance(e, Notice) and "start the belt" in e.message
    ]
    assert prompts, "no start prompt in guided mode"
    assert "set 10.0 km/h" in prompts[0]
    assert "0.8 km/h" not in prompts[0]
