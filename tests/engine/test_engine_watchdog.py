"""The pure policies behind the setpoint path: the obeyed? watchdog, write retries, nudges."""

from __future__ import annotations

import math

from treadpace.base.backoff import Backoff
from treadpace.engine.runner_changes import above_cap, nudge_hold, nudge_offset
from treadpace.engine.setpoint import Grid
from treadpace.engine.watchdog import ObeyWatchdog, WriteRetry


def _feed(w: ObeyWatchdog, speed: float, t0: float, t1: float) -> bool:
    return any(w.ignored(float(t), speed) for t in range(int(t0), int(t1)))


def test_the_watchdog_times_from_the_target_the_machine_last_took() -> None:
    w = ObeyWatchdog(15.0, 0.05)
    w.expect(10.0, 0.0)
    assert not _feed(w, 10.0, 0, 60)  # on target
    w.expect(11.0, 60.0)
    assert not _feed(w, 10.0, 60, 74)  # not yet 15 s
    w.expect(9.5, 74.0)  # a console press: the belt is moving to it, the count restarts
    assert not _feed(w, 10.0, 74, 88)
    assert _feed(w, 10.0, 88, 95)  # steady away from 9.5 for 15 s: ignored


def test_a_belt_still_changing_speed_is_not_ignoring_the_target() -> None:
    w = ObeyWatchdog(15.0, 0.05)
    w.expect(12.0, 0.0)
    assert not any(w.ignored(float(t), 2.0 + 0.2 * t) for t in range(50))  # a slow ramp


def test_write_retries_back_off_and_are_bounded() -> None:
    r = WriteRetry(Backoff(first=0.5, cap=4.0, attempts=4))
    assert r.wait(0.0) == 0.0
    assert r.refused(0.0) and r.wait(0.2) == 0.3
    assert r.refused(0.5) and r.wait(0.5) == 1.0
    assert r.refused(1.5) and r.wait(1.5) == 2.0
    assert not r.refused(3.5)  # the fourth refusal in a row is final
    r.accepted()
    assert r.refusals == 0 and r.not_before == -math.inf


def test_nudges_are_clamped_to_the_commandable_grid_points() -> None:
    g = Grid.build(0.8, 20.0, 0.1, 12.05, 100)  # an off-grid cap: 12.0 is the top point
    offset = 0.0
    for _ in range(80):
        offset = nudge_offset(offset, 0.1, 10.0, g)
    assert math.isclose(offset, 2.0)
    assert g.quantise(10.0 + nudge_offset(offset, -0.1, 10.0, g)) == 11.9
    assert nudge_offset(5.0, -0.1, 10.0, g) == 1.9  # a console press above the cap
    assert math.isclose(nudge_hold(0.8, -0.1, g), 0.8)
    assert math.isclose(nudge_hold(13.0, -0.1, g), 11.9)
    assert above_cap(12.1, g) and not above_cap(12.05, g)
