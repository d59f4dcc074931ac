"""The outbox: which run each service still has to get, and what each already has.

A row per (run, service) in the database's `sync_outbox` table. Its life:
`queued` -> `sending` (written before the request, so a process killed mid-upload
is seen on restart) -> `processing` (Strava: the upload id is known, the activity
not yet) -> `done` with the remote id. A failure worth another try puts it back to
`queued` with a time before which it is not tried (`not_before`, Unix seconds) and
the one line the runner saw; one that needs the runner is `failed` until the next
`treadpace sync` names the run again. A row found `sending` is simply sent again:
the services answer a second upload of the same run as a duplicate, never a second
activity.
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass
from pathlib import Path


class State(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class Entry:
    run_id: str
    service: str
    journal: Path
    state: State
    attempts: int
    not_before: float
    last_error: str | None
    upload_id: str | None
    remote_id: str | None


_COLUMNS = "run_id, service, journal, state, attempts, not_before, last_error, upload_id, remote_id"


def _entry(row: tuple[object, ...]) -> Entry:
    run_id, service, journal, state, attempts, not_before, error, upload_id, remote = row
    return Entry(
        str(run_id),
        str(service),
        Path(str(journal)),
        State(str(state)),
        int(str(attempts)),
        float(str(not_before)),
        None if error is None else str(error),
        None if upload_id is None else str(upload_id),
        None if remote is None else str(remote),
    )


class Outbox:
    """The `sync_outbox` table. Every write is its own committed transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, run_id: str, service: str) -> Entry | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM sync_outbox WHERE run_id = ? AND service = ?",
            (run_id, service),
        ).fetchone()
        return None if row is None else _entry(row)

    def enqueue(self, run_id: str, service: str, journal: Path, now: float) -> Entry:
        """Queue the run for the service; a run already done stays done, a failed one is
        queued again (the runner asked for it by name)."""
        self._conn.execute(
            "INSERT INTO sync_outbox (run_id, service, journal, state, queued_at)"
            " VALUES (?, ?, ?, 'queued', ?)"
            " ON CONFLICT (run_id, service) DO UPDATE SET journal = excluded.journal,"
            " state = CASE WHEN state = 'failed' THEN 'queued' ELSE state END,"
            " not_before = CASE WHEN state = 'failed' THEN 0 ELSE not_before END",
            (run_id, service, str(journal), now),
        )
        entry = self.get(run_id, service)
        assert entry is not None
        return entry

    def due(self, services: tuple[str, ...] | list[str], now: float) -> list[Entry]:
        """What to send now, oldest first: queued and due, or left mid-way by a stopped process."""
        marks = ",".join("?" for _ in services)
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM sync_outbox WHERE service IN ({marks})"
            " AND (state = 'sending' OR (state IN ('queued', 'processing') AND not_before <= ?))"
            " ORDER BY run_id, service",
            (*services, now),
        ).fetchall()
        return [_entry(r) for r in rows]

    def waiting(self, services: tuple[str, ...] | list[str] | None = None) -> list[Entry]:
        """Everything not done yet (queued, mid-way or failed)."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM sync_outbox WHERE state != 'done' ORDER BY run_id, service"
        ).fetchall()
        entries = [_entry(r) for r in rows]
        return [e for e in entries if services is None or e.service in services]

    def sending(self, entry: Entry) -> None:
        self._set(entry, "state = 'sending', attempts = attempts + 1")

    def processing(self, entry: Entry, upload_id: str) -> None:
        self._set(entry, "state = 'processing', upload_id = ?", upload_id)

    def done(self, entry: Entry, remote_id: str, now: float) -> None:
        self._set(
            entry, "state = 'done', remote_id = ?, done_at = ?, last_error = NULL", remote_id, now
        )

    def retry_at(self, entry: Entry, not_before: float, error: str) -> None:
        """Back to the queue; a Strava upload already made keeps its id to be polled again."""
        state = "processing" if entry.upload_id else "queued"
        self._set(entry, "state = ?, not_before = ?, last_error = ?", state, not_before, error)

    def failed(self, entry: Entry, error: str) -> None:
        self._set(entry, "state = 'failed', last_error = ?, upload_id = NULL", error)

    def forget_upload(self, entry: Entry) -> None:
        """The service lost the upload it was processing: send the file again."""
        self._set(entry, "state = 'queued', upload_id = NULL")

    def _set(self, entry: Entry, assignments: str, *values: object) -> None:
        self._conn.execute(
            f"UPDATE sync_outbox SET {assignments} WHERE run_id = ? AND service = ?",
            (*values, entry.run_id, entry.service),
        )
