"""The simulated runner's heart: pure, time is passed in.

Good enough to test heart-rate control against, not a physiology model. The
parts that matter to a controller are here, each a field of the model YAML's
`runner:` section (defaults in `BeltSpec`):

- Fitness: steady-state heart rate rises linearly with the workload (speed, plus
  5 % per % of uphill incline) from `hr_rest` and reaches 90 % of the heart-rate
  reserve at `hr_threshold` (the runner's threshold speed, km/h), capped at
  `hr_max`. Without `hr_threshold` it is 0.9 x `hr_speed_at_max`, which is the
  older linear model (hr_max at hr_speed_at_max) exactly.
- Lag: the heart follows that target with a first-order lag, `hr_rise_tau` going
  up and `hr_fall_tau` coming down (seconds; real hearts take 30-90 s to settle).
- Drift: over a long run the same speed costs more beats (heat, fluid loss).
  `hr_drift` bpm per hour is added at threshold intensity, scaled by the square
  of the intensity (little at an easy pace, more above threshold); standing
  still lets it fade with a ten-minute time constant.
- Noise: the strap's reading jitters by `hr_noise` bpm (standard deviation),
  from a seeded generator so a run is repeatable.
- Dropouts: every `hr_dropout_every` seconds the strap loses contact for
  `hr_dropout` seconds (0: never), and faults can take it off, freeze its
  reading or make it read nonsense for a while.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum

_THRESHOLD_SHARE = 0.9
"""Share of the heart-rate reserve reached at threshold speed."""
_DRIFT_FADE_S = 600.0


class StrapFault(StrEnum):
    OFF = "off"
    """No contact: the strap reports nothing."""
    STUCK = "stuck"
    """The reading freezes at its last value."""
    NONSENSE = "nonsense"
    """The reading is an impossible value (`value`)."""


@dataclass(frozen=True, slots=True)
class HeartSpec:
    rest_bpm: float = 60.0
    max_bpm: float = 185.0
    threshold_kmh: float = 16.2
    rise_tau_s: float = 30.0
    fall_tau_s: float = 60.0
    drift_bpm_h: float = 0.0
    noise_bpm: float = 0.0
    dropout_every_s: float = 0.0
    dropout_s: float = 0.0
    seed: int = 1


class Heart:
    """The heart (`bpm`, what the body does) and the strap (`reading()`, what it reports)."""

    __slots__ = (
        "_fault",
        "_fault_until",
        "_fault_value",
        "_jitter",
        "_rng",
        "_second",
        "_stuck",
        "bpm",
        "drift_bpm",
        "spec",
        "t",
    )

    def __init__(self, spec: HeartSpec) -> None:
        self.spec = spec
        self.bpm = spec.rest_bpm
        self.drift_bpm = 0.0
        self.t = 0.0
        self._rng = random.Random(spec.seed)
        self._second = -1
        self._jitter = 0.0
        self._fault: StrapFault | None = None
        self._fault_until = 0.0
        self._fault_value = 0
        self._stuck: int | None = None

    def intensity(self, work_kmh: float) -> float:
        """Workload as a share of threshold (1.0 at threshold speed)."""
        return max(work_kmh, 0.0) / self.spec.threshold_kmh

    def steady_bpm(self, work_kmh: float) -> float:
        """Where the heart settles at this workload, before drift."""
        s = self.spec
        reserve = s.max_bpm - s.rest_bpm
        return min(s.max_bpm, s.rest_bpm + reserve * _THRESHOLD_SHARE * self.intensity(work_kmh))

    def advance(self, dt: float, work_kmh: float) -> None:
        if dt <= 0:
            return
        s = self.spec
        self.t += dt
        x = self.intensity(work_kmh)
        if work_kmh > 0:
            self.drift_bpm += s.drift_bpm_h * x * x * dt / 3600.0
        else:
            self.drift_bpm *= math.exp(-dt / _DRIFT_FADE_S)
        target = min(s.max_bpm, self.steady_bpm(work_kmh) + self.drift_bpm)
        hr = self.bpm
        if abs(target - hr) < 0.01:
            self.bpm = target
            return
        tau = s.rise_tau_s if target > hr else s.fall_tau_s
        self.bpm = hr + (target - hr) * (1.0 - math.exp(-dt / tau))

    def strap_fault(self, fault: StrapFault, duration: float, value: int = 0) -> None:
        """From now, for `duration` seconds, the strap misbehaves."""
        self._fault = fault
        self._fault_until = self.t + duration
        self._fault_value = value
        self._stuck = None

    def reading(self) -> int | None:
        """What the strap reports now: whole bpm, or None without contact."""
        s = self.spec
        if self._fault is not None and self.t >= self._fault_until:
            self._fault = None
        if self._fault is StrapFault.OFF:
            return None
        if self._fault is StrapFault.NONSENSE:
            return self._fault_value
        if s.dropout_every_s > 0 and s.dropout_s > 0:
            phase = self.t % s.dropout_every_s
            if phase >= s.dropout_every_s - s.dropout_s:
                return None
        value = max(1, min(255, round(self.bpm + self._noise())))
        if self._fault is StrapFault.STUCK:
            if self._stuck is None:
                self._stuck = value
            return self._stuck
        return value

    def _noise(self) -> float:
        if self.spec.noise_bpm <= 0:
            return 0.0
        second = int(self.t)
        if second != self._second:  # one new value per second, however often it is read
            self._second = second
            self._jitter = self._rng.gauss(0.0, self.spec.noise_bpm)
        return self._jitter
