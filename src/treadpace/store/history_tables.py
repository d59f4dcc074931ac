"""The history index's table: each run's summary, by its journal.

`run_summary` keeps one row per journal: the folder it is in, the journal's size and
modification time when it was summarised (a journal that changed since is summarised
again), and the summary as JSON with its own format number. It is derived from the
journals alone, so a missing or set-aside database costs one slower `history`.
"""

from __future__ import annotations

import sqlite3

_SCHEMA = """
CREATE TABLE run_summary (
    journal TEXT PRIMARY KEY,
    folder TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX run_summary_folder ON run_summary (folder);
"""


def create_history_tables(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
