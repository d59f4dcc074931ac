"""What `treadpace history` shows: one unit per column, marks, totals and a weekly summary.

Every run's distance and pace are in the profile's units (a run recorded by an
imperial profile is not listed in miles among kilometres), the unit in the
column's heading. A simulated run is marked `sim` and counted apart in the
totals (it is not training); a run that left the plan as written says how
(guided, capped, held by a console change, or held back by heart rate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from treadpace.base.display import duration as format_duration
from treadpace.base.display import pace as format_pace
from treadpace.base.units import METRES_PER_MILE
from treadpace.record.runs import RunSummary


@dataclass(frozen=True)
class Units:
    imperial: bool

    @property
    def distance(self) -> str:
        return "mi" if self.imperial else "km"

    @property
    def pace(self) -> str:
        return "/mi" if self.imperial else "/km"

    def length(self, metres: float) -> str:
        return f"{metres / (METRES_PER_MILE if self.imperial else 1000.0):.2f}"

    def pace_of(self, kmh: float) -> str:
        return format_pace(kmh, self.imperial).removesuffix(self.pace)


def marks(run: RunSummary) -> str:
    """ "sim, guided 4:10, hr-held 2:00" or "" for a run that went as planned."""
    out = ["sim"] if run.simulated else []
    out += [f"{k.value} {format_duration(sec)}" for k, sec in run.departures]
    if run.hr_held_s >= 1:
        out.append(f"hr-held {format_duration(run.hr_held_s)}")
    return ", ".join(out)


def headings(units: Units) -> tuple[str, ...]:
    return ("run (UTC start)", "plan", units.distance, "time", f"pace{units.pace}", "max HR",
            "outcome")  # fmt: skip


def totals(runs: Sequence[RunSummary], units: Units) -> str:
    real = [r for r in runs if not r.simulated]
    sim = len(runs) - len(real)
    metres = sum(r.distance_m for r in real)
    seconds = sum(r.timer_s for r in real)
    text = f"total: {len(real)} run(s), {units.length(metres)} {units.distance} in "
    text += format_duration(seconds)
    if sim:
        text += f" (and {sim} simulated, not counted)"
    return text


def weekly(runs: Sequence[RunSummary], units: Units) -> list[tuple[str, str, str, str, str]]:
    """(ISO week, runs, distance, time, progression runs) per week with a real run."""
    import datetime as dt

    from treadpace.plans.models import PROGRESSION_KINDS

    weeks: dict[str, list[RunSummary]] = {}
    for r in runs:
        if not r.simulated:
            iso = dt.datetime.fromtimestamp(r.start_wall, dt.UTC).isocalendar()
            weeks.setdefault(f"{iso.year}-W{iso.week:02d}", []).append(r)
    return [
        (
            week,
            str(len(rs)),
            units.length(sum(r.distance_m for r in rs)),
            format_duration(sum(r.timer_s for r in rs)),
            str(sum(1 for r in rs if r.plan_kind in PROGRESSION_KINDS)),
        )
        for week, rs in sorted(weeks.items())
    ]
