"""Fitness Machine Feature (0x2ACC): what the machine claims to measure and to accept as targets.

Two little-endian uint32 bitfields. Real firmwares set these bits carelessly
(ftms.md §3), so treat them as hints. Reserved bits are kept (IntFlag keeps
unknown bits), so a decoded value re-encodes to the same octets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import Final, TypeVar

from treadpace.ftms._wire import Reader, put_uint

CHARACTERISTIC: Final = "fitness machine feature"


class MachineFeature(IntFlag):
    """First uint32: the data fields the machine supports."""

    AVERAGE_SPEED = 1 << 0
    CADENCE = 1 << 1
    TOTAL_DISTANCE = 1 << 2
    INCLINATION = 1 << 3
    ELEVATION_GAIN = 1 << 4
    PACE = 1 << 5
    STEP_COUNT = 1 << 6
    RESISTANCE_LEVEL = 1 << 7
    STRIDE_COUNT = 1 << 8
    EXPENDED_ENERGY = 1 << 9
    HEART_RATE_MEASUREMENT = 1 << 10
    METABOLIC_EQUIVALENT = 1 << 11
    ELAPSED_TIME = 1 << 12
    REMAINING_TIME = 1 << 13
    POWER_MEASUREMENT = 1 << 14
    FORCE_ON_BELT_AND_POWER_OUTPUT = 1 << 15
    USER_DATA_RETENTION = 1 << 16


class TargetFeature(IntFlag):
    """Second uint32: the control-point targets the machine accepts."""

    SPEED_TARGET = 1 << 0
    INCLINATION_TARGET = 1 << 1
    RESISTANCE_TARGET = 1 << 2
    POWER_TARGET = 1 << 3
    HEART_RATE_TARGET = 1 << 4
    TARGETED_EXPENDED_ENERGY = 1 << 5
    TARGETED_STEP_NUMBER = 1 << 6
    TARGETED_STRIDE_NUMBER = 1 << 7
    TARGETED_DISTANCE = 1 << 8
    TARGETED_TRAINING_TIME = 1 << 9
    TARGETED_TIME_IN_TWO_HR_ZONES = 1 << 10
    TARGETED_TIME_IN_THREE_HR_ZONES = 1 << 11
    TARGETED_TIME_IN_FIVE_HR_ZONES = 1 << 12
    INDOOR_BIKE_SIMULATION = 1 << 13
    WHEEL_CIRCUMFERENCE = 1 << 14
    SPIN_DOWN_CONTROL = 1 << 15
    TARGETED_CADENCE = 1 << 16


_NO_MACHINE_FEATURES: Final = MachineFeature(0)
_NO_TARGET_FEATURES: Final = TargetFeature(0)


@dataclass(frozen=True, slots=True)
class Feature:
    machine: MachineFeature = _NO_MACHINE_FEATURES
    target: TargetFeature = _NO_TARGET_FEATURES


def encode_feature(feature: Feature) -> bytes:
    return put_uint(int(feature.machine), 4, "machine features") + put_uint(
        int(feature.target), 4, "target setting features"
    )


# IntFlag caches every composite value it is asked for, forever. Values come from
# devices (and from the fuzz test), so the cache is trimmed back to the named bits
# once it grows past this size; a trimmed value is simply rebuilt on its next use.
FLAG_CACHE_LIMIT: Final = 1024

_Flags = TypeVar("_Flags", MachineFeature, TargetFeature)


def _flags(enum: type[_Flags], value: int) -> _Flags:
    flags = enum(value)
    cache = enum._value2member_map_
    if len(cache) > FLAG_CACHE_LIMIT:
        named = {member.value for member in enum.__members__.values()}
        for key in [key for key in cache if key not in named]:
            del cache[key]
    return flags


def decode_feature(data: bytes) -> Feature:
    """Decode the 8-octet value; octets after the two bitfields are ignored (padding)."""
    reader = Reader(data, CHARACTERISTIC)
    machine = reader.uint(4, "fitness machine features")
    target = reader.uint(4, "target setting features")
    return Feature(_flags(MachineFeature, machine), _flags(TargetFeature, target))
