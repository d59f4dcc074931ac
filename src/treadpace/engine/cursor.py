"""Where the run is in the plan: the current step, where it began, when it ends.

The cursor knows the step's start on the plan clock and on the run's distance,
its extension (`+` time or distance), a pending skip, and the summaries of the
steps already closed. It decides when a step's boundary is crossed; the core
decides what that means (the next step, or the end of the plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from treadpace.engine.events import StepSummary

if TYPE_CHECKING:
    from treadpace.plans.steps import CompiledPlan, CompiledStep


@dataclass(frozen=True, slots=True)
class Crossing:
    """The current step ends: how long it ran, how far, and where the next one starts."""

    skipped: bool
    elapsed_s: float
    distance_m: float
    next_t0: float
    next_m0: float


class StepCursor:
    def __init__(self, plan: CompiledPlan) -> None:
        self.plan = plan
        self.index = -1
        self.step: CompiledStep | None = None
        """The current step (None before the first and past the last): asked many times an
        input, so kept beside `index` rather than looked up in the plan each time."""
        self.t0 = 0.0  # plan time at the step's start
        self.m0 = 0.0  # run distance at the step's start
        self.extra = 0.0  # extension of the current step (s or m)
        self.skip = False
        self.done_time = 0.0  # planned seconds of closed steps (the progress bar)
        # The plan's planned time, summed once: progress is asked on every tick, and a
        # sum over the steps there would make each input cost more the longer the plan.
        self.total_time = plan.total_time_s
        self.summaries: list[StepSummary] = []
        self._planned_s = 0.0  # the current step's planned seconds

    def begin(self, index: int, t0: float, m0: float) -> CompiledStep:
        step = self.plan.steps[index]
        self.index, self.t0, self.m0 = index, t0, m0
        self.step = step
        self._planned_s = step.planned_time_s  # a distance step's takes a logarithm
        self.extra = 0.0
        self.skip = False
        return step

    def past_end(self) -> None:
        self.index = len(self.plan.steps)
        self.step = None

    @property
    def last(self) -> bool:
        return self.index + 1 >= len(self.plan.steps)

    def fraction(self, step: CompiledStep, plan_now: float, run_m: float) -> float:
        done = plan_now - self.t0 if step.kind == "time" else run_m - self.m0
        return min(1.0, max(0.0, done / step.amount))

    def crossing(self, plan_now: float, run_m: float) -> Crossing | None:
        """The current step's end, if it has been reached (or skipped)."""
        step = self.step
        if step is None:
            return None
        end = step.amount + self.extra
        ran_t, ran_m = plan_now - self.t0, run_m - self.m0
        if self.skip:
            return Crossing(True, ran_t, ran_m, plan_now, run_m)
        if step.open:
            return None
        if step.kind == "time" and plan_now >= self.t0 + end - 1e-9:
            return Crossing(False, end, ran_m, self.t0 + end, run_m)
        if step.kind == "distance" and run_m >= self.m0 + end - 1e-6:
            return Crossing(False, ran_t, end, plan_now, self.m0 + end)
        return None

    def record(self, step: CompiledStep, summary: StepSummary) -> None:
        self.done_time += step.planned_time_s
        self.summaries.append(summary)

    def extend(self, step: CompiledStep, amount: float) -> None:
        """Longer (or, negative, shorter) by `amount` s or m; never to nothing."""
        self.extra = max(-step.amount * 0.99, self.extra + amount)

    def remaining(self, step: CompiledStep, plan_now: float, run_m: float) -> float:
        done = plan_now - self.t0 if step.kind == "time" else run_m - self.m0
        return max(0.0, step.amount + self.extra - done)

    def progress(self, step: CompiledStep, plan_now: float, run_m: float) -> float:
        """The plan's share done, by planned time (a distance step by its planned pace)."""
        end = step.amount + self.extra
        done = plan_now - self.t0 if step.kind == "time" else run_m - self.m0
        planned = self._planned_s if step is self.step else step.planned_time_s
        part = min(1.0, max(0.0, done / end)) * planned
        total = self.total_time
        return min(1.0, (self.done_time + part) / total) if total > 0 else 0.0
