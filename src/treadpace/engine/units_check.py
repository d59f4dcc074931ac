"""Does the belt cover the distance its reported speed says? A cross-check over a window.

Some firmware puts mph numbers in the km/h fields (ftms.md Q9): every speed on the
wire, the targets treadpace sends included, is really mph, so the belt runs 1.61
times what was commanded and nothing in the protocol says so. The machine's Total
Distance is still metres, so the two disagree: over a window of telemetry the
distance the belt actually covered is 1.61 times the distance its reported speed
integrates to. A belt measured faster than it reports (by any factor) is a safety
matter: the profile's maximum is only a maximum if the speed is true.

Pure: packets in, a verdict out (once it persists), no clock and no I/O. Windows
that cross a gap in telemetry or a discontinuity of the machine's total (a reset,
an odometer jump) are dropped, not judged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from treadpace.base.display import speed
from treadpace.base.units import KMH_PER_MPH
from treadpace.engine.setpoint import Grid


class UnitVerdict(enum.StrEnum):
    MPH_AS_KMH = "mph_as_kmh"
    """The belt covers 1.61x its reported speed: mph numbers in the km/h fields."""
    FASTER_THAN_REPORTED = "faster_than_reported"
    """The belt covers clearly more than its reported speed, by another factor."""


@dataclass(frozen=True)
class UnitMismatch:
    verdict: UnitVerdict
    factor: float
    """True belt speed / reported speed (exactly 1.609344 for mph as km/h)."""


class SpeedDistanceCheck:
    """Feed every telemetry packet; `feed` returns a mismatch once, when it persists."""

    WINDOW_S = 5.0
    MIN_M = 10.0
    """Metres the reported speed must cover in a window: whole-metre totals are then
    within 10 %, far inside the gap between 1.0 and 1.61."""
    PERSIST = 2
    """Consecutive windows that must agree before the verdict."""
    MPH_TOLERANCE = 0.15
    FASTER = 1.3
    """A ratio above this (and not mph) is a belt faster than it says."""
    GAP_S = 3.0

    def __init__(self, max_kmh: float = 25.0) -> None:
        self.max_kmh = max_kmh
        self.decided: UnitMismatch | None = None
        self._streak: list[float] = []
        self._t0 = 0.0
        self._m0 = 0.0
        self._reported_m = 0.0
        self._last: tuple[float, float, float] | None = None  # t, km/h, machine m

    def feed(self, t: float, speed_kmh: float, machine_m: float | None) -> UnitMismatch | None:
        if self.decided is not None or machine_m is None:
            return None
        v = max(0.0, speed_kmh)
        last = self._last
        self._last = (t, v, machine_m)
        if last is None:
            self._restart(t, machine_m)
            return None
        t1, v1, m1 = last
        dt, dm = t - t1, machine_m - m1
        if dt <= 0:
            return None
        if dt > self.GAP_S or dm < 0 or dm > dt * self.max_kmh / 3.6 * 2 + 3:
            self._restart(t, machine_m)  # a gap or a discontinuity: no judgement across it
            return None
        self._reported_m += (v1 + v) / 2 * dt / 3.6
        if t - self._t0 < self.WINDOW_S or self._reported_m < self.MIN_M:
            return None
        ratio = (machine_m - self._m0) / self._reported_m
        self._restart(t, machine_m)
        return self._judge(ratio)

    def _restart(self, t: float, machine_m: float) -> None:
        self._t0, self._m0, self._reported_m = t, machine_m, 0.0

    def _judge(self, ratio: float) -> UnitMismatch | None:
        if ratio < self.FASTER:
            self._streak = []
            return None
        self._streak = [*self._streak, ratio][-self.PERSIST :]
        if len(self._streak) < self.PERSIST:
            return None
        if all(abs(r - KMH_PER_MPH) <= self.MPH_TOLERANCE for r in self._streak):
            self.decided = UnitMismatch(UnitVerdict.MPH_AS_KMH, KMH_PER_MPH)
        else:
            mean = sum(self._streak) / len(self._streak)
            self.decided = UnitMismatch(UnitVerdict.FASTER_THAN_REPORTED, mean)
        return self.decided


def wire_speed_at_most(grid: Grid, kmh: float, factor: float) -> float:
    """The highest setpoint on the machine's (wire) grid whose true speed is <= `kmh`."""
    q = grid.quantise(kmh / factor)
    while q * factor > kmh + 1e-9 and q > grid.minimum + 1e-9:
        q = grid.quantise(q - grid.increment)
    return q


def mismatch_message(
    m: UnitMismatch, belt_kmh: float, set_kmh: float | None, imperial: bool = False
) -> str:
    """The loud line the runner reads, in the runner's units (true speeds: `belt_kmh`
    measured, `set_kmh` sent)."""
    if m.verdict == UnitVerdict.MPH_AS_KMH:
        what = "the treadmill reports mph in its km/h fields"
    else:
        what = f"the belt covers {m.factor:.2f}x the distance its reported speed says"
    done = f"; speed set down to {speed(set_kmh, imperial)}" if set_kmh is not None else ""
    return (
        f"{what} (belt measured at {speed(belt_kmh, imperial)}){done}: treadpace stops commanding"
    )
