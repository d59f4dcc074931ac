"""Workouts in and out: Zwift .zwo, intervals.icu text, Garmin FIT workouts, and round trips."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import Ran, invoke
from tests.where import ROOT
from tests.workout_files import RUNNER, compiled_from, fit_steps, fit_workout
from treadpace.base.user_error import UserError
from treadpace.library import import_workout, load_and_compile
from treadpace.plans import compile_plan, load_plan
from treadpace.plans.steps import CompiledPlan
from treadpace.plans.vdot import race_time_s
from treadpace.workouts import WorkoutError, import_bytes
from treadpace.workouts.fit import write_fit
from treadpace.workouts.zwo import write_zwo

PLANS = ROOT / "configs" / "plans"
VDOT = RUNNER.vdot or 0.0
FIVE_K_S = race_time_s(VDOT, 5000.0) / 5.0
TEN_K_S = race_time_s(VDOT, 10000.0) / 10.0
THRESHOLD_S = RUNNER.paces.threshold


def kmh(s_per_km: float) -> float:
    return 3600.0 / s_per_km


ZWO = b"""<workout_file>
  <name>Zwift run</name>
  <sportType>run</sportType>
  <workout>
    <Warmup Duration="300" PowerLow="0.70" PowerHigh="0.85" pace="1"/>
    <SteadyState Duration="600" Power="0.95" pace="2">
      <textevent timeoffset="10" message="settle in"/>
    </SteadyState>
    <IntervalsT Repeat="3" OnDuration="60" OffDuration="90" OnPower="1.0" OffPower="0.75"/>
    <FreeRide Duration="120"/>
    <Cooldown Duration="300" PowerLow="0.8" PowerHigh="0.7" pace="4"/>
  </workout>
</workout_file>
"""


def test_zwo_blocks_map_to_steps_with_the_reference_paces_named(tmp_path: Path) -> None:
    imported = import_bytes(ZWO, "run.zwo", "zwo")
    assert imported.plan["segments"][1]["pace"] == "95% 10k"
    assert imported.plan["segments"][3] == {"name": "freeride 4", "duration": "2:00", "free": True}
    assert any("1 text events" in n for n in imported.notes)
    compiled = compiled_from(ZWO, "run.zwo", "zwo", tmp_path)
    steps = compiled.steps
    assert len(steps) == 1 + 1 + 6 + 1 + 1
    warm = steps[0]
    assert (warm.speed_kmh, warm.end_speed_kmh) == pytest.approx(
        (0.70 * kmh(FIVE_K_S), 0.85 * kmh(FIVE_K_S))
    )
    assert steps[1].speed_kmh == pytest.approx(0.95 * kmh(TEN_K_S))
    on, off = steps[2], steps[3]
    assert (on.amount, off.amount) == (60.0, 90.0)
    assert on.speed_kmh == pytest.approx(kmh(FIVE_K_S))  # no pace attribute: 5K
    assert steps[8].free and steps[8].pace_label == "free"
    marathon = RUNNER.paces.marathon
    assert steps[9].end_speed_kmh == pytest.approx(0.7 * kmh(marathon))


def test_zwo_threshold_sec_per_km_gives_absolute_speeds() -> None:
    data = ZWO.replace(b"<workout>", b"<thresholdSecPerKm>300</thresholdSecPerKm><workout>", 1)
    plan = import_bytes(data, "t.zwo", "zwo").plan
    assert plan["segments"][1]["pace"] == "11.4 km/h"  # 0.95 x 12 km/h


def test_zwo_distance_workouts_are_metres() -> None:
    data = ZWO.replace(b"<workout>", b"<durationType>distance</durationType><workout>", 1)
    assert import_bytes(data, "d.zwo", "zwo").plan["segments"][1]["distance"] == "600 m"


@pytest.mark.parametrize(
    "change, message",
    [
        ((b"<sportType>run", b"<sportType>bike"), "sportType: expected run"),
        ((b'Power="0.95" pace="2"', b'Power="0.95" Cadence="90"'),
         "SteadyState Cadence (block 2): cadence targets"),
        ((b"<FreeRide", b"<MaxEffort"), "MaxEffort (block 4): expected SteadyState"),
        ((b'Power="0.95"', b'Power="fast"'), "SteadyState Power: expected a number"),
        ((b"</workout_file>", b""), "(xml): expected a Zwift workout"),
        ((b'pace="2"', b'pace="7"'), "SteadyState pace: expected 0-4"),
    ],
)  # fmt: skip
def test_bad_zwo_files_name_the_element(change: tuple[bytes, bytes], message: str) -> None:
    with pytest.raises(WorkoutError) as err:
        import_bytes(ZWO.replace(*change), "bad.zwo", "zwo")
    assert str(err.value).startswith(message)


ICU = """Warmup
- 10m ramp 60-80% Pace

