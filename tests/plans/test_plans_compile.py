"""The four progression runs compile to running.md §6's exact steps; the rules refuse bad plans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.where import DATA, ROOT
from treadpace.base.user_error import UserError
from treadpace.plans import (
    Profile,
    compile_plan,
    default_profile,
    load_plan,
    load_profile,
)
from treadpace.plans.loader import plan_from_document
from treadpace.plans.steps import CompiledPlan
from treadpace.plans.yaml_document import parse_yaml

VECTORS: dict[str, Any] = yaml.safe_load(
    (DATA / "plans" / "vectors.yaml").read_text()
)


def runner(key: str) -> Profile:
    return Profile.model_validate(
        {
            "name": f"Runner {key}",
            "units": "metric" if key == "A" else "imperial",
            "paces": VECTORS["progression_profiles"][key],
        }
    )


def compile_text(text: str, profile: Profile) -> CompiledPlan:
    plan = plan_from_document(parse_yaml(text, "plan.yaml"))
    return compile_plan(plan, profile, "plan.yaml")


CASES = {
    "A1_negative_split_30min": ("A", "kind: negative-split"),
    "B1_negative_split_6mi_second_marathon": (
        "B",
        "kind: negative-split\ndistance: 6 mi\nsecond: marathon",
    ),
    "A2_each_mile_faster_n3": ("A", "kind: each-mile-faster"),
    "B2_each_mile_faster_n2": ("B", "kind: each-mile-faster\nprogressive_miles: 2"),
    "B2_each_mile_faster_n3": ("B", "kind: each-mile-faster\nprogressive_miles: 3"),
    "A3_thirds_30min": ("A", "kind: thirds"),
    "B3_thirds_9mi": ("B", "kind: thirds\ndistance: 9 mi"),
    "A4_fast_finish_30min_5": ("A", "kind: fast-finish\nfinish: '5:00'"),
    "B4_fast_finish_60min_15_marathon": (
        "B",
        "kind: fast-finish\nduration: '60:00'\nfinish: '15:00'\nfinish_pace: marathon",
    ),
    "fast_finish_finish_4min": ("A", "kind: fast-finish\nfinish: '4:00'"),
    "fast_finish_finish_16min": ("A", "kind: fast-finish\nfinish: '16:00'"),
}


def test_every_vector_has_a_case() -> None:
    assert set(CASES) == set(VECTORS["progression_compiled"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_progression_vectors(name: str) -> None:
    key, text = CASES[name]
    expected = VECTORS["progression_compiled"][name]
    if expected == "error":
        with pytest.raises(UserError):
            compile_text(text, runner(key))
        return
    compiled = compile_text(text, runner(key))
    assert len(compiled.steps) == len(expected)
    for step, (kind, amount, kmh) in zip(compiled.steps, expected, strict=True):
        assert step.kind == kind
        assert step.amount == pytest.approx(amount, abs=1e-6)
        assert step.speed_kmh == pytest.approx(kmh, abs=0.001)
        assert step.incline_percent == 0.0


@pytest.mark.parametrize(
    "name, total_s",
    [
        ("A2_each_mile_faster_n3", 47 * 60 + 11.0),
        ("B1_negative_split_6mi_second_marathon", 47 * 60 + 21),
        ("B2_each_mile_faster_n2", 31 * 60 + 4),
        ("B3_thirds_9mi", 3600 + 7 * 60 + 51),
    ],
)
def test_planned_times(name: str, total_s: float) -> None:
    key, text = CASES[name]
    assert compile_text(text, runner(key)).total_time_s == pytest.approx(total_s, abs=0.5)


def test_planned_distances() -> None:
    a1 = compile_text(CASES["A1_negative_split_30min"][1], runner("A"))
    assert a1.total_distance_m == pytest.approx(4756.7, abs=0.1)
    b4 = compile_text(CASES["B4_fast_finish_60min_15_marathon"][1], runner("B"))
    assert b4.total_distance_m == pytest.approx(11834.5, abs=0.1)


def test_each_mile_faster_labels_and_cooldown() -> None:
    steps = compile_text("kind: each-mile-faster", runner("A")).steps
    assert [s.name for s in steps] == ["warm-up", "mile 2", "mile 3", "mile 4", "cool-down"]
    assert [s.pace_label for s in steps[1:4]] == [
        "marathon",
        "marathon - 0:30/mi",
        "marathon - 1:00/mi",
    ]


def test_b2_keeps_three_progressive_miles_with_mile_4_held_at_interval() -> None:
    compiled = compile_text(CASES["B2_each_mile_faster_n3"][1], runner("B"))
    mile4 = compiled.steps[3]
    assert mile4.name == "mile 4" and mile4.pace_label == "interval (for marathon - 1:00/mi)"
    assert mile4.speed_kmh > compiled.steps[2].speed_kmh
    (note,) = compiled.notes
    assert "mile 4 runs at interval pace 6:18/mi" in note and "6:17/mi" in note


def test_b2_with_four_progressive_miles_names_the_mile_and_both_paces() -> None:
    with pytest.raises(UserError) as err:
        compile_text("kind: each-mile-faster\nprogressive_miles: 4", runner("B"))
    msg = str(err.value)
    assert msg.startswith("plan.yaml:2: progressive_miles: expected every mile faster")
    assert "mile 5 would be 5:47/mi" in msg and "interval 6:18/mi" in msg


def test_each_mile_faster_n4_for_runner_a_holds_the_last_mile_at_interval() -> None:
    steps = compile_text("kind: each-mile-faster\nprogressive_miles: 4", runner("A")).steps
    assert steps[4].pace_label.startswith("interval")
    with pytest.raises(UserError, match="interval 4:54/km"):
        compile_text("kind: each-mile-faster\nprogressive_miles: 5", runner("A"))


def test_shipped_each_mile_faster_has_three_progressive_miles_for_both_profiles() -> None:
    plan = load_plan(ROOT / "configs" / "plans" / "each-mile-faster.yaml")
    for name in ("metric", "imperial"):
        profile = load_profile(ROOT / "configs" / "profiles" / f"{name}.yaml")
        steps = compile_plan(plan, profile).steps
        assert [s.name for s in steps] == ["warm-up", "mile 2", "mile 3", "mile 4", "cool-down"]
        speeds = [s.speed_kmh for s in steps[:4]]
        assert speeds == sorted(speeds) and len(set(speeds)) == 4


def test_fast_finish_as_long_as_the_run_is_refused() -> None:
    with pytest.raises(UserError, match=r"plan\.yaml:3: finish: expected a finish shorter"):
        compile_text("kind: fast-finish\nduration: '12:00'\nfinish: '12:00'", runner("A"))
    with pytest.raises(UserError, match="between 5:00 and 15:00"):
        compile_text("kind: fast-finish\nduration: '30:00'\nfinish: '30:00'", runner("A"))


@pytest.mark.parametrize(
    "text, field, words",
    [
        ("kind: thirds\nfirst: marathon", "first", "no faster than easy"),
        ("kind: thirds\nsecond: threshold\nthird: marathon", "third", "at least as fast"),
        ("kind: thirds\nthird: repetition", "third", "faster than interval"),
        ("kind: negative-split\nsecond: easy", "second", "faster than the first part"),
        ("kind: negative-split\nfirst: steady\nsecond: marathon", "first", "no faster than easy"),
        ("kind: steady\npace: repetition", "pace", "faster than interval"),
        ("kind: fast-finish\nfinish_pace: threshold - 0:30/km", "finish_pace", "interval"),
    ],
)
def test_progression_rules(text: str, field: str, words: str) -> None:
    with pytest.raises(UserError) as err:
        compile_text(text, runner("A"))
    msg = str(err.value)
    assert f": {field}: expected" in msg
    assert words in msg


def test_max_speed_caps_every_kind() -> None:
    # A step above the runner's max runs capped (with a note), it is not refused.
    slow = Profile.model_validate(
        {"paces": VECTORS["progression_profiles"]["A"], "max_speed_kmh": 10.5}
    )
    thirds = compile_text("kind: thirds\nthird: threshold", slow)
    assert max(s.speed_kmh for s in thirds.steps) == 10.5
    assert thirds.steps[2].capped_from_kmh is not None and thirds.steps[2].capped_from_kmh > 10.5
    assert [n.split(":")[0] for n in thirds.notes if "capped at" in n] == ["third 3"]
    custom = compile_text("kind: custom\nsegments:\n  - {duration: '1:00', speed: 12 km/h}", slow)
    assert custom.steps[0].speed_kmh == 10.5 and custom.steps[0].capped_from_kmh == 12.0
    ramp = compile_text(
        "kind: custom\nsegments:\n  - {duration: '1:00', from: easy, to: 11 km/h}", slow
    )
    assert ramp.steps[0].end_speed_kmh == 10.5 and ramp.steps[0].speed_kmh < 10.5


def test_incline_limit() -> None:
    with pytest.raises(UserError, match=r"plan\.yaml:2: incline: expected an incline within"):
        compile_text("kind: thirds\nincline: 12", runner("A"))
    with pytest.raises(UserError, match=r":5: segments\[0\]\.incline"):
        compile_text(
            "kind: custom\nsegments:\n  - duration: '1:00'\n    pace: easy\n    incline: -11",
            runner("A"),
        )


def test_custom_repeat_ramp_and_incline() -> None:
    text = """kind: custom
