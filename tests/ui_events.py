"""The events of one made-up run, for the tests of what shows a run (terminal, page).

`STEPS` is its plan (a time warm-up, two miles at a pace); `started()`, `tick(t, ...)`
and `finished()` are its `RunStarted`, a `Tick` at `t` (any field overridden) and its
`RunFinished`, with the second mile never reached.
"""

from __future__ import annotations

from treadpace.engine.events import RunFinished, RunStarted, RunState, StepSummary, Tick
from treadpace.plans.steps import CompiledStep

STEPS = (
    CompiledStep("warm-up", "time", 600, 9.0),
    CompiledStep("mile 1", "distance", 1609.344, 10.9091, pace_label="marathon"),
    CompiledStep("mile 2", "distance", 1609.344, 12.0),
)


def started(imperial: bool = False) -> RunStarted:
    return RunStarted(0.0, 1e9, "thirds", "thirds", "p.yaml", STEPS, imperial, "simulator:generic")


def tick(t: float, **kw: object) -> Tick:
    base: dict[str, object] = dict(
        t=t,
        wall=1e9 + t,
        state=RunState.RUNNING,
        step_index=1,
        step_name="mile 1",
        speed_kmh=10.9,
        target_speed_kmh=10.9,
        incline_percent=1.0,
        target_incline_percent=1.0,
        heart_rate_bpm=150,
        distance_m=2000.0,
        elapsed_s=t,
        step_elapsed_s=100.0,
        step_distance_m=300.0,
        step_remaining=1309.344,
        progress=0.42,
    )
    base.update(kw)
    return Tick(**base)  # type: ignore[arg-type]


def finished() -> RunFinished:
    return RunFinished(
        1200.0,
        1e9 + 1200,
        RunState.FINISHED,
        "plan complete",
        3218.7,
        1200.0,
        (
            StepSummary(0, "warm-up", 9.0, 8.9, 1483.3, 600.0, False),
            StepSummary(1, "mile 1", 10.9091, 10.85, 1609.3, 534.0, False),
            StepSummary(2, "mile 2", 12.0, 0.0, 0.0, 0.0, True),
        ),
    )
