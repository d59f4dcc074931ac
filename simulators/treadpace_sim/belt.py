"""Belt physics of the software treadmill: pure, time is passed in.

`Belt.advance(dt)` integrates speed, incline, distance, elapsed time, energy,
heart rate and steps over `dt` seconds. Ramps are integrated exactly (piecewise
linear speed), so the result does not depend on how often the driver ticks:
one call with dt=10 gives the same distance as ten calls with dt=1. That is what
lets the async driver tick only at telemetry time and still be exact.

Models and assumptions (no published home-treadmill figure exists for most of
these, see running.md §4.4; the numbers live in the model YAML, labelled):

- Speed ramps at `acceleration` up and `deceleration` down (km/h per s); a pulled
  safety key uses `emergency_deceleration`. Incline ramps at `incline_rate` (% per s).
- Energy: about 1 kcal per kg of runner mass per km on the flat (the classic
  running-cost rule of thumb), plus 0.1 kcal/kg/km per % of uphill incline
  (lifting the runner at ~25 % muscular efficiency: 9.81 m/s² x 10 m per km per %
  / 0.25 / 4184 J/kcal = 0.094). Downhill costs no less than flat.
- Heart rate: the runner's heart and strap live in `treadpace_sim.heart` (fitness, lag,
  drift, noise, dropouts); the belt feeds it the workload.
- Steps: cadence 100 + 5·v steps/min while walking (v < 7 km/h), 150 + 1.5·v
  running, capped at 200 (typical recreational cadences).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from treadpace_sim.heart import Heart, HeartSpec
from treadpace_sim.truth import EXACT, TrueSpeed

_EPS = 1e-9


class BeltState(StrEnum):
    IDLE = "idle"
    STARTING = "starting"
    RUNNING = "running"
    PAUSING = "pausing"
    PAUSED = "paused"
    STOPPING = "stopping"
    STOPPED = "stopped"


MOVING_STATES = frozenset({BeltState.STARTING, BeltState.RUNNING})
"""States in which the belt is driven towards a target (not winding down)."""

_STILL_STATES = frozenset({BeltState.IDLE, BeltState.PAUSED, BeltState.STOPPED})
_STARTABLE_STATES = _STILL_STATES | {BeltState.PAUSING}


@dataclass(frozen=True, slots=True)
class BeltSpec:
    """The physical machine: true ranges in km/h and %, rates, and the runner on it."""

    speed_min_kmh: float = 0.8
    speed_max_kmh: float = 20.0
    speed_increment_kmh: float = 0.1
    start_speed_kmh: float = 0.8
    has_incline: bool = True
    incline_min_percent: float = 0.0
    incline_max_percent: float = 12.0
    incline_increment_percent: float = 1.0
    acceleration_kmh_s: float = 0.5
    deceleration_kmh_s: float = 0.6
    emergency_deceleration_kmh_s: float = 2.0
    incline_rate_percent_s: float = 0.5
    start_delay_s: float = 0.0
    incline_home_on_stop: bool = True
    resume_to_minimum: bool = False
    runner_mass_kg: float = 70.0
    hr_rest_bpm: float = 60.0
    hr_max_bpm: float = 185.0
    hr_speed_at_max_kmh: float = 18.0
    hr_rise_tau_s: float = 30.0
    hr_fall_tau_s: float = 60.0
    hr_threshold_kmh: float | None = None
    """The runner's threshold speed (fitness); None: 0.9 x hr_speed_at_max."""
    hr_drift_bpm_h: float = 8.0
    hr_noise_bpm: float = 1.0
    hr_dropout_every_s: float = 0.0
    hr_dropout_s: float = 0.0
    truth: TrueSpeed = EXACT
    """How the runner's true speed differs from the reported one (`treadpace_sim.truth`)."""

    def heart_spec(self) -> HeartSpec:
        threshold = self.hr_threshold_kmh
        return HeartSpec(
            rest_bpm=self.hr_rest_bpm,
            max_bpm=self.hr_max_bpm,
            threshold_kmh=0.9 * self.hr_speed_at_max_kmh if threshold is None else threshold,
            rise_tau_s=self.hr_rise_tau_s,
            fall_tau_s=self.hr_fall_tau_s,
            drift_bpm_h=self.hr_drift_bpm_h,
            noise_bpm=self.hr_noise_bpm,
            dropout_every_s=self.hr_dropout_every_s,
            dropout_s=self.hr_dropout_s,
        )


