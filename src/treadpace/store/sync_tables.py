"""The sync tables: the outbox of finished runs, and the workouts pushed to a calendar.

`sync_outbox` has one row per (run, service): its state (queued, sending,
processing, done, failed), when it may be tried again, the last failure as the
one line the runner saw, and the remote ids once the service has the run.
`sync_pushed` remembers each planned workout sent to a calendar by its external id.
Everything here can be rebuilt: a run's external id is derived from its journal,
and the services answer a second upload of the same run as a duplicate.
"""

from __future__ import annotations

import sqlite3

_SCHEMA = """
CREATE TABLE sync_outbox (
    run_id      TEXT NOT NULL,
    service     TEXT NOT NULL,
    journal     TEXT NOT NULL,
    state       TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  REAL NOT NULL DEFAULT 0,
    last_error  TEXT,
    upload_id   TEXT,
    remote_id   TEXT,
    queued_at   REAL NOT NULL,
    done_at     REAL,
    PRIMARY KEY (run_id, service)
);
CREATE INDEX sync_outbox_state ON sync_outbox (service, state, not_before);
CREATE TABLE sync_pushed (
    external_id TEXT NOT NULL,
    service     TEXT NOT NULL,
    day         TEXT NOT NULL,
    plan_name   TEXT NOT NULL,
    remote_id   TEXT,
    pushed_at   REAL NOT NULL,
    PRIMARY KEY (external_id, service)
);
"""


def create_sync_tables(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
