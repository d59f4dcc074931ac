"""What the page shows when no run is going: the last run's summary and the history.

Read from the runs directory each time a page asks (a run that just ended shows up
on the next refresh), with the same journal reader, activity builder and step rows
as `treadpace report`, so the page and the terminal never disagree.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from treadpace.display import distance as format_distance
from treadpace.display import duration as format_duration
from treadpace.display import pace as format_pace
from treadpace.display import speed_unit
from treadpace.printable import printable
from treadpace.record.activity import build_activity
from treadpace.record.journal import read_journal
from treadpace.record.report import headline, step_rows
from treadpace.record.runs import RunSummary, list_runs
from treadpace.units import kmh_to_mph

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


def _row(run: RunSummary, imperial: bool) -> dict[str, Any]:
    return {
        "date": datetime.fromtimestamp(run.start_wall).strftime("%d %b %y %H:%M"),
        "plan": printable(run.plan_name),
        "distance": format_distance(run.distance_m, imperial),
        "time": format_duration(run.timer_s),
        "pace": format_pace(run.avg_speed_kmh, imperial),
        "status": run.status,
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
    return {
        "headline": headline(activity, imperial),
        "steps": [row.__dict__ for row in step_rows(activity, imperial)],
        "chart": chart,
    }
