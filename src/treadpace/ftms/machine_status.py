"""Fitness Machine Status (0x2ADA): what changed on the machine, by the user or another client.

An op code followed by its parameter (ftms.md §5.1). Real firmwares pad short
statuses with zero octets (Urevo: `04 00 00`, `02 02 00`), so trailing octets after
the parameter are ignored. Reserved op codes decode to `StatusUnknown`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, Final

from treadpace.ftms._params import OpMessage, Param, build, decode_params, encode_params
from treadpace.ftms._wire import Reader, put_uint
from treadpace.ftms.control_point import BIKE_SIMULATION, FIVE_ZONES, THREE_ZONES, TWO_ZONES

CHARACTERISTIC: Final = "fitness machine status"


class MachineStatusOp(IntEnum):
    RESET = 0x01
    STOPPED_OR_PAUSED_BY_USER = 0x02
    STOPPED_BY_SAFETY_KEY = 0x03
    STARTED_OR_RESUMED_BY_USER = 0x04
    TARGET_SPEED_CHANGED = 0x05
    TARGET_INCLINE_CHANGED = 0x06
    TARGET_RESISTANCE_LEVEL_CHANGED = 0x07
    TARGET_POWER_CHANGED = 0x08
    TARGET_HEART_RATE_CHANGED = 0x09
    TARGETED_EXPENDED_ENERGY_CHANGED = 0x0A
    TARGETED_NUMBER_OF_STEPS_CHANGED = 0x0B
    TARGETED_NUMBER_OF_STRIDES_CHANGED = 0x0C
    TARGETED_DISTANCE_CHANGED = 0x0D
    TARGETED_TRAINING_TIME_CHANGED = 0x0E
    TARGETED_TIME_IN_TWO_HR_ZONES_CHANGED = 0x0F
    TARGETED_TIME_IN_THREE_HR_ZONES_CHANGED = 0x10
    TARGETED_TIME_IN_FIVE_HR_ZONES_CHANGED = 0x11
    INDOOR_BIKE_SIMULATION_PARAMETERS_CHANGED = 0x12
    WHEEL_CIRCUMFERENCE_CHANGED = 0x13
    SPIN_DOWN_STATUS = 0x14
    TARGETED_CADENCE_CHANGED = 0x15
    CONTROL_PERMISSION_LOST = 0xFF


class SpinDownStatusCode(IntEnum):
    REQUESTED = 0x01
    SUCCESS = 0x02
    ERROR = 0x03
    STOP_PEDALLING = 0x04


@dataclass(frozen=True, slots=True)
class StatusReset(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.RESET


@dataclass(frozen=True, slots=True)
class StatusStoppedOrPaused(OpMessage):
    """Stopped (control 1) or paused (control 2) by the user at the console."""

    OP: ClassVar[int] = MachineStatusOp.STOPPED_OR_PAUSED_BY_USER
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("control", 1),)
    control: int


@dataclass(frozen=True, slots=True)
class StatusSafetyKey(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.STOPPED_BY_SAFETY_KEY


@dataclass(frozen=True, slots=True)
class StatusStartedOrResumed(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.STARTED_OR_RESUMED_BY_USER


@dataclass(frozen=True, slots=True)
class StatusTargetSpeed(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGET_SPEED_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("speed_kmh", 2, scale=100),)
    speed_kmh: float


@dataclass(frozen=True, slots=True)
class StatusTargetIncline(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGET_INCLINE_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("incline_percent", 2, signed=True, scale=10),)
    incline_percent: float


@dataclass(frozen=True, slots=True)
class StatusTargetResistance(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGET_RESISTANCE_LEVEL_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("resistance_level", 1, scale=10),)
    resistance_level: float


@dataclass(frozen=True, slots=True)
class StatusTargetPower(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGET_POWER_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("power_w", 2, signed=True),)
    power_w: int


@dataclass(frozen=True, slots=True)
class StatusTargetHeartRate(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGET_HEART_RATE_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("heart_rate_bpm", 1),)
    heart_rate_bpm: int


@dataclass(frozen=True, slots=True)
class StatusTargetedEnergy(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGETED_EXPENDED_ENERGY_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("energy_kcal", 2),)
    energy_kcal: int


@dataclass(frozen=True, slots=True)
class StatusTargetedSteps(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGETED_NUMBER_OF_STEPS_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("steps", 2),)
    steps: int


@dataclass(frozen=True, slots=True)
class StatusTargetedStrides(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGETED_NUMBER_OF_STRIDES_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("strides", 2),)
    strides: int


@dataclass(frozen=True, slots=True)
class StatusTargetedDistance(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGETED_DISTANCE_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("distance_m", 3),)
    distance_m: int


@dataclass(frozen=True, slots=True)
class StatusTargetedTime(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGETED_TRAINING_TIME_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("time_s", 2),)
    time_s: int


@dataclass(frozen=True, slots=True)
class StatusTargetedTimeTwoHrZones(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGETED_TIME_IN_TWO_HR_ZONES_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = TWO_ZONES
    fat_burn_s: int
    fitness_s: int


@dataclass(frozen=True, slots=True)
class StatusTargetedTimeThreeHrZones(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGETED_TIME_IN_THREE_HR_ZONES_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = THREE_ZONES
    light_s: int
    moderate_s: int
    hard_s: int


@dataclass(frozen=True, slots=True)
class StatusTargetedTimeFiveHrZones(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGETED_TIME_IN_FIVE_HR_ZONES_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = FIVE_ZONES
    very_light_s: int
    light_s: int
    moderate_s: int
    hard_s: int
    maximum_s: int


@dataclass(frozen=True, slots=True)
class StatusIndoorBikeSimulation(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.INDOOR_BIKE_SIMULATION_PARAMETERS_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = BIKE_SIMULATION
    wind_speed_mps: float
    grade_percent: float
    rolling_resistance: float
    wind_resistance_kg_per_m: float


@dataclass(frozen=True, slots=True)
class StatusWheelCircumference(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.WHEEL_CIRCUMFERENCE_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("circumference_mm", 2, scale=10),)
    circumference_mm: float


@dataclass(frozen=True, slots=True)
class StatusSpinDown(OpMessage):
    """`status` is a `SpinDownStatusCode` value; reserved values are kept."""

    OP: ClassVar[int] = MachineStatusOp.SPIN_DOWN_STATUS
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("status", 1),)
    status: int


@dataclass(frozen=True, slots=True)
class StatusTargetedCadence(OpMessage):
    OP: ClassVar[int] = MachineStatusOp.TARGETED_CADENCE_CHANGED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("cadence_per_min", 2, scale=2),)
    cadence_per_min: float


@dataclass(frozen=True, slots=True)
class StatusControlLost(OpMessage):
    """Control Permission Lost: the client must Request Control again."""

    OP: ClassVar[int] = MachineStatusOp.CONTROL_PERMISSION_LOST


@dataclass(frozen=True, slots=True)
class StatusUnknown:
    """A reserved op code (0x00, 0x16-0xFE) with everything after it."""

    op: int
    parameter: bytes = b""


KnownStatus = (
    StatusReset
    | StatusStoppedOrPaused
    | StatusSafetyKey
    | StatusStartedOrResumed
    | StatusTargetSpeed
    | StatusTargetIncline
    | StatusTargetResistance
    | StatusTargetPower
    | StatusTargetHeartRate
    | StatusTargetedEnergy
    | StatusTargetedSteps
    | StatusTargetedStrides
    | StatusTargetedDistance
    | StatusTargetedTime
    | StatusTargetedTimeTwoHrZones
    | StatusTargetedTimeThreeHrZones
    | StatusTargetedTimeFiveHrZones
    | StatusIndoorBikeSimulation
    | StatusWheelCircumference
    | StatusSpinDown
    | StatusTargetedCadence
    | StatusControlLost
)
MachineStatus = KnownStatus | StatusUnknown

STATUS_TYPES: Final[dict[int, type[KnownStatus]]] = {
    cls.OP: cls
    for cls in (
        StatusReset,
        StatusStoppedOrPaused,
        StatusSafetyKey,
        StatusStartedOrResumed,
        StatusTargetSpeed,
        StatusTargetIncline,
        StatusTargetResistance,
        StatusTargetPower,
        StatusTargetHeartRate,
        StatusTargetedEnergy,
        StatusTargetedSteps,
        StatusTargetedStrides,
        StatusTargetedDistance,
        StatusTargetedTime,
        StatusTargetedTimeTwoHrZones,
        StatusTargetedTimeThreeHrZones,
        StatusTargetedTimeFiveHrZones,
        StatusIndoorBikeSimulation,
        StatusWheelCircumference,
        StatusSpinDown,
        StatusTargetedCadence,
        StatusControlLost,
    )
}


def encode_machine_status(status: MachineStatus) -> bytes:
    if isinstance(status, StatusUnknown):
        if status.op in STATUS_TYPES:
            raise ValueError(
                f"machine status: op 0x{status.op:02X} is {MachineStatusOp(status.op).name}; "
                "use its status class"
            )
        return put_uint(status.op, 1, "op") + bytes(status.parameter)
    return bytes([status.OP]) + encode_params(status)


def decode_machine_status(data: bytes) -> MachineStatus:
    """Decode a status notification; octets after the parameter (padding) are ignored."""
    reader = Reader(data, CHARACTERISTIC)
    op = reader.uint(1, "op code")
    cls = STATUS_TYPES.get(op)
    if cls is None:
        return StatusUnknown(op, reader.rest())
    return build(cls, decode_params(reader, cls.PARAMS, MachineStatusOp(op).name.lower()))
