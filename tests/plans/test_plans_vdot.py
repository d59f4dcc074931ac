"""VDOT and the formula model of training paces against the running notes' vectors."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.where import DATA
from treadpace.base.units import METRES_PER_MILE
from treadpace.plans.paces import parse_clock
from treadpace.plans.vdot import (
    race_time_s,
    training_paces,
    vdot_from_race,
)

VECTORS: dict[str, Any] = yaml.safe_load(
    (DATA / "plans" / "vectors.yaml").read_text()
)


@pytest.mark.parametrize(
    "row", VECTORS["vdot_from_race"], ids=lambda r: f"{r['distance_m']}-{r['time']}"
)
def test_vdot_within_a_tenth_of_the_table(row: dict[str, Any]) -> None:
    vdot = vdot_from_race(row["distance_m"], parse_clock(row["time"]))
    assert abs(vdot - row["table_vdot"]) <= 0.1
    assert abs(vdot - row["formula"]) <= 0.006


@pytest.mark.parametrize("row", VECTORS["formula_exact"], ids=lambda r: r["time"])
def test_vdot_formula_exact(row: dict[str, Any]) -> None:
    assert vdot_from_race(row["distance_m"], parse_clock(row["time"])) == pytest.approx(
        row["vdot"], abs=0.001
    )


@pytest.mark.parametrize("row", VECTORS["paces_table_5_2_per_km"], ids=lambda r: f"vdot{r['vdot']}")
def test_paces_per_km_match_the_table_rows(row: dict[str, Any]) -> None:
    p = training_paces(float(row["vdot"]))
    # The documented acceptance (running.md 1.6): E ±5, T ±1, I ±2 s/km, R ±2 s/400 m, and
    # M ±2 s/km from VDOT 40 up.
    assert abs(p.threshold - row["t"]) <= 1
    assert abs(p.interval - row["i_km"]) <= 2
    assert abs(p.easy_min - row["e"][0]) <= 5
    assert abs(p.easy_max - row["e"][1]) <= 5
    assert abs(p.repetition * 0.4 - row["r_400"]) <= 2
    if row["vdot"] == 40:
        # The one documented miss. M is the marathon race pace the VDOT predicts (the
        # formula_exact vector pins that model to 0.001), 5:26.5/km at VDOT 40; the book
        # prints 5:29 there because its low-VDOT slow-down of M (12 s/km at VDOT 30, 4 at
        # 38) has not quite faded out. Any fade fitted to close it would move formula_exact
        # off the reference, so the miss is pinned instead: 2.5 s/km, no more.
        assert 2.0 < row["m"] - p.marathon <= 2.5
    elif row["vdot"] > 40:
        assert abs(p.marathon - row["m"]) <= 2
    else:
        # The book's low-VDOT marathon pace is deliberately slower than race pace.
        assert 0 < row["m"] - p.marathon <= 12


@pytest.mark.parametrize(
    "row", VECTORS["paces_table_5_2_per_mile"], ids=lambda r: f"vdot{r['vdot']}"
)
def test_paces_per_mile_match_the_book_column(row: dict[str, Any]) -> None:
    p = training_paces(float(row["vdot"]))
    per_mile = METRES_PER_MILE / 1000.0
    # Per-mile columns are rounded separately: T ±1 s/km is 1.6 s/mi, plus 0.5 s of rounding.
    assert abs(p.threshold * per_mile - parse_clock(row["t"])) <= 2.1
    # The E fast end is the loosest fit: 5 s/km at VDOT 30 (running.md §1.3).
    assert abs(p.easy_min * per_mile - parse_clock(row["e"][0])) <= 9
    assert abs(p.easy_max * per_mile - parse_clock(row["e"][1])) <= 9
    if row["vdot"] >= 40:
        assert abs(p.marathon * per_mile - parse_clock(row["m"])) <= 3.5


def test_worked_example_25_minute_5k() -> None:
    vdot = vdot_from_race(5000, 1500)
    p = training_paces(vdot)
    assert vdot == pytest.approx(38.309, abs=0.001)
    assert p.easy_min == pytest.approx(parse_clock("6:05.3"), abs=0.06)
    assert p.easy_max == pytest.approx(parse_clock("6:52.0"), abs=0.06)
    assert p.marathon == pytest.approx(parse_clock("5:38.3"), abs=0.06)
    assert p.threshold == pytest.approx(parse_clock("5:16.3"), abs=0.06)
    assert p.interval == pytest.approx(parse_clock("4:51.5"), abs=0.06)
    assert p.repetition * 0.4 == pytest.approx(108.6, abs=0.06)
    assert p.easy == pytest.approx((p.easy_min + p.easy_max) / 2)
    assert p.steady == pytest.approx((p.easy + p.marathon) / 2)


def test_equivalent_race_times_of_a_25_minute_5k() -> None:
    vdot = vdot_from_race(5000, 1500)
    assert race_time_s(vdot, 10000) == pytest.approx(parse_clock("51:53"), abs=1)
    assert race_time_s(vdot, 42195) == pytest.approx(parse_clock("3:57:55"), abs=1)


@pytest.mark.parametrize("vdot, drop", [(47.9, 8), (48.0, 7), (49.99, 7), (50.0, 6)])
def test_repetition_rule_8_7_6_seconds(vdot: float, drop: float) -> None:
    p = training_paces(vdot)
    assert p.interval * 0.4 - p.repetition * 0.4 == pytest.approx(drop)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=30, max_value=85), st.sampled_from([1609.344, 5000, 10000, 42195]))
def test_race_time_inverts_vdot(vdot: float, distance: float) -> None:
    t = race_time_s(vdot, distance)
    assert vdot_from_race(distance, t) == pytest.approx(vdot, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=30, max_value=85))
def test_paces_are_ordered_slowest_to_fastest(vdot: float) -> None:
    p = training_paces(vdot)
    assert p.easy_max > p.easy > p.easy_min > p.threshold > p.interval > p.repetition
    assert p.easy > p.steady > p.marathon > p.threshold


def test_impossible_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="expected"):
        vdot_from_race(0, 100)
    with pytest.raises(ValueError, match="expected a VDOT"):
        training_paces(150)
