"""Numbers as a runner reads them, in the runner's units (metric or imperial)."""

from __future__ import annotations

from treadpace.units import METRES_PER_MILE, format_duration, format_pace, kmh_to_mph


def speed(kmh: float, imperial: bool) -> str:
    return f"{kmh_to_mph(kmh):.1f} mph" if imperial else f"{kmh:.1f} km/h"


def pace(kmh: float, imperial: bool) -> str:
    # Below 1 km/h (an hour per km) the belt is starting or stopping: no useful pace.
    return format_pace(kmh if kmh >= 1.0 else 0.0, imperial)


def distance(metres: float, imperial: bool) -> str:
    if imperial:
        return f"{metres / METRES_PER_MILE:.2f} mi"
    return f"{metres / 1000:.2f} km"


def duration(seconds: float) -> str:
    return format_duration(max(0.0, seconds))


def step_amount(kind: str, amount: float, imperial: bool) -> str:
    return duration(amount) if kind == "time" else distance(amount, imperial)


def remaining(kind: str, amount: float, imperial: bool) -> str:
    return step_amount(kind, amount, imperial) + " left"
