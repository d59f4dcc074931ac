"""The one SQLite database: where it is, how it is opened, and its migrations.

`connect()` opens (and creates) the file in WAL mode and brings its schema up to
date: `PRAGMA user_version` holds the schema version, and `MIGRATIONS` is the
ordered list of steps, each run once in its own transaction. A step is appended,
never edited: a database made by an older treadpace is migrated forward, and one
made by a newer treadpace (a higher version than any step here) is refused with one
line rather than misread.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from treadpace.base.paths import data_dir
from treadpace.base.user_error import UserError
from treadpace.store.history_tables import create_history_tables
from treadpace.store.sync_tables import create_sync_tables

log = logging.getLogger(__name__)

DATABASE_NAME = "treadpace.sqlite3"


@dataclass(frozen=True)
class Migration:
    version: int
    """The schema version once this step has run (1, 2, 3, ...: one more than the last)."""
    what: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the sync outbox and what each service already has", create_sync_tables),
    Migration(2, "the history index: each run's summary by its journal", create_history_tables),
)
"""Every schema step in order. Add a step at the end with the next version number."""


def database_path() -> Path:
    return data_dir() / DATABASE_NAME


def connect(path: Path | None = None) -> sqlite3.Connection:
    """The database at `path` (default: the data dir's), created and migrated as needed."""
    target = path if path is not None else database_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(target, timeout=10.0, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise UserError(f"{target}: cannot open the database ({exc})") from None
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn, MIGRATIONS, str(target))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise UserError(f"{target}: not a treadpace database ({exc})") from None
    except BaseException:
        conn.close()
        raise
    return conn


SCHEMA_VERSION = MIGRATIONS[-1].version


class StoreUnusable(Exception):
    """The database cannot be had (a read-only data dir, a full disk)."""


def open_store(directory: Path) -> sqlite3.Connection:
    """The database in `directory`, for what is derived alone (the history index).

    A database that cannot be read (damaged, or made by a newer treadpace) is set
    aside under another name and started anew, since everything the reader needs is
    rebuilt from the journals; `StoreUnusable` when none can be had at all, and the
    caller goes on without it.
    """
    path = directory / DATABASE_NAME
    try:
        return connect(path)
    except UserError as exc:
        if not path.exists():
            raise StoreUnusable(str(exc)) from None
        log.warning("%s; set aside and rebuilt from the journals", exc)
        try:
            path.replace(path.with_name(f"{DATABASE_NAME}.unusable"))
            return connect(path)
        except (OSError, UserError) as again:
            raise StoreUnusable(str(again)) from None


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, steps: tuple[Migration, ...], where: str = "") -> int:
    """Run the steps the database has not had yet, each atomically; the version after."""
    _check_order(steps)
    current = schema_version(conn)
    newest = steps[-1].version if steps else 0
    if current > newest:
        raise UserError(
            f"{where or 'database'}: schema version {current} is newer than this treadpace"
            f" knows ({newest}); upgrade treadpace"
        )
    for step in steps:
        if step.version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            step.apply(conn)
            # PRAGMA takes no parameters: the version is an int from this module.
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        current = step.version
    return current


def _check_order(steps: tuple[Migration, ...]) -> None:
    for expected, step in enumerate(steps, start=1):
        if step.version != expected:
            raise ValueError(f"migration {step.what!r} has version {step.version}, not {expected}")
