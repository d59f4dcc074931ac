"""One telemetry second of a recorded run: the unit the activity model and its sanitiser share.

It lives on its own so `treadpace.record.sanitise` (which cleans samples) and
`treadpace.record.activity` (which builds laps from them) both import it
without importing each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from treadpace.engine.events import RunState


@dataclass(frozen=True)
class Sample:
    """One telemetry second."""

    t: float
    wall: float
    state: RunState
    elapsed_s: float
    distance_m: float
    speed_kmh: float
    target_speed_kmh: float
    incline_percent: float | None
    heart_rate_bpm: int | None
    step_index: int
    step_name: str
    energy_kcal: float | None
    hr_zone: int | None = None
    """The heart rate's zone by the run's profile (0 below zone 1), when recorded."""
    belt_distance_m: float | None = None
    belt_speed_kmh: float | None = None
    """The belt's own figures, when `distance_m` and `speed_kmh` are the runner's true ones."""

    @property
    def speed_ms(self) -> float:
        return self.speed_kmh / 3.6

    @property
    def second(self) -> int:
        """Whole Unix second: the resolution of FIT and TCX timestamps."""
        return math.floor(self.wall)
