"""What every workout format shares: the imported result, its errors, and unit-explicit text.

Every step an importer writes names its unit ("90 s" is never just 90, a speed
is "11.2345 km/h"), so the plan reads the same to a runner as to the loader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

MAX_FILE_BYTES = 1_000_000
"""A workout file is a few kilobytes; anything this big is not one."""
MAX_STEP_S = 24 * 3600.0
"""No treadmill step lasts a day: a longer one (up to 10^308 minutes) is damage."""
MAX_STEP_M = 500_000.0
"""Nor runs 500 km."""


class WorkoutError(ValueError):
    """A problem in a workout file; the message names the element and what was expected."""


@dataclass
class Imported:
    """A workout as a plan mapping (a `custom` plan), with notes on what changed shape."""

    plan: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def seconds_text(seconds: float) -> str:
    """`90.0` -> `"1:30"`, `3725.5` -> `"1:02:05.5"` (what `parse_duration` reads back)."""
    whole = int(seconds)
    frac = round(seconds - whole, 3)
    if frac >= 1.0:
        whole, frac = whole + 1, 0.0
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    sec = f"{s:02d}" + (f"{frac:.3f}".lstrip("0").rstrip("0").rstrip(".") if frac else "")
    return f"{h}:{m:02d}:{sec}" if h else f"{m}:{sec}"


def duration_field(seconds: float, where: str) -> dict[str, str]:
    """A step's `duration`, or a WorkoutError naming `where` when no step lasts that long."""
    if not (math.isfinite(seconds) and 0.0 < seconds <= MAX_STEP_S):
        raise WorkoutError(f"{where}: expected a length above zero and up to 24 hours")
    return {"duration": seconds_text(seconds)}


def distance_field(metres: float, where: str) -> dict[str, str]:
    """A step's `distance`, or a WorkoutError naming `where` when no step is that long."""
    if not (math.isfinite(metres) and 0.0 < metres <= MAX_STEP_M):
        raise WorkoutError(f"{where}: expected a distance above zero and up to 500 km")
    return {"distance": metres_text(metres)}


def metres_text(metres: float) -> str:
    return f"{round(metres, 3):g} m"


def kmh_text(kmh: float) -> str:
    return f"{round(kmh, 4):g} km/h"


def pace_text(s_per_km: float) -> str:
    """Seconds per km as `m:ss.ss/km` (a hundredth of a second: finer than any belt)."""
    m, s = divmod(round(s_per_km, 2), 60)
    return f"{int(m)}:{s:05.2f}/km"


def pace_range_text(fast_s_per_km: float, slow_s_per_km: float) -> str:
    a, b = pace_text(fast_s_per_km), pace_text(slow_s_per_km)
    return f"{a.removesuffix('/km')}-{b}"


def custom_plan(name: str, description: str, segments: list[Any]) -> dict[str, Any]:
    if not segments:
        raise WorkoutError("expected at least one step, got none")
    return {"name": name, "description": description, "kind": "custom", "segments": segments}


def check_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise WorkoutError(f"(file): expected a workout file under 1 MB, got {len(data)} bytes")
