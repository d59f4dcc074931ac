"""A finished run to Strava against a fake checked by Strava's Swagger description: the
upload followed at the API's pace, the sport set right, tokens refreshed before they
expire and kept 0600, duplicates and rate limits taken as Strava means them."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_strava import FakeStrava
from tests.sync_helpers import (
    WallClock,
    drain_strava,
    give_tokens,
    outbox_in,
    queue,
    recorded_run,
    strava_account,
)
from treadpace.plans.steps import CompiledStep
from treadpace.sync.outbox import Outbox, State
from treadpace.sync.tokens import load

QUARTER = 1_767_225_600.0  # a midnight UTC, so a quarter hour too


@pytest.fixture
async def strava() -> AsyncIterator[FakeStrava]:
    fake = FakeStrava(WallClock(QUARTER + 100))
    await fake.start()
    yield fake
    await fake.close()
    assert fake.violations == []


def run_id(journal: Path) -> str:
    return journal.name.removesuffix(".jsonl")


async def test_a_treadmill_run_is_a_run_on_a_trainer_followed_at_the_apis_pace(
    strava: FakeStrava, tmp_path: Path
) -> None:
    journal = recorded_run(tmp_path / "runs")
    account = strava_account(tmp_path, strava.url)
    give_tokens(strava, account)
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "strava", strava.clock)
    report = await drain_strava(strava, outbox, account)
    [activity] = strava.activities.values()
    assert activity["sport_type"] == "Run" and activity["trainer"] is True
    assert activity["external_id"] == f"treadpace-{run_id(journal)}"
    [upload] = strava.uploads.values()
    assert upload["form"]["data_type"] == "fit" and upload["form"]["name"] == "Sync test run"
    gaps = [b - a for a, b in zip(strava.poll_times, strava.poll_times[1:], strict=False)]
    assert len(strava.poll_times) == 2 and all(gap >= 1.0 for gap in gaps)
    entry = outbox.get(run_id(journal), "strava")
    assert entry is not None and entry.state is State.DONE
    assert entry.remote_id == str(activity["id"]) and report.lines == []


async def test_a_walk_is_never_sent_as_a_run(strava: FakeStrava, tmp_path: Path) -> None:
    walk = (CompiledStep("walk", "time", 600.0, 5.0),)
    journal = recorded_run(tmp_path / "runs", plan_name="Walk", steps=walk)
    account = strava_account(tmp_path, strava.url)
    give_tokens(strava, account)
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "strava", strava.clock)
    await drain_strava(strava, outbox, account)
    [activity] = strava.activities.values()
    assert activity["sport_type"] == "Walk"


async def test_a_token_near_its_end_is_refreshed_first_and_the_new_one_kept_0600(
    strava: FakeStrava, tmp_path: Path
) -> None:
    journal = recorded_run(tmp_path / "runs")
    account = strava_account(tmp_path, strava.url)
    old = give_tokens(strava, account, expires_in=120)
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "strava", strava.clock)
    await drain_strava(strava, outbox, account)
    assert strava.calls[0] == "oauth" and "createUpload" in strava.calls
    kept = load(account.token_file)
    assert kept is not None and kept.refresh_token != old.refresh_token
    assert stat.S_IMODE(account.token_file.stat().st_mode) == 0o600


async def test_a_refresh_token_from_the_environment_is_exchanged_once_then_rotated(
    strava: FakeStrava, tmp_path: Path
) -> None:
    given = strava.grant()["refresh_token"]
    account = strava_account(tmp_path, strava.url, refresh_token=given)
    outbox = outbox_in(tmp_path)
    for n in range(2):
        journal = recorded_run(tmp_path / f"runs{n}", plan_name=f"Run {n}")
        queue(outbox, journal, "strava", strava.clock)
        await drain_strava(strava, outbox, account)
    assert strava.calls.count("oauth") == 1
    assert len(strava.activities) == 2


async def test_a_revoked_authorisation_says_to_authorize_again(
    strava: FakeStrava, tmp_path: Path
) -> None:
    journal = recorded_run(tmp_path / "runs")
    account = strava_account(tmp_path, strava.url)
    give_tokens(strava, account, expires_in=60)
    strava.refresh.clear()  # the runner revoked treadpace on strava.com
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "strava", strava.clock)
    report = await drain_strava(strava, outbox, account)
    [line] = report.lines
    assert "Strava: the authorisation was refused; run `treadpace sync strava --authorize`" in line
    assert report.refused == {"strava"}


async def test_a_duplicate_answer_counts_as_already_uploaded(
    strava: FakeStrava, tmp_path: Path
) -> None:
    journal = recorded_run(tmp_path / "runs")
    account = strava_account(tmp_path, strava.url)
    give_tokens(strava, account)
    await drain_strava(strava, _queued(tmp_path / "a", journal, strava), account)
    # The outbox lost (a rebuilt database): the same run goes again.
    second = _queued(tmp_path / "b", journal, strava)
    report = await drain_strava(strava, second, account)
    assert len(strava.activities) == 1 and len(strava.uploads) == 2
    [(_, remote)] = report.uploaded
    assert remote == str(next(iter(strava.activities)))


async def test_an_upload_left_processing_is_followed_not_sent_again(
    strava: FakeStrava, tmp_path: Path
) -> None:
    journal = recorded_run(tmp_path / "runs")
    account = strava_account(tmp_path, strava.url)
    give_tokens(strava, account)
    strava.processing_polls = 40  # longer than one sync follows it
    outbox = _queued(tmp_path, journal, strava)
    report = await drain_strava(strava, outbox, account)
    entry = outbox.get(run_id(journal), "strava")
    assert entry is not None and entry.state is State.PROCESSING and entry.upload_id
    assert "still being processed" in report.lines[0]
    strava.processing_polls = 31
    await drain_strava(strava, outbox, account, WallClock(entry.not_before + 1))
    assert len(strava.uploads) == 1 and len(strava.activities) == 1


def _queued(tmp_path: Path, journal: Path, strava: FakeStrava) -> Outbox:
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "strava", strava.clock)
    return outbox


@pytest.mark.parametrize(
    ("offset", "waited"),
    [(QUARTER + 900 - 30, True), (QUARTER + 10, False)],
)
async def test_a_429_waits_out_the_15_minute_window_or_queues_the_run(
    tmp_path: Path, offset: float, waited: bool
) -> None:
    clock = WallClock(offset)
    strava = FakeStrava(clock)
    await strava.start()
    try:
        journal = recorded_run(tmp_path / "runs")
        account = strava_account(tmp_path, strava.url)
        give_tokens(strava, account)
        strava.fail(
            "createUpload",
            status=429,
            headers={"X-RateLimit-Limit": "100,1000", "X-RateLimit-Usage": "100,400"},
            body={"message": "Rate Limit Exceeded", "errors": []},
        )
        outbox = _queued(tmp_path, journal, strava)
        report = await drain_strava(strava, outbox, account)
        entry = outbox.get(run_id(journal), "strava")
        assert entry is not None
        if waited:
            assert entry.state is State.DONE and clock.wall() >= QUARTER + 900
        else:
            assert entry.state is State.QUEUED and "rate limit" in report.lines[0]
            assert entry.not_before == pytest.approx(QUARTER + 900, abs=2)
        assert strava.violations == []
    finally:
        await strava.close()


async def test_a_server_error_while_polling_keeps_the_upload_to_follow_later(
    strava: FakeStrava, tmp_path: Path
) -> None:
    journal = recorded_run(tmp_path / "runs")
    account = strava_account(tmp_path, strava.url)
    give_tokens(strava, account)
    strava.fail("getUploadById", status=500)
    outbox = _queued(tmp_path, journal, strava)
    report = await drain_strava(strava, outbox, account)
    assert "Strava: the service is down (HTTP 500" in report.lines[0]
    entry = outbox.get(run_id(journal), "strava")
    assert entry is not None and entry.state is State.PROCESSING and entry.upload_id
    later = await drain_strava(strava, outbox, account, WallClock(entry.not_before + 1))
    assert len(strava.uploads) == 1 and later.lines == []


async def test_a_409_duplicate_at_upload_is_the_activity_strava_has(
    strava: FakeStrava, tmp_path: Path
) -> None:
    journal = recorded_run(tmp_path / "runs")
    account = strava_account(tmp_path, strava.url)
    give_tokens(strava, account)
    await drain_strava(strava, _queued(tmp_path / "a", journal, strava), account)
    [known] = strava.activities
    strava.fail(
        "createUpload",
        status=409,
        body={"message": f"run.fit duplicate of activity {known}", "errors": []},
    )
    report = await drain_strava(strava, _queued(tmp_path / "b", journal, strava), account)
    assert [remote for _, remote in report.uploaded] == [str(known)]
    assert len(strava.activities) == 1 and len(strava.uploads) == 1


@pytest.mark.parametrize(
    ("fault", "state", "words"),
    [
        ({"status": 401}, State.FAILED, "run `treadpace sync strava --authorize`"),
        ({"status": 403}, State.FAILED, "not allowed"),
        ({"status": 500}, State.QUEUED, "the service is down"),
        ({"kind": "malformed"}, State.QUEUED, "not JSON"),
        ({"kind": "drop"}, State.QUEUED, "cannot reach"),
    ],
)
async def test_each_strava_failure_is_one_line(
    strava: FakeStrava, tmp_path: Path, fault: dict[str, object], state: State, words: str
) -> None:
    journal = recorded_run(tmp_path / "runs")
    account = strava_account(tmp_path, strava.url)
    tokens = give_tokens(strava, account)
    strava.fail("createUpload", **fault)  # type: ignore[arg-type]
    outbox = _queued(tmp_path, journal, strava)
    report = await drain_strava(strava, outbox, account)
    [line] = report.lines
    assert line.count("\n") == 0 and "Strava: " in line and words in line
    assert tokens.access_token not in line and "strava-client-secret" not in line
    entry = outbox.get(run_id(journal), "strava")
    assert entry is not None and entry.state is state


async def test_a_window_the_headers_show_spent_is_not_used_past_its_limit(
    strava: FakeStrava, tmp_path: Path
) -> None:
    journal = recorded_run(tmp_path / "runs")
    account = strava_account(tmp_path, strava.url)
    give_tokens(strava, account)
    strava.limit = (3, 1000)  # the upload and two polls spend this quarter hour
    outbox = _queued(tmp_path, journal, strava)
    report = await drain_strava(strava, outbox, account)
    assert strava.calls == ["createUpload", "getUploadById", "getUploadById"]
    assert "rate limit" in report.lines[0]
    entry = outbox.get(run_id(journal), "strava")
    assert entry is not None and entry.state is State.PROCESSING
    assert entry.not_before == pytest.approx(QUARTER + 900, abs=2)
    # In the next window the upload is followed (not made again) and its sport set.
    strava.clock = WallClock(entry.not_before + 1)
    later = await drain_strava(strava, outbox, account)
    assert later.lines == [] and len(strava.uploads) == 1
    [activity] = strava.activities.values()
    assert activity["sport_type"] == "Run"
