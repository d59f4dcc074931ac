"""The page's first run: each answer checked alone, `init`'s profile written, never replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from treadpace.appliance.first_run import field_errors, profile_of, write_first
from treadpace.base.user_error import UserError
from treadpace.plans.init_answers import Answers, check, profile_text


def test_each_answer_is_checked_on_its_own_and_names_its_field() -> None:
    errors = field_errors(
        {"race_distance": "5k", "race_time": "2x:00", "max_bpm": "300", "max_speed": "fast"}
    )
    assert set(errors) == {"race", "max_bpm", "max_speed"}
    assert "race.time" in errors["race"] and "81 to 249" in errors["max_bpm"]
    assert "max_speed" in errors["max_speed"]
    assert field_errors({"units": "imperial", "max_speed": "9 mph", "max_bpm": "180"}) == {}
    assert set(field_errors({"units": "furlongs"})) == {"units"}


def test_the_profile_is_inits_for_the_same_answers() -> None:
    data = {"units": "imperial", "name": "Ann", "race_distance": "10k", "race_time": "50:00"}
    data |= {"max_speed": "9 mph", "max_bpm": "180", "rest_bpm": "60"}
    answers = Answers(units="imperial", name="Ann", race_distance="10k", race_time="50:00")
    answers.max_speed, answers.max_bpm, answers.rest_bpm = "9 mph", 180, 60
    assert profile_of(data) == profile_text(answers)
    allowed = profile_of({**data, "remote_start": True})
    answers.allow_remote_start = True
    assert allowed == profile_text(answers)
    assert check(allowed, "page").mqtt.allow_remote_start is True


def test_no_race_is_inits_default_and_a_bad_answer_writes_nothing(tmp_path: Path) -> None:
    assert check(profile_of({}), "page").race is not None
    with pytest.raises(UserError, match="max_bpm"):
        profile_of({"max_bpm": "12"})


def test_a_profile_is_never_replaced_from_the_page(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "profile.yaml"
    write_first(path, "name: A\n")
    with pytest.raises(UserError, match="a profile exists"):
        write_first(path, "name: B\n")
    assert path.read_text() == "name: A\n"
