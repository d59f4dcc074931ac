"""Race paces, percentages, ranges, changing repeats, incline ramps, the km/clock variants of
each mile faster, a fast finish by distance and honest negative-split names."""

from __future__ import annotations

import pytest

from tests.plan_text import RUNNER_A, compile_text
from tests.sim_engine import plan, run_sim, start_time
from treadpace.base.units import METRES_PER_MILE
from treadpace.base.user_error import UserError
from treadpace.plans import Profile
from treadpace.plans.plan_report import incline_chart, step_rows
from treadpace.plans.steps import CompiledStep
from treadpace.plans.vdot import race_time_s

RUNNER_B = Profile.model_validate(
    {
        "name": "B",
        "units": "imperial",
        "paces": {"easy": "8:30/mi", "marathon": "7:17/mi", "threshold": "6:50/mi"}
        | {"interval": "6:18/mi"},
    }
)


def kmh(s_per_km: float) -> float:
    return 3600.0 / s_per_km


def steady(pace: str, profile: Profile = RUNNER_A) -> float:
    return (
        compile_text(f'kind: custom\nsegments:\n  - {{duration: "10:00", pace: "{pace}"}}', profile)
        .steps[0]
        .speed_kmh
    )


def test_race_paces_come_from_the_profiles_vdot() -> None:
    vdot = RUNNER_A.vdot
    assert vdot is not None
    ten_k = race_time_s(vdot, 10000.0) / 10.0
    assert steady("10k") == pytest.approx(kmh(ten_k))
    assert steady("10k + 0:10/km") == pytest.approx(kmh(ten_k + 10.0))
    assert steady("5k") == pytest.approx(kmh(race_time_s(vdot, 5000.0) / 5.0))
    assert steady("half") == pytest.approx(kmh(race_time_s(vdot, 21097.5) / 21.0975))
    assert steady("5k") > steady("10k") > steady("half") > steady("marathon")


def test_race_paces_without_a_race_in_the_profile_name_what_is_missing() -> None:
    with pytest.raises(UserError) as err:
        steady("10k", RUNNER_B)
    assert str(err.value) == (
        'plan.yaml:3: segments[0].pace: expected a race: in the profile for "10k" '
        "(10k pace is predicted from the race's VDOT)"
    )


def test_tempo_is_threshold_and_a_percentage_is_of_the_named_speed() -> None:
    assert steady("tempo") == pytest.approx(kmh(5 * 60 + 19))
    assert steady("95% threshold") == pytest.approx(0.95 * kmh(5 * 60 + 19))
    assert steady("90 % of tempo") == pytest.approx(0.90 * kmh(5 * 60 + 19))
    with pytest.raises(UserError, match="between 50 and 150"):
        steady("300% easy")


def test_a_pace_range_runs_the_middle_and_shows_the_range() -> None:
    step = compile_text('kind: steady\npace: "5:10-5:20/km"').steps[0]
    assert step.speed_kmh == pytest.approx(kmh(315.0))
    assert step.pace_label == "5:10-5:20/km"
    row = step_rows(compile_text('kind: steady\npace: "5:10-5:20/km"'), imperial=False)[0]
    assert row[4] == "5:15/km (5:10-5:20/km)"
    assert steady("8:00-8:20", RUNNER_B) == pytest.approx(kmh(490.0 / (METRES_PER_MILE / 1000)))
    with pytest.raises(UserError, match="from the faster to the slower pace"):
        steady("5:20-5:10/km")


REPEAT = """kind: custom
segments:
  - repeat:
      times: 3
      faster_each: "0:10/km"
      incline_each: 1%
      segments:
        - {name: hill, duration: "2:00", pace: threshold, incline: 2}
        - {name: jog, duration: "1:00", pace: easy, faster_each: null, incline_each: null}
"""


def test_repeat_changes_each_round_and_a_segment_can_stay_the_same() -> None:
    steps = compile_text(REPEAT).steps
    hills = [s for s in steps if s.name.startswith("hill")]
    jogs = [s for s in steps if s.name.startswith("jog")]
    assert [s.name for s in hills] == ["hill 1/3", "hill 2/3", "hill 3/3"]
    assert [s.speed_kmh for s in hills] == pytest.approx([kmh(319), kmh(309), kmh(299)])
    assert [s.incline_percent for s in hills] == [2.0, 3.0, 4.0]
    assert hills[2].pace_label == "threshold - 0:20/km"
    assert {s.speed_kmh for s in jogs} == {kmh(390)} and {s.incline_percent for s in jogs} == {0}


