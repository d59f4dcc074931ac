"""The profile's `footpod:` and `true_pace:` sections: the footpod to pin, and each belt's curve.

`treadpace calibrate` writes one `Calibration` a treadmill under
`true_pace.calibrations`, keyed by the machine's identity (its Bluetooth address, or
`simulator:MODEL`), with the date and the residuals; a run on that machine then
asks the belt for the speed at which the runner *really* runs the plan's pace.
The switches turn each part off; `max_correction_percent` bounds how far a
setpoint may move from the plan's number (a calibration that says more is suspect).
"""

from __future__ import annotations

import datetime as dt
import itertools

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from treadpace.plans.numbers import Number


class FootpodSettings(BaseModel):
    """A Running Speed and Cadence footpod to use (only this one: rule 6 for pods too)."""

    model_config = ConfigDict(extra="forbid")

    address: str | None = None
    name: str | None = None

    @property
    def target(self) -> str | None:
        return self.address or self.name


class CalibrationRecord(BaseModel):
    """One belt's measured ratio of true speed to reported speed."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    points: list[tuple[Number, Number]] = Field(min_length=1)
    """(reported km/h, ratio) by rising speed."""
    per_incline: Number = 0.0
    residuals_percent: list[Number] = Field(default_factory=list)

    @field_validator("points")
    @classmethod
    def _rising(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        speeds = [v for v, _ in points]
        if any(b <= a for a, b in itertools.pairwise(speeds)):
            raise ValueError("expected points at rising speeds")
        if not all(0.5 <= r <= 1.5 for _, r in points):
            raise ValueError("expected ratios between 0.5 and 1.5")
        return points


class TruePaceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    use_calibration: bool = True
    """Correct setpoints with the machine's calibration, when there is one."""
    footpod_trim: bool = True
    """With a live footpod, trim the remaining error slowly (a dead band, a rate limit)."""
    lead: bool = True
    """Ask for a change of speed a few seconds early, so the belt's lag is shared by the
    steps either side of it (never more than 10 s, never before a stop or a pause)."""
    max_correction_percent: Number = Field(default=10.0, gt=0, le=25)
    calibrations: dict[str, CalibrationRecord] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _keys(self) -> TruePaceSettings:
        if any(not k.strip() for k in self.calibrations):
            raise ValueError("expected a treadmill's identity as each calibration's key")
        return self

