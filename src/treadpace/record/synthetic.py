"""A hand-built event stream shaped like the engine's, for tests, benchmarks and demos.

It lets the recording side be exercised without a treadmill, a simulator or
the engine: the speed follows each step's target with a small lag, heart
rate drifts up with effort, an optional pause stops the plan clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from treadpace.clock import VIRTUAL_EPOCH
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
from treadpace.plans.steps import CompiledStep
from treadpace.plans.zones import zone_of

DEFAULT_STEPS = (
    CompiledStep("warm-up", "time", 120.0, 9.0, pace_label="easy"),
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
    start_wall: float = VIRTUAL_EPOCH + 7 * 3600 + 30 * 60


def synthetic_events(run: SyntheticRun = SyntheticRun()) -> list[EngineEvent]:
    """Every event of one run, in publication order."""
    dt = 1.0 / run.hz
    events: list[EngineEvent] = [
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
        ),
        StateChanged(0.0, RunState.COUNTDOWN, RunState.READY),
        StateChanged(3.0, RunState.RUNNING, RunState.COUNTDOWN),
    ]
    t = 3.0
    plan_t = 0.0
    distance = 0.0
    speed = 0.0
    energy = 0.0
    summaries: list[StepSummary] = []
    paused_done = False
    aborted = False
    total_plan = sum(s.planned_time_s for s in run.steps)
    for index, step in enumerate(run.steps):
        events.append(StepStarted(t, index, step, len(run.steps)))
        step_t = 0.0
        step_d = 0.0
        while True:
            fraction = step_t / step.amount if step.kind == "time" else step_d / step.amount
            if fraction >= 1.0:
                break
            if run.stop_after_s is not None and plan_t >= run.stop_after_s:
                aborted = True
                break
            if run.pause_at_s is not None and not paused_done and plan_t >= run.pause_at_s:
                paused_done = True
                events.append(StateChanged(t, RunState.PAUSED, RunState.RUNNING, "user pause"))
                pause_end = t + run.pause_s
                while t < pause_end:
                    t += dt
                    speed = max(0.0, speed - 4.0 * dt)
                    events.append(
                        _tick(
                            run,
                            t,
                            RunState.PAUSED,
                            index,
                            step,
                            speed,
                            step.target_at(fraction),
                            distance,
                            plan_t,
                            step_t,
                            step_d,
                            total_plan,
                            energy,
                        )
                    )
                events.append(StateChanged(t, RunState.RUNNING, RunState.PAUSED, "resume"))
            target = step.target_at(fraction)
            # The belt follows the target at about 1 km/h per second.
            speed += max(-1.0 * dt, min(1.0 * dt, target - speed))
            t += dt
            plan_t += dt
            step_t += dt
            advance = speed / 3.6 * dt
            distance += advance
            step_d += advance
            energy += speed * 0.02 * dt
            events.append(
                _tick(
                    run,
                    t,
                    RunState.RUNNING,
                    index,
                    step,
                    speed,
                    target,
                    distance,
                    plan_t,
                    step_t,
                    step_d,
                    total_plan,
                    energy,
                )
            )
        avg = step_d / step_t * 3.6 if step_t > 0 else 0.0
        events.append(StepFinished(t, index, step, step_t, step_d, skipped=aborted))
        summaries.append(
            StepSummary(index, step.name, step.mean_speed_kmh, avg, step_d, step_t, aborted)
        )
        if aborted:
            break
    state = RunState.ABORTED if aborted else RunState.FINISHED
    events.append(
        StateChanged(t, state, RunState.RUNNING, "stopped" if aborted else "plan complete")
    )
    events.append(
        RunFinished(
            t=t,
            wall=run.start_wall + t,
            state=state,
            reason="stopped by the runner" if aborted else "plan complete",
            distance_m=distance,
            elapsed_s=plan_t,
            steps=tuple(summaries),
        )
    )
    return events


def _tick(
    run: SyntheticRun,
    t: float,
    state: RunState,
    index: int,
    step: CompiledStep,
    speed: float,
    target: float,
    distance: float,
    plan_t: float,
    step_t: float,
    step_d: float,
    total_plan: float,
    energy: float,
) -> Tick:
    remaining = step.amount - (step_t if step.kind == "time" else step_d)
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
        distance_m=distance,
        elapsed_s=plan_t,
        step_elapsed_s=step_t,
        step_distance_m=step_d,
        step_remaining=max(0.0, remaining),
        progress=min(1.0, plan_t / total_plan) if total_plan > 0 else 0.0,
        energy_kcal=energy,
        hr_zone=None if hr is None or run.zones is None else zone_of(hr, run.zones),
    )
