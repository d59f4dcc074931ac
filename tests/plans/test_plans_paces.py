"""Pace, speed, duration and distance spellings, with exact unit conversion."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treadpace.plans.paces import (
    format_clock,
    parse_distance,
    parse_duration,
    parse_pace,
    parse_pace_step,
    parse_percent,
    parse_speed,
)
from treadpace.plans.yaml_document import parse_yaml

NAMED = {
    "easy": 390.0,
    "marathon": 345.0,
    "threshold": 319.0,
    "interval": 294.0,
    "repetition": 279.0,
    "steady": 367.5,
}


def kmh(text: str, imperial: bool = False) -> float:
    return parse_pace(text).speed_kmh(NAMED, imperial)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5:30/km", 10.9091),
        ("7:00/km", 8.5714),
        ("4:00 /km", 15.0),
        ("8:45/mi", 11.0355),
        ("12:00/mi", 8.0467),
        ("6:00/mile", 16.0934),
        ("12 km/h", 12.0),
        ("12.5 kph", 12.5),
        ("7.5 mph", 12.0701),
        ("6 mph", 9.6561),
        ("easy", 9.2308),
        ("Marathon", 10.4348),
        ("marathon - 0:30/mi", 11.0308),
        ("marathon-0:30/mi", 11.0308),
        ("threshold + 5 s/km", 3600 / 324),
        ("easy + 0.5 km/h", 9.7308),
        ("steady", 9.7959),
    ],
)
def test_pace_to_exact_speed(text: str, expected: float) -> None:
    assert kmh(text) == pytest.approx(expected, abs=0.0001)


def test_bare_clock_takes_the_runners_unit() -> None:
    assert kmh("6:00") == pytest.approx(10.0)
    assert kmh("10:00", imperial=True) == pytest.approx(9.656064)


def test_offset_converts_the_named_pace_to_the_offset_unit_first() -> None:
    # marathon 5:45/km = 9:15.22/mi; minus 30 s -> 8:45.22/mi (not 5:15/km).
    per_mile = kmh("marathon - 0:30/mi")
    per_km = kmh("marathon - 0:30/km")
    assert 3600 / per_mile * 1.609344 == pytest.approx(345 * 1.609344 - 30)
    assert 3600 / per_km == pytest.approx(315)


def test_mile_is_exact() -> None:
    assert parse_distance("1 mi") == 1609.344
    assert parse_distance("3 miles") == pytest.approx(4828.032)
    assert parse_speed("1 mph") == 1.609344


@pytest.mark.parametrize(
    "bad",
    [
        "fast",
        "5:30/furlong",
        "5:70/km",
        "12 m/s",
        "marathon - 30",
        "marathon * 2",
        "",
        "0:00/km",
        12,
        None,
        True,
    ],
)
def test_bad_paces_say_what_was_expected(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^expected"):
        parse_pace(bad)


def test_offset_that_leaves_no_pace_is_refused() -> None:
    with pytest.raises(ValueError, match="expected"):
        kmh("easy - 7:00/km")
    with pytest.raises(ValueError, match="expected"):
        kmh("easy - 20 km/h")


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("30:00", 1800),
        ("1:05:00", 3900),
        ("45 min", 2700),
        ("90 s", 90),
        ("1 h", 3600),
        ("0:45", 45),
        ("2.5 min", 150),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", [30, "30", "0:00", "-5 min", "30 minutes later", "1:75"])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^expected"):
        parse_duration(bad)


@pytest.mark.parametrize(
    "text, metres",
    [
        ("5k", 5000),
        ("5 km", 5000),
        ("400 m", 400),
        ("half", 21097.5),
        ("marathon", 42195),
        ("10 kilometres", 10000),
        ("mile", 1609.344),
    ],
)
def test_distances(text: str, metres: float) -> None:
    assert parse_distance(text) == metres


@pytest.mark.parametrize("bad", [5, "5", "0 km", "five km", "3 leagues"])
def test_bad_distances(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^expected"):
        parse_distance(bad)


def test_pace_step_and_percent() -> None:
    step = parse_pace_step("0:30/mi")
    assert (step.seconds, step.unit) == (30, "mi")
    assert parse_pace_step("15 s/km").seconds == 15
    with pytest.raises(ValueError, match=r"^expected"):
        parse_pace_step("0:00/mi")
    assert parse_percent("1.5%") == 1.5
    assert parse_percent(2) == 2.0
    with pytest.raises(ValueError, match=r"^expected"):
        parse_percent("steep")


def test_yaml_keeps_clock_text_and_only_true_false_booleans() -> None:
    doc = parse_yaml("a: 30:00\nb: 1:05:00\nc: on\nd: 12\ne: 1.5\nf: true\n", "x.yaml")
    assert doc.data == {"a": "30:00", "b": "1:05:00", "c": "on", "d": 12, "e": 1.5, "f": True}
    assert doc.lines[("c",)] == 3


def test_format_clock() -> None:
    assert format_clock(555.22, 2) == "9:15.22"
    assert format_clock(3900) == "1:05:00"
    assert format_clock(59.6) == "1:00"


def _clock(seconds: float) -> tuple[str, float]:
    """Seconds written m:ss.sss, and the exact value that text means."""
    ms = round(seconds * 1000)
    minutes, rest = divmod(ms, 60000)
    return f"{minutes}:{rest / 1000:06.3f}", ms / 1000


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=150, max_value=900))
def test_pace_round_trip_km_and_mile(s_per_km: float) -> None:
    text, exact = _clock(s_per_km)
    speed = kmh(text + "/km")
    assert speed == pytest.approx(3600 / exact, rel=1e-12)
    text_mi, exact_mi = _clock(s_per_km * 1.609344)
    assert kmh(text_mi + "/mi") == pytest.approx(3600 / exact_mi * 1.609344, rel=1e-12)
    assert kmh(text_mi + "/mi") == pytest.approx(speed, rel=1e-5)