incline: 1
segments:
  - {name: warm, duration: "10:00", pace: easy, incline: 0}
  - repeat:
      times: 3
      segments:
        - {name: on, distance: 400 m, pace: interval}
        - {name: off, duration: "1:30", speed: 8 km/h}
  - {name: ramp, duration: "5:00", from: easy, to: marathon + 10 s/km}
"""
    compiled = compile_text(text, runner("A"))
    names = [s.name for s in compiled.steps]
    assert names == ["warm", "on 1/3", "off 1/3", "on 2/3", "off 2/3", "on 3/3", "off 3/3", "ramp"]
    assert compiled.steps[0].incline_percent == 0
    assert all(s.incline_percent == 1 for s in compiled.steps[1:])
    on = compiled.steps[1]
    assert (on.kind, on.amount) == ("distance", 400.0)
    assert on.speed_kmh == pytest.approx(3600 / (4 * 60 + 54))
    ramp = compiled.steps[-1]
    assert ramp.is_ramp
    assert ramp.speed_kmh == pytest.approx(3600 / 390)
    assert ramp.end_speed_kmh == pytest.approx(3600 / 355)
    # Custom plans are not progression runs: an interval session may start fast (a note only).
    fast_start = compile_text(
        "kind: custom\nsegments:\n  - {duration: '1:00', pace: interval}", runner("A")
    )
    assert fast_start.notes and "faster than easy" in fast_start.notes[0]


def test_offset_is_applied_in_its_own_unit() -> None:
    compiled = compile_text(
        "kind: custom\nsegments:\n  - {distance: 1 mi, pace: marathon - 0:30/mi}", runner("A")
    )
    assert compiled.steps[0].speed_kmh == pytest.approx(11.0308, abs=0.0001)


def test_name_defaults_to_the_kind_title() -> None:
    assert compile_text("kind: thirds", runner("A")).name == "Thirds"
    assert compile_text("name: Mine\nkind: thirds", runner("A")).name == "Mine"


SHIPPED_PLANS = sorted((ROOT / "configs" / "plans").glob("*.yaml"))
SHIPPED_PROFILES = [None, *sorted((ROOT / "configs" / "profiles").glob("*.yaml"))]


def test_shipped_configs_exist() -> None:
    kinds = {load_plan(p).kind for p in SHIPPED_PLANS}
    assert kinds == {
        "negative-split",
        "each-mile-faster",
        "thirds",
        "fast-finish",
        "steady",
        "custom",
    }
    assert (ROOT / "configs" / "plans" / "thirds.yaml") in SHIPPED_PLANS
    assert len(SHIPPED_PROFILES) == 3


@pytest.mark.parametrize("plan", SHIPPED_PLANS, ids=lambda p: p.stem)
@pytest.mark.parametrize("profile", SHIPPED_PROFILES, ids=lambda p: p.stem if p else "default")
def test_every_shipped_plan_compiles(
    plan: Path, profile: Path | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TREADPACE_PROFILE", raising=False)
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(tmp_path))
    prof = load_profile(profile)
    compiled = compile_plan(load_plan(plan), prof, str(plan))
    assert compiled.steps and compiled.source == str(plan)
    assert all(s.amount > 0 and 0 < s.speed_kmh <= prof.max_speed_kmh for s in compiled.steps)
    assert compiled.total_time_s > 0


def test_thirds_quick_start_plan_is_30_minutes() -> None:
    compiled = compile_plan(load_plan(ROOT / "configs/plans/thirds.yaml"), default_profile())
    assert [s.amount for s in compiled.steps] == [600.0, 600.0, 600.0]
    assert compiled.total_time_s == pytest.approx(1800)