def test_faster_each_outside_a_repeat_is_refused_at_the_key() -> None:
    text = 'kind: custom\nsegments:\n  - {duration: "5:00", pace: easy, faster_each: "0:10/km"}\n'
    with pytest.raises(UserError) as err:
        compile_text(text)
    assert str(err.value).startswith("plan.yaml:3: segments[0].faster_each: expected faster_each")


def test_each_km_faster() -> None:
    steps = compile_text("kind: each-km-faster\nprogressive_km: 3\nstep: 0:10/km").steps
    assert [s.name for s in steps] == ["warm-up", "km 2", "km 3", "km 4", "cool-down"]
    assert all(s.kind == "distance" and s.amount == 1000.0 for s in steps)
    assert [s.speed_kmh for s in steps[1:4]] == pytest.approx([kmh(345), kmh(335), kmh(325)])


def test_each_interval_faster_every_five_minutes() -> None:
    text = 'kind: each-interval-faster\nevery: "5:00"\nintervals: 4\nstep: 0:10/km'
    compiled = compile_text(text)
    assert [s.name for s in compiled.steps] == [
        "warm-up", "part 2", "part 3", "part 4", "part 5", "cool-down",
    ]  # fmt: skip
    assert all(s.kind == "time" and s.amount == 300.0 for s in compiled.steps)
    assert compiled.total_time_s == 30 * 60
    assert compiled.steps[4].speed_kmh == pytest.approx(kmh(345 - 30))


def test_an_incline_ramp_compiles_shows_and_is_driven_by_the_engine() -> None:
    text = (
        "kind: custom\nsegments:\n"
        '  - {name: climb, duration: "10:00", pace: easy, incline: {from: 1%, to: 6%}}\n'
    )
    compiled = compile_text(text)
    step = compiled.steps[0]
    assert (step.incline_percent, step.end_incline_percent) == (1.0, 6.0)
    assert step.incline_at(0.5) == pytest.approx(3.5)
    assert step_rows(compiled, imperial=False)[0][6] == "1 -> 6 %"
    chart = incline_chart(compiled)
    assert chart[0].strip().startswith("6 %") and chart[-1].strip().startswith("incline")
    assert incline_chart(compile_text("kind: thirds")) == []
    with pytest.raises(UserError, match=r"segments\[0\]\.incline: expected an incline within"):
        compile_text(text.replace("6%", "16%"))


async def test_the_engine_moves_the_incline_along_a_ramp() -> None:
    p = plan(CompiledStep("climb", "time", 600, 9.0, incline_percent=1.0, end_incline_percent=6.0))
    o = await run_sim(p)
    t0 = start_time(o)
    sent = [
        (x.t - t0, float(x.r["incline_percent"]))  # type: ignore[arg-type]
        for x in o.commands("set_target_inclination")
        if x.r.get("result") == "success"
    ]
    values = [v for _, v in sent]
    assert values[0] == pytest.approx(1.0) and values[-1] == pytest.approx(6.0)
    assert values == sorted(values) and len(values) >= 5
    for at in (150.0, 300.0, 450.0):
        # The incline in force at `at` is the ramp's, to half the generic model's 1 % step.
        current = [v for t, v in sent if t <= at][-1]
        assert abs(current - (1.0 + 5.0 * at / 600.0)) <= 0.5 + 1e-9, (at, current)


def test_fast_finish_by_distance() -> None:
    by_distance = compile_text("kind: fast-finish\ndistance: 5 mi\nfinish: 1 mi").steps
    assert [s.kind for s in by_distance] == ["distance", "distance"]
    assert [s.amount for s in by_distance] == pytest.approx([4 * METRES_PER_MILE, METRES_PER_MILE])
    mixed = compile_text('kind: fast-finish\nduration: "40:00"\nfinish: 1 mi')
    assert mixed.steps[1].kind == "distance"
    assert mixed.total_time_s == pytest.approx(40 * 60)
    with pytest.raises(UserError, match=r"plan\.yaml:3: finish: expected a finish shorter than"):
        compile_text("kind: fast-finish\ndistance: 2.5 km\nfinish: 1.5 km")
    with pytest.raises(UserError, match="between 5:00 and 15:00, got 400 m"):
        compile_text("kind: fast-finish\ndistance: 5 km\nfinish: 400 m")


def test_negative_split_names_say_the_share_when_it_is_not_a_half() -> None:
    steps = compile_text("kind: negative-split\nsplit: 0.6").steps
    assert [s.name for s in steps] == ["first 60 %", "last 40 %"]
    assert [s.amount for s in steps] == pytest.approx([1080.0, 720.0])
    halves = compile_text("kind: negative-split").steps
    assert [s.name for s in halves] == ["first half", "second half"]
