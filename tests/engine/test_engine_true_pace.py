"""True pace on the simulator: a belt that runs slow, calibrated, runs the plan's true pace.

The plans here are short (three 2-minute steps, a time and a distance kind) so the
suite stays fast; `benchmarks/true_pace.py` plays the shipped thirds and each-mile-
faster plans on every shipped model and prints the same figures.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.true_pace_runs import calibrate_on, true_run, with_truth
from treadpace.engine.true_pace import TruePaceConfig
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace_sim.truth import TrueSpeed

ROUTINE = (8.0, 10.0, 12.0, 14.0)


def _progression(kind: str) -> CompiledPlan:
    """Three steps a little faster each: 120 s each, or 400 m each."""
    amount = 120.0 if kind == "time" else 400.0
    steps = tuple(
        CompiledStep(f"part {i + 1}", kind, amount, v)  # type: ignore[arg-type]
        for i, v in enumerate((9.0, 10.2, 11.4))
    )
    return CompiledPlan(name="progression", kind="custom", steps=steps)


def _slower(truth: TrueSpeed, percent: float) -> TrueSpeed:
    return replace(truth, error_points=tuple((v, e - percent) for v, e in truth.error_points))


@pytest.mark.parametrize("kind", ["time", "distance"])
async def test_a_calibrated_belt_runs_each_step_within_one_percent(kind: str) -> None:
    model = with_truth("generic")
    cal = calibrate_on(model, ROUTINE)
    before = await true_run(model, _progression(kind), TruePaceConfig(trim=False))
    after = await true_run(model, _progression(kind), TruePaceConfig(cal, trim=False))
    assert before.worst() > 4.0  # the belt's hidden error, uncorrected
    assert after.worst() < 1.0


async def test_a_live_footpod_trims_what_an_old_calibration_missed() -> None:
    old = calibrate_on(with_truth("generic"), ROUTINE)
    # The belt has run 3 % slower since it was calibrated: the pod must find it.
    drifted = with_truth("generic", truth=_slower(with_truth("generic").belt.truth, 3.0))
    plan = CompiledPlan("steady", "custom", (CompiledStep("steady", "time", 900.0, 10.0),))
    plain = await true_run(drifted, plan, TruePaceConfig(old, trim=False), footpod=True)
    trimmed = await true_run(drifted, plan, TruePaceConfig(old), footpod=True)
    assert plain.worst() > 2.5
    assert trimmed.trims > 0
    assert trimmed.worst() < plain.worst() / 2
