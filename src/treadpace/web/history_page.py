"""What the page shows when no run is going: the last run's summary and the history.

Read from the runs directory each time a page asks (a run that just ended shows up
on the next refresh), with the same journal reader, activity builder and step rows
as `treadpace report`, so the page and the terminal never disagree. The appliance's
history page adds the weekly totals and one run's detail (laps, heart-rate zones);
a run is named by its id, found among the journals, never by a path from a page.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from treadpace.base.display import distance as format_distance
from treadpace.base.display import duration as format_duration
from treadpace.base.display import pace as format_pace
from treadpace.base.display import speed_unit
from treadpace.base.printable import printable
from treadpace.base.units import kmh_to_mph
from treadpace.record.activity import build_activity
from treadpace.record.journal import read_journal
from treadpace.record.run_report import headline, step_rows
from treadpace.record.runs import RunSummary, list_runs

log = logging.getLogger("treadpace.web")

MAX_RUNS = 50
CHART_POINTS = 600


def history(directory: Path, imperial: bool) -> dict[str, Any]:
    """`last` (None when nothing is recorded) and `runs`, newest first."""
    runs = list_runs(directory)
    return {
        "unit": speed_unit(imperial),
        "last": _last(runs[-1], imperial) if runs else None,
        "runs": [_row(r, imperial) for r in reversed(runs[-MAX_RUNS:])],
    }


def runs_page(directory: Path, imperial: bool) -> dict[str, Any]:
    """The runs, newest first, and the totals of each week (Monday to Sunday)."""
    runs = list_runs(directory)
    weeks: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for run in runs:
        year, week, _ = datetime.fromtimestamp(run.start_wall).isocalendar()
        total = weeks[f"{year}-W{week:02d}"]
        total[0] += run.distance_m
        total[1] += run.timer_s
        total[2] += 1
    return {
        "unit": speed_unit(imperial),
        "weeks": [
            {
                "week": name,
                "distance": format_distance(t[0], imperial),
                "time": format_duration(t[1]),
                "runs": int(t[2]),
            }
            for name, t in sorted(weeks.items(), reverse=True)
        ],
        "runs": [_row(r, imperial) for r in reversed(runs[-MAX_RUNS:])],
    }


def find_run(directory: Path, run_id: str) -> RunSummary | None:
    """The run with this id among the journals (an id, never a path)."""
    return next((r for r in list_runs(directory) if r.id == run_id), None)


def run_detail(directory: Path, run_id: str, imperial: bool) -> dict[str, Any] | None:
    """One run's page: the summary, the chart, the laps and the time in each HR zone."""
    run = find_run(directory, run_id)
    if run is None:
        return None
    detail = _last(run, imperial)
    if detail is None:
        return None
    return {"id": run.id, **_row(run, imperial), **detail}


def _row(run: RunSummary, imperial: bool) -> dict[str, Any]:
    return {
        "date": datetime.fromtimestamp(run.start_wall).strftime("%d %b %y %H:%M"),
        "plan": printable(run.plan_name),
        "distance": format_distance(run.distance_m, imperial),
        "time": format_duration(run.timer_s),
        "pace": format_pace(run.avg_speed_kmh, imperial),
        "status": run.status,
        "id": run.id,
    }


def _last(run: RunSummary, imperial: bool) -> dict[str, Any] | None:
    try:
        activity = build_activity(read_journal(run.path))
    except Exception as exc:  # a damaged last journal still leaves the history
        log.warning("web: cannot show %s: %s", run.path, exc)
        return None
    unit = kmh_to_mph if imperial else (lambda kmh: kmh)
    samples = activity.samples
    every = max(1, len(samples) // CHART_POINTS + 1)
    chart = [
        [round(s.elapsed_s, 1), round(unit(s.target_speed_kmh), 2), round(unit(s.speed_kmh), 2)]
        for s in samples[::every]
    ]
    zones: dict[int, float] = defaultdict(float)
    for before, after in itertools.pairwise(samples):
        if before.hr_zone is not None and before.state == after.state:
            zones[before.hr_zone] += max(0.0, after.elapsed_s - before.elapsed_s)
    return {
        "headline": headline(activity, imperial),
        "steps": [row.__dict__ for row in step_rows(activity, imperial)],
        "chart": chart,
        "zones": [
            [f"z{z}" if z else "below z1", format_duration(s)]
            for z, s in sorted(zones.items())
            if s >= 1
        ],
    }
