"""The one rule per quantity in `treadpace.base.display`, metric and imperial."""

from __future__ import annotations

import math

import pytest

from treadpace.base import display
from treadpace.base.units import METRES_PER_MILE


@pytest.mark.parametrize(
    ("metres", "imperial", "text"),
    [
        (0.0, False, "0 m"),
        (850.0, False, "850 m"),
        (999.4, False, "999 m"),
        (999.6, False, "1.00 km"),
        (1000.0, False, "1.00 km"),
        (1234.0, False, "1.23 km"),
        (21097.5, False, "21.10 km"),
        (-5.0, False, "0 m"),
        (850.0, True, "0.53 mi"),
        (METRES_PER_MILE, True, "1.00 mi"),
        (42195.0, True, "26.22 mi"),
        (math.nan, False, "-- km"),
        (math.inf, True, "-- mi"),
    ],
)
def test_distance_rule(metres: float, imperial: bool, text: str) -> None:
    assert display.distance(metres, imperial) == text


@pytest.mark.parametrize(
    ("kmh", "imperial", "text"),
    [
        (12.0, False, "12.0 km/h"),
        (10.96, False, "11.0 km/h"),
        (12.0703, True, "7.5 mph"),
        (0.0, True, "0.0 mph"),
        (math.nan, False, "-- km/h"),
    ],
)
def test_speed_rule(kmh: float, imperial: bool, text: str) -> None:
    assert display.speed(kmh, imperial) == text


@pytest.mark.parametrize(
    ("kmh", "imperial", "text"),
    [
        (12.0, False, "5:00/km"),
        (12.0, True, "8:03/mi"),
        (10.0, False, "6:00/km"),
        (1.0, False, "1:00:00/km"),
        (0.99, False, "--:--"),
        (0.0, True, "--:--"),
        (-3.0, False, "--:--"),
        (math.inf, False, "--:--"),
    ],
)
def test_pace_rule(kmh: float, imperial: bool, text: str) -> None:
    assert display.pace(kmh, imperial) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0:00"),
        (59.6, "1:00"),
        (605.0, "10:05"),
        (3599.4, "59:59"),
        (3600.0, "1:00:00"),
        (5025.0, "1:23:45"),
        (-12.0, "0:00"),
        (math.nan, "--:--"),
    ],
)
def test_duration_rule(seconds: float, text: str) -> None:
    assert display.duration(seconds) == text


def test_step_amount_by_kind() -> None:
    assert display.step_amount("time", 90.0, False) == "1:30"
    assert display.remaining("distance", 400.0, False) == "400 m left"
    assert display.remaining("distance", 400.0, True) == "0.25 mi left"


def test_a_target_is_a_speed_and_its_pace_from_one_value() -> None:
    assert display.target(9.3, False) == "9.3 km/h (6:27/km)"
    assert display.target(9.4, True) == "5.8 mph (10:16/mi)"
    assert display.target(0.0, False) == "0.0 km/h (--:--)"


def test_a_speed_change_reads_as_fine_as_the_grid() -> None:
    assert display.speed_change(9.4 - 9.3, False) == "+0.1 km/h"
    assert display.speed_change(-0.05, False) == "-0.05 km/h"
    assert display.speed_change(9.66 - 9.5, True) == "+0.1 mph"  # one step of a 0.1 mph console
    assert display.speed_change(0.0, False) == "0.0 km/h"
    assert display.speed_change(float("nan"), True) == "-- mph"


def test_an_incline_reading() -> None:
    assert display.incline(2.0) == "2.0 %"
    assert display.incline(None) == "--"
