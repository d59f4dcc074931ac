"""Heart rate in plans: caps (bpm or a zone), HR-target segments and safe progression.

Compiled against the metric example runner (age 40, rest 60, Karvonen zones:
z2 132-144, z3 144-156 bpm), the rules reach the engine as plain numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.where import ROOT
from treadpace.plans import compile_plan, load_plan, load_profile
from treadpace.plans.hr import parse_hr_cap, parse_hr_target
from treadpace.plans.steps import CompiledPlan

RUNNER_A = ROOT / "configs" / "profiles" / "metric.yaml"


def compiled(tmp_path: Path, text: str) -> CompiledPlan:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return compile_plan(load_plan(path), load_profile(RUNNER_A), str(path))


def test_a_plan_cap_reaches_every_step_and_a_segment_cap_wins(tmp_path: Path) -> None:
    p = compiled(
        tmp_path,
        "kind: custom\nhr_cap: z3\nsegments:\n"
        '  - {duration: "10:00", pace: easy}\n'
        '  - {duration: "10:00", pace: marathon, hr_cap: 150}\n',
    )
    first, second = (s.hr for s in p.steps)
    assert first is not None and second is not None
    assert (first.mode, first.cap_bpm, first.label) == ("cap", 156.0, "z3 (156 bpm)")
    assert (second.cap_bpm, second.label, second.hold_back) == (150.0, "150 bpm", False)


def test_an_hr_target_segment_runs_between_its_bounds(tmp_path: Path) -> None:
    p = compiled(
        tmp_path,
        "kind: custom\nsegments:\n"
        '  - duration: "40:00"\n'
        '    target: {hr: z2, min: "7:30/km", max: "6:00/km", dead_band: 2, slew: 0.3, '
        'settle: "90 s"}\n',
    )
    [step] = p.steps
    rule = step.hr
    assert rule is not None and rule.mode == "target"
    assert (rule.low_bpm, rule.high_bpm) == (132.0, 144.0)
    assert rule.min_kmh == pytest.approx(8.0) and rule.max_kmh == pytest.approx(10.0)
    assert step.speed_kmh == pytest.approx(10.0)  # the fastest allowed is the target
    assert (rule.dead_band_bpm, rule.slew_kmh_min, rule.settle_s) == (2.0, 0.3, 90.0)
    assert step.pace_label == "heart rate z2 (132-144 bpm)"


def test_safe_progression_marks_every_step_of_an_article_kind(tmp_path: Path) -> None:
    p = compiled(tmp_path, "kind: thirds\nduration: 45:00\nhr_cap: 150\nsafe_progression: true\n")
    assert all(s.hr is not None and s.hr.hold_back and s.hr.cap_bpm == 150 for s in p.steps)
    plain = compiled(tmp_path, "kind: thirds\nhr_cap: 150\n")
    assert all(s.hr is not None and not s.hr.hold_back for s in plain.steps)
    assert all(s.hr is None for s in compiled(tmp_path, "kind: thirds\n").steps)


def test_a_zone_needs_a_max_heart_rate(tmp_path: Path) -> None:
    from treadpace.base.user_error import UserError

    path = tmp_path / "p.yaml"
    path.write_text("kind: steady\nhr_cap: z2\n")
    profile = tmp_path / "me.yaml"
    profile.write_text("units: metric\nrace: {distance: 5k, time: '25:00'}\n")
    with pytest.raises(UserError, match=r"p.yaml:2: hr_cap: expected heart_rate max_bpm"):
        compile_plan(load_plan(path), load_profile(profile), str(path))


@pytest.mark.parametrize(
    ("value", "cap"), [(160, "160"), ("160 bpm", "160"), ("Z3", "z3"), (150.0, "150")]
)
def test_cap_spellings(value: object, cap: str) -> None:
    assert parse_hr_cap(value) == cap


@pytest.mark.parametrize("value", [True, 20, 231, "z0", "z6", "fast", 150.5, None])
def test_bad_caps(value: object) -> None:
    with pytest.raises(ValueError, match="expected a heart rate like 160"):
        parse_hr_cap(value)


@pytest.mark.parametrize(
    ("value", "target"),
    [(145, "145-145"), ("140-150", "140-150"), ("z2", "z2"), ("140 - 150 bpm", "140-150")],
)
def test_target_spellings(value: object, target: str) -> None:
    assert parse_hr_target(value) == target
