"""A hand-built event stream shaped like the engine's, for tests, benchmarks and demos.

It lets the recording side be exercised without a treadmill, a simulator or
the engine: the speed follows each step's target with a small lag, heart
rate drifts up with effort, an optional pause stops the plan clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from treadpace.base.clock import VIRTUAL_EPOCH
from treadpace.engine.events import (
    EngineEvent,
    RunFinished,
    RunStarted,
    RunState,
    StateChanged,
    StepFinished,
    StepStarted,
    StepSummary,
    Tick,
)
from treadpace.plans.steps import CompiledStep, StepRole
from treadpace.plans.zones import zone_of

DEFAULT_STEPS = (
    CompiledStep("warm-up", "time", 120.0, 9.0, pace_label="easy", role=StepRole.WARMUP),
    CompiledStep("steady", "distance", 600.0, 11.0, incline_percent=1.0, pace_label="marathon"),
    CompiledStep("fast finish", "time", 90.0, 12.0, end_speed_kmh=13.5, pace_label="tempo"),
)


@dataclass(frozen=True)
class SyntheticRun:
    steps: tuple[CompiledStep, ...] = DEFAULT_STEPS
    plan_name: str = "Synthetic progression"
    hz: float = 2.0
    """Telemetry updates per second."""
    pause_at_s: float | None = None
    """Plan time at which the runner pauses for `pause_s` seconds."""
    pause_s: float = 20.0
    stop_after_s: float | None = None
    """Plan time at which the runner aborts the run (None: run to the end)."""
    heart_rate: bool = True
    zones: tuple[int, ...] | None = None
    """Heart-rate zone bounds to record each tick's zone by (None: no zones, as before)."""
    imperial: bool = False
    device: str = "simulator:generic"
    simulated: bool = True
    """Recorded as a simulated run, as the default device is (the journal's flag decides;
    the device name is only shown)."""
    start_wall: float = VIRTUAL_EPOCH + 7 * 3600 + 30 * 60


def synthetic_events(run: SyntheticRun = SyntheticRun()) -> list[EngineEvent]:
    """Every event of one run, in publication order."""
    sim = _Simulation(run, sum(s.planned_time_s for s in run.steps))
    sim.events += [
        StateChanged(0.0, RunState.READY, RunState.IDLE),
        RunStarted(
            t=0.0,
            wall=run.start_wall,
            plan_name=run.plan_name,
            plan_kind="custom",
            plan_source="plans/synthetic.yaml",
            steps=run.steps,
            imperial=run.imperial,
            device=run.device,
            simulated=run.simulated,
        ),
        StateChanged(0.0, RunState.COUNTDOWN, RunState.READY),
        StateChanged(3.0, RunState.RUNNING, RunState.COUNTDOWN),
    ]
    summaries: list[StepSummary] = []
    aborted = False
    for index, step in enumerate(run.steps):
        aborted = sim.run_step(index, step)
        summaries.append(sim.summary(index, step, aborted))
        if aborted:
            break
    t = sim.t
    state = RunState.ABORTED if aborted else RunState.FINISHED
    sim.events.append(
        StateChanged(t, state, RunState.RUNNING, "stopped" if aborted else "plan complete")
    )
    sim.events.append(
        RunFinished(
            t=t,
            wall=run.start_wall + t,
            state=state,
            reason="stopped by the runner" if aborted else "plan complete",
            distance_m=sim.distance,
            elapsed_s=sim.plan_t,
            steps=tuple(summaries),
        )
    )
    return sim.events


@dataclass
class _Simulation:
    """The runner and belt as the run goes: clocks, distance, speed, energy."""

    run: SyntheticRun
    total_plan: float
    events: list[EngineEvent] = field(default_factory=list)
    t: float = 3.0
    plan_t: float = 0.0
    distance: float = 0.0
    speed: float = 0.0
    energy: float = 0.0
    step_t: float = 0.0
    step_d: float = 0.0
    paused_done: bool = False

    def run_step(self, index: int, step: CompiledStep) -> bool:
        """One step from StepStarted to StepFinished; True if the runner aborted in it."""
        run = self.run
        dt = 1.0 / run.hz
        self.events.append(StepStarted(self.t, index, step, len(run.steps)))
        self.step_t = 0.0
        self.step_d = 0.0
        aborted = False
        while True:
            fraction = self._fraction(step)
            if fraction >= 1.0:
                break
            if run.stop_after_s is not None and self.plan_t >= run.stop_after_s:
                aborted = True
                break
            if (
                run.pause_at_s is not None
                and not self.paused_done
                and self.plan_t >= run.pause_at_s
            ):
                self._pause(index, step, fraction)
            target = step.target_at(fraction)
            # The belt follows the target at about 1 km/h per second.
            self.speed += max(-1.0 * dt, min(1.0 * dt, target - self.speed))
            self.t += dt
            self.plan_t += dt
            self.step_t += dt
            advance = self.speed / 3.6 * dt
            self.distance += advance
            self.step_d += advance
            self.energy += self.speed * 0.02 * dt
            self.events.append(self._tick(RunState.RUNNING, index, step, target))
        self.events.append(
            StepFinished(self.t, index, step, self.step_t, self.step_d, skipped=aborted)
        )
        return aborted

    def summary(self, index: int, step: CompiledStep, aborted: bool) -> StepSummary:
        """The step just run, as RunFinished lists it."""
        step_t, step_d = self.step_t, self.step_d
        avg = step_d / step_t * 3.6 if step_t > 0 else 0.0
        return StepSummary(index, step.name, step.mean_speed_kmh, avg, step_d, step_t, aborted)

    def _fraction(self, step: CompiledStep) -> float:
        return self.step_t / step.amount if step.kind == "time" else self.step_d / step.amount

    def _pause(self, index: int, step: CompiledStep, fraction: float) -> None:
        """The one pause: the belt runs down while the plan clock stands still."""
        dt = 1.0 / self.run.hz
        self.paused_done = True
        self.events.append(StateChanged(self.t, RunState.PAUSED, RunState.RUNNING, "user pause"))
        pause_end = self.t + self.run.pause_s
        while self.t < pause_end:
            self.t += dt
            self.speed = max(0.0, self.speed - 4.0 * dt)
            self.events.append(self._tick(RunState.PAUSED, index, step, step.target_at(fraction)))
        self.events.append(StateChanged(self.t, RunState.RUNNING, RunState.PAUSED, "resume"))

    def _tick(self, state: RunState, index: int, step: CompiledStep, target: float) -> Tick:
        run, t, speed, plan_t = self.run, self.t, self.speed, self.plan_t
        remaining = step.amount - (self.step_t if step.kind == "time" else self.step_d)
        hr = round(95 + 6.5 * speed + min(20.0, plan_t / 30.0)) if run.heart_rate else None
        return Tick(
            t=t,
            wall=run.start_wall + t,
            state=state,
            step_index=index,
            step_name=step.name,
            speed_kmh=round(speed, 2),
            target_speed_kmh=round(target, 2),
            incline_percent=step.incline_percent,
            target_incline_percent=step.incline_percent,
            heart_rate_bpm=hr,
            distance_m=self.distance,
            elapsed_s=plan_t,
            step_elapsed_s=self.step_t,
            step_distance_m=self.step_d,
            step_remaining=max(0.0, remaining),
            progress=min(1.0, plan_t / self.total_plan) if self.total_plan > 0 else 0.0,
            energy_kcal=self.energy,
            hr_zone=None if hr is None or run.zones is None else zone_of(hr, run.zones),
        )
