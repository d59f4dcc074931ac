"""A finished run as the services take it: the FIT file, a name, a description, an id.

The FIT file is the one the run's end exported beside the journal, or, when it is
missing or older than the journal, made again from it (the journal is the truth; the
same journal gives the same bytes, so either way the service sees one file). The
external id is derived from the run id, so a run sent twice is the same upload to
the service. A run is a `Run` on a trainer (a treadmill run, never a virtual one),
or a `Walk` when its average speed was a walker's.
"""

from __future__ import annotations

import io
import stat
from dataclasses import dataclass
from pathlib import Path

from treadpace.base.display import distance as format_distance
from treadpace.base.display import duration as format_duration
from treadpace.base.display import pace as format_pace
from treadpace.base.units import RUNNING_FROM_KMH
from treadpace.record.activity import Activity, build_activity
from treadpace.record.fit_export import write_fit
from treadpace.record.journal import read_journal

EXTERNAL_PREFIX = "treadpace-"
MAX_FIT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class RunItem:
    run_id: str
    fit: bytes
    name: str
    description: str
    external_id: str
    sport_type: str
    """`Run` or `Walk`: a walk is never sent as a run."""
    simulated: bool


def external_id(run_id: str) -> str:
    return f"{EXTERNAL_PREFIX}{run_id}"


def sport_type(activity: Activity) -> str:
    return "Run" if activity.avg_speed_kmh >= RUNNING_FROM_KMH else "Walk"


def describe(activity: Activity) -> str:
    imperial = activity.imperial
    return (
        f"Treadmill: {activity.plan_name}, {format_distance(activity.distance_m, imperial)}"
        f" in {format_duration(activity.timer_s)}"
        f" ({format_pace(activity.avg_speed_kmh, imperial)})."
        " Recorded by treadpace."
    )


def exported_fit(journal: Path, run_id: str) -> bytes | None:
    """The FIT file the run's end exported beside its journal, when it is at least as new."""
    path = journal.with_name(f"{run_id}.fit")
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FIT_BYTES:
            return None
        if info.st_mtime < journal.stat().st_mtime:
            return None  # the journal changed after: made again from it
        data = path.read_bytes()
    except OSError:
        return None
    return data if data[8:12] == b".FIT" else None


def fit_of(journal: Path, activity: Activity) -> bytes:
    kept = exported_fit(journal, activity.id)
    if kept is not None:
        return kept
    out = io.BytesIO()
    write_fit(activity, out)
    return out.getvalue()


def run_item(journal: Path) -> RunItem:
    """The upload for one journal (a UserError when it cannot be read)."""
    read = read_journal(journal)
    activity = build_activity(read)
    return RunItem(
        run_id=activity.id,
        fit=fit_of(journal, activity),
        name=activity.plan_name or "Treadmill run",
        description=describe(activity),
        external_id=external_id(activity.id),
        sport_type=sport_type(activity),
        simulated=read.header.simulated,
    )
