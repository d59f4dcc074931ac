"""True pace keeps the safety rules: both caps hold, and no correction fights the runner.

Property tests over random calibrations, plans and telemetry, on the pure policy:
a command never passes the machine's maximum (its own units) nor the runner's cap
(true km/h), never strays more than the allowed correction from the plan, and the
footpod trim never moves during a ramp, on an unsettled belt, or soon after a press.
"""

from __future__ import annotations

import itertools

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from treadpace.engine.config import EngineConfig
from treadpace.engine.policy import SetpointPolicy
from treadpace.engine.true_pace import (
    CONSOLE_QUIET_S,
    SETTLE_S,
    Observation,
    TruePace,
    TruePaceConfig,
)
from treadpace.ftms import SpeedRange
from treadpace.plans.steps import CompiledStep
from treadpace.treadmill.port import PodState
from treadpace.treadmill.true_speed import Calibration

calibrations = st.lists(
    st.tuples(st.floats(4.0, 20.0), st.floats(0.88, 1.12)),
    min_size=1,
    max_size=4,
    unique_by=lambda p: round(p[0], 1),
).map(lambda pts: Calibration(tuple(sorted(pts))))

machines = st.sampled_from(
    [SpeedRange(0.8, 16.0, 0.1), SpeedRange(1.0, 20.0, 0.1), SpeedRange(0.5, 22.0, 0.05),
     SpeedRange(0.8, 19.31, 0.16)]
)


@settings(max_examples=300, deadline=None)
@given(calibrations, machines, st.floats(6.0, 22.0), st.floats(3.0, 24.0), st.booleans())
def test_a_command_keeps_both_caps_and_the_correction_bound(
    cal: Calibration, machine: SpeedRange, cap: float, target: float, trimmed: bool
) -> None:
    assume(all(v1 * r1 > v0 * r0 for (v0, r0), (v1, r1) in itertools.pairwise(cal.points)))
    config = EngineConfig(max_speed_kmh=cap, true_pace=TruePaceConfig(cal, max_correction=0.1))
    policy = SetpointPolicy(config)
    policy.fit(machine, None)
    if trimmed:
        policy.true.trim = 1.04
    step = CompiledStep("s", "time", 60.0, target)
    cmd = policy.speed(step, 0.0)
    grid = policy.speed_grid
    assert cmd <= machine.max_kmh + 1e-9  # the machine's maximum, in its own units
    assert cmd <= grid.maximum + 1e-9
    if cmd > grid.minimum + 1e-9:  # the machine's slowest speed is the one exception
        assert policy.true.true_kmh(cmd) <= cap + 1e-6  # the runner's cap, in true km/h
    room = 1.1 * target + grid.increment
    if room < 0.85 * min(cap, grid.maximum) and 0.9 * target - grid.increment > grid.minimum:
        assert abs(cmd - target) <= 0.1 * target + grid.increment + 1e-9


observations = st.lists(
    st.tuples(
        st.floats(0.5, 3.0),  # seconds since the previous record
        st.floats(5.0, 15.0),  # belt speed
        st.booleans(),  # steady (running, no ramp, no console speed)
        st.booleans(),  # on the commanded speed
        st.sampled_from(list(PodState)),
        st.floats(4.0, 16.0),  # pod speed
        st.booleans(),  # a console press now
    ),
    min_size=1,
    max_size=200,
)


@settings(max_examples=200, deadline=None)
@given(observations)
def test_the_trim_moves_only_on_a_settled_belt_far_from_a_press(
    steps: list[tuple[float, float, bool, bool, PodState, float, bool]],
) -> None:
    tp = TruePace(TruePaceConfig(None, trim=True), 0.1)
    t, pressed, since = 0.0, -1e9, None
    for dt, belt, steady, on, pod, pod_kmh, press in steps:
        t += dt
        if press:
            tp.console_press(t)
            pressed = t
            since = None
        settled = steady and on
        since = (since if since is not None else t) if settled else None
        before = tp.trims
        tp.observe(
            Observation(t, belt, 0.0, pod, pod_kmh, belt if on else belt + 1.0, steady, t * 2.0)
        )
        if tp.trims != before:
            assert steady and on and pod is PodState.LIVE
            assert since is not None and t - since >= SETTLE_S
            assert t - pressed >= CONSOLE_QUIET_S
        assert 0.9 - 1e-9 <= tp.trim <= 1.1 + 1e-9


def test_losing_the_pod_moves_neither_speed_nor_distance() -> None:
    cal = Calibration(((8.0, 0.93), (14.0, 0.97)))
    tp = TruePace(TruePaceConfig(cal), 0.1)
    run_m = 0.0
    speeds, distances = [], []
    for k in range(120):
        t = float(k)
        run_m += 10.0 / 3.6
        pod = PodState.LIVE if k < 60 else PodState.LOST
        tp.observe(Observation(t, 10.0, 0.0, pod, 9.51 if k < 60 else None, 10.0, True, run_m))
        assert tp.speed_kmh is not None
        speeds.append(tp.speed_kmh)
        distances.append(tp.distance_m)
    assert abs(speeds[60] - speeds[59]) < 0.05  # no jump in speed when the pod goes
    step = [b - a for a, b in itertools.pairwise(distances)]
    assert abs(step[60] - step[58]) < 0.02  # nor in distance per second