Main set 3x
- hard 1km 4:50-5:00/km
- float 2m Z1 Pace

- 5'30" 85% Pace
- 400mtr 7:30/mi
Cooldown
- 10m freeride
"""


def test_intervals_icu_text_becomes_steps(tmp_path: Path) -> None:
    compiled = compiled_from(ICU.encode(), "w.txt", "icu", tmp_path)
    names = [s.name for s in compiled.steps]
    assert names[0] == "Warmup" and names[1:7] == [
        "hard 1/3", "float 1/3", "hard 2/3", "float 2/3", "hard 3/3", "float 3/3",
    ]  # fmt: skip
    warm = compiled.steps[0]
    assert warm.amount == 600.0 and warm.speed_kmh == pytest.approx(0.6 * kmh(THRESHOLD_S))
    assert warm.end_speed_kmh == pytest.approx(0.8 * kmh(THRESHOLD_S))
    hard = compiled.steps[1]
    assert hard.kind == "distance" and hard.amount == 1000.0
    assert hard.speed_kmh == pytest.approx(kmh(295.0)) and hard.pace_label == "4:50-5:00/km"
    assert compiled.steps[2].pace_label == "easy"  # Z1
    five = compiled.steps[7]
    assert five.amount == 330.0 and five.speed_kmh == pytest.approx(0.85 * kmh(THRESHOLD_S))
    assert compiled.steps[8].amount == 400.0
    assert compiled.steps[8].speed_kmh == pytest.approx(kmh(450.0 / 1.609344))


@pytest.mark.parametrize(
    "line, message",
    [
        ("- 10m 70% HR", "line 1: '70% HR': heart-rate targets are not supported"),
        ("- 10m Z2 HR", "line 1: 'Z2 HR': heart-rate targets"),
        ("- 10m 200w", "line 1: '200w': power targets"),
        ("- 10m 75%", "line 1: '75%': power targets"),
        ("- 10m 6:00/km 90rpm", "line 1: '6:00/km 90rpm': cadence targets"),
        ("- press lap 6:00/km", "line 1: expected a length"),
        ("- 10m press lap", "line 1: 'press lap': a step ended by the lap button"),
        ("- 10m", "line 1: expected a target"),
        ("- 10m quickly", "line 1: expected a target like"),
    ],
)
def test_bad_intervals_icu_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(WorkoutError) as err:
        import_bytes(line.encode(), "bad.txt", "icu")
    assert str(err.value).startswith(message)


def test_fit_workout_steps_targets_and_repeats(tmp_path: Path) -> None:
    imported = import_bytes(fit_workout(fit_steps()), "w.fit", "fit")
    assert imported.plan["name"] == "Watch run"
    segments = imported.plan["segments"]
    assert segments[0] == {"name": "warm", "duration": "10:00", "free": True}
    assert segments[1]["repeat"]["times"] == 5
    rep, jog = segments[1]["repeat"]["segments"]
    assert rep == {"name": "rep", "distance": "400 m", "pace": "4:10.00-4:23.16/km"}
    assert jog["speed"] == "9.36 km/h"
    compiled = compiled_from(fit_workout(fit_steps()), "w.fit", "fit", tmp_path)
    assert len(compiled.steps) == 11


@pytest.mark.parametrize(
    "change, message",
    [
        ({"target_type": "HEART_RATE"}, "workout_step 1 target_type heart_rate"),
        ({"target_type": "CADENCE"}, "workout_step 1 target_type cadence"),
        ({"target_type": "POWER"}, "workout_step 1 target_type power"),
        ({"target_speed_zone": 3}, "workout_step 1 target_speed_zone 3"),
    ],
)  # fmt: skip
def test_bad_fit_steps_are_refused_by_name(change: dict[str, Any], message: str) -> None:
    from fit_tool.profile.profile_type import WorkoutStepDuration, WorkoutStepTarget

    steps = fit_steps()
    for key, value in change.items():
        if key == "target_type":
            value = WorkoutStepTarget[str(value)]
        if key == "duration_type":
            value = WorkoutStepDuration[str(value)]
        steps[1][key] = value
    if "target_speed_zone" in change:
        steps[1].pop("custom_target_speed_high")
        steps[1].pop("custom_target_speed_low")
        steps[1]["target_value"] = 3
    with pytest.raises(WorkoutError) as err:
        import_bytes(fit_workout(steps), "bad.fit", "fit")
    assert str(err.value).startswith(message)


def test_a_damaged_fit_file_is_one_line() -> None:
    data = bytearray(fit_workout(fit_steps()))
    data[-5] ^= 0xFF
    with pytest.raises(WorkoutError, match="checksum"):
        import_bytes(bytes(data), "bad.fit", "fit")
    with pytest.raises(WorkoutError, match="no FIT header"):
        import_bytes(b"not a fit file at all", "bad.fit", "fit")


def _same_steps(a: CompiledPlan, b: CompiledPlan) -> None:
    assert len(a.steps) == len(b.steps)
    for x, y in zip(a.steps, b.steps, strict=True):
        assert (x.kind, x.open, x.free) == (y.kind, y.open, y.free)
        # FIT keeps ms and cm; speeds are mm/s, and the text keeps 0.01 s/km.
        assert x.amount == pytest.approx(y.amount, abs=0.01)
        assert x.speed_kmh == pytest.approx(y.speed_kmh, abs=0.005)
        assert (x.end_speed_kmh is None) == (y.end_speed_kmh is None)
        if x.end_speed_kmh is not None and y.end_speed_kmh is not None:
            assert x.end_speed_kmh == pytest.approx(y.end_speed_kmh, abs=0.005)


FLAT = [p for p in sorted(PLANS.glob("*.yaml")) if p.stem != "ramp-incline"]


@pytest.mark.parametrize("path", FLAT, ids=lambda p: p.stem)
def test_fit_round_trip_keeps_every_step(path: Path, tmp_path: Path) -> None:
    original = compile_plan(load_plan(path), RUNNER)
    again = compiled_from(write_fit(original, 1_700_000_000.0), "x.fit", "fit", tmp_path)
    _same_steps(original, again)
    assert [s.name for s in again.steps] == [s.name for s in original.steps]


def test_fit_export_splits_a_ramp_into_four_steps(tmp_path: Path) -> None:
    original = compile_plan(load_plan(PLANS / "ramp-incline.yaml"), RUNNER)
    again = compiled_from(write_fit(original), "x.fit", "fit", tmp_path)
    assert len(again.steps) == len(original.steps) + 3
    ramp = original.steps[1]
    quarters = again.steps[1:5]
    assert [s.name for s in quarters] == [f"ramp {k}/4" for k in range(1, 5)]
    assert sum(s.amount for s in quarters) == pytest.approx(ramp.amount)
    assert quarters[0].speed_kmh == pytest.approx(ramp.target_at(0.125), abs=0.005)


ZWO_PLANS = ["thirds", "negative-split", "fast-finish", "steady", "beginner-30", "each-mile-faster",
             "ramp-incline"]  # fmt: skip


@pytest.mark.parametrize("name", ZWO_PLANS)
def test_zwo_round_trip_keeps_every_step(name: str, tmp_path: Path) -> None:
    original = compile_plan(load_plan(PLANS / f"{name}.yaml"), RUNNER)
    text = write_zwo(original, FIVE_K_S, "1")
    again = compiled_from(text.encode(), "x.zwo", "zwo", tmp_path)
    _same_steps(original, again)


def test_zwo_export_of_a_plan_mixing_time_and_distance_is_refused() -> None:
    mixed = compile_plan(load_plan(PLANS / "cruise-intervals.yaml"), RUNNER)
    with pytest.raises(WorkoutError, match="every step by time or every step by distance"):
        write_zwo(mixed, FIVE_K_S, "1")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str] | Ran:
    """`run` in a process of its own (its signals, its belt); the plan commands in this one."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "TREADPACE_CONFIG_HOME": str(cwd / "cfg"),
           "TREADPACE_HOME": str(cwd / "data"), "TREADPACE_VIRTUAL_CLOCK": "1"}  # fmt: skip
    if args[0] != "run":
        return invoke(*args, env=env, cwd=cwd)
    return subprocess.run(
        [sys.executable, "-m", "treadpace", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_cli_export_import_and_run_a_workout_file(tmp_path: Path) -> None:
    out = _cli("plan", "export", "thirds", "--format", "fit", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("wrote thirds.fit: 3 steps"), out.stderr
    again = _cli("plan", "export", "thirds", "--format", "fit", cwd=tmp_path)
    assert again.returncode == 2 and "thirds.fit: expected a new file" in again.stderr
    imported = _cli("plan", "import", "thirds.fit", "-o", "thirds.yaml", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    valid = _cli("plan", "validate", "thirds.yaml", cwd=tmp_path)
    assert valid.returncode == 0 and "custom, 3 steps, 30:00" in valid.stdout
    (tmp_path / "w.txt").write_text("- 2m 6:00/km\n- 1m 5:30/km\n")
    run = _cli("run", "w.txt", "--yes", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "finished: plan complete" in run.stdout


def test_cli_bad_workout_file_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "bike.zwo").write_bytes(ZWO.replace(b"<sportType>run", b"<sportType>bike"))
    for args in (("run", "bike.zwo", "--yes"), ("plan", "import", "bike.zwo")):
        result = _cli(*args, cwd=tmp_path)
        assert result.returncode == 2
        assert (
            result.stderr
            == "error: bike.zwo: sportType: expected run (a running workout), got 'bike'\n"
        )
    mixed = _cli("plan", "export", "cruise-intervals", "--format", "zwo", cwd=tmp_path)
    assert mixed.returncode == 2 and mixed.stderr.count("\n") == 1
    assert not (tmp_path / "cruise-intervals.zwo").exists()


def test_run_by_name_and_load_and_compile_take_a_workout_path(tmp_path: Path) -> None:
    path = tmp_path / "w.zwo"
    path.write_bytes(ZWO)
    compiled, _ = load_and_compile(str(path), None)
    assert [s.name for s in compiled.steps if s.free] == ["freeride 4"]
    with pytest.raises(UserError, match="expected an existing workout file"):
        import_workout(tmp_path / "missing.zwo")


def test_cli_export_to_stdout_and_never_through_a_symlink(tmp_path: Path) -> None:
    out = _cli("plan", "export", "thirds", "--format", "zwo", "-o", "-", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("<workout_file>"), out.stderr
    assert (
        import_bytes(out.stdout.encode(), "t.zwo", "zwo").plan["segments"][2]["duration"] == "10:00"
    )
    (tmp_path / "link.fit").symlink_to(tmp_path / "elsewhere.fit")
    linked = _cli(
        "plan", "export", "thirds", "-f", "fit", "-o", "link.fit", "--force", cwd=tmp_path
    )
    assert linked.returncode == 2 and "link.fit: is a symbolic link" in linked.stderr
    assert not (tmp_path / "elsewhere.fit").exists()


def test_an_imported_plan_that_starts_at_easy_gets_no_start_too_fast_note(tmp_path: Path) -> None:
    # Thirds' first step is exactly easy; through a .zwo (km/h to 4 places) it comes back
    # a hair faster.
    original = compile_plan(load_plan(PLANS / "thirds.yaml"), RUNNER)
    again = compiled_from(write_zwo(original, FIVE_K_S, "1").encode(), "x.zwo", "zwo", tmp_path)
    assert again.steps[0].speed_kmh > original.steps[0].speed_kmh
    assert again.notes == ()
