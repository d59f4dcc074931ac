"""The history index: summaries kept in the data dir's database, rebuilt from the journals.

A listing reads each journal once; the next one reads only the journals that changed
(grown, replaced) and forgets the ones that are gone. The database is WAL, at the
schema version the code knows; one it cannot use (newer, damaged) is set aside and
rebuilt, and without a usable data dir every journal is simply read.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

import pytest

from tests.journals import DAY, record
from treadpace.base.paths import data_dir
from treadpace.record import runs
from treadpace.record.runs import RunSummary, list_runs
from treadpace.record.synthetic import SyntheticRun
from treadpace.store.database import DATABASE_NAME as FILE_NAME
from treadpace.store.database import SCHEMA_VERSION

BASE = SyntheticRun().start_wall


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "runs"
    record(folder, SyntheticRun(plan_name="Easy", start_wall=BASE, pause_at_s=30))
    record(folder, SyntheticRun(plan_name="Thirds", start_wall=BASE + DAY, stop_after_s=150))
    record(folder, SyntheticRun(plan_name="Crashed", start_wall=BASE + 2 * DAY), crash_after=300)
    return folder


def counting(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The journals `list_runs` reads from now on."""
    read: list[Path] = []
    real = runs.summarize

    def summarize(path: Path) -> RunSummary | None:
        read.append(path)
        return real(path)

    monkeypatch.setattr(runs, "summarize", summarize)
    return read


def test_a_second_listing_reads_no_journal_and_lists_the_same(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = list_runs(folder)
    read = counting(monkeypatch)
    again = list_runs(folder)
    assert read == []
    assert again == first and [r.plan_name for r in again] == ["Easy", "Thirds", "Crashed"]
    assert again[0].steps and again[0].departures == first[0].departures


def test_a_changed_journal_is_read_again_and_a_gone_one_forgotten(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {r.plan_name: r for r in list_runs(folder)}
    crashed, thirds = before["Crashed"].path, before["Thirds"].path
    # The crashed run's journal replaced by the whole run (as a repair or a resync would).
    whole = SyntheticRun(plan_name="Crashed", start_wall=BASE + 2 * DAY)
    record(folder / "elsewhere", whole).replace(crashed)
    thirds.unlink()
    read = counting(monkeypatch)
    after = {r.plan_name: r for r in list_runs(folder)}
    assert read == [crashed]
    assert after["Crashed"].status == "finished" != before["Crashed"].status
    assert "Thirds" not in after
    with contextlib.closing(sqlite3.connect(data_dir() / FILE_NAME)) as db:
        (rows,) = db.execute("SELECT count(*) FROM run_summary").fetchone()
    assert rows == 2


def test_the_database_is_wal_at_the_schema_version(folder: Path) -> None:
    list_runs(folder)
    with contextlib.closing(sqlite3.connect(data_dir() / FILE_NAME)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


@pytest.mark.parametrize("what", ["newer", "damaged"])
def test_a_database_it_cannot_use_is_set_aside_and_rebuilt(
    folder: Path, what: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = data_dir() / FILE_NAME
    path.parent.mkdir(parents=True)
    if what == "newer":
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    else:
        path.write_bytes(b"not a database at all" * 100)
    assert [r.plan_name for r in list_runs(folder)] == ["Easy", "Thirds", "Crashed"]
    assert "set aside and rebuilt from the journals" in caplog.text
    assert path.with_name(f"{FILE_NAME}.unusable").exists()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_without_a_usable_data_dir_every_journal_is_read(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("")
    monkeypatch.setenv("TREADPACE_HOME", str(blocked / "data"))
    read = counting(monkeypatch)
    assert [r.plan_name for r in list_runs(folder)] == ["Easy", "Thirds", "Crashed"]
    assert len(read) == 3
    assert not os.path.exists(blocked / "data")


def test_a_folder_without_journals_makes_no_database(tmp_path: Path) -> None:
    assert list_runs(tmp_path) == []
    assert not (data_dir() / FILE_NAME).exists()
