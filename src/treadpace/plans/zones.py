"""Heart-rate zones: Tanaka's max estimate, %HRmax and Karvonen (%HRR) bounds.

Bounds are computed in exact decimal and rounded half-up to whole bpm
(running.md §3.2): Python's `round` would send 122.5 to 122, which is the
kind of off-by-one a runner notices on their watch.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

ZoneMethod = Literal["karvonen", "percent_max"]

ZONE_FRACTIONS = (
    Decimal("0.5"),
    Decimal("0.6"),
    Decimal("0.7"),
    Decimal("0.8"),
    Decimal("0.9"),
    Decimal("1.0"),
)
"""The lower bounds of zones 1..5 and the top of zone 5."""


def _dec(x: float | int) -> Decimal:
    return Decimal(str(x))


def tanaka_max_bpm(age: float) -> float:
    """HRmax = 208 - 0.7 x age (Tanaka, Monahan & Seals 2001)."""
    return float(Decimal(208) - Decimal("0.7") * _dec(age))


def half_up(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def zone_bounds(max_bpm: float, rest_bpm: float | None, method: ZoneMethod) -> tuple[int, ...]:
    """Six bounds: zone k is [b[k-1], b[k]) for k = 1..5, zone 5 closed at HRmax."""
    hr_max = _dec(max_bpm)
    if method == "percent_max":
        return tuple(half_up(p * hr_max) for p in ZONE_FRACTIONS)
    if rest_bpm is None:
        raise ValueError("expected a resting heart rate for Karvonen zones")
    rest = _dec(rest_bpm)
    reserve = hr_max - rest
    return tuple(half_up(rest + p * reserve) for p in ZONE_FRACTIONS)


def zone_of(bpm: float, bounds: tuple[int, ...]) -> int:
    """Zone 1..5 of a heart rate, 0 below zone 1 (above HRmax counts as zone 5)."""
    if bpm < bounds[0]:
        return 0
    for k in range(1, 5):
        if bpm < bounds[k]:
            return k
    return 5
