"""What the broadcast says right now, from the engine's events: pure, on the run's clock.

The watch, the FIT file and MQTT must agree, so every figure comes from the
engine's `Tick`s (the telemetry the recorder keeps), never from a second reading
of the belt. Two rules make a broadcast safe to record on a watch:
- no news is 0 speed: when the belt's link drops (a LINK_LOST notice), or no Tick
  came for `stale_after_s`, or the run is over, the speed is 0;
- distance only grows: the run distance is held across a drop, and a Tick that
  reports less than was already sent (a belt that restarted its odometer) does not
  take it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from treadpace.base.units import RUNNING_FROM_KMH
from treadpace.engine.events import EngineEvent, Notice, NoticeKind, RunFinished, Tick
from treadpace.ftms.rsc import RscMeasurement
from treadpace.ftms.treadmill_data import TreadmillData

MAX_DISTANCE_M = 0xFFFF_FFFF / 10  # the RSC field is a uint32 of decimetres


@dataclass
class BroadcastFeed:
    """Feed it every engine event with `handle`; read `rsc()` and `treadmill_data()`."""

    stale_after_s: float = 3.0
    speed_kmh: float = 0.0
    distance_m: float = 0.0
    """Run distance as the engine last reported it (never decreasing)."""
    incline_percent: float | None = None
    heart_rate_bpm: int | None = None
    elapsed_s: float = 0.0
    cadence_spm: int = 0
    link_down: bool = False
    finished: bool = False
    _last_tick_t: float | None = None
    _steps: tuple[float, int] | None = None
    _offset_m: float = 0.0
    """Set Cumulative Value from a watch: reported total = distance_m + offset."""

    def handle(self, event: EngineEvent) -> bool:
        """Take one event; True when it brought a new sample worth notifying at once."""
        if isinstance(event, Tick):
            self._tick(event)
            return True
        if isinstance(event, Notice) and event.kind == NoticeKind.LINK_LOST:
            self.link_down = True
            self._steps = None
            return True
        if isinstance(event, RunFinished):
            self.finished = True
            self.distance_m = max(self.distance_m, event.distance_m)
            return True
        return False

    def _tick(self, tick: Tick) -> None:
        self.link_down = False
        self._last_tick_t = tick.t
        self.speed_kmh = max(0.0, tick.speed_kmh)
        self.distance_m = max(self.distance_m, tick.distance_m)
        self.incline_percent = tick.incline_percent
        self.heart_rate_bpm = tick.heart_rate_bpm
        self.elapsed_s = max(self.elapsed_s, tick.elapsed_s)
        self._cadence(tick.t, tick.steps_count)

    def _cadence(self, t: float, steps: int | None) -> None:
        """Steps per minute from the belt's step counter, when it has one (else 0: unknown)."""
        if steps is None:
            self.cadence_spm, self._steps = 0, None
            return
        previous, self._steps = self._steps, (t, steps)
        if previous is None or t <= previous[0] or steps < previous[1]:
            self.cadence_spm = 0  # no rate across a gap or a counter that restarted
            return
        rate = (steps - previous[1]) / (t - previous[0]) * 60
        self.cadence_spm = min(255, round(rate))

    def moving_kmh(self, now: float) -> float:
        """The speed to broadcast at `now`: 0 unless fresh telemetry says otherwise."""
        if self.link_down or self.finished or self._last_tick_t is None:
            return 0.0
        if now - self._last_tick_t > self.stale_after_s:
            return 0.0
        return self.speed_kmh

    def total_m(self) -> float:
        return min(MAX_DISTANCE_M, max(0.0, self.distance_m + self._offset_m))

    def set_cumulative(self, metres: float) -> None:
        """A watch resets (or sets) the footpod's total distance; the run's is unchanged."""
        self._offset_m = metres - self.distance_m

    def rsc(self, now: float) -> RscMeasurement:
        kmh = self.moving_kmh(now)
        speed = min(0xFFFF, round(kmh / 3.6 * 256)) / 256
        return RscMeasurement(
            speed_mps=speed,
            cadence_spm=self.cadence_spm if kmh > 0 else 0,
            total_distance_m=int(self.total_m() * 10) / 10,  # never rounds up past the belt
            running=kmh >= RUNNING_FROM_KMH,
        )

    def treadmill_data(self, now: float, *, incline: bool) -> TreadmillData:
        return TreadmillData(
            speed_kmh=round(self.moving_kmh(now), 2),
            total_distance_m=min(0xFF_FFFF, int(self.distance_m)),
            inclination_percent=(
                round(self.incline_percent, 1)
                if incline and self.incline_percent is not None
                else None
            ),
            heart_rate_bpm=self.heart_rate_bpm,
            elapsed_time_s=min(0xFFFF, int(self.elapsed_s)),
        )
