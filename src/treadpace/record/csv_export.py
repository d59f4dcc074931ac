"""CSV of a run, one row per recorded second, for spreadsheets and scripts.

Columns: time (UTC, ISO 8601), elapsed_s (plan time, pauses excluded),
distance_m, speed_kmh, pace (m:ss per km or per mile, in the runner's units,
named in the header), incline_percent, heart_rate_bpm, step (1-based),
step_name, state. Empty cells mean "not reported". Rows are written as
they are produced, so a long run never holds its whole table in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from treadpace.base.display import has_pace
from treadpace.base.display import pace as format_pace
from treadpace.base.printable import printable
from treadpace.record.activity import Activity
from treadpace.record.tcx_export import iso


def csv_rows(activity: Activity) -> Iterator[list[str]]:
    """The header, then one row per sample, produced as they are written."""
    unit = "mi" if activity.imperial else "km"
    yield [
        "time",
        "elapsed_s",
        "distance_m",
        "speed_kmh",
        f"pace_per_{unit}",
        "incline_percent",
        "heart_rate_bpm",
        "step",
        "step_name",
        "state",
    ]
    for s in activity.samples:
        pace = format_pace(s.speed_kmh, activity.imperial)
        yield [
            iso(s.wall),
            f"{s.elapsed_s:.1f}",
            f"{s.distance_m:.2f}",
            f"{s.speed_kmh:.2f}",
            pace.rsplit("/", 1)[0] if has_pace(s.speed_kmh) else "",
            "" if s.incline_percent is None else f"{s.incline_percent:.1f}",
            "" if not s.heart_rate_bpm else str(s.heart_rate_bpm),
            str(s.step_index + 1),
            printable(s.step_name),
            s.state.value,
        ]


def write_csv(activity: Activity, out: BinaryIO) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        csv.writer(text).writerows(csv_rows(activity))
        text.flush()
    finally:
        text.detach()  # the caller owns `out`
