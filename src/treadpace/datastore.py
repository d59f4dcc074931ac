"""The one SQLite database of derived data, in the data dir (see DESIGN.md).

The journals stay the source of truth; what is derived from them (the history index)
lives here, in the standard library's sqlite3, in WAL mode so a reader never waits
on a writer. The schema has a version (`PRAGMA user_version`) and moves forward by
`MIGRATIONS`, one step per version. Everything here can be rebuilt from the journals,
so a database this treadpace cannot use (from a newer version, or damaged) is set
aside under another name and started anew, never read half-understood.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "treadpace.sqlite3"

MIGRATIONS: tuple[str, ...] = (
    # 1: the history index, a run's summary by its journal (size and mtime say when the
    # journal changed since; the summary is JSON with its own format number).
    """
    CREATE TABLE run_summary (
        journal TEXT PRIMARY KEY,
        folder TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        summary TEXT NOT NULL
    );
    CREATE INDEX run_summary_folder ON run_summary (folder);
    """,
)
"""Statement `n` brings the schema from version n to n + 1."""

SCHEMA_VERSION = len(MIGRATIONS)


class StoreUnusable(Exception):
    """The database cannot be opened or written (a read-only data dir, a full disk)."""


def open_store(directory: Path) -> sqlite3.Connection:
    """The database in `directory`, at `SCHEMA_VERSION` (made, migrated or started anew).

    The caller closes it. Raises `StoreUnusable` when it cannot be had at all: what it
    holds is derived, so a caller goes on without it.
    """
    path = directory / FILE_NAME
    try:
        directory.mkdir(parents=True, exist_ok=True)
        try:
            return _opened(path)
        except sqlite3.DatabaseError as exc:  # damaged, or from a newer treadpace
            log.warning("%s: %s; set aside and rebuilt from the journals", path, exc)
            path.replace(path.with_name(f"{FILE_NAME}.unusable"))
            return _opened(path)
    except (OSError, sqlite3.Error) as exc:
        raise StoreUnusable(f"{path}: {exc}") from exc


def _opened(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=5.0)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        _migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: sqlite3.Connection) -> None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(f"schema version {version} is newer than this treadpace")
    for number in range(version, SCHEMA_VERSION):
        with contextlib.closing(db.cursor()) as cursor:
            cursor.executescript(
                f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;"
            )
