"""A treadmill's true speed: settled windows of belt vs footpod, and the curve fitted to them.

A console's speed is not the runner's (2-12 % off, varying with speed and grade), and
a footpod is the only instrument at hand that measures the runner. Comparing the two
is only fair once the belt has *settled*: a belt still ramping to a new speed is
ahead of or behind its report, and a footpod's speed lags its strides. So a sample
counts only after the belt has held one speed (within its own increment) for
`settle_s`, and only whole windows of at least `window_s` (30 s by default) are
compared, each reduced to the ratio of the pod's mean speed to the belt's.

`fit` turns windows into a `Calibration`: the ratio at each speed measured (the mean
of that speed's windows), linear between them and flat beyond, which is exact at
every speed of the routine whatever shape the belt's error has; an incline term
when windows at more than one grade were measured; and the residual of every
window against the curve, which says how far the curve can be trusted.

Pure: samples in, numbers out. No clock, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from treadpace.base.curve import piecewise_linear

if TYPE_CHECKING:
    from treadpace.plans.steps import CompiledPlan

_FAR_OFF = 0.35
"""A moving belt and a pod more than 35 % apart: one of them is wrong, and not the belt."""


def far_from_belt(pod_kmh: float, belt_kmh: float) -> bool:
    """A plainly moving belt and a pod more than 35 % apart: the pod is wrong, not the belt."""
    return belt_kmh > 3.0 and abs(pod_kmh / belt_kmh - 1.0) > _FAR_OFF


@dataclass(frozen=True, slots=True)
class Sample:
    """One moment of a calibration: the belt's report and the footpod's, at `t` seconds."""

    t: float
    belt_kmh: float
    pod_kmh: float | None
    incline_percent: float = 0.0


@dataclass(frozen=True, slots=True)
class Window:
    """A settled stretch: mean belt and pod speeds over `seconds`."""

    belt_kmh: float
    pod_kmh: float
    incline_percent: float
    seconds: float

    @property
    def ratio(self) -> float:
        return self.pod_kmh / self.belt_kmh


@dataclass(frozen=True)
class Calibration:
    """True speed / reported speed, as a curve in speed with an incline term."""

    points: tuple[tuple[float, float], ...]
    """(reported km/h, ratio) by rising speed; linear between, flat beyond."""
    per_incline: float = 0.0
    """Change of the ratio per % of incline."""
    residuals_percent: tuple[float, ...] = field(default=())
    """Each window's ratio against the curve, in %."""

    def __post_init__(self) -> None:
        speeds = [v for v, _ in self.points]
        if not speeds or speeds != sorted(set(speeds)):
            raise ValueError("a calibration needs points at rising, distinct speeds")
        if not all(0.5 <= r <= 1.5 and math.isfinite(r) for _, r in self.points):
            raise ValueError("a calibration ratio must be between 0.5 and 1.5")

    def ratio(self, reported_kmh: float, incline_percent: float = 0.0) -> float:
        return piecewise_linear(self.points, reported_kmh) + self.per_incline * incline_percent

    def true_kmh(self, reported_kmh: float, incline_percent: float = 0.0) -> float:
        """The runner's speed when the belt reports `reported_kmh`."""
        return reported_kmh * self.ratio(reported_kmh, incline_percent)

    def reported_for(self, true_kmh: float, incline_percent: float = 0.0) -> float:
        """The belt speed at which the runner runs `true_kmh` (the inverse of `true_kmh`).

        Found by bisection over the curve, which is increasing for any belt a runner
        could use (a ratio that fell faster than the speed rose would be a belt that
        goes slower when asked to go faster).
        """
        if true_kmh <= 0:
            return 0.0
        lo, hi = true_kmh / 1.6, true_kmh / 0.4
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if self.true_kmh(mid, incline_percent) < true_kmh:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    @property
    def max_residual_percent(self) -> float:
        return max((abs(r) for r in self.residuals_percent), default=0.0)


