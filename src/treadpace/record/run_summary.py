"""A recorded run in a line: what `history` lists, `next` plans from and the index keeps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from treadpace.engine.causes import Departure, GuidedCause
from treadpace.engine.events import StepSummary
from treadpace.record.journal import RunStatus


@dataclass(frozen=True)
class RunSummary:
    id: str
    path: Path
    start_wall: float
    plan_name: str
    imperial: bool
    distance_m: float
    timer_s: float
    status: RunStatus
    departures: tuple[tuple[Departure, float], ...] = ()
    """How the run left the plan as written (guided, capped, held) and for how long."""
    guided_cause: GuidedCause | None = None
    device: str = ""
    """The treadmill, e.g. "simulator:generic" (for display)."""
    plan_kind: str = ""
    steps: tuple[StepSummary, ...] = ()
    """Per-step results (heart rate, held-back time), when the run finished."""
    simulated: bool = False
    """The run was on the software treadmill: not training (the journal's flag)."""

    @property
    def hr_held_s(self) -> float:
        """Seconds in which heart rate held the pace back."""
        return sum(s.hr_held_s for s in self.steps)

    @property
    def max_hr_bpm(self) -> int | None:
        values = [s.max_hr_bpm for s in self.steps if s.max_hr_bpm]
        return max(values) if values else None

    @property
    def avg_speed_kmh(self) -> float:
        return self.distance_m / self.timer_s * 3.6 if self.timer_s > 0 else 0.0
