"""Daniels & Gilbert's VDOT from a race result, and training paces from a VDOT.

The equations are the published ones (running.md §1.1). The training paces use
our formula model of running.md §1.3: speeds at fixed fractions of VDOT on the
oxygen-cost curve (E range, T, I), the marathon race pace predicted from the
VDOT for M, and R as the 400 m interval split minus 8/7/6 s. Everything is
computed unrounded; only display rounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MARATHON_M = 42195.0

E_FAST_FRACTION = 0.7346
E_SLOW_FRACTION = 0.6304
T_FRACTION = 0.8799
I_FRACTION = 0.9743


def oxygen_cost(v_m_per_min: float) -> float:
    """VO2 (ml/kg/min) of running at v metres per minute."""
    return -4.60 + 0.182258 * v_m_per_min + 0.000104 * v_m_per_min**2


def fraction_of_max(t_min: float) -> float:
    """Fraction of VO2max a runner can hold for t minutes."""
    return 0.8 + 0.1894393 * math.exp(-0.012778 * t_min) + 0.2989558 * math.exp(-0.1932605 * t_min)


def vdot_from_race(distance_m: float, time_s: float) -> float:
    """VDOT (unrounded) of a race: oxygen cost of its speed over the holdable fraction."""
    if distance_m <= 0 or time_s <= 0:
        raise ValueError("expected a race distance and time above zero")
    t_min = time_s / 60.0
    return oxygen_cost(distance_m / t_min) / fraction_of_max(t_min)


def speed_at_vo2(vo2: float) -> float:
    """The exact inverse of `oxygen_cost`: metres per minute at a given VO2."""
    return (-0.182258 + math.sqrt(0.182258**2 + 4 * 0.000104 * (4.60 + vo2))) / (2 * 0.000104)


def race_time_s(vdot: float, distance_m: float) -> float:
    """Predicted race time for `distance_m` at `vdot` (bisection on 1..1000 min)."""
    lo, hi = 1.0, 1000.0

    def excess(t: float) -> float:
        return vdot_from_race(distance_m, t * 60.0) - vdot

    # The VDOT a time implies falls as the time grows: keep the root bracketed.
    for _ in range(100):
        mid = (lo + hi) / 2.0
        if excess(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-9:
            break
    return (lo + hi) / 2.0 * 60.0


def _s_per_km_at_fraction(vdot: float, fraction: float) -> float:
    return 60000.0 / speed_at_vo2(fraction * vdot)


def repetition_drop_s_per_400(vdot: float) -> float:
    """How much faster R is than I per 400 m: 8 s (VDOT < 48), 7 s (48-49), 6 s (50+)."""
    row = math.floor(vdot + 1e-9)
    if row >= 50:
        return 6.0
    if row >= 48:
        return 7.0
    return 8.0


@dataclass(frozen=True)
class TrainingPaces:
    """Paces in seconds per km. `easy` is the midpoint of the E range (in s/km)."""

    vdot: float
    easy_min: float
    """Fast end of the E range (fewer seconds)."""
    easy_max: float
    """Slow end of the E range."""
    marathon: float
    threshold: float
    interval: float
    repetition: float

    @property
    def easy(self) -> float:
        return (self.easy_min + self.easy_max) / 2.0

    @property
    def steady(self) -> float:
        return (self.easy + self.marathon) / 2.0

    def named(self) -> dict[str, float]:
        return {
            "easy": self.easy,
            "marathon": self.marathon,
            "threshold": self.threshold,
            "interval": self.interval,
            "repetition": self.repetition,
            "steady": self.steady,
        }


def training_paces(vdot: float) -> TrainingPaces:
    if not 10.0 <= vdot <= 100.0:
        raise ValueError(f"expected a VDOT between 10 and 100, got {vdot:.1f}")
    interval = _s_per_km_at_fraction(vdot, I_FRACTION)
    rep_400 = interval * 0.4 - repetition_drop_s_per_400(vdot)
    return TrainingPaces(
        vdot=vdot,
        easy_min=_s_per_km_at_fraction(vdot, E_FAST_FRACTION),
        easy_max=_s_per_km_at_fraction(vdot, E_SLOW_FRACTION),
        marathon=race_time_s(vdot, MARATHON_M) / (MARATHON_M / 1000.0),
        threshold=_s_per_km_at_fraction(vdot, T_FRACTION),
        interval=interval,
        repetition=rep_400 * 2.5,
    )


