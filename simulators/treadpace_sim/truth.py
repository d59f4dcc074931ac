"""How fast the runner really runs on a belt that reports another speed: pure.

A home treadmill's console speed is not the speed of the belt under the runner's
feet. Published and anecdotal figures put the difference at 2-12 %, varying with
speed, grade and the day; part of it is the motor slowing each time a foot lands
(Stryd measured about 2 % "free distance" from that alone). None of it can be
seen in the machine's own telemetry, which reports the speed it believes in.

`TrueSpeed` is that hidden error for a simulated machine (the model file's `truth:`
section): an error in percent of the reported speed, given at a few speeds and
linear between them (flat beyond the first and last), plus a term per percent of
incline and a foot-strike slowdown while someone runs on the belt. The belt keeps
both distances: the one it reports and the one the runner covered. Only a footpod
(or a calibration made with one) can tell them apart, which is the point.
"""

from __future__ import annotations

from dataclasses import dataclass

from treadpace.base.curve import piecewise_linear


@dataclass(frozen=True, slots=True)
class TrueSpeed:
    """The runner's speed as a function of the speed the belt reports (km/h) and its grade."""

    error_points: tuple[tuple[float, float], ...] = ()
    """(reported km/h, error %), by rising speed: -7 at 8 km/h is a belt 7 % slower than shown."""
    per_incline_percent: float = 0.0
    """Extra error (%) per % of incline (a lift that loads the motor more)."""
    footstrike_percent: float = 0.0
    """Error (%) while a runner is on the moving belt: the motor slows at each foot strike."""

    def __post_init__(self) -> None:
        speeds = [v for v, _ in self.error_points]
        if speeds != sorted(set(speeds)):
            raise ValueError("error points must be at rising, distinct speeds")

    @property
    def exact(self) -> bool:
        """True for a belt that runs at the speed it reports."""
        return (
            not any(e for _, e in self.error_points)
            and not self.per_incline_percent
            and not self.footstrike_percent
        )

    def error_percent(self, reported_kmh: float, incline_percent: float = 0.0) -> float:
        """The belt's error at this speed and grade, in % of the reported speed."""
        return (
            piecewise_linear(self.error_points, reported_kmh)
            + self.per_incline_percent * incline_percent
            + (self.footstrike_percent if reported_kmh > 0 else 0.0)
        )

    def factor(self, reported_kmh: float, incline_percent: float = 0.0) -> float:
        """True speed / reported speed."""
        return 1.0 + self.error_percent(reported_kmh, incline_percent) / 100.0

    def true_kmh(self, reported_kmh: float, incline_percent: float = 0.0) -> float:
        return reported_kmh * self.factor(reported_kmh, incline_percent)


EXACT = TrueSpeed()
"""A belt that runs at the speed it reports: every model without a `truth:` section."""

