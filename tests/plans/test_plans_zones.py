"""Heart-rate zone bounds: Tanaka's max, %HRmax and Karvonen, rounded half-up."""

from __future__ import annotations

import pytest

from treadpace.plans.profile import HeartRateSettings
from treadpace.plans.zones import tanaka_max_bpm, zone_bounds, zone_of

# running.md §3.2 worked examples: (age, rest, formula) -> %HRmax bounds, %HRR bounds.
ROWS = [
    (40, 60, "fox", (90, 108, 126, 144, 162, 180), (120, 132, 144, 156, 168, 180)),
    (40, 60, "tanaka", (90, 108, 126, 144, 162, 180), (120, 132, 144, 156, 168, 180)),
    (30, 55, "fox", (95, 114, 133, 152, 171, 190), (123, 136, 150, 163, 177, 190)),
    (30, 55, "tanaka", (94, 112, 131, 150, 168, 187), (121, 134, 147, 161, 174, 187)),
    (50, 65, "fox", (85, 102, 119, 136, 153, 170), (118, 128, 139, 149, 160, 170)),
    (50, 65, "tanaka", (87, 104, 121, 138, 156, 173), (119, 130, 141, 151, 162, 173)),
]


@pytest.mark.parametrize("age, rest, formula, pct, hrr", ROWS)
def test_zone_bounds_half_up(
    age: int, rest: int, formula: str, pct: tuple[int, ...], hrr: tuple[int, ...]
) -> None:
    hr_max = tanaka_max_bpm(age) if formula == "tanaka" else 220.0 - age  # Fox: 220 - age
    assert zone_bounds(hr_max, rest, "percent_max") == pct
    assert zone_bounds(hr_max, rest, "karvonen") == hrr


def test_half_up_differs_from_bankers_rounding() -> None:
    # 55 + 0.5 * 135 = 122.5: half-up gives 123 where round() gives 122.
    assert zone_bounds(190, 55, "karvonen")[0] == 123
    assert round(122.5) == 122


def test_profile_heart_rate_uses_tanaka_from_age() -> None:
    hr = HeartRateSettings.model_validate({"age": 30, "rest_bpm": 55, "zones": "karvonen"})
    assert hr.max_bpm == 187.0
    assert hr.bounds() == (121, 134, 147, 161, 174, 187)
    measured = HeartRateSettings.model_validate({"age": 30, "max_bpm": 195})
    assert measured.max_bpm == 195


def test_zone_of() -> None:
    bounds = (90, 108, 126, 144, 162, 180)
    assert [zone_of(b, bounds) for b in (80, 90, 107.9, 108, 143, 162, 180, 190)] == [
        0,
        1,
        1,
        2,
        3,
        5,
        5,
        5,
    ]


def test_karvonen_needs_a_resting_rate() -> None:
    with pytest.raises(ValueError, match="rest_bpm"):
        HeartRateSettings.model_validate({"max_bpm": 180, "zones": "karvonen"})
    assert HeartRateSettings().bounds() is None
