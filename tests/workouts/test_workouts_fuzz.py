"""Any bytes into any importer: a plan or one WorkoutError, never another exception.

The named cases were found by mutation: intervals.icu text with a 4,301-digit repeat
count or a 308-digit length, FIT steps whose duration is missing or whose fields
decode as lists. Then each importer gets a seeded, bounded stream of damaged files
(`CASES` here; `python benchmarks/input_fuzz.py` runs 100,000 and more).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.workout_files import fit_steps, fit_workout
from tests.workout_mutations import ICU, MUTATORS, import_once, seeds
from treadpace.workouts import WorkoutError, import_bytes
from treadpace.workouts.fit import _length, _target

CASES = {"zwo": 3000, "icu": 3000, "fit": 1500}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Main set " + "9" * 4301 + "x\n- 1km Z2 Pace\n", "line 1: expected 1x to 100x, got 999"),
        ("- " + "9" * 308 + "m Z2 Pace\n", "line 1: " + "9" * 308 + "m: expected a length"),
        ("- " + "9" * 400 + "km Z2 Pace\n", "line 1: " + "9" * 400 + "km: expected a distance"),
        ("- 25h Z2 Pace\n", "line 1: 25h: expected a length above zero and up to 24 hours"),
    ],
)  # fmt: skip
def test_huge_numbers_in_intervals_icu_text_are_one_line(text: str, message: str) -> None:
    with pytest.raises(WorkoutError) as err:
        import_bytes(text.encode(), "huge.txt", "icu")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value) and len(str(err.value)) < 500


def test_a_huge_zwo_duration_is_one_line() -> None:
    from tests.workout_mutations import ZWO

    with pytest.raises(WorkoutError, match=r"^FreeRide Duration: expected a length"):
        import_bytes(ZWO.replace(b'"120"/>', b'"1e300"/>'), "huge.zwo", "zwo")


def test_a_fit_time_step_without_its_time_is_one_line() -> None:
    from fit_tool.profile.profile_type import WorkoutStepDuration

    steps = fit_steps()
    steps[0] = {"workout_step_name": "warm", "duration_type": WorkoutStepDuration.TIME}
    with pytest.raises(WorkoutError, match=r"^workout_step 0 duration_time: expected a number"):
        import_bytes(fit_workout(steps), "bad.fit", "fit")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"duration_type": "time", "duration_time": [60.0, 60.0]},
         "duration_time: expected a number, got list"),
        ({"duration_type": "distance", "duration_distance": "x"},
         "duration_distance: expected a number, got str"),
        ({"duration_type": "time", "duration_time": 1e9}, "duration_time: expected a length"),
        ({"target_type": "speed", "custom_target_speed_low": [1.0, 2.0]},
         "custom_target_speed_low: expected a number"),
        ({"target_type": "speed", "custom_target_speed_high": True},
         "custom_target_speed_high: expected a number"),
    ],
)  # fmt: skip
def test_a_fit_field_of_another_shape_is_one_line(step: dict[str, Any], message: str) -> None:
    # Decoded FIT fields as a damaged file gives them (the shapes the mutation found).
    with pytest.raises(WorkoutError) as err:
        if "target_type" in step:
            _target(step, "workout_step 3", [])
        else:
            _length(step, "workout_step 3")
    assert str(err.value).startswith(f"workout_step 3 {message}")


def test_fit_repeat_fields_of_another_shape_are_one_line() -> None:
    from fit_tool.profile.profile_type import WorkoutStepDuration

    steps = fit_steps()
    steps[0]["message_index"] = 0
    data = fit_workout(steps)
    assert import_bytes(data, "ok.fit", "fit").plan["segments"]
    steps[3] = {"duration_type": WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT, "duration_step": 1}
    with pytest.raises(WorkoutError, match="repeat: expected 1-100 times"):
        import_bytes(fit_workout(steps), "bad.fit", "fit")


@pytest.mark.parametrize("fmt", list(CASES))
def test_damaged_workout_files_raise_nothing_but_workout_error(fmt: str) -> None:
    files = seeds()[fmt]
    for data in files:
        assert import_once(data, fmt) == "plan"
    rng = random.Random(f"import-{fmt}")
    outcomes = {"plan": 0, "refused": 0, "invalid": 0}
    for case in range(CASES[fmt]):
        data = MUTATORS[fmt](rng, rng.choice(files))
        try:
            outcomes[import_once(data, fmt)] += 1
        except Exception as exc:
            raise AssertionError(f"{fmt} case {case}: {exc!r} on {data[:300]!r}") from exc
    # Every path exercised: damage that still reads, damage refused by the importer.
    assert outcomes["plan"] > 0 and outcomes["refused"] > 0, outcomes


def test_the_icu_seed_has_every_kind_of_step() -> None:
    segments = import_bytes(ICU, "seed.txt", "icu").plan["segments"]
    kinds = {key for s in segments for key in s}
    assert {"repeat", "duration", "distance", "pace", "from", "free"} <= kinds
