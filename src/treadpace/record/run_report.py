"""The run summary as text: the per-step table and a character chart for any terminal.

The same numbers feed the image chart (`record/run_chart.py`), so the terminal and
the picture never disagree. Everything here is plain strings and tuples; the
CLI turns them into a rich table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from treadpace.base.display import distance as format_distance
from treadpace.base.display import duration as format_duration
from treadpace.base.display import pace as format_pace
from treadpace.base.display import speed_unit
from treadpace.base.printable import printable
from treadpace.base.units import kmh_to_mph
from treadpace.engine.events import RunState
from treadpace.record.activity import Activity
from treadpace.record.hr_zones import zone_seconds, zones_text
from treadpace.record.sample import Sample

_SPARK = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class StepRow:
    number: int
    name: str
    target_pace: str
    actual_pace: str
    distance: str
    time: str
    avg_hr: str
    max_hr: str
    zones: str
    """Time in each heart-rate zone, e.g. "z2 4:10, z3 1:00" ("" when not recorded)."""
    note: str


_CELLS: dict[str, Callable[[StepRow], str]] = {
    "#": lambda r: str(r.number),
    "step": lambda r: r.name,
    "target pace": lambda r: r.target_pace,
    "achieved": lambda r: r.actual_pace,
    "distance": lambda r: r.distance,
    "time": lambda r: r.time,
    "avg HR": lambda r: r.avg_hr,
    "max HR": lambda r: r.max_hr,
    "zones": lambda r: r.zones,
    "note": lambda r: r.note,
}
OPTIONAL_COLUMNS = ("zones", "note")
"""Shown only when some step has one: never a blank column with no name."""
TERMINAL_COLUMNS = tuple(_CELLS)
IMAGE_COLUMNS = ("#", "step", "target pace", "achieved", "distance", "time", "avg HR", "note")
"""The picture's table is narrower: no max HR and no zones (the plot shows heart rate)."""


def step_table(
    rows: Sequence[StepRow], columns: Sequence[str] = TERMINAL_COLUMNS
) -> tuple[list[str], list[list[str]]]:
    """The column names and the cells of the per-step table, for the terminal and the image."""
    shown = [c for c in columns if c not in OPTIONAL_COLUMNS or any(_CELLS[c](r) for r in rows)]
    return shown, [[_CELLS[c](r) for c in shown] for r in rows]


def to_unit_speed(kmh: float, imperial: bool) -> float:
    return kmh_to_mph(kmh) if imperial else kmh


def step_rows(activity: Activity, imperial: bool) -> list[StepRow]:
    rows = []
    for lap in activity.laps:
        target = lap.target_speed_kmh
        note = "skipped" if lap.skipped else ("interrupted" if not lap.closed else "")
        if lap.cut_short and lap.closed and not lap.skipped:
            note = "stopped"
        rows.append(
            StepRow(
                number=lap.index + 1,
                name=printable(lap.name),
                target_pace=format_pace(target, imperial) if target else "--",
                actual_pace=format_pace(lap.avg_speed_kmh, imperial),
                distance=format_distance(lap.distance_m, imperial),
                time=format_duration(lap.timer_s),
                avg_hr=str(lap.avg_heart_rate) if lap.avg_heart_rate else "--",
                max_hr=str(lap.max_heart_rate) if lap.max_heart_rate else "--",
                zones=zones_text(zone_seconds(lap.samples)),
                note=note,
            )
        )
    return rows


def headline(activity: Activity, imperial: bool) -> str:
    return (
        f"{printable(activity.plan_name)}: {format_distance(activity.distance_m, imperial)} in "
        f"{format_duration(activity.timer_s)}, average "
        f"{format_pace(activity.avg_speed_kmh, imperial)} ({activity.status})"
    )


def text_chart(activity: Activity, imperial: bool, width: int = 64, height: int = 10) -> list[str]:
    """Target (─) vs actual (•) speed over time, step numbers below, heart rate as a sparkline."""
    samples = activity.samples
    if not samples:
        return ["(no telemetry recorded)"]
    span = max(samples[-1].wall - samples[0].wall, 1.0)
    actual, target, hr, steps = _columns(samples, imperial, width, span)
    lines = _speed_plot(actual, target, width, height)
    lines.append("      └" + "─" * width)
    lines.append(" step  " + _step_marks(steps, width))
    beats_known = [h for h in hr if h is not None]
    legend = f"─ target  • actual ({speed_unit(imperial)}), 0–{span / 60:.1f} min"
    if beats_known:
        lo, hi = min(beats_known), max(beats_known)
        spark = "".join(
            " " if h is None else _SPARK[min(7, int((h - lo) / (hi - lo) * 7)) if hi > lo else 3]
            for h in hr
        )
        lines.append(f"    HR {spark}")
        legend += f", HR {lo:.0f}–{hi:.0f} bpm"
    lines.append("       " + legend)
    return lines


_Column = list[float | None]


def _columns(
    samples: Sequence[Sample], imperial: bool, width: int, span: float
) -> tuple[_Column, _Column, _Column, list[int | None]]:
    """Per chart column: mean actual and target speed, mean heart rate, the last step."""
    start = samples[0].wall
    columns: list[list[tuple[float, float, int | None, int]]] = [[] for _ in range(width)]
    for s in samples:
        col = min(width - 1, int((s.wall - start) / span * width))
        speed = s.speed_kmh if s.state == RunState.RUNNING else 0.0
        columns[col].append((speed, s.target_speed_kmh, s.heart_rate_bpm, s.step_index))
    actual: _Column = []
    target: _Column = []
    hr: _Column = []
    steps: list[int | None] = []
    for cell in columns:
        if not cell:
            actual.append(None)
            target.append(None)
            hr.append(None)
            steps.append(None)
            continue
        actual.append(to_unit_speed(sum(c[0] for c in cell) / len(cell), imperial))
        target.append(to_unit_speed(sum(c[1] for c in cell) / len(cell), imperial))
        beats = [c[2] for c in cell if c[2]]
        hr.append(sum(beats) / len(beats) if beats else None)
        steps.append(cell[-1][3])
    return actual, target, hr, steps


def _speed_plot(actual: _Column, target: _Column, width: int, height: int) -> list[str]:
    """The speed rows, top first, with the scale at the top, middle and bottom."""
    values = [v for v in actual + target if v is not None and v > 0]
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    low = max(0.0, low - 0.5)
    high = high + 0.5 if high > low else low + 1.0

    def row_of(value: float) -> int:
        return min(height - 1, max(0, round((value - low) / (high - low) * (height - 1))))

    grid = [[" "] * width for _ in range(height)]
    for col in range(width):
        t, a = target[col], actual[col]
        if t is not None and t > 0:
            grid[row_of(t)][col] = "─"
        if a is not None and a >= low:
            r = row_of(a)
            grid[r][col] = "●" if grid[r][col] == "─" else "•"
    lines = []
    for r in range(height - 1, -1, -1):
        level = low + (high - low) * r / (height - 1)
        label = f"{level:5.1f}" if r in (0, height - 1, (height - 1) // 2) else "     "
        lines.append(f"{label} │{''.join(grid[r])}")
    return lines


def _step_marks(steps: list[int | None], width: int) -> str:
    """Each step's number (from 1) in the column where it begins."""
    marks = [" "] * width
    previous: int | None = None
    for col, step in enumerate(steps):
        if step is not None and step != previous:
            text = str(step + 1)
            for i, ch in enumerate(text):
                if col + i < width:
                    marks[col + i] = ch
            previous = step
    return "".join(marks)
