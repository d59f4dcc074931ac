"""Step roles (warm-up, effort, recovery, cool-down): set where a plan is compiled or imported,
kept by the journal, and the only thing every export reads; a step's name decides nothing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, cast

import pytest
from garmin_fit_sdk import Decoder, Stream

from tests.where import ROOT
from treadpace.engine.events import RunStarted
from treadpace.library import import_workout
from treadpace.plans import Profile, compile_plan, load_plan
from treadpace.plans.loader import plan_from_document
from treadpace.plans.steps import CompiledPlan, CompiledStep, StepRole
from treadpace.plans.yaml_document import parse_yaml
from treadpace.record import export_run
from treadpace.record.codec import decode_event, encode_event
from treadpace.record.journal import read_journal
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events
from treadpace.workouts.fit import write_fit
from treadpace.workouts.zwo import write_zwo

PLANS = ROOT / "configs" / "plans"
RUNNER = Profile.model_validate({"name": "r", "race": {"distance": "5k", "time": "25:00"}})
TCD = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
W, A, R, C = StepRole.WARMUP, StepRole.ACTIVE, StepRole.RECOVERY, StepRole.COOLDOWN

# Names chosen to mislead: the old exporters guessed roles from words like these.
CUSTOM = """
name: Roles
kind: custom
segments:
  - {name: Easy start, duration: "5:00", pace: easy, role: warmup}
  - {name: rest, duration: "5:00", pace: steady}
  - {name: jog, duration: "2:00", pace: easy, role: recovery}
  - {name: walk it in, duration: "5:00", pace: easy, role: cooldown}
  - {name: cool-down, duration: "5:00", pace: easy, role: active}
