"""Supported Speed Range (0x2AD4) and Supported Inclination Range (0x2AD5).

Three little-endian values each: minimum, maximum, minimum increment. The decoders
reject ranges a controller must not clamp to (maximum below minimum, zero increment),
so the caller falls back to its profile; the encoders write whatever they are given,
because the simulator must be able to reproduce broken machines. An all-zero
inclination range is not broken: walking pads without incline (the Urevo) report it,
so it decodes, and `InclinationRange.no_incline` says what it means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from treadpace.ftms._wire import Reader, put_sint, put_uint, scaled, unscale
from treadpace.ftms.decode_error import FtmsDecodeError

SPEED_CHARACTERISTIC: Final = "supported speed range"
INCLINATION_CHARACTERISTIC: Final = "supported inclination range"


@dataclass(frozen=True, slots=True)
class SpeedRange:
    """km/h, 0.01 resolution."""

    min_kmh: float
    max_kmh: float
    increment_kmh: float


@dataclass(frozen=True, slots=True)
class InclinationRange:
    """Percent grade, 0.1 resolution; the limits may be negative (decline)."""

    min_percent: float
    max_percent: float
    increment_percent: float

    @property
    def no_incline(self) -> bool:
        """All zero: how a machine without incline fills the characteristic in."""
        return self.min_percent == self.max_percent == self.increment_percent == 0


def encode_speed_range(r: SpeedRange) -> bytes:
    return (
        put_uint(scaled(r.min_kmh, 100, "min_kmh"), 2, "min_kmh")
        + put_uint(scaled(r.max_kmh, 100, "max_kmh"), 2, "max_kmh")
        + put_uint(scaled(r.increment_kmh, 100, "increment_kmh"), 2, "increment_kmh")
    )


def _check(characteristic: str, low: int, high: int, step: int, unit: str, scale: int) -> None:
    if high < low:
        raise FtmsDecodeError(
            characteristic,
            f"maximum {high / scale} {unit} is below minimum {low / scale} {unit}",
        )
    if step == 0:
        raise FtmsDecodeError(characteristic, "minimum increment is 0")


def decode_speed_range(data: bytes) -> SpeedRange:
    reader = Reader(data, SPEED_CHARACTERISTIC)
    low = reader.uint(2, "minimum speed")
    high = reader.uint(2, "maximum speed")
    step = reader.uint(2, "minimum increment")
    _check(SPEED_CHARACTERISTIC, low, high, step, "km/h", 100)
    return SpeedRange(unscale(low, 100), unscale(high, 100), unscale(step, 100))


def encode_inclination_range(r: InclinationRange) -> bytes:
    return (
        put_sint(scaled(r.min_percent, 10, "min_percent"), 2, "min_percent")
        + put_sint(scaled(r.max_percent, 10, "max_percent"), 2, "max_percent")
        + put_uint(scaled(r.increment_percent, 10, "increment_percent"), 2, "increment_percent")
    )


def decode_inclination_range(data: bytes) -> InclinationRange:
    reader = Reader(data, INCLINATION_CHARACTERISTIC)
    low = reader.sint(2, "minimum inclination")
    high = reader.sint(2, "maximum inclination")
    step = reader.uint(2, "minimum increment")
    if low == high == step == 0:
        return InclinationRange(0.0, 0.0, 0.0)
    _check(INCLINATION_CHARACTERISTIC, low, high, step, "%", 10)
    return InclinationRange(unscale(low, 10), unscale(high, 10), unscale(step, 10))
