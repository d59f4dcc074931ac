"""The runner's settings the engine needs, lifted out of a Profile.

Kept separate from the pydantic Profile so the engine (and its tests) depend on
a small frozen value, not on how profiles are parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from treadpace.base import display
from treadpace.base.user_error import UserError
from treadpace.engine.true_pace import TruePaceConfig

if TYPE_CHECKING:
    from treadpace.ftms import InclinationRange, SpeedRange
    from treadpace.plans import Profile
    from treadpace.plans.true_pace_settings import CalibrationRecord
    from treadpace.treadmill.true_speed import Calibration


@dataclass(frozen=True)
class EngineConfig:
    max_speed_kmh: float = 20.0
    """The runner's cap; the machine's own maximum applies on top (safety rule 1)."""
    max_incline_percent: float = 15.0
    incline_offset_percent: float = 0.0
    """Added to every step's incline (e.g. 1 % to mimic outdoor effort)."""
    manual_change: Literal["offset", "hold"] = "offset"
    """A console speed change: keep the difference for the rest of the step, or hold the speed."""
    nudge_kmh: float | None = None
    """One +/- press; None means the machine's increment."""
    countdown_s: int = 3
    """Seconds of 3-2-1 before the belt starts; 0 starts at once (`--yes`)."""
    extend_time_s: float = 60.0
    extend_distance_m: float = 200.0
    stop_timeout_s: float = 5.0
    """How long an exit path waits for the stop command's answer."""
    link_timeout_s: float = 300.0
    """After a link loss, abort the run if no reconnect arrives within this (plan paused)."""
    obey_timeout_s: float = 15.0
    """A setpoint the belt shows no sign of following for this long means guided mode (Q4)."""
    imperial: bool = False
    device: str = ""
    simulated: bool = False
    """The treadmill is the software one: said in RunStarted, so the history can tell."""
    allow_remote_start: bool = False
    """A remote command (MQTT, web) may start a standing belt (see `engine.gate`)."""
    hr_zones: tuple[int, ...] | None = None
    """The profile's six heart-rate zone bounds (zone 1 low .. zone 5 high), if known."""
    true_pace: TruePaceConfig = field(default_factory=TruePaceConfig)
    """The machine's calibration and the footpod trim (engine/true_pace.py)."""

    @classmethod
    def from_profile(
        cls, profile: Profile, machine: str | None = None, **overrides: Any
    ) -> EngineConfig:
        """The profile's settings; `machine` (its identity) picks the belt's calibration."""
        cfg = cls(
            max_speed_kmh=float(profile.max_speed_kmh),
            max_incline_percent=float(profile.max_incline_percent),
            incline_offset_percent=float(profile.treadmill.incline_offset_percent),
            manual_change=profile.manual_change,
            imperial=bool(profile.imperial),
            allow_remote_start=bool(profile.mqtt.allow_remote_start),
            hr_zones=profile.heart_rate.bounds(),
            true_pace=true_pace_config(profile, machine),
        )
        return replace(cfg, **overrides) if overrides else cfg

    def check_fits(self, speeds: SpeedRange, inclines: InclinationRange | None) -> None:
        """Refuse (UserError) a cap below the machine's minimum, before anything moves.

        The setpoint grid never commands less than the machine's minimum, so such a
        cap would be broken by every command (safety rule 1): the run is refused.
        """
        if self.max_speed_kmh < speeds.min_kmh - 1e-9:
            raise UserError(
                f"max_speed: expected at least this treadmill's minimum speed "
                f"{self._speed(speeds.min_kmh)}, got {self._speed(self.max_speed_kmh)} "
                "(the belt cannot go slower; raise the profile's max_speed or use another "
                "treadmill)"
            )
        if inclines is not None and self.max_incline_percent < inclines.min_percent - 1e-9:
            raise UserError(
                f"max_incline: expected at least this treadmill's minimum incline "
                f"{inclines.min_percent:g} %, got {self.max_incline_percent:g} % "
                "(raise the profile's max_incline or use another treadmill)"
            )

    def _speed(self, kmh: float) -> str:
        return display.speed(kmh, self.imperial)


def true_pace_config(profile: Profile, machine: str | None) -> TruePaceConfig:
    """The profile's true-pace switches and the calibration saved for `machine`, if any."""
    tp = profile.true_pace
    record = tp.calibrations.get(machine) if machine and tp.use_calibration else None
    calibration = calibration_from_record(record) if record is not None else None
    return TruePaceConfig(
        calibration, bool(tp.footpod_trim), tp.max_correction_percent / 100.0, bool(tp.lead)
    )


def calibration_from_record(record: CalibrationRecord) -> Calibration:
    """A profile's saved calibration as the curve the engine uses."""
    from treadpace.treadmill.true_speed import Calibration

    return Calibration(
        tuple((float(v), float(r)) for v, r in record.points),
        float(record.per_incline),
        tuple(float(x) for x in record.residuals_percent),
    )
