"""The pure parts of the engine: the setpoint grid and the odometer's prediction."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from treadpace.engine.odometer import Odometer
from treadpace.engine.setpoint import Grid


@settings(max_examples=300, deadline=None)
@given(
    lo=st.floats(0.0, 5.0),
    span=st.floats(0.5, 25.0),
    inc_u=st.integers(1, 50),
    cap=st.floats(0.0, 40.0),
    value=st.floats(-10.0, 60.0),
)
def test_grid_never_leaves_the_limits_and_stays_on_the_grid(
    lo: float, span: float, inc_u: int, cap: float, value: float
) -> None:
    lo = round(lo, 2)
    hi = round(lo + span, 2)
    inc = inc_u / 100
    g = Grid.build(lo, hi, inc, cap, 100)
    q = g.quantise(value)
    assert lo - 1e-9 <= q <= max(lo, min(hi, cap)) + 1e-9
    k = (q - lo) / inc
    assert abs(k - round(k)) < 1e-6
    # idempotent: a quantised value is its own quantisation
    assert g.quantise(q) == q


def test_grid_thresholds_are_the_half_steps() -> None:
    g = Grid.build(0.8, 20.0, 0.1, 20.0, 100)
    assert math.isclose(g.threshold_above(10.02), 10.05)
    assert math.isclose(g.threshold_below(10.02), 9.95)
    assert g.quantise(10.05) == 10.1 and g.quantise(10.0499) == 10.0


def test_odometer_stays_within_the_machines_whole_metre() -> None:
    o = Odometer()
    o.set_counting(True, 0.0)
    o.update(0.0, 0.0, 0.0, 10.0)
    # a belt whose reported speed lags (coarse telemetry), machine distance truncated
    true_m = 0.0
    for t in range(1, 200):
        true_m += 10.0 / 3.6
        o.update(float(t), 10.0, float(int(true_m)), 10.0)
        assert int(true_m) <= o.run_at(float(t)) < int(true_m) + 1
        assert abs(o.run_at(float(t)) - true_m) < 1.0


def test_odometer_predicts_a_crossing_while_accelerating() -> None:
    o = Odometer()
    o.set_counting(True, 0.0)
    o.update(0.0, 10.0, 0.0, 12.0)
    o.update(1.0, 10.5, 2.0, 12.0)  # 0.5 km/h per s towards 12
    # from t=1: v = 10.5 km/h rising 0.5/s until 12 km/h at t=4
    x = o.time_to(o.run_at(1.0) + 12.0, 1.0)
    v0, a = 10.5 / 3.6, 0.5 / 3.6
    covered = v0 * 3 + a * 9 / 2  # up to t=4
    expect = 3 + (12.0 - covered) / (12 / 3.6)
    assert covered < 12.0 and abs(x - expect) < 1e-6
    assert abs(o.run_at(1.0 + x) - (o.run_at(1.0) + 12.0)) < 1e-6


def test_odometer_does_not_guess_beyond_its_horizon() -> None:
    o = Odometer()
    o.set_counting(True, 0.0)
    o.update(0.0, 10.0, 0.0, 10.0)
    assert math.isinf(o.time_to(100.0, 0.0))  # 36 s away: the next packets decide
    h = Odometer.HORIZON_S
    assert o.run_at(h + 30.0) == o.run_at(h)  # a silent treadmill does not run on


def test_odometer_pauses_count_nothing() -> None:
    o = Odometer()
    o.set_counting(True, 0.0)
    o.update(0.0, 10.0, 0.0, 10.0)
    o.update(10.0, 10.0, 27.0, 10.0)
    before = o.run_at(10.0)
    o.set_counting(False, 10.0)
    o.update(20.0, 10.0, 55.0, 10.0)
    assert o.run_at(20.0) == before
    assert math.isinf(o.time_to(before + 5, 20.0))
    o.set_counting(True, 20.0)
    o.update(30.0, 10.0, 83.0, 10.0)
    assert abs(o.run_at(30.0) - before - 27.8) < 1.0
