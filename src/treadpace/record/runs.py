"""The runs in a recording directory: listing (for `history`) and naming (`RUN` arguments).

Listing stays fast with hundreds of runs: a summary reads only the journal's
first line and its last few kilobytes (the final `run_finished` line, or the
last telemetry line of an interrupted run), never the whole file, unless
those totals are treadmill garbage (a distance the belt cannot have covered,
a timer that is not a number): then the whole run is read and cleaned, as
an export would.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from pathlib import Path

from treadpace.base.user_error import UserError
from treadpace.engine.events import RunFinished, RunStarted, Tick
from treadpace.record.activity import build_activity
from treadpace.record.codec import JournalLineError, decode_event
from treadpace.record.journal import JOURNAL_SUFFIX, read_journal, run_status
from treadpace.record.repair import plausible_wall, sound_header
from treadpace.record.run_summary import RunSummary as RunSummary
from treadpace.record.sanitise import plausible_distance

log = logging.getLogger(__name__)

_TAIL_BYTES = 16 * 1024
_HEAD_BYTES = 16 * 1024


def journals(directory: Path) -> list[Path]:
    """Journal files in `directory`, oldest first (names start with the UTC start time)."""
    try:
        # scandir knows an entry's type without a stat of each file (a thousand runs).
        with os.scandir(directory) as entries:
            names = [e.name for e in entries if e.name.endswith(JOURNAL_SUFFIX) and e.is_file()]
    except OSError:  # no such folder, or not a folder
        return []
    return [directory / name for name in sorted(names)]


def summarize(path: Path) -> RunSummary | None:
    """A run's summary from its head and tail, or None when it is not a journal."""
    ends = _read_ends(path)
    if ends is None:
        return None
    head, tail = ends
    try:
        header = decode_event(head[0])
    except JournalLineError:
        return None
    if not isinstance(header, RunStarted):
        return None
    if not sound_header(header):
        return _summarize_fully(path)
    start_wall = _belt_start(header, head[1:-1])
    last = _last_event(tail, header)
    finished = last if isinstance(last, RunFinished) else None
    if finished is not None:
        distance, timer, end_wall = finished.distance_m, finished.elapsed_s, finished.wall
    elif last is not None:
        distance, timer, end_wall = last.distance_m, last.elapsed_s, last.wall
    else:
        distance, timer, end_wall = 0.0, 0.0, start_wall
    if not (
        plausible_distance(distance, end_wall - start_wall) and math.isfinite(timer) and timer >= 0
    ):
        return _summarize_fully(path)
    return RunSummary(
        id=path.name.removesuffix(JOURNAL_SUFFIX),
        path=path,
        start_wall=start_wall,
        plan_name=header.plan_name,
        imperial=header.imperial,
        distance_m=distance,
        timer_s=timer,
        status=run_status(finished),
        departures=tuple((k, finished.departure_seconds(k)) for k in finished.departures)
        if finished is not None
        else (),
        guided_cause=finished.guided_cause if finished is not None else None,
        device=header.device,
        plan_kind=header.plan_kind,
        steps=finished.steps if finished is not None else (),
        simulated=header.simulated,
    )


