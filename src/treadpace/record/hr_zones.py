"""Time in each heart-rate zone, from a recording's samples.

Each tick records the zone its heart rate was in, by the profile the run used
(`Tick.hr_zone`), so the figures do not change when the profile does later. A
sample counts for the time to the next one while the plan clock ran, at most
`GAP_S`; recordings made before zones were recorded have none (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from treadpace.engine.events import RunState

if TYPE_CHECKING:
    from treadpace.record.sample import Sample

GAP_S = 5.0
ZONE_NAMES = ("below z1", "z1", "z2", "z3", "z4", "z5")


def zone_seconds(samples: Sequence[Sample]) -> tuple[float, ...] | None:
    """Seconds below zone 1 and in zones 1-5, or None when no sample has a zone."""
    out = [0.0] * 6
    seen = False
    for here, after in pairwise(samples):
        if here.hr_zone is None or here.state != RunState.RUNNING:
            continue
        seen = True
        out[min(5, max(0, here.hr_zone))] += min(max(0.0, after.wall - here.wall), GAP_S)
    return tuple(out) if seen else None


def zones_text(seconds: tuple[float, ...] | None) -> str:
    """ "z2 12:30, z3 4:10" (zones with time only), or "" without zones."""
    from treadpace.base.display import duration as format_duration

    if seconds is None:
        return ""
    return ", ".join(
        f"{name} {format_duration(s)}"
        for name, s in zip(ZONE_NAMES, seconds, strict=True)
        if s >= 1
    )
