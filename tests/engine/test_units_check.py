"""The speed/distance cross-check, pure: reported speed against the machine's own metres."""

from __future__ import annotations

import math
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from treadpace.base.units import KMH_PER_MPH
from treadpace.engine.setpoint import Grid
from treadpace.engine.units_check import (
    SpeedDistanceCheck,
    UnitMismatch,
    UnitVerdict,
    mismatch_message,
    wire_speed_at_most,
)


def packets(
    speeds: list[float], factor: float = 1.0, start_m: float = 5000.0
) -> Iterator[tuple[float, float, float]]:
    """(t, reported km/h, whole metres) at 1 Hz for a belt whose true speed is factor x."""
    true_m = start_m
    last = speeds[0]
    for i, v in enumerate(speeds):
        true_m += (last + v) / 2 / 3.6 * factor
        last = v
        yield float(i), v, float(math.floor(true_m))


def verdicts(check: SpeedDistanceCheck, speeds: list[float], factor: float = 1.0) -> list[int]:
    """Packet indices at which `feed` returned a mismatch."""
    return [i for i, (t, v, m) in enumerate(packets(speeds, factor)) if check.feed(t, v, m)]


def test_mph_in_kmh_fields_is_found_within_a_quarter_minute() -> None:
    check = SpeedDistanceCheck(max_kmh=3.8)
    ramp = [min(3.8, 0.6 + 0.3 * i) for i in range(60)]
    hits = verdicts(check, ramp, KMH_PER_MPH)
    assert len(hits) == 1 and hits[0] <= 25
    assert check.decided is not None
    assert check.decided.verdict == UnitVerdict.MPH_AS_KMH
    assert check.decided.factor == KMH_PER_MPH


def test_a_belt_twice_as_fast_as_it_says_is_faster_than_reported() -> None:
    check = SpeedDistanceCheck()
    verdicts(check, [10.0] * 40, 2.0)
    assert check.decided is not None
    assert check.decided.verdict == UnitVerdict.FASTER_THAN_REPORTED
    assert 1.9 < check.decided.factor < 2.1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 20.0), min_size=5, max_size=200),
    st.floats(0.9, 1.15),
)
def test_a_belt_that_covers_what_it_reports_is_never_flagged(
    speeds: list[float], calibration: float
) -> None:
    """Any speed profile, truncated whole metres, a distance counter up to 15 % off."""
    check = SpeedDistanceCheck()
    assert verdicts(check, speeds, calibration) == []


def test_gaps_and_odometer_jumps_are_not_judged() -> None:
    check = SpeedDistanceCheck()
    m = 0.0
    for i in range(60):
        m += 10 / 3.6
        jump = 4200.0 if i in (10, 30, 50) else 0.0  # a firmware jump every 20 s
        m += jump
        t = float(i) + (20.0 if i >= 40 else 0.0)  # and a 20 s gap in the data
        assert check.feed(t, 10.0, math.floor(m)) is None
    assert check.decided is None


def test_the_corrective_setpoint_never_exceeds_the_true_speed_asked() -> None:
    grid = Grid.build(0.6, 3.8, 0.1, 20.0, 100)
    for want in (1.0, 4.99, 5.0, 5.5, 6.0, 6.2, 20.0):
        wire = wire_speed_at_most(grid, want, KMH_PER_MPH)
        assert wire * KMH_PER_MPH <= max(want, 0.6 * KMH_PER_MPH) + 1e-9
        assert wire == grid.quantise(wire)
        if grid.minimum < wire < grid.maximum:
            assert (wire + 0.1) * KMH_PER_MPH > want  # the highest such setpoint


def test_the_unit_mismatch_line_speaks_the_runners_units() -> None:
    m = UnitMismatch(UnitVerdict.MPH_AS_KMH, 1.609344)
    imperial = mismatch_message(m, 16.09344, 9.656064, imperial=True)
    assert "belt measured at 10.0 mph" in imperial and "set down to 6.0 mph" in imperial
    assert "km/h)" not in imperial
    metric = mismatch_message(m, 16.09344, None)
    assert "belt measured at 16.1 km/h)" in metric and "set down" not in metric
