"""Belt physics: ramps, counters, energy and heart rate, with time passed in."""

from __future__ import annotations

import math

import pytest

from treadpace_sim.belt import Belt, BeltSpec, BeltState

SPEC = BeltSpec()  # the generic machine: 0.8-20 km/h, 0.5 up, 0.6 down, 2.0 emergency


def state_of(belt: Belt) -> BeltState:
    """The belt's state read afresh (an assert before an advance does not hold after it)."""
    return belt.state


def _running(target: float = 10.0, spec: BeltSpec = SPEC) -> Belt:
    belt = Belt(spec)
    belt.set_target_speed(target)
    assert belt.start()
    return belt


def test_accelerates_and_decelerates_at_separate_rates() -> None:
    belt = _running(10.0)
    belt.advance(10.0)
    assert belt.speed_kmh == pytest.approx(5.0)
    assert belt.state is BeltState.RUNNING
    belt.advance(10.0)
    assert belt.speed_kmh == 10.0
    belt.set_target_speed(4.0)
    belt.advance(5.0)
    assert belt.speed_kmh == pytest.approx(7.0)


def test_distance_is_exact_whatever_the_step() -> None:
    coarse, fine = _running(12.0), _running(12.0)
    coarse.advance(100.0)
    for _ in range(1000):
        fine.advance(0.1)
    # 0 -> 12 km/h in 24 s covers 12/2*24/3.6 = 40 m, then 76 s at 12 km/h = 253.3 m
    assert coarse.distance_m == pytest.approx(40 + 76 * 12 / 3.6)
    assert fine.distance_m == pytest.approx(coarse.distance_m)
    assert fine.elapsed_s == pytest.approx(coarse.elapsed_s) == pytest.approx(100)


def test_elapsed_freezes_on_pause_and_stop_and_resets_on_reset() -> None:
    belt = _running(10.0)
    belt.advance(30)
    assert belt.pause()
    belt.advance(60)
    assert belt.state is BeltState.PAUSED and belt.elapsed_s == 30
    paused_distance = belt.distance_m
    belt.advance(60)
    assert belt.distance_m == paused_distance
    assert belt.start()
    belt.advance(10)
    assert belt.elapsed_s == 40
    assert belt.stop()
    belt.advance(60)
    assert state_of(belt) is BeltState.STOPPED and belt.elapsed_s == 40
    belt.reset()
    assert belt.elapsed_s == 0 and belt.distance_m == 0 and state_of(belt) is BeltState.IDLE


def test_reset_while_running_winds_down_to_idle() -> None:
    belt = _running(10.0)
    belt.advance(30)
    belt.reset()
    assert belt.state is BeltState.STOPPING and belt.resetting
    assert belt.advance(30) is BeltState.IDLE
    assert belt.speed_kmh == 0


def test_energy_is_about_one_kcal_per_kg_per_km() -> None:
    flat = _running(12.0)
    flat.advance(24)  # ramp
    flat.energy_kcal = flat.distance_m = 0.0
    flat.advance(300)  # 1 km at 12 km/h
    assert flat.distance_m == pytest.approx(1000)
    assert flat.energy_kcal == pytest.approx(70.0)
    hill = _running(12.0)
    hill.set_target_incline(5.0)
    hill.advance(24)
    hill.energy_kcal = hill.distance_m = 0.0
    hill.advance(300)
    assert hill.energy_kcal == pytest.approx(70.0 * 1.5)  # +0.1 kcal/kg/km per %
    assert hill.energy_rate_kcal_h() == pytest.approx(70 * 12 * 1.5)


