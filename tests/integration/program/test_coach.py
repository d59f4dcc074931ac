"""`treadpace next` over synthetic histories: each suggestion, its reason, and the file it writes.

The runner is the metric example (Runner A: VDOT 38.3, age 40, rest 60, Karvonen
zones: zone 5 from 168 bpm). Histories are run summaries as `history` reads them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.where import ROOT
from treadpace.engine.causes import Departure
from treadpace.engine.events import StepSummary
from treadpace.plans import compile_plan, load_plan, load_profile
from treadpace.program.next_run import QUALITY_EVERY_DAYS, suggest, vdot_estimate
from treadpace.record.journal import RunStatus
from treadpace.record.recorder import Recorder
from treadpace.record.runs import RunSummary
from treadpace.record.synthetic import SyntheticRun, synthetic_events

PROFILE = load_profile(ROOT / "configs" / "profiles" / "metric.yaml")
DAY = 86_400.0
NOW = 1_780_000_000.0


def run(
    days_ago: float, kind: str, minutes: float = 30, *, status: RunStatus = RunStatus.FINISHED,
    max_hr: int | None = 150, device: str = "ftms:AA:BB", simulated: bool = False,
    fast_kmh: float = 10.0,
    departures: tuple[tuple[Departure, float], ...] = (),
) -> RunSummary:  # fmt: skip
    seconds = minutes * 60
    steps = (
        StepSummary(0, "easy", 9.2, 9.2, 9.2 / 3.6 * seconds / 2, seconds / 2, False,
                    avg_hr_bpm=130, max_hr_bpm=140),
        StepSummary(1, "fast", fast_kmh, fast_kmh, fast_kmh / 3.6 * seconds / 2, seconds / 2,
                    False, avg_hr_bpm=(max_hr or 150) - 5, max_hr_bpm=max_hr),
    )  # fmt: skip
    return RunSummary(
        id=f"r{days_ago}", path=Path("x"), start_wall=NOW - days_ago * DAY, plan_name=kind,
        imperial=False, distance_m=sum(s.distance_m for s in steps), timer_s=seconds,
        status=status, departures=departures, device=device, plan_kind=kind, steps=steps,
        simulated=simulated,
    )  # fmt: skip


def compiles(plan: dict[str, object], tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "next.yaml"
    path.write_text(yaml.safe_dump(plan))
    compile_plan(load_plan(path), PROFILE, str(path))


def test_a_fresh_runner_starts_with_thirty_minutes_of_negative_split(tmp_path: Path) -> None:
    s = suggest([], PROFILE, NOW)
    assert s.plan["kind"] == "negative-split" and s.plan["duration"] == "30:00"
    assert s.reasons == ["no runs yet: a 30-minute negative split, the gentlest progression"]
    compiles(s.plan, tmp_path)


def test_simulated_runs_are_not_training(tmp_path: Path) -> None:
    s = suggest([run(2, "thirds", device="simulator:generic", simulated=True)], PROFILE, NOW)
    assert s.plan["kind"] == "negative-split"
    assert s.reasons[0] == "1 simulated run(s) left out: they are not training"


def test_two_runs_this_week_mean_an_easy_run_with_a_few_faster_minutes(tmp_path: Path) -> None:
    s = suggest([run(5, "steady"), run(2, "thirds")], PROFILE, NOW)
    assert s.plan["kind"] == "custom" and s.plan["name"] == "Easy with a few faster minutes"
    assert s.reasons[-1].startswith("last progression run (thirds) 2 day(s) ago: recover")
    compiles(s.plan, tmp_path)


def test_after_recovery_the_next_kind_in_the_rotation_grows_a_little(tmp_path: Path) -> None:
    s = suggest([run(QUALITY_EVERY_DAYS + 2, "thirds", 40)], PROFILE, NOW)
    assert s.plan["kind"] == "fast-finish" and s.plan["duration"] == "44:00"
    assert "time for the next, fast-finish" in s.reasons[0]
    assert s.reasons[1].startswith("grown from 40:00, the last progression run that finished")
    compiles(s.plan, tmp_path)
    # a run that did not go as planned is not grown from
    held = run(12, "thirds", 40, departures=((Departure.CAPPED, 300.0),))
    older = run(30 + 12, "negative-split", 32)
    s = suggest([older, held], PROFILE, NOW + 0)
    assert s.plan["duration"] == "35:00"  # 32:00 + 10 %


def test_a_month_off_starts_again_gently(tmp_path: Path) -> None:
    s = suggest([run(60, "thirds", 50), run(35, "fast-finish", 55)], PROFILE, NOW)
    assert s.plan == {"kind": "negative-split", "duration": "30:00", "first": "easy",
                      "second": "steady"}  # fmt: skip
    assert s.reasons == ["last run 35 days ago: start again with 30 minutes, gently"]


def test_a_run_stopped_by_a_high_heart_rate_is_repeated_shorter_and_capped(
    tmp_path: Path,
) -> None:
    s = suggest([run(3, "thirds", 40, status=RunStatus.ABORTED, max_hr=176)], PROFILE, NOW)
    assert s.plan["kind"] == "thirds" and s.plan["duration"] == "36:00"
    assert s.plan["hr_cap"] == "z4" and s.plan["safe_progression"] is True
    assert s.reasons == [
        "the last progression run (thirds) stopped with heart rate up to 176 bpm (zone 5): "
        "the same kind again, shorter, capped at zone 4"
    ]
    compiles(s.plan, tmp_path)


def test_vdot_rises_only_from_a_held_threshold_effort_at_threshold_heart_rate() -> None:
    base = float(PROFILE.vdot or 0)
    threshold = 3600 / float(PROFILE.paces.threshold)
    assert vdot_estimate(
        [run(10, "thirds", fast_kmh=threshold + 0.6, max_hr=160)], PROFILE, NOW
    ) == (
        pytest.approx(base + 2.0)  # capped gain
    )
    for unfit in (
        run(10, "thirds", fast_kmh=threshold + 0.6, max_hr=170),  # over 92 % of 180
        run(10, "thirds", fast_kmh=threshold + 0.6, max_hr=160, status=RunStatus.ABORTED),
        run(60, "thirds", fast_kmh=threshold + 0.6, max_hr=160),  # too long ago
        run(10, "thirds", fast_kmh=threshold - 1.0, max_hr=150),  # not a threshold effort
    ):
        assert vdot_estimate([unfit], PROFILE, NOW) == pytest.approx(base)
    s = suggest([run(12, "thirds", 40, fast_kmh=threshold + 0.6, max_hr=160)], PROFILE, NOW)
    assert s.reasons[0].startswith(f"VDOT {base:.1f} -> {base + 2:.1f}")
    assert s.plan["finish_pace"].endswith("/km")  # the updated threshold pace, written out


def test_next_prints_the_plan_and_why_and_writes_it(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    recorder = Recorder(runs)
    for event in synthetic_events(SyntheticRun(plan_name="Easy")):
        recorder.handle(event)
    recorder.close()
    env = {**os.environ, "TREADPACE_HOME": str(tmp_path), "COLUMNS": "120"}
    env.pop("TREADPACE_PROFILE", None)
    out = tmp_path / "next.yaml"
    args = ["next", "--dir", str(runs), "--profile", str(ROOT / "configs/profiles/metric.yaml")]
    done = subprocess.run(
        [sys.executable, "-m", "treadpace", *args, "--write", str(out)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "why: 1 simulated run(s) left out" in done.stdout
    assert "negative split" in done.stdout.lower() and f"wrote {out}" in done.stdout
    text = out.read_text()
    assert text.startswith("# 1 simulated run(s) left out") and "kind: negative-split" in text
    again = subprocess.run(
        [sys.executable, "-m", "treadpace", *args, "--write", str(out)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert again.returncode == 2 and "--write: expected a new file name" in again.stderr
    assert again.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("last", "kind"),
    [("negative-split", "thirds"), ("thirds", "fast-finish"), ("fast-finish", "each-mile-faster"),
     ("each-mile-faster", "negative-split")],
)  # fmt: skip
def test_the_rotation_covers_the_four_kinds(tmp_path: Path, last: str, kind: str) -> None:
    s = suggest([run(14, last, 40)], PROFILE, NOW)
    expected = "each-interval-faster" if kind == "each-mile-faster" else kind
    assert s.plan["kind"] == expected and f"time for the next, {kind}" in s.reasons[0]
    compiles(s.plan, tmp_path)
