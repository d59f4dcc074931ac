"""The history index: each journal's summary kept in the data dir's database.

`history` and `next` list every run; summarising a journal means opening and parsing
it, which over a thousand runs costs more than the rest of the command. The index
keeps each summary with the journal's size and modification time: a journal that
changed (a run still being written, one repaired) is summarised again, one that is
gone is dropped, and the whole index can be deleted at any time and is rebuilt from
the journals on the next listing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from treadpace.engine.causes import Departure, GuidedCause
from treadpace.engine.events import StepSummary
from treadpace.record.journal import JOURNAL_SUFFIX, RunStatus
from treadpace.record.run_summary import RunSummary

FORMAT = 1
"""The summary's JSON shape; a row of another shape is summarised again."""


def to_json(summary: RunSummary) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "start_wall": summary.start_wall,
            "plan_name": summary.plan_name,
            "imperial": summary.imperial,
            "distance_m": summary.distance_m,
            "timer_s": summary.timer_s,
            "status": summary.status.value,
            "departures": [[k.value, s] for k, s in summary.departures],
            "guided_cause": summary.guided_cause.value if summary.guided_cause else None,
            "device": summary.device,
            "plan_kind": summary.plan_kind,
            "steps": [_step_json(s) for s in summary.steps],
            "simulated": summary.simulated,
        },
        separators=(",", ":"),
    )


def _step_json(step: StepSummary) -> dict[str, Any]:
    return {name: getattr(step, name) for name in StepSummary.__dataclass_fields__}


def from_json(text: str, path: Path, run_id: str) -> RunSummary | None:
    """The summary a row holds, or None when it is of another format or damaged."""
    try:
        d = json.loads(text)
        if d.get("format") != FORMAT:
            return None
        cause = d["guided_cause"]
        return RunSummary(
            id=run_id,
            path=path,
            start_wall=float(d["start_wall"]),
            plan_name=str(d["plan_name"]),
            imperial=bool(d["imperial"]),
            distance_m=float(d["distance_m"]),
            timer_s=float(d["timer_s"]),
            status=RunStatus(d["status"]),
            departures=tuple((Departure(k), float(s)) for k, s in d["departures"]),
            guided_cause=GuidedCause(cause) if cause is not None else None,
            device=str(d["device"]),
            plan_kind=str(d["plan_kind"]),
            steps=tuple(StepSummary(**s) for s in d["steps"]),
            simulated=bool(d["simulated"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


Summarise = Callable[[Path], RunSummary | None]


def indexed(
    db: sqlite3.Connection, folder: Path, paths: list[Path], summarise: Summarise
) -> list[RunSummary | None]:
    """The summary of each of `paths` (journals directly in `folder`), from the index where the
    journal is unchanged, else by `summarise` (and kept). None where `summarise` gave
    none. Rows of journals no longer in `folder` are dropped."""
    key = str(folder.resolve())
    rows = {
        journal: (size, mtime, text)
        for journal, size, mtime, text in db.execute(
            "SELECT journal, size, mtime_ns, summary FROM run_summary WHERE folder = ?", (key,)
        )
    }
    out: list[RunSummary | None] = []
    fresh: list[tuple[str, str, int, int, str]] = []
    for path in paths:
        name = os.path.join(key, path.name)
        try:
            st = os.stat(path)
        except OSError:
            out.append(None)
            continue
        row = rows.pop(name, None)
        summary = None
        if row is not None and row[:2] == (st.st_size, st.st_mtime_ns):
            summary = from_json(row[2], path, path.name.removesuffix(JOURNAL_SUFFIX))
        if summary is None:
            summary = summarise(path)
            if summary is not None:
                fresh.append((name, key, st.st_size, st.st_mtime_ns, to_json(summary)))
        out.append(summary)
    db.execute("BEGIN")  # one transaction for the lot (the store's connection autocommits)
    try:
        db.executemany("INSERT OR REPLACE INTO run_summary VALUES (?, ?, ?, ?, ?)", fresh)
        db.executemany("DELETE FROM run_summary WHERE journal = ?", [(n,) for n in rows])
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return out