class Belt:
    """The belt and its counters. Commands return False when the belt refuses them."""

    __slots__ = (
        "_delay_left",
        "_reset_pending",
        "_resume_target",
        "distance_m",
        "elapsed_s",
        "elevation_gain_m",
        "elevation_loss_m",
        "energy_kcal",
        "heart",
        "incline_percent",
        "safety_key_in",
        "spec",
        "speed_kmh",
        "state",
        "steps",
        "target_incline_percent",
        "target_speed_kmh",
        "true_distance_m",
    )

    def __init__(self, spec: BeltSpec) -> None:
        self.spec = spec
        self.state = BeltState.IDLE
        self.speed_kmh = 0.0
        self.target_speed_kmh = 0.0
        self.incline_percent = self._incline_home()
        self.target_incline_percent = self.incline_percent
        self.distance_m = 0.0
        self.true_distance_m = 0.0
        """What the runner covered (the belt's truth, never reported): only a footpod sees it."""
        self.elapsed_s = 0.0
        self.energy_kcal = 0.0
        self.elevation_gain_m = 0.0
        self.elevation_loss_m = 0.0
        self.heart = Heart(spec.heart_spec())
        self.steps = 0.0
        self.safety_key_in = True
        self._delay_left = 0.0
        self._resume_target = 0.0
        self._reset_pending = False

    # --- queries ----------------------------------------------------------------

    @property
    def moving(self) -> bool:
        """Belt driven (starting or running), as opposed to idle or winding down."""
        return self.state in MOVING_STATES

    @property
    def resetting(self) -> bool:
        """Winding down after a Reset (ends in idle rather than stopped)."""
        return self._reset_pending

    @property
    def heart_rate_bpm(self) -> float:
        """The runner's true heart rate (the strap's reading is `heart.reading()`)."""
        return self.heart.bpm

    @property
    def true_speed_kmh(self) -> float:
        """The runner's speed: the reported one with the model's hidden error."""
        return self.spec.truth.true_kmh(self.speed_kmh, self.incline_percent)

    @property
    def average_speed_kmh(self) -> float:
        return self.distance_m / self.elapsed_s * 3.6 if self.elapsed_s > 0 else 0.0

    def energy_rate_kcal_h(self) -> float:
        return self.spec.runner_mass_kg * self.speed_kmh * self._cost_per_kg_km()

    def cadence_spm(self) -> float:
        v = self.speed_kmh
        if v <= 0:
            return 0.0
        return min(200.0, 100.0 + 5.0 * v if v < 7.0 else 150.0 + 1.5 * v)

    def _incline_home(self) -> float:
        s = self.spec
        return min(max(0.0, s.incline_min_percent), s.incline_max_percent) if s.has_incline else 0.0

    def _cost_per_kg_km(self) -> float:
        return 1.0 + 0.1 * max(self.incline_percent, 0.0)

    # --- commands (already validated by the server; clamped again for safety) ----

    def start(self) -> bool:
        """Start, or resume from a pause (also while still slowing into it).

        Refused while started, while stopping, and with the safety key out.
        """
        state = self.state
        if not self.safety_key_in or state not in _STARTABLE_STATES:
            return False
        s = self.spec
        resuming = state is BeltState.PAUSED or state is BeltState.PAUSING
        if resuming and not s.resume_to_minimum:
            target = self._resume_target
        else:
            target = 0.0 if resuming else self.target_speed_kmh
        self.target_speed_kmh = self._clamp_speed(max(target, s.start_speed_kmh))
        self.state = BeltState.STARTING
        # a belt still turning needs no start countdown
        self._delay_left = s.start_delay_s if self.speed_kmh <= 0 else 0.0
        self._reset_pending = False
        return True

    def stop(self) -> bool:
        """Stop: from moving or paused. Refused when already stopped or idle."""
        if self.state in (BeltState.IDLE, BeltState.STOPPED, BeltState.STOPPING):
            return False
        self.target_speed_kmh = 0.0
        if self.spec.incline_home_on_stop:
            self.target_incline_percent = self._incline_home()
        self.state = BeltState.STOPPED if self.speed_kmh <= 0 else BeltState.STOPPING
        return True

    def pause(self) -> bool:
        """Pause: only a driven belt can be paused."""
        if self.state not in MOVING_STATES:
            return False
        self._resume_target = self.target_speed_kmh
        self.state = BeltState.PAUSED if self.speed_kmh <= 0 else BeltState.PAUSING
        return True

    def set_target_speed(self, kmh: float) -> None:
        kmh = self._clamp_speed(kmh)
        if self.state is BeltState.PAUSED or self.state is BeltState.PAUSING:
            self._resume_target = kmh
        else:
            self.target_speed_kmh = kmh

    def set_target_incline(self, percent: float) -> None:
        if self.spec.has_incline:
            s = self.spec
            self.target_incline_percent = min(
                max(percent, s.incline_min_percent), s.incline_max_percent
            )

    def reset(self) -> None:
        """Targets to defaults, counters to zero; a moving belt winds down to idle."""
        self.target_speed_kmh = 0.0
        self._resume_target = 0.0
        self.target_incline_percent = self._incline_home()
        self.elapsed_s = 0.0
        self.distance_m = 0.0
        self.energy_kcal = 0.0
        self.elevation_gain_m = 0.0
        self.elevation_loss_m = 0.0
        self.steps = 0.0
        if self.speed_kmh > 0:
            self.state = BeltState.STOPPING
            self._reset_pending = True
        else:
            self.state = BeltState.IDLE

    def pull_safety_key(self) -> bool:
        """Emergency stop. Returns whether the key was in."""
        if not self.safety_key_in:
            return False
        self.safety_key_in = False
        if self.state not in (BeltState.IDLE, BeltState.STOPPED):
            self.target_speed_kmh = 0.0
            self.state = BeltState.STOPPED if self.speed_kmh <= 0 else BeltState.STOPPING
        return True

    def insert_safety_key(self) -> bool:
        was_out = not self.safety_key_in
        self.safety_key_in = True
        return was_out

    def power_cycle(self) -> None:
        """A reboot: the motor loses power at once and every counter starts over."""
        key = self.safety_key_in
        heart = self.heart
        covered = self.true_distance_m
        self.__init__(self.spec)  # type: ignore[misc]
        self.safety_key_in = key
        self.heart = heart  # the runner's heart does not reboot, nor the ground covered
        self.true_distance_m = covered

    def _clamp_speed(self, kmh: float) -> float:
        s = self.spec
        return min(max(kmh, s.speed_min_kmh), s.speed_max_kmh)

    # --- physics -------------------------------------------------------------------

    def advance(self, dt: float) -> BeltState | None:
        """Integrate `dt` seconds. Returns the new state when a ramp ended in a transition."""
        if dt <= 0:
            return None
        state = self.state
        counting = state in MOVING_STATES
        if counting:
            self.elapsed_s += dt
        # incline (the lift motor runs whatever the belt does)
        i0 = self.incline_percent
        i1 = self._move_incline(dt)
        if state is BeltState.STARTING and self._delay_left > 0:
            used = min(dt, self._delay_left)
            self._delay_left -= used
            self._heart(used)
            dt -= used
            if dt <= 0:
                return None
        dist_kmh_s = self._move_speed(dt, counting)
        if dist_kmh_s > 0:
            self._cover(dist_kmh_s / 3.6, 0.5 * (i0 + i1), dt)
        self._heart(dt)
        return self._settle()

    def _move_incline(self, dt: float) -> float:
        """Move the incline toward its target at the lift's rate; the new incline."""
        i0 = self.incline_percent
        ti = self.target_incline_percent
        if i0 == ti:
            return i0
        step = self.spec.incline_rate_percent_s * dt
        i1 = ti if abs(ti - i0) <= step else (i0 + step if ti > i0 else i0 - step)
        self.incline_percent = i1
        return i1

    def _move_speed(self, dt: float, counting: bool) -> float:
        """Ramp the belt toward its target (0 when not counting), piecewise linear and exact.

        Returns the integral of speed over the interval, in km/h * s.
        """
        s = self.spec
        v0 = self.speed_kmh
        target = self.target_speed_kmh if counting else 0.0
        if v0 == target:
            return v0 * dt if v0 > 0 else 0.0
        if target > v0:
            rate = s.acceleration_kmh_s
        elif self.safety_key_in:
            rate = s.deceleration_kmh_s
        else:
            rate = s.emergency_deceleration_kmh_s
        t_reach = abs(target - v0) / rate
        if t_reach <= dt:
            dist_kmh_s = 0.5 * (v0 + target) * t_reach + target * (dt - t_reach)
            v1 = target
        else:
            v1 = v0 + rate * dt if target > v0 else v0 - rate * dt
            dist_kmh_s = 0.5 * (v0 + v1) * dt
        self.speed_kmh = v1
        return dist_kmh_s

    def _cover(self, metres: float, grade: float, dt: float) -> None:
        """The counters for `metres` run at a mean `grade` % over `dt` seconds."""
        s = self.spec
        self.distance_m += metres
        # The error is taken at the interval's mean speed: exact at a steady speed, and
        # within a ramp close enough for a figure no machine reports.
        self.true_distance_m += metres * s.truth.factor(metres * 3.6 / dt, grade)
        rise = metres * grade / 100.0
        if rise > 0:
            self.elevation_gain_m += rise
        else:
            self.elevation_loss_m -= rise
        self.energy_kcal += s.runner_mass_kg * metres / 1000.0 * (1.0 + 0.1 * max(grade, 0.0))
        self.steps += self.cadence_spm() * dt / 60.0

    def _heart(self, dt: float) -> None:
        self.heart.advance(dt, self.speed_kmh * (1.0 + 0.05 * max(self.incline_percent, 0.0)))

    def _settle(self) -> BeltState | None:
        state = self.state
        v = self.speed_kmh
        if state is BeltState.STARTING:
            if v >= min(self.spec.start_speed_kmh, self.target_speed_kmh) - _EPS:
                self.state = BeltState.RUNNING
                return self.state
        elif v <= _EPS and state in (BeltState.PAUSING, BeltState.STOPPING):
            self.speed_kmh = 0.0
            if state is BeltState.PAUSING:
                self.state = BeltState.PAUSED
            elif self._reset_pending:
                self._reset_pending = False
                self.state = BeltState.IDLE
            else:
                self.state = BeltState.STOPPED
            return self.state
        return None

    def next_transition_in(self) -> float | None:
        """Seconds until the current ramp ends in a state change (None when none is due)."""
        state = self.state
        s = self.spec
        if state is BeltState.STARTING:
            goal = min(s.start_speed_kmh, self.target_speed_kmh)
            return self._delay_left + max(0.0, goal - self.speed_kmh) / s.acceleration_kmh_s
        if state in (BeltState.PAUSING, BeltState.STOPPING):
            rate = s.deceleration_kmh_s if self.safety_key_in else s.emergency_deceleration_kmh_s
            return self.speed_kmh / rate
        return None
