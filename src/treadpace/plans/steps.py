"""The compiled form of a plan: a flat list of steps the engine executes.

This is the contract between `plans/` (which produces it from YAML) and
`engine/` (which runs it). Speeds are exact (not quantised): quantising to the
machine's increment is the engine's setpoint policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from treadpace.plans.hr_rule import HrRule

StepKind = Literal["time", "distance"]


class StepRole(StrEnum):
    """What a step is for in the workout, as watches and training logs sort laps.

    Exporters read this, never the step's name: the name is for the runner to read and
    may say anything ("Easy start", "Einlaufen"). The four roles are what FIT
    (`intensity`), TCX (Active/Resting), .zwo (Warmup/Cooldown blocks) and intervals.icu
    (Warmup/Cooldown sections) can tell apart between them.
    """

    WARMUP = "warmup"
    ACTIVE = "active"
    RECOVERY = "recovery"
    """An easy part between efforts (a float, a jog, a walk)."""
    COOLDOWN = "cooldown"


@dataclass(frozen=True)
class CompiledStep:
    name: str
    """Short label shown to the runner, e.g. "warm-up", "mile 2", "third 3"."""
    kind: StepKind
    """A time step ends on the plan clock, a distance step on belt distance."""
    amount: float
    """Seconds for a time step, metres for a distance step; always > 0."""
    speed_kmh: float
    """Exact target speed (the start speed when the step is a ramp)."""
    incline_percent: float = 0.0
    end_speed_kmh: float | None = None
    """When set, the step is a ramp: the target moves linearly from `speed_kmh`
    to `end_speed_kmh` over the step (by time or by distance)."""
    pace_label: str = ""
    """How the plan named the target, e.g. "easy", "marathon - 0:30/mi"."""
    end_incline_percent: float | None = None
    """When set, the incline moves linearly from `incline_percent` to this over the step."""
    open: bool = False
    """An open step ends when the runner skips it (`n`, or skip on MQTT or the web page);
    `amount` is then only its planned length, for totals and the display."""
    free: bool = False
    """A free step sets no speed: the belt keeps the speed it has and the runner changes
    it on the console; `speed_kmh` is only the guide shown and used for totals."""
    hr: HrRule | None = None
    """Heart-rate control for the step (a cap or a target), if the plan asks for it."""
    role: StepRole = StepRole.ACTIVE
    """Warm-up, effort, recovery or cool-down: set where the plan is compiled or imported."""
    capped_from_kmh: float | None = None
    """The plan asked this top speed, above the runner's max_speed: the step runs capped at
    the max (its speeds above are the capped ones). None when the plan's own speed fits."""

    @property
    def is_ramp(self) -> bool:
        return self.end_speed_kmh is not None and self.end_speed_kmh != self.speed_kmh

    def target_at(self, fraction: float) -> float:
        """Target speed at `fraction` (0..1) of the step."""
        if self.end_speed_kmh is None:
            return self.speed_kmh
        f = min(1.0, max(0.0, fraction))
        return self.speed_kmh + (self.end_speed_kmh - self.speed_kmh) * f

    def incline_at(self, fraction: float) -> float:
        """Target incline at `fraction` (0..1) of the step."""
        if self.end_incline_percent is None:
            return self.incline_percent
        f = min(1.0, max(0.0, fraction))
        return self.incline_percent + (self.end_incline_percent - self.incline_percent) * f

    @property
    def max_incline_percent(self) -> float:
        """The steepest incline (by magnitude) the step asks for."""
        ends = (self.incline_percent, self.end_incline_percent or 0.0)
        return max(ends, key=abs)

    @property
    def mean_speed_kmh(self) -> float:
        if self.end_speed_kmh is None:
            return self.speed_kmh
        return (self.speed_kmh + self.end_speed_kmh) / 2.0

    @property
    def planned_time_s(self) -> float:
        if self.kind == "time":
            return self.amount
        # Time across a linear speed ramp over distance: integrate dt = dx / v.
        v0, v1 = self.speed_kmh / 3.6, (self.end_speed_kmh or self.speed_kmh) / 3.6
        if abs(v1 - v0) < 1e-9:
            return self.amount / v0
        return self.amount * math.log(v1 / v0) / (v1 - v0)

    @property
    def planned_distance_m(self) -> float:
        if self.kind == "distance":
            return self.amount
        return self.mean_speed_kmh / 3.6 * self.amount


@dataclass(frozen=True)
class CompiledPlan:
    name: str
    """The plan's title (or file stem)."""
    kind: str
    """negative-split | each-mile-faster | thirds | fast-finish | steady | custom"""
    steps: tuple[CompiledStep, ...]
    source: str = ""
    """The file it came from, for messages and recordings."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Advice shown before the run (never blocking)."""

    @property
    def total_time_s(self) -> float:
        return sum(s.planned_time_s for s in self.steps)

    @property
    def total_distance_m(self) -> float:
        return sum(s.planned_distance_m for s in self.steps)
