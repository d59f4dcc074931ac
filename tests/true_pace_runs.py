"""Play a plan on a simulated belt with a hidden error and measure the runner's true pace.

The simulator knows the truth (`Belt.true_speed_kmh`); the engine does not. Each
second of plan time this samples the truth, and the result is every step's mean
true speed against its target: what docs/true-pace.md promises, measured. Shared
by the tests and `benchmarks/true_pace.py`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass

from tests.sim_engine import drive_to_end
from treadpace.base.clock import VirtualClock
from treadpace.engine import Engine, EngineConfig, EventHub
from treadpace.engine.events import RunState
from treadpace.engine.true_pace import TruePaceConfig
from treadpace.library import load_and_compile
from treadpace.plans.steps import CompiledPlan
from treadpace.treadmill.footpod import SimFootpod
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace.treadmill.true_speed import Calibration, Sample, fit, settled_windows
from treadpace_sim.belt import Belt
from treadpace_sim.model import TreadmillModel, load_model
from treadpace_sim.runner_footpod import Footpod, FootpodSpec
from treadpace_sim.treadmill import SimulatedTreadmill
from treadpace_sim.truth import TrueSpeed

SLOW = TrueSpeed(error_points=((8.0, -7.0), (14.0, -3.0)))
"""The issue's belt: 7 % slow at 8 km/h, 3 % slow at 14 km/h."""


def with_truth(model: str, truth: TrueSpeed = SLOW, pod: bool = True) -> TreadmillModel:
    """A shipped model given a hidden error (and a footpod on the runner)."""
    m = load_model(model)
    spec = FootpodSpec() if pod else None
    return dataclasses.replace(m, belt=dataclasses.replace(m.belt, truth=truth), footpod=spec)


def calibrate_on(model: TreadmillModel, speeds: tuple[float, ...]) -> Calibration:
    """The routine of `treadpace calibrate`, played on the belt alone: 90 s a speed."""
    assert model.footpod is not None
    belt, pod = Belt(model.belt), Footpod(model.footpod)
    belt.start()
    samples: list[Sample] = []
    t = 0.0
    for kmh in speeds:
        belt.set_target_speed(model.snap_speed(kmh))
        for _ in range(90):
            belt.advance(1.0)
            t += 1.0
            pod.follow(t, belt.true_distance_m, belt.true_speed_kmh, belt.cadence_spm())
            r = pod.measurement()
            samples.append(Sample(t, belt.speed_kmh, None if r is None else r.speed_mps * 3.6))
    return fit(settled_windows(samples, model.belt.speed_increment_kmh))


@dataclass(frozen=True)
class StepError:
    index: int
    name: str
    seconds: float
    target_kmh: float
    true_kmh: float

    @property
    def percent(self) -> float:
        return (self.true_kmh / self.target_kmh - 1.0) * 100.0


@dataclass(frozen=True)
class TrueRun:
    steps: tuple[StepError, ...]
    trims: int
    engine: Engine

    def worst(self, min_s: float = 60.0) -> float:
        return max((abs(s.percent) for s in self.steps if s.seconds >= min_s), default=0.0)


def plan_for(name: str) -> CompiledPlan:
    compiled, _ = load_and_compile(name, None)
    return compiled


async def true_run(
    model: TreadmillModel,
    compiled: CompiledPlan,
    true_pace: TruePaceConfig,
    *,
    footpod: bool = False,
) -> TrueRun:
    """Run `compiled` and measure each step's mean true speed after the belt first got there."""
    clock = VirtualClock()
    sim = SimulatedTreadmill(model, clock)
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    if footpod:
        treadmill.attach_footpod(SimFootpod(sim, clock).readings())
    hub = EventHub()
    config = EngineConfig(countdown_s=0, max_speed_kmh=20.0, true_pace=true_pace)
    engine = Engine(treadmill, compiled, config, clock, hub)
    sums: dict[int, list[float]] = {}

    async def sample() -> None:
        while True:
            await clock.sleep(1.0)
            core, belt = engine.core, sim.belt
            if core.state == RunState.RUNNING and core.step is not None and belt.speed_kmh > 0:
                sums.setdefault(core.index, []).append(belt.true_speed_kmh)

    tasks: list[asyncio.Task[None]] = []

    async def start_sampling() -> None:
        tasks.append(asyncio.create_task(sample(), name="true-pace-sampler"))

    await drive_to_end(engine, sim, treadmill, clock, script=start_sampling)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    steps = tuple(_step_errors(compiled, sums))
    return TrueRun(steps, engine.core.policy.true.trims, engine)


def _step_errors(compiled: CompiledPlan, sums: dict[int, list[float]]) -> list[StepError]:
    out: list[StepError] = []
    for i, step in enumerate(compiled.steps):
        speeds = sums.get(i, [])
        if step.is_ramp or not speeds:
            continue
        # The start from standstill cannot be anticipated (the belt starts only when the
        # runner asks): the first step is measured from when the belt reached its speed.
        if i == 0:
            reached = next((k for k, v in enumerate(speeds) if v >= 0.97 * step.speed_kmh), 0)
            speeds = speeds[reached:]
        out.append(StepError(i, step.name, float(len(speeds)), step.speed_kmh,
                             sum(speeds) / len(speeds)))
    return out
