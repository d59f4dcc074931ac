"""Damaged journals: impossible header times and shuffled lines are repaired, never a traceback."""

from __future__ import annotations

import io
import itertools
import json
import logging
import os
import random
from pathlib import Path

import pytest
from garmin_fit_sdk import Decoder, Stream

from tests.cli_runner import Ran, invoke
from tests.journals import DAY, record
from treadpace.base.user_error import UserError
from treadpace.record.activity import build_activity
from treadpace.record.export import FORMATS
from treadpace.record.journal import read_journal
from treadpace.record.run_report import step_rows, text_chart
from treadpace.record.runs import list_runs
from treadpace.record.synthetic import SyntheticRun

_copies = itertools.count()


def damage(path: Path, *, wall: float | None = None, order: str | None = None) -> Path:
    """A copy of `path` in a sibling folder with its header wall replaced or its lines reordered."""
    header, *body = path.read_text().splitlines()
    if wall is not None:
        record_ = json.loads(header)
        record_["wall"] = wall
        header = json.dumps(record_)  # NaN and Infinity as Python's json writes them
    if order == "reversed":
        body.reverse()
    elif order == "shuffled":
        random.Random(7).shuffle(body)
    out = path.parent / f"damaged-{next(_copies)}" / path.name
    out.parent.mkdir()
    out.write_text("\n".join([header, *body]) + "\n")
    return out


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record(tmp_path_factory.mktemp("runs"), SyntheticRun(pause_at_s=60))


def fit_totals(data: bytes) -> tuple[int, int, float, list[float]]:
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    laps = messages["lap_mesgs"]
    session = messages["session_mesgs"][0]
    return (
        len(laps),
        len(messages["record_mesgs"]),
        round(session["total_distance"], 1),
        [round(lap["total_distance"], 1) for lap in laps],
    )


def fit_bytes(path: Path) -> bytes:
    out = io.BytesIO()
    FORMATS["fit"](build_activity(read_journal(path)), out)
    return out.getvalue()


@pytest.mark.parametrize("wall", [1e300, -1e300, float("nan"), float("inf"), 0.0])
def test_impossible_header_wall_is_taken_from_the_telemetry(
    good: Path, wall: float, caplog: pytest.LogCaptureFixture
) -> None:
    bad = damage(good, wall=wall)
    with caplog.at_level(logging.WARNING):
        journal = read_journal(bad)
    assert journal.header.wall == pytest.approx(read_journal(good).header.wall, abs=0.01)
    said = [r.getMessage() for r in caplog.records if "damaged journal" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith(f"{bad}: damaged journal repaired: header wall")
    assert fit_totals(fit_bytes(bad)) == fit_totals(fit_bytes(good))
    for fmt in ("tcx", "csv"):
        FORMATS[fmt](build_activity(journal), io.BytesIO())
    activity = build_activity(journal)
    assert len(step_rows(activity, False)) == 3 and len(text_chart(activity, False)) > 5


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
def test_lines_out_of_order_are_put_back_in_order(good: Path, order: str) -> None:
    bad = damage(good, order=order)
    repaired, intact = build_activity(read_journal(bad)), build_activity(read_journal(good))
    assert [lap.name for lap in repaired.laps] == [lap.name for lap in intact.laps]
    assert [s.wall for s in repaired.samples] == [s.wall for s in intact.samples]
    assert repaired.pauses == intact.pauses
    assert fit_totals(fit_bytes(bad)) == fit_totals(fit_bytes(good))
    assert text_chart(repaired, False) == text_chart(intact, False)


def test_a_healthy_journal_with_millisecond_disorder_is_read_as_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A real run: telemetry can arrive a few ms after a setpoint stamped later.
    path = record(tmp_path, SyntheticRun(stop_after_s=30))
    header, *body = path.read_text().splitlines()
    first_tick = next(i for i, line in enumerate(body) if '"type":"tick"' in line)
    t = json.loads(body[first_tick])["t"]
    setpoint = {"type": "setpoint", "t": t + 0.007, "speed_kmh": 9.0, "incline_percent": None}
    body.insert(first_tick, json.dumps(setpoint))
    path.write_text("\n".join([header, *body]) + "\n")
    with caplog.at_level(logging.WARNING):
        journal = read_journal(path)
    assert caplog.records == []
    assert [e.t for e in journal.events[first_tick : first_tick + 2]] == [t + 0.007, t]


def test_a_run_with_no_usable_time_is_one_line(tmp_path: Path) -> None:
    path = record(tmp_path, SyntheticRun(stop_after_s=20))
    header = json.loads(path.read_text().splitlines()[0])
    header["wall"] = float("nan")
    nameless = tmp_path / "copied.jsonl"
    nameless.write_text(json.dumps(header) + "\n")
    with pytest.raises(UserError, match=r"copied\.jsonl:1: damaged journal: the header's wall"):
        read_journal(nameless)


def test_one_damaged_file_leaves_the_other_runs_in_the_history(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base = SyntheticRun().start_wall
    record(tmp_path, SyntheticRun(plan_name="Monday", start_wall=base, stop_after_s=30))
    tuesday = record(tmp_path, SyntheticRun(plan_name="Tuesday", start_wall=base + DAY))
    lines = tuesday.read_text().splitlines()
    header = json.loads(lines[0])
    header["wall"] = float("nan")
    (tmp_path / "x-copied.jsonl").write_text(json.dumps(header) + "\n" + "\n".join(lines[1:3]))
    (tmp_path / "y-empty.jsonl").write_text("")
    with caplog.at_level(logging.WARNING):
        runs = list_runs(tmp_path)
    assert [r.plan_name for r in runs] == ["Monday", "Tuesday"]
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 2
    assert said[0].startswith(str(tmp_path / "x-copied.jsonl"))
    assert said[1].startswith(str(tmp_path / "y-empty.jsonl"))


def treadpace(*args: str, home: Path) -> Ran:
    """The command with `home` for both its data and its configuration, in-process (the
    same `main()`: its exit code, its lines on standard error and the files it writes
    are what this test asserts, and a process of its own would prove nothing more)."""
    return invoke(*args, env={"TREADPACE_HOME": str(home), "TREADPACE_CONFIG_HOME": str(home)})


def test_cli_on_damaged_journals_repairs_with_one_line_each(good: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    runs = home / "runs"
    runs.mkdir(parents=True)
    base = SyntheticRun().start_wall
    record(runs, SyntheticRun(plan_name="Fine", start_wall=base - DAY, stop_after_s=30))
    huge = damage(record(runs, SyntheticRun(plan_name="Huge", start_wall=base)), wall=1e300)
    shuffled = damage(
        record(runs, SyntheticRun(plan_name="Shuffled", start_wall=base + DAY)), order="shuffled"
    )
    for copy in (huge, shuffled):
        os.replace(copy, runs / copy.name)
    listing = treadpace("history", "--json", home=home)
    assert listing.returncode == 0, listing.stderr
    assert [r["plan"] for r in json.loads(listing.stdout)] == ["Fine", "Huge", "Shuffled"]
    assert listing.stderr.count("\n") == 1 and huge.name in listing.stderr
    for name in (huge.name, shuffled.name):
        target = tmp_path / f"{name}.fit"
        exported = treadpace("export", str(runs / name), "-o", str(target), home=home)
        assert exported.returncode == 0, exported.stderr
        assert exported.stderr.count("\n") == 1 and name in exported.stderr
        assert fit_totals(target.read_bytes())[0] == 3
        report = treadpace("report", str(runs / name), home=home)
        assert report.returncode == 0, report.stderr
        assert report.stderr.count("\n") == 1 and "Traceback" not in report.stderr
