"""The sync a finished run starts by itself: after the belt has stopped and the files are
written, bounded in time, never raising; what it cannot send stays queued."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_icu import API_KEY, FakeIcu
from tests.sync_helpers import recorded_run
from treadpace.commands.sync_runs import after_run_sync
from treadpace.plans.profile import Profile
from treadpace.store.database import connect
from treadpace.sync.outbox import Outbox, State


@pytest.fixture
async def icu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[FakeIcu]:
    fake = FakeIcu()
    await fake.start()
    monkeypatch.setenv("TREADPACE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TREADPACE_ICU_URL", fake.url)
    monkeypatch.setenv("TREADPACE_ICU_API_KEY", API_KEY)
    yield fake
    await fake.close()
    assert fake.violations == []


def profile(budget_s: float = 60.0) -> Profile:
    return Profile.model_validate(
        {
            "race": {"distance": "5k", "time": "25:00"},
            "sync": {"after_run": True, "to": ["icu"], "after_run_budget_s": budget_s},
        }
    )


def state_of(tmp_path: Path, journal: Path) -> State | None:
    conn = connect(tmp_path / "home" / "treadpace.sqlite3")
    try:
        entry = Outbox(conn).get(journal.name.removesuffix(".jsonl"), "icu")
        return None if entry is None else entry.state
    finally:
        conn.close()


async def test_a_finished_run_is_uploaded_after_it(
    icu: FakeIcu, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = recorded_run(tmp_path / "runs")
    await asyncio.to_thread(after_run_sync, profile(), journal)
    assert "on intervals.icu (activity i1001)" in capsys.readouterr().out
    assert state_of(tmp_path, journal) is State.DONE


async def test_a_hung_service_costs_the_budget_and_the_run_stays_queued(
    icu: FakeIcu, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = recorded_run(tmp_path / "runs")
    icu.fail("uploadActivity", kind="hang")
    await asyncio.to_thread(after_run_sync, profile(budget_s=1.0), journal)
    err = capsys.readouterr().err
    assert "sync: not done within 1 s; kept in the outbox" in err
    assert state_of(tmp_path, journal) is State.SENDING
    # The next `treadpace sync` finds it and sends it, once.
    await asyncio.to_thread(after_run_sync, profile(), journal)
    assert state_of(tmp_path, journal) is State.DONE and len(icu.activities) == 1


async def test_a_run_on_the_simulator_is_not_uploaded(icu: FakeIcu, tmp_path: Path) -> None:
    journal = recorded_run(tmp_path / "runs", simulated=True)
    await asyncio.to_thread(after_run_sync, profile(), journal)
    assert icu.calls == [] and state_of(tmp_path, journal) is None


async def test_a_missing_key_is_one_line_not_a_failure(
    icu: FakeIcu, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.delenv("TREADPACE_ICU_API_KEY")
    journal = recorded_run(tmp_path / "runs")
    await asyncio.to_thread(after_run_sync, profile(), journal)
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("sync: intervals.icu: no API key") and "stays queued" in line
    assert state_of(tmp_path, journal) is State.QUEUED
