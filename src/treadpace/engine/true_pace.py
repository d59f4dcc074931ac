"""True pace in the run: setpoints for the speed the runner really runs, and its distance.

The plan asks for a pace the runner's feet should run. A belt reports its own
speed, which may be several percent off (docs/true-pace.md); with the machine's
calibration (`treadpace calibrate`) the policy asks the belt for the speed at
which the runner *really* runs the plan's pace, and with a live footpod a slow
closed loop trims what error remains. The rules, each kept by a test:

- A correction is bounded: a setpoint never moves more than `max_correction` (10 %
  by default) from the plan's number, whatever the calibration or the pod says.
- The trim learns only from a *settled* belt: on the speed it was sent (within
  its increment) for `SETTLE_S`, in a step whose target does not ramp, and not within
  `CONSOLE_QUIET_S` of a console press (the runner's own speed is never fought: a
  press holds the step at the runner's speed, uncorrected).
- The trim moves slowly: not at all inside a dead band (`DEAD_BAND`), and at most
  `TRIM_RATE_PER_S` a second outside it, like the heart-rate controller.
- A pod that goes quiet or talks nonsense is dropped at once; the calibration (with
  the trim it had learnt) carries on, then the belt's own figure: the true speed
  and distance go on without a jump, because both are the belt's figure times a
  ratio that only changes slowly.

The caps are the policy's: the grid caps the command in the machine's units, and
the policy steps a command down until its *true* speed is within the runner's cap.
Pure: every call is given `now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from treadpace.treadmill.port import PodState
from treadpace.treadmill.true_speed import Calibration, far_from_belt

SETTLE_S = 10.0
"""The belt must hold its commanded speed this long before the pod is compared with it."""
CONSOLE_QUIET_S = 30.0
"""No learning this long after a console press (the runner is changing things)."""
TRIM_TAU_S = 30.0
"""Time constant of the measured ratio (a footpod's speed is noisy second to second)."""
DEAD_BAND = 0.005
"""A measured error under 0.5 % is left alone."""
TRIM_RATE_PER_S = 0.0005
"""The trim moves at most 0.5 % every 10 s."""


@dataclass(frozen=True)
class TruePaceConfig:
    calibration: Calibration | None = None
    trim: bool = True
    """Trim with a live footpod."""
    max_correction: float = 0.10
    lead: bool = False
    """Ask for a step's speed early enough that the belt's lag is shared (engine/belt_lag.py).

    Off unless asked for (the profile's `true_pace.lead` is on by default): with it off,
    every change is sent on the plan clock to the tenth of a second."""


class Observation(NamedTuple):
    """One telemetry record, as true pace needs it.

    A named tuple rather than a frozen dataclass: one is made for every telemetry packet,
    and a tuple is made several times faster (no `object.__setattr__` for each field).
    """

    t: float
    belt_kmh: float
    incline_percent: float
    pod: PodState
    pod_kmh: float | None
    sent_kmh: float | None
    """What the belt was last told (None: nothing, or the runner's console speed)."""
    steady: bool
    """The run is running a step whose target does not ramp, at the plan's speed."""
    run_m: float
    """The run's distance so far (the belt's figure)."""


class TruePace:
    """The ratio of true to reported speed, the trim learnt, and the true distance."""

    def __init__(self, config: TruePaceConfig, increment_kmh: float = 0.1) -> None:
        self.config = config
        self.increment_kmh = increment_kmh
        self.trim = 1.0
        self.distance_m = 0.0
        self.speed_kmh: float | None = None
        self.pod_kmh: float | None = None
        """The pod's reading when it is trusted (live, and not far from a moving belt)."""
        self.pod = PodState.NONE
        self.trims = 0
        """How many times the trim moved (a test counts them)."""
        self._measured: float | None = None
        self._settled_since: float | None = None
        self._last_t: float | None = None
        self._console_at = -1e18
        self._pod_seen = False
        self._run_m: float | None = None
        self._step_m0 = 0.0

    @property
    def identity(self) -> bool:
        """True km/h is the belt's own: no calibration, and no trim learnt."""
        return self.config.calibration is None and self.trim == 1.0

    @property
    def known(self) -> bool:
        """A true figure exists: a calibration, or a footpod in the run."""
        return self.config.calibration is not None or self._pod_seen

    def ratio(self, reported_kmh: float, incline_percent: float = 0.0) -> float:
        cal = self.config.calibration
        base = cal.ratio(reported_kmh, incline_percent) if cal is not None else 1.0
        return base * self.trim

    def true_kmh(self, reported_kmh: float, incline_percent: float = 0.0) -> float:
        return reported_kmh * self.ratio(reported_kmh, incline_percent)

    def setpoint(self, true_kmh: float, incline_percent: float = 0.0) -> float:
        """The reported speed for `true_kmh`, never more than `max_correction` from it."""
        if true_kmh <= 0 or (self.config.calibration is None and self.trim == 1.0):
            return true_kmh
        lo, hi = true_kmh / 1.6, true_kmh / 0.4
        for _ in range(50):  # bisection: the curve rises with the speed
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if self.true_kmh(mid, incline_percent) < true_kmh else (lo, mid)
        bound = self.config.max_correction
        return min(max(0.5 * (lo + hi), true_kmh * (1 - bound)), true_kmh * (1 + bound))

    def step_began(self) -> None:
        self._step_m0 = self.distance_m

    def step_distance(self, belt_m: float) -> float:
        """The step's true distance so far, when known; else the belt's `belt_m`."""
        return self.distance_m - self._step_m0 if self.known else belt_m

    def console_press(self, now: float) -> None:
        """The runner changed the speed at the console: learn nothing for a while."""
        self._console_at = now
        self._settled_since = None

    def observe(self, o: Observation) -> None:
        """Fold one record in: the pod's state, the trim, the true speed and distance."""
        dt = 0.0 if self._last_t is None else max(0.0, o.t - self._last_t)
        self._last_t = o.t
        metres = 0.0 if self._run_m is None else max(0.0, o.run_m - self._run_m)
        self._run_m = o.run_m
        self.pod = o.pod
        self._pod_seen = self._pod_seen or o.pod is not PodState.NONE
        pod_kmh = o.pod_kmh if o.pod is PodState.LIVE else None
        if pod_kmh is not None and far_from_belt(pod_kmh, o.belt_kmh):
            self.pod, pod_kmh = PodState.NONSENSE, None
        self.pod_kmh = pod_kmh
        self._settle(o)
        if pod_kmh is not None and self._learning(o.t) and o.belt_kmh > 0:
            self._learn(pod_kmh / self.true_kmh(o.belt_kmh, o.incline_percent) * self.trim, dt)
        if not self.known:
            self.speed_kmh = None
            self.distance_m += metres
            return
        true = pod_kmh if pod_kmh is not None else self.true_kmh(o.belt_kmh, o.incline_percent)
        self.speed_kmh = true
        ratio = true / o.belt_kmh if o.belt_kmh > 0.1 else self.ratio(0.0)
        self.distance_m += metres * ratio

    def _settle(self, o: Observation) -> None:
        on_target = o.sent_kmh is not None and abs(o.belt_kmh - o.sent_kmh) <= self.increment_kmh
        if o.steady and on_target:
            if self._settled_since is None:
                self._settled_since = o.t
        else:
            self._settled_since = None

    def _learning(self, now: float) -> bool:
        since = self._settled_since
        return (
            self.config.trim
            and since is not None
            and now - since >= SETTLE_S
            and now - self._console_at >= CONSOLE_QUIET_S
        )

    def _learn(self, sample: float, dt: float) -> None:
        """`sample`: the trim that would make the true figure the pod's, now."""
        m = self._measured
        a = min(1.0, dt / TRIM_TAU_S) if m is not None else 1.0
        m = sample if m is None else m + a * (sample - m)
        self._measured = m
        gap = m - self.trim
        if abs(gap) <= DEAD_BAND:
            return
        step = min(abs(gap) - DEAD_BAND, TRIM_RATE_PER_S * dt)
        if step <= 0:
            return
        bound = self.config.max_correction
        self.trim = min(max(self.trim + (step if gap > 0 else -step), 1 - bound), 1 + bound)
        self.trims += 1
