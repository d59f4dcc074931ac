"""`treadpace program` and `run program:today` end to end, as a runner meets them.

The commands in the test's own process (`cli_runner`: the same `main()`, its exit code,
standard output and error; a process of its own would prove nothing more) in a private
data dir: a program is built, saved as YAML, shown with a chart, exported to a calendar,
broken by hand (one line naming the file, the field and what was expected, exit 2), and
today's run is run on the simulator. `run` says a spike in one line before the
countdown when the plan picked by hand is one.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from tests.cli_runner import Ran, invoke_at
from tests.program_histories import PACES
from tests.run_proc import SHORT, write_plan
from treadpace.plans.steps import CompiledStep
from treadpace.program import store
from treadpace.program.planner import build_program
from treadpace.program.types import Settings
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events


def profile(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    runs = tmp_path / "runs"
    path.write_text(
        f'name: Tester\nrace: {{distance: 5k, time: "25:00"}}\nrecording:\n  directory: {runs}\n'
        "  auto_export: []\n",
        encoding="utf-8",
    )
    return path


def real_run(tmp_path: Path, seconds: float, days_ago: float) -> None:
    recorder = Recorder(tmp_path / "runs")
    steps = (CompiledStep("easy", "time", seconds, 9.0),)
    run = SyntheticRun(steps=steps, simulated=False, device="ftms:AA:BB",
                       start_wall=time.time() - days_ago * 86_400)  # fmt: skip
    for event in synthetic_events(run):
        recorder.handle(event)
    recorder.close()


def test_new_show_and_export_a_program(tmp_path: Path) -> None:
    prof = profile(tmp_path)
    made = invoke_at(tmp_path, "program", "new", "--profile", str(prof), "--weeks", "6",
                     "--goal", "10k", "--longest", "40min", "--start", "2026-03-02",
                     COLUMNS="160")  # fmt: skip
    assert made.returncode == 0, made.stderr
    saved = tmp_path / "home" / "program.yaml"
    assert f"saved {saved}" in made.stdout and "week 6" in made.stdout
    assert "declared longest run, 40:00" in made.stdout
    again = invoke_at(tmp_path, "program", "new", "--profile", str(prof))
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "--replace" in again.stderr
    chart = tmp_path / "weeks.png"
    shown = invoke_at(tmp_path, "program", "show", "--profile", str(prof), "-o", str(chart))
    assert shown.returncode == 0, shown.stderr
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "% easy" in shown.stdout
    ics = tmp_path / "program.ics"
    out = invoke_at(tmp_path, "program", "export", "--ics", str(ics), "--profile", str(prof))
    assert out.returncode == 0, out.stderr
    data = ics.read_bytes()
    lines = data.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2] == b"END:VCALENDAR"
    assert data.count(b"BEGIN:VEVENT") == 18 and all(len(line) <= 75 for line in lines)
    assert b"DTSTART;VALUE=DATE:20260302" in data


def test_a_broken_program_file_is_one_line_naming_file_field_and_expectation(
    tmp_path: Path,
) -> None:
    prof = profile(tmp_path)
    assert invoke_at(tmp_path, "program", "new", "--profile", str(prof)).returncode == 0
    saved = tmp_path / "home" / "program.yaml"
    text = saved.read_text(encoding="utf-8")
    saved.write_text(text.replace("duration: '20:00'", "duration: soon", 1), encoding="utf-8")
    shown = invoke_at(tmp_path, "program", "show", "--profile", str(prof))
    assert shown.returncode == 2 and shown.stderr.count("\n") == 1, shown.stderr
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "duration: '20:00'" in t)
    assert shown.stderr.startswith(f"error: {saved}:{line}: workouts[")
    assert ".plan.duration: expected" in shown.stderr
    saved.write_text(text.replace("runs_per_week: 3", "runs_per_week: 9"), encoding="utf-8")
    shown = invoke_at(tmp_path, "program", "show", "--profile", str(prof))
    assert shown.returncode == 2 and "settings.runs_per_week: expected a number at most 6" in (
        shown.stderr
    )


def test_a_bad_option_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (["--start", "tomorrow"], ["--longest", "forever"], ["--weeks", "20"]):
        done = invoke_at(tmp_path, "program", "new", *args)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr


def test_run_program_today_runs_todays_workout(tmp_path: Path) -> None:
    prof = profile(tmp_path)
    today = dt.date.today().isoformat()
    assert invoke_at(tmp_path, "program", "new", "--profile", str(prof), "--start", today,
                     "--runs-per-week", "6").returncode == 0  # fmt: skip
    shown = invoke_at(tmp_path, "program", "today", "--profile", str(prof))
    assert shown.returncode == 0 and "today (planned)" in shown.stdout, shown.stderr
    done = invoke_at(tmp_path, "run", "program:today", "--profile", str(prof), "--simulate",
                     "--yes", "--virtual-clock", "--no-record")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "note: easy, between quality days" in done.stdout and "plan complete" in done.stdout


def test_run_says_a_spike_in_one_line_before_the_countdown(tmp_path: Path) -> None:
    prof = profile(tmp_path)
    real_run(tmp_path, 60.0, days_ago=3)
    plan = write_plan(tmp_path, SHORT)
    done = invoke_at(tmp_path, "run", str(plan), "--profile", str(prof), "--simulate", "--yes",
                     "--virtual-clock", "--no-record")  # fmt: skip
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stdout.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: this plan (2:00) is 100 % longer than your longest run of the last 30 days "
        "(1:00): a run 10-30 % longer had 1.64x the injury rate (Garmin-RUNSAFE, BJSM 2025)"
    ]
    assert done.stdout.index("warning: ") < done.stdout.index("plan complete")


def test_the_program_file_reads_back_as_it_was_written(tmp_path: Path) -> None:
    program = build_program([], dt.date(2026, 3, 1), Settings(weeks=5, runs_per_week=5), PACES)
    path = tmp_path / "program.yaml"
    store.save(program, path)
    again, plans = store.load(path)
    assert again == program and len(plans) == len(program.workouts)
    assert path.read_text(encoding="utf-8").startswith("# A treadpace program")


async def test_a_program_goes_onto_the_intervals_icu_calendar_once(tmp_path: Path) -> None:
    import asyncio

    from tests.fake_icu import API_KEY, FakeIcu

    prof = profile(tmp_path)
    made = invoke_at(tmp_path, "program", "new", "--profile", str(prof), "--weeks", "4",
                     "--start", "2026-03-02")  # fmt: skip
    assert made.returncode == 0, made.stderr
    program = store.load(tmp_path / "home" / "program.yaml")[0]
    workouts = len(program.workouts)
    days = sorted(w.day.isoformat() for w in program.workouts)
    icu = FakeIcu()
    await icu.start()
    try:

        def export() -> Ran:
            return invoke_at(
                tmp_path, "program", "export", "--icu", "--profile", str(prof),
                TREADPACE_ICU_URL=icu.url, TREADPACE_ICU_API_KEY=API_KEY,
            )  # fmt: skip

        for _ in range(2):  # sent again: updated in place, never doubled
            sent = await asyncio.to_thread(export)
            assert sent.returncode == 0, sent.stderr
            assert f"intervals.icu: {workouts} workouts on your calendar" in sent.stdout
        assert len(icu.events) == workouts
        assert sorted(e["start_date_local"][:10] for e in icu.events) == days
        nothing = invoke_at(tmp_path, "program", "export", "--profile", str(prof))
        assert nothing.returncode == 2 and "expected --ics FILE, --icu or both" in nothing.stderr
    finally:
        await icu.close()
    assert icu.violations == []
