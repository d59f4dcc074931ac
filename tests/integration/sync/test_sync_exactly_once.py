"""A process killed between the upload and the outbox write: on restart the run is sent
again, the service answers that it has it, and there is still exactly one activity."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_icu import API_KEY, FakeIcu
from tests.run_proc import ROOT, env, treadpace_async
from tests.sync_helpers import recorded_run
from tests.where import TESTS
from treadpace.store.database import connect
from treadpace.sync.outbox import Outbox, State

HERE = TESTS


@pytest.fixture
async def icu() -> AsyncIterator[FakeIcu]:
    fake = FakeIcu()
    await fake.start()
    yield fake
    await fake.close()
    assert fake.violations == []


async def test_killed_after_the_upload_the_run_is_still_uploaded_exactly_once(
    icu: FakeIcu, tmp_path: Path
) -> None:
    journal = recorded_run(tmp_path / "home" / "runs")
    run_id = journal.name.removesuffix(".jsonl")
    database = tmp_path / "home" / "treadpace.sqlite3"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "sync_stop_after_upload.py"),
        str(database),
        str(journal),
        icu.url,
        API_KEY,
        env={**env(tmp_path), "PYTHONPATH": f"{ROOT / 'src'}:{HERE}"},
        stdout=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    assert line.decode().startswith("uploaded i1001")
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    conn = connect(database)
    try:
        entry = Outbox(conn).get(run_id, "icu")
        assert entry is not None and entry.state is State.SENDING  # the answer was lost
    finally:
        conn.close()

    code, _, err = await treadpace_async(
        tmp_path,
        "sync",
        **{"TREADPACE_ICU_URL": icu.url, "TREADPACE_ICU_API_KEY": API_KEY},
        TREADPACE_PROFILE=str(_profile(tmp_path)),
    )
    assert (code, err) == (0, "")
    assert icu.calls == ["uploadActivity", "uploadActivity"]
    assert list(icu.activities) == ["i1001"]
    conn = connect(database)
    try:
        entry = Outbox(conn).get(run_id, "icu")
        assert entry is not None and entry.state is State.DONE and entry.remote_id == "i1001"
    finally:
        conn.close()


def _profile(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text("race: {distance: 5k, time: '25:00'}\nsync:\n  to: [icu]\n")
    return path