def _read_ends(path: Path) -> tuple[list[str], list[str]] | None:
    """The journal's first lines and its last whole lines, without reading the middle."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace").split("\n")
            size = os.fstat(handle.fileno()).st_size
            handle.seek(max(0, size - _TAIL_BYTES))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = tail.split("\n")
    if size > _TAIL_BYTES:
        lines = lines[1:]  # the first piece may be the end of a longer line
    return head, lines


def _belt_start(header: RunStarted, lines: list[str]) -> float:
    """Wall time the belt started, from the first `running` state line (else the header's)."""
    start_wall = header.wall
    for line in lines:
        # The run starts with the belt (the header is written at connection time).
        if '"type":"state"' in line and '"state":"running"' in line:
            with contextlib.suppress(JournalLineError):
                belt_start = start_wall + decode_event(line).t - header.t
                if plausible_wall(belt_start):
                    start_wall = belt_start
            break
    return start_wall


def _last_event(lines: list[str], header: RunStarted) -> RunFinished | Tick | None:
    """The last readable finish or tick line, reading backwards."""
    for line in reversed(lines):
        if not line.strip() or ('"tick"' not in line and '"run_finished"' not in line):
            continue
        try:
            event = decode_event(line, header.steps)
        except JournalLineError:
            continue
        # Read backwards: a finish line would have come before this tick.
        if isinstance(event, RunFinished | Tick):
            return event
    return None


def _summarize_fully(path: Path) -> RunSummary:
    """The summary of a run whose head or tail cannot be trusted: read and cleaned whole."""
    journal = read_journal(path)
    activity = build_activity(journal)
    return RunSummary(
        id=activity.id,
        path=path,
        start_wall=activity.start_wall,
        plan_name=activity.plan_name,
        imperial=activity.imperial,
        distance_m=activity.distance_m,
        timer_s=activity.timer_s,
        status=activity.status,
        device=activity.device,
        plan_kind=activity.plan_kind,
        simulated=journal.header.simulated,
    )


def list_runs(directory: Path) -> list[RunSummary]:
    """Every readable run in `directory`, oldest first (by recorded start time).

    Summaries come from the history index in the data dir's database where a journal
    is unchanged since it was summarised (`history_index`); without a usable database
    every journal is read. A journal that cannot be read is left out with one warning
    line naming it: one damaged file never hides the other runs.
    """
    paths = journals(directory)
    if not paths:
        return []
    runs = [s for s in _summaries(directory, paths) if s is not None]
    return sorted(runs, key=lambda r: (r.start_wall, r.id))


def _summaries(directory: Path, paths: list[Path]) -> list[RunSummary | None]:
    import sqlite3

    from treadpace.base.paths import data_dir
    from treadpace.record.history_index import indexed
    from treadpace.store.database import StoreUnusable, open_store

    try:
        db = open_store(data_dir())
    except StoreUnusable as exc:
        log.debug("no history index (%s): reading every journal", exc)
        return [_listed(p) for p in paths]
    try:
        return indexed(db, directory, paths, _listed)
    except sqlite3.Error as exc:
        log.debug("history index unusable (%s): reading every journal", exc)
        return [_listed(p) for p in paths]
    finally:
        db.close()


def _listed(path: Path) -> RunSummary | None:
    """`summarize`, with what keeps a journal out of the history said in one line."""
    try:
        summary = summarize(path)
    except UserError as exc:
        log.warning("%s (left out of the history)", exc)
        return None
    except (ValueError, OverflowError) as exc:
        log.warning("%s: damaged journal left out of the history (%s)", path, exc)
        return None
    if summary is None:
        log.warning("%s: not a treadpace journal (left out of the history)", path)
    return summary


def resolve_run(spec: str, directory: Path) -> Path:
    """`RUN` → journal path: a file path, `latest`, a run id, or a unique prefix of one."""
    candidate = Path(spec).expanduser()
    if candidate.is_file():
        return candidate
    if spec == "latest":
        runs = list_runs(directory)
        if not runs:
            raise UserError(f"{directory}: no recorded runs yet")
        return runs[-1].path
    found = journals(directory)
    exact = [p for p in found if p.name.removesuffix(JOURNAL_SUFFIX) == spec]
    if exact:
        return exact[0]
    matches = [p for p in found if p.name.startswith(spec)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UserError(
            f"{spec}: no such run (not a file, and no run id in {directory} starts with it;"
            " see `treadpace history`)"
        )
    names = ", ".join(p.name.removesuffix(JOURNAL_SUFFIX) for p in matches[:3])
    more = f" and {len(matches) - 3} more" if len(matches) > 3 else ""
    raise UserError(f"{spec}: ambiguous run id, matches {names}{more}")
