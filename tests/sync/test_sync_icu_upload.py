"""A finished run to intervals.icu through the outbox, against a fake checked by the API's
own description: once, with its name and external id, and every failure one line."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_icu import API_KEY, FakeIcu
from tests.sync_helpers import WallClock, drain_icu, outbox_in, queue, recorded_run
from treadpace.plans.steps import CompiledStep
from treadpace.sync.failure import Failure
from treadpace.sync.outbox import State


@pytest.fixture
async def icu() -> AsyncIterator[FakeIcu]:
    fake = FakeIcu()
    await fake.start()
    yield fake
    await fake.close()
    assert fake.violations == []


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return recorded_run(tmp_path / "runs")


async def test_a_run_is_uploaded_once_with_its_name_and_external_id(
    icu: FakeIcu, journal: Path, tmp_path: Path
) -> None:
    clock = WallClock()
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "icu", clock)
    report = await drain_icu(icu, outbox, clock)
    run_id = journal.name.removesuffix(".jsonl")
    [(activity_id, stored)] = icu.activities.items()
    assert stored["external_id"] == f"treadpace-{run_id}"
    assert stored["name"] == "Sync test run"
    assert "Recorded by treadpace" in stored["description"]
    entry = outbox.get(run_id, "icu")
    assert entry is not None and entry.state is State.DONE and entry.remote_id == activity_id
    assert [e.run_id for e, _ in report.uploaded] == [run_id]
    # Named again, a run the service has is not sent again.
    queue(outbox, journal, "icu", clock)
    assert outbox.due(["icu"], clock.wall()) == []
    await drain_icu(icu, outbox, clock)
    assert icu.calls == ["uploadActivity"]


async def test_a_run_the_service_already_has_is_recorded_not_duplicated(
    icu: FakeIcu, journal: Path, tmp_path: Path
) -> None:
    clock = WallClock()
    first = outbox_in(tmp_path / "a")
    queue(first, journal, "icu", clock)
    await drain_icu(icu, first, clock)
    # A database rebuilt from scratch: the run goes again, the service says it has it.
    second = outbox_in(tmp_path / "b")
    queue(second, journal, "icu", clock)
    report = await drain_icu(icu, second, clock)
    assert len(icu.activities) == 1
    [(_, remote)] = report.uploaded
    assert remote == next(iter(icu.activities))


@pytest.mark.parametrize(
    ("fault", "kind", "state", "words"),
    [
        ({"status": 500}, Failure.UNAVAILABLE, State.QUEUED, "the service is down"),
        ({"status": 503}, Failure.UNAVAILABLE, State.QUEUED, "kept in the outbox"),
        ({"status": 401}, Failure.AUTH, State.FAILED, "check TREADPACE_ICU_API_KEY"),
        ({"status": 403}, Failure.FORBIDDEN, State.FAILED, "not allowed"),
        ({"status": 404}, Failure.NOT_FOUND, State.FAILED, "athlete id"),
        ({"status": 422}, Failure.REJECTED, State.FAILED, "refused: HTTP 422"),
        ({"kind": "hang"}, Failure.TIMEOUT, State.QUEUED, "no answer in time"),
        ({"kind": "drop"}, Failure.CONNECTION, State.QUEUED, "cannot reach"),
        ({"kind": "malformed"}, Failure.BAD_ANSWER, State.QUEUED, "not JSON"),
    ],
)
async def test_each_failure_is_one_line_and_leaves_the_run_where_it_belongs(
    icu: FakeIcu,
    journal: Path,
    tmp_path: Path,
    fault: dict[str, object],
    kind: Failure,
    state: State,
    words: str,
) -> None:
    clock = WallClock()
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "icu", clock)
    icu.fail("uploadActivity", **fault)  # type: ignore[arg-type]
    report = await drain_icu(icu, outbox, clock, timeout_s=0.5)
    [line] = report.lines
    assert line.count("\n") == 0 and "intervals.icu: " in line and words in line
    entry = outbox.get(journal.name.removesuffix(".jsonl"), "icu")
    assert entry is not None and entry.state is state
    assert entry.last_error is not None and words in entry.last_error
    assert (kind in (Failure.AUTH, Failure.FORBIDDEN, Failure.NOT_FOUND)) == bool(report.refused)
    if state is State.QUEUED:
        assert entry.not_before > clock.wall() + 60  # not hammered: tried again later
        calls = len(icu.calls)
        await drain_icu(icu, outbox, clock)
        assert len(icu.calls) == calls
        # Later, with the service back, it goes, once.
        await drain_icu(icu, outbox, WallClock(entry.not_before + 1))
        assert len(icu.activities) == 1
        done = outbox.get(entry.run_id, "icu")
        assert done is not None and done.state is State.DONE


async def test_a_short_rate_limit_is_waited_out_on_the_clock(
    icu: FakeIcu, journal: Path, tmp_path: Path
) -> None:
    clock = WallClock()
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "icu", clock)
    icu.fail("uploadActivity", status=429, headers={"Retry-After": "30"})
    before = clock.now()
    report = await drain_icu(icu, outbox, clock)
    assert clock.now() - before >= 30
    assert len(report.uploaded) == 1 and icu.calls == ["uploadActivity", "uploadActivity"]


async def test_a_long_rate_limit_leaves_the_run_queued_until_the_window_ends(
    icu: FakeIcu, journal: Path, tmp_path: Path
) -> None:
    clock = WallClock()
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "icu", clock)
    icu.fail("uploadActivity", status=429, headers={"Retry-After": "3600"})
    report = await drain_icu(icu, outbox, clock)
    [line] = report.lines
    assert "rate limit" in line
    entry = outbox.get(journal.name.removesuffix(".jsonl"), "icu")
    assert entry is not None and entry.state is State.QUEUED
    assert entry.not_before >= clock.wall() + 3500


async def test_a_refused_key_never_shows_in_a_message(
    icu: FakeIcu, journal: Path, tmp_path: Path
) -> None:
    clock = WallClock()
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "icu", clock)
    wrong = "wrong-key-0123456789"
    # A careless service that quotes the credential back in its error.
    icu.fail("uploadActivity", status=401, body={"message": f"bad key {wrong}"})
    report = await drain_icu(icu, outbox, clock, key=wrong)
    text = " ".join(report.lines)
    entry = outbox.get(journal.name.removesuffix(".jsonl"), "icu")
    assert entry is not None
    assert wrong not in text and wrong not in (entry.last_error or "")
    assert API_KEY not in text


async def test_a_walk_is_filed_as_a_walk(icu: FakeIcu, tmp_path: Path) -> None:
    walk = (CompiledStep("walk", "time", 600.0, 5.0),)
    journal = recorded_run(tmp_path / "runs", plan_name="Walk", steps=walk)
    clock = WallClock()
    outbox = outbox_in(tmp_path)
    queue(outbox, journal, "icu", clock)
    await drain_icu(icu, outbox, clock)
    [activity] = icu.activities.values()
    assert activity["type"] == "Walk" and icu.calls == ["uploadActivity", "updateActivity"]


def test_the_fit_sent_is_the_export_or_the_same_bytes_made_again(tmp_path: Path) -> None:
    from treadpace.sync.item import run_item

    journal = recorded_run(tmp_path / "runs")
    exported = journal.with_suffix(".fit")
    sent = run_item(journal).fit
    assert sent == exported.read_bytes()
    exported.unlink()  # a run exported elsewhere, or not at all
    assert run_item(journal).fit == sent
    exported.write_bytes(b"not a fit file")
    assert run_item(journal).fit == sent
