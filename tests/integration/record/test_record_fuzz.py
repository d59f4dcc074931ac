"""Any bytes in a journal: one damaged line costs that line, never the run or the folder.

The named cases are the ones found in the field (an object for a header's `type`,
100,000 nested brackets, a 401-digit integer in a line or as the last line); then a
seeded, bounded fuzz of mutated journals through every reader (`FUZZ_CASES` here, more
in the deep profile; `python benchmarks/input_fuzz.py` runs 100,000 and more); then the
commands a runner uses (`history`, `export`, `report`, the served page's history) on a
folder holding damaged journals beside good ones.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import random
from pathlib import Path

import pytest

from tests.cli_runner import invoke_home
from tests.depth import sized
from tests.journal_mutations import mutate, read_every_way, seed_journals
from tests.journals import DAY, record
from tests.serve_proc import ctrl_c, hello_and_command, serving
from treadpace.record.activity import build_activity
from treadpace.record.codec import MAX_DEPTH, JournalLineError, decode_event
from treadpace.record.export import FORMATS
from treadpace.record.journal import read_journal
from treadpace.record.runs import list_runs
from treadpace.record.synthetic import SyntheticRun
from treadpace.web.history_page import history

FUZZ_CASES = sized(300, 10_000)
"""The same seeded sequence of damaged journals either way: the everyday run reads its
first 300, `--hypothesis-profile=deep` reads on to 10,000. What the sequence found (an
object for a type, nesting, huge integers, an unterminated string, a timer no run can
have) is kept as the named cases above and below, run every time."""
EXPORT_EVERY = 10
"""The exporters are the slow part; every tenth mutated journal goes through them."""
HUGE = "9" * 401


def lines_of(path: Path) -> list[str]:
    return path.read_text().splitlines()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def with_huge_int(line: str) -> str:
    record_ = json.loads(line)
    return json.dumps(record_).replace('"t": ', f'"t": {HUGE}, "was_t": ', 1)


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / "runs"
    folder.mkdir(parents=True)
    return folder


@pytest.mark.parametrize(
    "line",
    [
        '{"type":{"a":1},"t":0}',
        '{"type":["tick"],"t":0}',
        "[" * 100_000,
        # An unterminated string before many brackets: no backtracking over it.
        '{"type":"tick","t":"' + "a" * 60 + "[" * 40,
        '{"type":"step_started","t":0,"index":' + HUGE + "}",
        '{"type":"step_started","t":0,"index":' + "9" * 4301 + "}",
        '{"type":"run_started","steps":"abc","t":0,"wall":0}',
        '{"type":"step_started","t":0,"index":true}',
    ],
)
def test_one_damaged_line_is_a_journal_line_error(line: str) -> None:
    with pytest.raises(JournalLineError):
        decode_event(line)


def test_nesting_inside_strings_is_not_nesting() -> None:
    name = "[" * (MAX_DEPTH * 4)
    line = json.dumps({"type": "notice", "t": 1.0, "message": name, "level": "info"})
    assert decode_event(line).message == name  # type: ignore[union-attr]


def test_a_header_with_an_object_for_its_type_leaves_the_other_runs(
    runs: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base = SyntheticRun().start_wall
    record(runs, SyntheticRun(plan_name="Monday", start_wall=base))
    tuesday = record(runs, SyntheticRun(plan_name="Tuesday", start_wall=base + DAY))
    header, *body = lines_of(tuesday)
    damaged = json.loads(header)
    damaged["type"] = {"a": 1}
    write(tuesday, [json.dumps(damaged), *body])
    with caplog.at_level(logging.WARNING):
        listed = list_runs(runs)
        page = history(runs, imperial=False)
    assert [r.plan_name for r in listed] == ["Monday"]
    assert [r["plan"] for r in page["runs"]] == ["Monday"]
    said = [r.getMessage() for r in caplog.records]
    assert said and all(m.startswith(str(tuesday)) and "\n" not in m for m in said)


@pytest.mark.parametrize("where", ["middle", "last"])
@pytest.mark.parametrize("damage", ["nested", "huge int"])
def test_a_damaged_line_costs_only_that_line(runs: Path, where: str, damage: str) -> None:
    path = record(runs, SyntheticRun())
    lines = lines_of(path)
    before = read_journal(path)
    good = build_activity(before)
    at = len(lines) // 2 if where == "middle" else len(lines) - 1
    if damage == "nested":
        lines.insert(at, "[" * 100_000)  # skipped as unreadable
    else:
        lines[at] = with_huge_int(lines[at])  # a time of infinity: dropped by the repair
    write(path, lines)
    journal = read_journal(path)
    assert journal.bad_lines == (damage == "nested")
    assert len(journal.events) == len(before.events) - (damage == "huge int")
    activity = build_activity(journal)
    assert len(activity.laps) == len(good.laps)
    (summary,) = list_runs(runs)
    assert summary.plan_name == good.plan_name
    # The last line lost (the run's finish), the run is still there, read to its last tick.
    assert summary.distance_m == pytest.approx(good.distance_m, abs=15.0)


def test_a_damaged_step_in_the_header_costs_that_steps_target(runs: Path) -> None:
    path = record(runs, SyntheticRun())
    header, *body = lines_of(path)
    damaged = json.loads(header)
    damaged["steps"][1]["amount"] = float("inf")
    damaged["steps"][2]["speed_kmh"] = {"a": 1}
    write(path, [json.dumps(damaged), *body])
    journal = read_journal(path)
    names = [s.name for s in journal.header.steps]
    assert names == ["warm-up", "steady", "fast finish"]
    assert [s.free for s in journal.header.steps] == [False, True, True]
    activity = build_activity(journal)
    assert len(activity.laps) == 3


@pytest.mark.parametrize("which", ["run", "lap"])
def test_a_timer_no_run_can_have_is_the_telemetrys(runs: Path, which: str) -> None:
    # 1e306 s is a number, and finite, but times 1000 it is infinity to the FIT encoder.
    path = record(runs, SyntheticRun())
    lines = lines_of(path)
    at = max(i for i, line in enumerate(lines) if '"type":"step_finished"' in line)
    at = len(lines) - 1 if which == "run" else at
    record_ = json.loads(lines[at])
    record_["elapsed_s"] = 1e306
    lines[at] = json.dumps(record_)
    write(path, lines)
    activity = build_activity(read_journal(path))
    timer = activity.timer_s if which == "run" else activity.laps[-1].timer_s
    assert 0 < timer < 1000
    for export in FORMATS.values():
        export(activity, io.BytesIO())


def test_mutated_journals_raise_nothing_but_one_user_error(tmp_path: Path) -> None:
    seeds = seed_journals(tmp_path / "seeds")
    rng = random.Random("journals")
    path = tmp_path / "2026-01-01T07-30-00-fuzz.jsonl"
    outcomes = {"run": 0, "refused": 0}
    logging.disable(logging.WARNING)  # thousands of repair lines say nothing here
    try:
        for case in range(FUZZ_CASES):
            data = mutate(rng, rng.choice(seeds))
            path.write_bytes(data)
            try:
                outcomes[read_every_way(path, exports=case % EXPORT_EVERY == 0)] += 1
            except Exception as exc:
                raise AssertionError(f"case {case}: {exc!r} on {data[:400]!r}") from exc
    finally:
        logging.disable(logging.NOTSET)
    # Both ends exercised: most damage is repaired, some headers are beyond repair.
    assert outcomes["run"] > FUZZ_CASES // 2
    assert outcomes["refused"] > 0


def damaged_folder(runs: Path) -> dict[str, Path]:
    """A good run and four damaged ones, a day apart, in `runs`."""
    base = SyntheticRun().start_wall
    made = {
        name: record(runs, SyntheticRun(plan_name=name, start_wall=base + i * DAY))
        for i, name in enumerate(["Good", "Typed", "Nested", "Huge", "Steps"])
    }
    header, *body = lines_of(made["Typed"])
    typed = json.loads(header)
    typed["type"] = {"a": 1}
    write(made["Typed"], [json.dumps(typed), *body])
    lines = lines_of(made["Nested"])
    write(made["Nested"], [*lines[:9], "[" * 100_000, *lines[9:]])
    lines = lines_of(made["Huge"])
    write(made["Huge"], [*lines[:-1], with_huge_int(lines[-1])])
    header, *body = lines_of(made["Steps"])
    steps = json.loads(header)
    steps["steps"][0]["amount"] = 10**400
    write(made["Steps"], [json.dumps(steps), *body])
    return made


def test_the_commands_on_a_folder_of_damaged_journals(runs: Path, tmp_path: Path) -> None:
    # In-process: the exit codes, the lines on standard error and the files written are
    # the command's own; a process of its own for each would prove nothing more.
    made = damaged_folder(runs)
    home = runs.parent
    listing = invoke_home("history", "--json", home=home)
    assert listing.returncode == 0, listing.stderr
    assert [r["plan"] for r in json.loads(listing.stdout)] == ["Good", "Nested", "Huge", "Steps"]
    # The listing reads each journal's ends: one line for the run it leaves out.
    said = listing.stderr.splitlines()
    assert len(said) == 1 and made["Typed"].name in said[0], listing.stderr
    assert "left out of the history" in said[0]
    table = invoke_home("history", home=home)
    assert table.returncode == 0 and "Traceback" not in table.stderr, table.stderr
    for name in ("Nested", "Huge", "Steps"):
        target = tmp_path / f"{name}.fit"
        exported = invoke_home("export", str(made[name]), "-o", str(target), home=home)
        assert exported.returncode == 0, exported.stderr
        assert exported.stderr.count("\n") == 1 and made[name].name in exported.stderr
        assert target.stat().st_size > 0
        report = invoke_home("report", str(made[name]), home=home)
        assert report.returncode == 0, report.stderr
        assert report.stderr.count("\n") == 1 and made[name].name in report.stderr
    for command in ("export", "report"):
        refused = invoke_home(command, str(made["Typed"]), home=home)
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1 and made["Typed"].name in refused.stderr


def test_the_served_page_lists_the_readable_runs_of_a_damaged_folder(
    runs: Path, tmp_path: Path
) -> None:
    damaged_folder(runs)
    with serving(tmp_path) as (proc, port):
        hello, _, status = asyncio.run(hello_and_command(port))
        assert ctrl_c(proc) == 0
    assert status == 200 and hello["mode"] == "history"
    assert [r["plan"] for r in hello["runs"]] == ["Steps", "Huge", "Nested", "Good"]
    assert hello["last"]["headline"].startswith("Steps: ")