def test_heart_rate_follows_the_workload_with_a_lag() -> None:
    belt = _running(18.0)  # hr_speed_at_max: the workload that drives hr_max
    assert belt.heart_rate_bpm == 60
    belt.advance(34)  # ramp to 18 km/h
    hr_ramp = belt.heart_rate_bpm
    assert 60 < hr_ramp < 185
    belt.advance(600)
    assert belt.heart_rate_bpm == pytest.approx(185, abs=0.5)
    belt.stop()
    belt.advance(30)  # 9 s of ramp down, then standing
    belt.advance(60)  # one fall time constant
    drop = (185 - belt.heart_rate_bpm) / (185 - 60)
    assert 0.6 < drop < 0.8  # ~1 - e^-1 after a time constant, plus the ramp
    assert math.isfinite(belt.heart_rate_bpm)


def test_safety_key_stops_hard_and_blocks_start() -> None:
    belt = _running(10.0)
    belt.advance(20)
    assert belt.pull_safety_key()
    assert not belt.pull_safety_key()  # already out
    assert belt.next_transition_in() == pytest.approx(5.0)  # 10 km/h at 2 km/h/s
    assert belt.advance(5.0) is BeltState.STOPPED
    assert not belt.start()
    assert belt.insert_safety_key()
    assert belt.start()


def test_start_delay_and_incline_rate() -> None:
    spec = BeltSpec(start_delay_s=3.0, incline_rate_percent_s=0.5)
    belt = _running(5.0, spec)
    belt.set_target_incline(2.0)
    belt.advance(3.0)
    assert belt.speed_kmh == 0 and belt.incline_percent == pytest.approx(1.5)
    assert belt.next_transition_in() == pytest.approx(0.8 / 0.5)
    belt.advance(2.0)
    assert belt.speed_kmh == pytest.approx(1.0) and belt.incline_percent == 2.0


def test_start_and_stop_rules() -> None:
    belt = Belt(SPEC)
    assert not belt.stop() and not belt.pause()
    assert belt.start()
    assert not belt.start()  # already starting
    belt.advance(2)
    assert belt.state is BeltState.RUNNING and belt.speed_kmh == 0.8  # the start speed
    assert belt.pause()
    belt.advance(0.5)
    assert state_of(belt) is BeltState.PAUSING
    assert belt.start()  # resume while still slowing into the pause
    assert state_of(belt) is BeltState.STARTING and belt.target_speed_kmh == 0.8
    assert belt.stop()
    assert not belt.start()  # a stop must finish first
    belt.advance(5)
    assert state_of(belt) is BeltState.STOPPED and belt.start()


def test_resume_to_minimum_quirk_and_speed_set_while_paused() -> None:
    belt = _running(6.0, BeltSpec(resume_to_minimum=True, speed_min_kmh=0.5, start_speed_kmh=0.5))
    belt.advance(20)
    belt.pause()
    belt.advance(20)
    belt.start()
    belt.advance(20)
    assert belt.speed_kmh == 0.5
    normal = _running(6.0)
    normal.advance(20)
    normal.pause()
    normal.set_target_speed(8.0)  # stored for the resume
    normal.advance(20)
    assert normal.speed_kmh == 0
    normal.start()
    normal.advance(30)
    assert normal.speed_kmh == 8.0


def test_commands_are_clamped_to_the_machine() -> None:
    belt = _running(99.0)
    belt.set_target_incline(50.0)
    belt.advance(100)
    assert belt.speed_kmh == 20.0 and belt.incline_percent == 12.0
    belt.set_target_incline(-5.0)
    belt.advance(100)
    assert belt.incline_percent == 0.0


def test_power_cycle_stops_dead_but_keeps_the_runner() -> None:
    belt = _running(10.0)
    belt.advance(200)
    hr = belt.heart_rate_bpm
    belt.power_cycle()
    assert belt.speed_kmh == 0 and belt.state is BeltState.IDLE and belt.distance_m == 0
    assert belt.heart_rate_bpm == hr


def test_steps_follow_cadence() -> None:
    belt = _running(10.0)
    belt.advance(20)
    belt.steps = 0.0
    belt.advance(60)
    assert belt.steps == pytest.approx(150 + 1.5 * 10)
    assert belt.average_speed_kmh > 0