"""
CUSTOM_ROLES = [W, A, R, C, A]


def compile_text(text: str) -> CompiledPlan:
    return compile_plan(plan_from_document(parse_yaml(text, "roles.yaml")), RUNNER)


def compiled_file(data: bytes | str, name: str, tmp_path: Path) -> CompiledPlan:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    plan, source, _ = import_workout(path)
    return compile_plan(plan, RUNNER, source)


def roles(plan: CompiledPlan) -> list[StepRole]:
    return [s.role for s in plan.steps]


def fit_messages(data: bytes) -> dict[str, list[dict[str, Any]]]:
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return cast(dict[str, list[dict[str, Any]]], messages)


def test_a_custom_step_has_the_role_it_is_given_and_is_otherwise_an_effort() -> None:
    assert roles(compile_text(CUSTOM)) == CUSTOM_ROLES
    unmarked = compile_text(CUSTOM.replace(", role: warmup", "").replace(", role: active", ""))
    assert unmarked.steps[0].name == "Easy start" and unmarked.steps[0].role is A
    assert unmarked.steps[4].name == "cool-down" and unmarked.steps[4].role is A


def test_progressive_plans_mark_their_warm_up_and_cool_down() -> None:
    mile = compile_plan(load_plan(PLANS / "each-mile-faster.yaml"), RUNNER)
    assert roles(mile) == [W, A, A, A, C]
    bare = compile_text(
        "kind: each-km-faster\nprogressive_km: 2\nstart: easy\nwarmup: null\ncooldown: null\n"
    )
    assert roles(bare) == [A, A]


def test_the_shipped_custom_plans_say_their_roles() -> None:
    cruise = compile_plan(load_plan(PLANS / "cruise-intervals.yaml"), RUNNER)
    by_name = {s.name.split(" ")[0]: s.role for s in cruise.steps}
    assert by_name == {
        "warm-up": W, "threshold": A, "float": R, "hill": A, "flat": R, "cool-down": C,
    }  # fmt: skip
    ramp = compile_plan(load_plan(PLANS / "ramp-incline.yaml"), RUNNER)
    assert roles(ramp) == [W, A, C]


def test_fit_workout_intensity_is_the_role_and_reads_back_as_it() -> None:
    plan = compile_text(CUSTOM)
    data = write_fit(plan, created_unix_s=1_700_000_000)
    steps = fit_messages(data)["workout_step_mesgs"]
    assert [s["intensity"] for s in steps] == ["warmup", "active", "recovery", "cooldown", "active"]


def test_fit_workout_round_trip_keeps_every_role(tmp_path: Path) -> None:
    plan = compile_text(CUSTOM)
    back = compiled_file(write_fit(plan, created_unix_s=1_700_000_000), "r.fit", tmp_path)
    assert roles(back) == CUSTOM_ROLES


def test_fit_workout_ramp_parts_keep_the_role(tmp_path: Path) -> None:
    ramp = compile_text(
        'kind: custom\nsegments:\n  - {name: build, duration: "8:00", from: easy, to: steady, '
        "role: warmup}\n"
    )
    back = compiled_file(write_fit(ramp, created_unix_s=1_700_000_000), "r.fit", tmp_path)
    assert len(back.steps) == 4 and roles(back) == [W] * 4


def test_zwo_round_trip_keeps_warm_up_cool_down_and_efforts(tmp_path: Path) -> None:
    plan = compile_text(CUSTOM)
    text = write_zwo(plan, RUNNER.paces.threshold, None)
    workout = ET.fromstring(text).find("workout")
    assert workout is not None
    blocks = [el.tag for el in workout]
    assert blocks == ["Warmup", "SteadyState", "SteadyState", "Cooldown", "SteadyState"]
    back = compiled_file(text, "r.zwo", tmp_path)
    # A .zwo has no recovery block outside IntervalsT: the jog reads back as an effort.
    assert roles(back) == [W, A, A, C, A]
    for before, after in zip(plan.steps, back.steps, strict=True):
        assert after.speed_kmh == pytest.approx(before.speed_kmh, rel=1e-5)
        assert not after.is_ramp and after.end_speed_kmh is None


def test_zwo_import_takes_roles_from_the_block_types(tmp_path: Path) -> None:
    zwo = b"""<workout_file><sportType>run</sportType><workout>
    <Warmup Duration="300" PowerLow="0.70" PowerHigh="0.85"/>
    <IntervalsT Repeat="2" OnDuration="60" OffDuration="90" OnPower="1.0" OffPower="0.75"/>
    <Ramp Duration="300" PowerLow="0.8" PowerHigh="0.9"/>
    <Cooldown Duration="300" PowerLow="0.8" PowerHigh="0.7"/>
    </workout></workout_file>"""
    plan = compiled_file(zwo, "w.zwo", tmp_path)
    assert roles(plan) == [W, A, R, A, R, A, C]
    assert plan.steps[0].is_ramp and plan.steps[-1].is_ramp


def test_intervals_icu_sections_give_the_roles(tmp_path: Path) -> None:
    text = (
        "Warmup\n- 10m Z1 Pace\n\nMain set 2x\n- hard 3m Z4 Pace\n- easy 2m Z1 Pace\n\n"
        "Warm-up drills\n- 1m Z2 Pace\nCool down\n- 5m Z1 Pace\n"
    )
    plan = compiled_file(text, "w.txt", tmp_path)
    # Only the format's own Warmup/Cooldown headers mean a role; "Warm-up drills" is a name.
    assert roles(plan) == [W, A, A, A, A, A, C]


def recorded(tmp_path: Path, steps: tuple[CompiledStep, ...]) -> Path:
    recorder = Recorder(tmp_path)
    for event in synthetic_events(SyntheticRun(steps=steps)):
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


LAP_STEPS = tuple(
    CompiledStep(name, "time", 30.0, kmh, role=role)
    for name, kmh, role in (
        ("Easy start", 9.0, W), ("rest", 10.0, A), ("jog", 8.0, R),
        ("walk it in", 8.0, C), ("cool-down", 8.0, A),
    )
)  # fmt: skip


def test_activity_laps_in_fit_and_tcx_follow_the_role_not_the_name(tmp_path: Path) -> None:
    journal = recorded(tmp_path, LAP_STEPS)
    fit, tcx = export_run(journal, ["fit", "tcx"])
    laps = fit_messages(fit.read_bytes())["lap_mesgs"]
    assert [lap["intensity"] for lap in laps] == [
        "warmup", "active", "recovery", "cooldown", "active",
    ]  # fmt: skip
    tcx_laps = ET.parse(tcx).getroot().iter(f"{TCD}Lap")
    # TCX has only Active and Resting: a recovery rests, a warm-up or cool-down runs.
    assert [lap.findtext(f"{TCD}Intensity") for lap in tcx_laps] == [
        "Active", "Active", "Resting", "Active", "Active",
    ]  # fmt: skip


def test_the_journal_round_trips_roles_and_reads_old_and_newer_ones(tmp_path: Path) -> None:
    journal = recorded(tmp_path, LAP_STEPS)
    read = read_journal(journal).header.steps
    assert [s.role for s in read] == [s.role for s in LAP_STEPS]
    assert all(type(s.role) is StepRole for s in read)
    header = journal.read_text().splitlines()[0]
    record = json.loads(header)
    assert [s["role"] for s in record["steps"]] == ["warmup", "active", "recovery", "cooldown",
                                                    "active"]  # fmt: skip
    for step in record["steps"]:
        del step["role"]  # as written before steps had roles
    record["steps"][2]["role"] = "strides"  # a role from a newer version
    old = decode_event(json.dumps(record))
    assert isinstance(old, RunStarted)
    assert [s.role for s in old.steps] == [A] * 5
    assert decode_event(encode_event(old)) == old
