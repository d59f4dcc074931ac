"""Run listing and RUN resolution: history reads heads and tails; bad RUN names fail in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.journals import DAY, record
from treadpace.base.user_error import UserError
from treadpace.engine.events import RunFinished
from treadpace.plans.steps import CompiledStep
from treadpace.record.runs import list_runs, resolve_run, summarize
from treadpace.record.synthetic import SyntheticRun, synthetic_events


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    base = SyntheticRun().start_wall
    record(tmp_path, SyntheticRun(plan_name="Easy", start_wall=base))
    record(tmp_path, SyntheticRun(plan_name="Thirds", start_wall=base + DAY, stop_after_s=150))
    record(
        tmp_path, SyntheticRun(plan_name="Fast finish", start_wall=base + 2 * DAY), crash_after=300
    )
    (tmp_path / "notes.txt").write_text("not a run")
    (tmp_path / "junk.jsonl").write_text("{}\n")
    return tmp_path


def test_history_lists_runs_oldest_first_with_outcome_and_totals(runs_dir: Path) -> None:
    runs = list_runs(runs_dir)
    assert [r.plan_name for r in runs] == ["Easy", "Thirds", "Fast finish"]
    assert [r.status for r in runs] == ["finished", "aborted", "interrupted"]
    easy = runs[0]
    finish = synthetic_events(SyntheticRun())[-1]
    assert isinstance(finish, RunFinished)
    assert easy.distance_m == pytest.approx(finish.distance_m, abs=0.01)
    assert easy.timer_s == pytest.approx(finish.elapsed_s, abs=0.01)
    assert easy.avg_speed_kmh == pytest.approx(finish.distance_m / finish.elapsed_s * 3.6, abs=0.01)
    assert runs[1].timer_s == pytest.approx(150.0, abs=1.0)
    crashed = runs[2]
    assert 0 < crashed.distance_m < easy.distance_m and crashed.timer_s > 0


def test_summary_of_a_long_run_reads_only_the_ends(tmp_path: Path) -> None:
    long_run = SyntheticRun(steps=(CompiledStep("long", "time", 3600.0, 10.0),), hz=1.0)
    path = record(tmp_path, long_run)
    assert path.stat().st_size > 1_000_000
    summary = summarize(path)
    assert summary is not None and summary.status == "finished"
    assert summary.timer_s == pytest.approx(3600.0, abs=1.0)


def test_empty_or_missing_directory_lists_nothing(tmp_path: Path) -> None:
    assert list_runs(tmp_path) == []
    assert list_runs(tmp_path / "nope") == []
    with pytest.raises(UserError, match="no recorded runs yet"):
        resolve_run("latest", tmp_path)


def test_run_names_resolve(runs_dir: Path) -> None:
    runs = list_runs(runs_dir)
    assert resolve_run("latest", runs_dir) == runs[-1].path
    assert resolve_run(runs[0].id, runs_dir) == runs[0].path
    assert resolve_run(runs[1].id[:10], runs_dir) == runs[1].path  # unique date prefix
    assert resolve_run(str(runs[2].path), runs_dir) == runs[2].path  # a path works anywhere
    with pytest.raises(UserError, match="ambiguous run id") as info:
        resolve_run("2026-01", runs_dir)
    assert "\n" not in str(info.value)
    with pytest.raises(UserError, match="no such run") as info:
        resolve_run("1999", runs_dir)
    assert "\n" not in str(info.value)