def settled_windows(
    samples: Iterable[Sample],
    increment_kmh: float,
    *,
    settle_s: float = 10.0,
    window_s: float = 30.0,
) -> list[Window]:
    """Whole windows of `window_s` taken after the belt has held its speed for `settle_s`.

    A change of belt speed by more than `increment_kmh` (or of incline), or a sample
    without a footpod reading, ends the window being built; a short one is dropped.
    """
    windows: list[Window] = []
    held_since: float | None = None
    anchor: Sample | None = None
    run: list[Sample] = []
    for s in samples:
        moved = anchor is None or (
            abs(s.belt_kmh - anchor.belt_kmh) > increment_kmh
            or s.incline_percent != anchor.incline_percent
        )
        if moved or s.belt_kmh <= 0:
            anchor, held_since, run = s, s.t, []
            continue
        assert held_since is not None
        if s.pod_kmh is None:
            run = []
            continue
        if s.t - held_since < settle_s:
            continue
        run.append(s)
        if run[-1].t - run[0].t >= window_s:
            windows.append(_window(run))
            run = []
    return windows


def _window(run: Sequence[Sample]) -> Window:
    n = len(run)
    return Window(
        belt_kmh=sum(s.belt_kmh for s in run) / n,
        pod_kmh=sum(s.pod_kmh or 0.0 for s in run) / n,
        incline_percent=run[0].incline_percent,
        seconds=run[-1].t - run[0].t,
    )


def fit(windows: Sequence[Window], increment_kmh: float = 0.1) -> Calibration:
    """The curve through the windows (see the module doc); ValueError without any."""
    flat = [w for w in windows if w.incline_percent == 0.0] or list(windows)
    if not flat:
        raise ValueError("no settled window to calibrate from")
    groups: list[list[Window]] = []
    for w in sorted(flat, key=lambda w: w.belt_kmh):
        if groups and w.belt_kmh - groups[-1][0].belt_kmh <= increment_kmh:
            groups[-1].append(w)
        else:
            groups.append([w])
    points = tuple(
        (sum(w.belt_kmh for w in g) / len(g), sum(w.ratio for w in g) / len(g)) for g in groups
    )
    base = Calibration(points)
    per_incline = _incline_term(base, [w for w in windows if w.incline_percent != 0.0])
    curve = Calibration(points, per_incline)
    residuals = tuple(
        round((w.ratio / curve.ratio(w.belt_kmh, w.incline_percent) - 1.0) * 100.0, 3)
        for w in windows
    )
    return Calibration(points, per_incline, residuals)


def _incline_term(base: Calibration, graded: Sequence[Window]) -> float:
    """The least-squares slope of the ratio's departure from the flat curve, per % grade."""
    num = sum((w.ratio - base.ratio(w.belt_kmh)) * w.incline_percent for w in graded)
    den = sum(w.incline_percent**2 for w in graded)
    return num / den if den else 0.0



HOLD_S = 90.0
"""Each speed of the routine: 10 s to settle, two 30 s windows, and room for a slow belt."""
WARM_UP_S = 120.0


def routine(speeds: Sequence[float], incline_percent: float = 0.0) -> CompiledPlan:
    """The calibration run: an easy warm-up, then each speed held `HOLD_S` (rising).

    With `incline_percent`, the middle speed is held once more on that incline, so the
    fit can tell what the grade does to the belt.
    """
    from treadpace.plans.steps import CompiledPlan, CompiledStep, StepRole

    ordered = sorted(speeds)
    steps = [CompiledStep("warm-up", "time", WARM_UP_S, ordered[0], role=StepRole.WARMUP)]
    steps += [CompiledStep(f"speed {i + 1}", "time", HOLD_S, v) for i, v in enumerate(ordered)]
    if incline_percent:
        mid = ordered[len(ordered) // 2]
        steps.append(CompiledStep("on the incline", "time", HOLD_S, mid, incline_percent))
    return CompiledPlan("calibration", "custom", tuple(steps))


def drift_percent(old: Calibration, new: Calibration) -> list[tuple[float, float]]:
    """At each speed the new calibration measured: how far the old one is off it, in %."""
    return [(v, (r / old.ratio(v) - 1.0) * 100.0) for v, r in new.points]
