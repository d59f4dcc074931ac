"""`treadpace sync` as a runner types it: exit 0 when every run is there, 2 when a key is
missing or refused, 5 while runs wait in the outbox; one line per problem, no secret.

In the test's own process (`cli_runner`: the same `main()`, off the loop that serves the
fake intervals.icu): exit codes, output and the outbox are the command's own, and a
process of its own would prove nothing more."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.cli_runner import invoke_beside
from tests.fake_icu import API_KEY, FakeIcu
from tests.sync_helpers import recorded_run
from treadpace.store.database import connect
from treadpace.sync.outbox import Outbox, State


@pytest.fixture
async def icu() -> AsyncIterator[FakeIcu]:
    fake = FakeIcu()
    await fake.start()
    yield fake
    await fake.close()
    assert fake.violations == []


def runs_dir(tmp_path: Path) -> Path:
    return tmp_path / "home" / "runs"


def icu_env(fake: FakeIcu, key: str = API_KEY) -> dict[str, str]:
    return {"TREADPACE_ICU_URL": fake.url, "TREADPACE_ICU_API_KEY": key}


def outbox_state(tmp_path: Path, run_id: str) -> State | None:
    conn = connect(tmp_path / "home" / "treadpace.sqlite3")
    try:
        entry = Outbox(conn).get(run_id, "icu")
        return None if entry is None else entry.state
    finally:
        conn.close()


async def test_sync_uploads_the_latest_run_and_exits_0(icu: FakeIcu, tmp_path: Path) -> None:
    journal = recorded_run(runs_dir(tmp_path))
    code, out, err = await invoke_beside(tmp_path, "sync", "--to", "icu", "latest", **icu_env(icu))
    assert (code, err) == (0, "")
    assert "on intervals.icu (activity i1001)" in out
    assert outbox_state(tmp_path, journal.name.removesuffix(".jsonl")) is State.DONE
    code, out, _ = await invoke_beside(tmp_path, "sync", "--to", "icu", "latest", **icu_env(icu))
    assert code == 0 and icu.calls == ["uploadActivity"]
    assert "already on intervals.icu (activity i1001)" in out
    code, out, _ = await invoke_beside(tmp_path, "sync", "--to", "icu", **icu_env(icu))
    assert (code, out.strip()) == (0, "sync: nothing to send")


async def test_a_service_down_keeps_the_run_queued_and_exits_5(
    icu: FakeIcu, tmp_path: Path
) -> None:
    journal = recorded_run(runs_dir(tmp_path))
    icu.fail("uploadActivity", status=502)
    code, _, err = await invoke_beside(tmp_path, "sync", "--to", "icu", "latest", **icu_env(icu))
    assert code == 5
    first = err.splitlines()[0]
    assert "intervals.icu: the service is down (HTTP 502" in first
    assert outbox_state(tmp_path, journal.name.removesuffix(".jsonl")) is State.QUEUED
    # Asked again at once, it is not due yet: still exit 5, and nothing is sent.
    code, out, _ = await invoke_beside(tmp_path, "sync", "--to", "icu", **icu_env(icu))
    assert code == 5 and "1 waiting for a later try" in out and icu.calls == ["uploadActivity"]


async def test_a_wrong_key_is_a_configuration_error_and_never_printed(
    icu: FakeIcu, tmp_path: Path
) -> None:
    recorded_run(runs_dir(tmp_path))
    wrong = "not-the-key-987654321"
    code, out, err = await invoke_beside(
        tmp_path, "sync", "--to", "icu", "latest", **icu_env(icu, wrong)
    )
    assert code == 2
    assert "check TREADPACE_ICU_API_KEY" in err and wrong not in out + err


async def test_no_key_at_all_is_one_line_and_exit_2(tmp_path: Path) -> None:
    recorded_run(runs_dir(tmp_path))
    code, _, err = await invoke_beside(tmp_path, "sync", "--to", "icu", "latest")
    assert code == 2
    assert err.strip().splitlines() == [
        "error: intervals.icu: no API key; set TREADPACE_ICU_API_KEY or sync.icu.api_key_file"
        " in the profile (see docs/sync.md)"
    ]


async def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    recorded_run(runs_dir(tmp_path))
    key = tmp_path / "icu.key"
    key.write_text("secret-key-value\n")
    os.chmod(key, 0o644)
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        f"race: {{distance: 5k, time: '25:00'}}\nsync:\n  icu:\n    api_key_file: {key}\n"
    )
    code, out, err = await invoke_beside(
        tmp_path, "sync", "--to", "icu", "-p", str(profile), "latest"
    )
    assert code == 2
    assert "readable by others (mode 644); run chmod 600" in err
    assert "secret-key-value" not in out + err


async def test_an_inline_secret_in_the_profile_is_refused_by_name(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text("race: {distance: 5k, time: '25:00'}\nsync:\n  icu:\n    api_key: abcdef\n")
    code, out, err = await invoke_beside(tmp_path, "sync", "--to", "icu", "-p", str(profile))
    assert code == 2
    assert "a secret is never written in the profile" in err and "abcdef" not in out + err


async def test_a_service_url_that_is_not_one_is_a_configuration_error(tmp_path: Path) -> None:
    recorded_run(runs_dir(tmp_path))
    code, _, err = await invoke_beside(
        tmp_path, "sync", "--to", "icu", "latest",
        TREADPACE_ICU_URL="intervals.icu", TREADPACE_ICU_API_KEY=API_KEY,
    )  # fmt: skip
    assert code == 2
    assert err.strip() == (
        "error: TREADPACE_ICU_URL: expected a URL like https://host, got 'intervals.icu'"
    )
