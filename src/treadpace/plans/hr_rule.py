"""A step's heart-rate rule, as the engine receives it: numbers only, already resolved.

Part of the compiled-plan contract (`steps.py`): zones have become bpm and paces
km/h, so the engine's controller needs neither the profile nor the plan file.
Two modes (docs/heart-rate.md): a cap (the step runs its pace target unless heart
rate says slow down) and a target (speed is steered to hold a heart-rate range).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

HrMode = Literal["cap", "target"]

DEFAULT_DEAD_BAND_BPM = 3.0
DEFAULT_SLEW_KMH_MIN = 0.5
DEFAULT_SETTLE_S = 60.0


@dataclass(frozen=True)
class HrRule:
    mode: HrMode
    low_bpm: float
    """Target mode: bottom of the range (cap mode: equal to `high_bpm`)."""
    high_bpm: float
    """The cap (cap mode), or the top of the range (target mode)."""
    min_kmh: float = 0.0
    """Target mode: never slower than this; also the speed to fall back to."""
    max_kmh: float = 0.0
    """Target mode: never faster than this (it is the step's `speed_kmh`)."""
    dead_band_bpm: float = DEFAULT_DEAD_BAND_BPM
    slew_kmh_min: float = DEFAULT_SLEW_KMH_MIN
    """Fastest change of speed, km/h per minute."""
    settle_s: float = DEFAULT_SETTLE_S
    """Wait after a change for the belt and the heart to settle before judging again."""
    hold_back: bool = False
    """Safe progression: a faster step only rises while heart rate is under the cap."""
    label: str = ""
    """How the plan named it, e.g. "z3 (162 bpm)" or "140-150 bpm"."""

    @property
    def cap_bpm(self) -> float:
        return self.high_bpm
