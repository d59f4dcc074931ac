"""A simulated footpod on the runner's shoe: pure, time is passed in.

A Running Speed and Cadence sensor (Stryd, a Garmin or Polar pod) measures the
runner, not the belt, so on a simulated machine it reports the belt's *true* speed
(`treadpace_sim.truth`), never the speed the treadmill reports. Like a real one it
is imperfect in ways a controller must survive, each a field of the model file's
`footpod:` section:

- its own calibration factor (`factor`: 1.03 reads 3 % fast, as a pod that was never
  calibrated, or calibrated on a track, may);
- noise on each reading (`noise`, km/h standard deviation, from a seeded generator so
  a run is repeatable);
- dropouts (`dropout` seconds at the end of every `dropout_every` period), and faults
  that take it off the shoe or make it read nonsense for a while.

`Footpod.follow` brings the pod up to the belt (the ground the runner covered since
the last call, exactly, from `Belt.true_distance_m`); `measurement()` is the RSC
Measurement it would notify now (None while it says nothing).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from treadpace.ftms.rsc import RscMeasurement

_RUNNING_KMH = 7.0
"""Below this a pod reports walking (the RSC "running" flag clear)."""
_NONSENSE_MPS = 250.0
"""An impossible reading (900 km/h): what a pod with a failing sensor may send."""


class FootpodFault(StrEnum):
    OFF = "off"
    """Out of range or off the shoe: nothing is notified."""
    NONSENSE = "nonsense"
    """Readings of an impossible speed."""


@dataclass(frozen=True, slots=True)
class FootpodSpec:
    factor: float = 1.0
    """The pod's own calibration: it reports true speed x factor."""
    noise_kmh: float = 0.05
    dropout_every_s: float = 0.0
    dropout_s: float = 0.0
    local_name: str = "treadpace-footpod"
    seed: int = 7


class Footpod:
    """One pod: what it has counted, and what it would say now."""

    def __init__(self, spec: FootpodSpec) -> None:
        self.spec = spec
        self.distance_m = 0.0
        self.elapsed_s = 0.0
        self.fault: FootpodFault | None = None
        self._fault_until = 0.0
        self._speed_kmh = 0.0
        self._cadence = 0.0
        self._covered_m: float | None = None
        self._rng = random.Random(spec.seed)

    def follow(self, elapsed_s: float, covered_m: float, true_kmh: float, cadence: float) -> None:
        """The runner at `elapsed_s`: `covered_m` in all (the belt's truth), at `true_kmh` now."""
        if self._covered_m is not None and covered_m > self._covered_m:
            self.distance_m += (covered_m - self._covered_m) * self.spec.factor
        self._covered_m = covered_m
        self.elapsed_s = max(self.elapsed_s, elapsed_s)
        if self.fault is not None and self.elapsed_s >= self._fault_until:
            self.fault = None
        self._speed_kmh = true_kmh
        self._cadence = cadence

    def misbehave(self, fault: FootpodFault, duration: float) -> None:
        """`fault` for the next `duration` seconds of the pod's time."""
        self.fault = fault
        self._fault_until = self.elapsed_s + duration

    @property
    def silent(self) -> bool:
        """No notification now: off the shoe, or within a periodic dropout."""
        if self.fault is FootpodFault.OFF:
            return True
        s = self.spec
        if s.dropout_s <= 0 or s.dropout_every_s <= 0:
            return False
        return self.elapsed_s % s.dropout_every_s >= s.dropout_every_s - s.dropout_s

    def measurement(self) -> RscMeasurement | None:
        """The RSC Measurement the pod would notify now; None when it says nothing."""
        if self.silent:
            return None
        if self.fault is FootpodFault.NONSENSE:
            return RscMeasurement(_NONSENSE_MPS, 0, None, self.distance_m, True)
        kmh = self._speed_kmh * self.spec.factor
        if kmh > 0 and self.spec.noise_kmh > 0:
            kmh = max(0.0, kmh + self._rng.gauss(0.0, self.spec.noise_kmh))
        cadence = round(self._cadence) if kmh > 0 else 0
        stride = kmh / 3.6 / (cadence / 60.0) if cadence else None
        return RscMeasurement(
            speed_mps=min(kmh / 3.6, 255.0),
            cadence_spm=min(cadence, 255),
            stride_length_m=None if stride is None else min(stride, 655.0),
            total_distance_m=self.distance_m % 429_496_729.5,
            running=kmh >= _RUNNING_KMH,
        )
