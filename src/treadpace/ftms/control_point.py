"""Fitness Machine Control Point (0x2AD9): requests a client writes and the `80` responses.

A request is an op code followed by its parameter (ftms.md §4.1); the server answers
every request with `80 <request op> <result> [parameter]` (§4.2). Request decoding is
strict (a server must answer a badly formed parameter with Invalid Parameter), and a
readable op byte is reported in `FtmsDecodeError.op` so the server can say which op
failed. Reserved op codes decode to `UnknownRequest`, which a server answers with
Op Code Not Supported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, Final

from treadpace.ftms._params import OpMessage, Param, build, decode_params, encode_params
from treadpace.ftms._wire import Reader, put_uint, scaled
from treadpace.ftms.decode_error import FtmsDecodeError

CHARACTERISTIC: Final = "control point"
RESPONSE_CHARACTERISTIC: Final = "control point response"


class ControlOp(IntEnum):
    REQUEST_CONTROL = 0x00
    RESET = 0x01
    SET_TARGET_SPEED = 0x02
    SET_TARGET_INCLINATION = 0x03
    SET_TARGET_RESISTANCE_LEVEL = 0x04
    SET_TARGET_POWER = 0x05
    SET_TARGET_HEART_RATE = 0x06
    START_OR_RESUME = 0x07
    STOP_OR_PAUSE = 0x08
    SET_TARGETED_EXPENDED_ENERGY = 0x09
    SET_TARGETED_NUMBER_OF_STEPS = 0x0A
    SET_TARGETED_NUMBER_OF_STRIDES = 0x0B
    SET_TARGETED_DISTANCE = 0x0C
    SET_TARGETED_TRAINING_TIME = 0x0D
    SET_TARGETED_TIME_IN_TWO_HR_ZONES = 0x0E
    SET_TARGETED_TIME_IN_THREE_HR_ZONES = 0x0F
    SET_TARGETED_TIME_IN_FIVE_HR_ZONES = 0x10
    SET_INDOOR_BIKE_SIMULATION_PARAMETERS = 0x11
    SET_WHEEL_CIRCUMFERENCE = 0x12
    SPIN_DOWN_CONTROL = 0x13
    SET_TARGETED_CADENCE = 0x14
    RESPONSE_CODE = 0x80


class ResultCode(IntEnum):
    SUCCESS = 0x01
    OP_CODE_NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    OPERATION_FAILED = 0x04
    CONTROL_NOT_PERMITTED = 0x05


class StopControl(IntEnum):
    """Parameter of Stop or Pause (0x08) and of the Stopped or Paused status (0x02)."""

    STOP = 0x01
    PAUSE = 0x02


class SpinDownCommand(IntEnum):
    """Parameter of Spin Down Control (0x13)."""

    START = 0x01
    IGNORE = 0x02


# --- requests ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestControl(OpMessage):
    OP: ClassVar[int] = ControlOp.REQUEST_CONTROL


@dataclass(frozen=True, slots=True)
class Reset(OpMessage):
    OP: ClassVar[int] = ControlOp.RESET


@dataclass(frozen=True, slots=True)
class SetTargetSpeed(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGET_SPEED
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("speed_kmh", 2, scale=100),)
    speed_kmh: float


@dataclass(frozen=True, slots=True)
class SetTargetInclination(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGET_INCLINATION
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("incline_percent", 2, signed=True, scale=10),)
    incline_percent: float


@dataclass(frozen=True, slots=True)
class SetTargetResistance(OpMessage):
    """Resistance level, unitless, 0.1 resolution (uint8 per the v1.0 table)."""

    OP: ClassVar[int] = ControlOp.SET_TARGET_RESISTANCE_LEVEL
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("resistance_level", 1, scale=10),)
    resistance_level: float


@dataclass(frozen=True, slots=True)
class SetTargetPower(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGET_POWER
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("power_w", 2, signed=True),)
    power_w: int


@dataclass(frozen=True, slots=True)
class SetTargetHeartRate(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGET_HEART_RATE
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("heart_rate_bpm", 1),)
    heart_rate_bpm: int


@dataclass(frozen=True, slots=True)
class StartOrResume(OpMessage):
    OP: ClassVar[int] = ControlOp.START_OR_RESUME


@dataclass(frozen=True, slots=True)
class StopOrPause(OpMessage):
    """`control` is a `StopControl` value; reserved values are kept so a server can refuse them."""

    OP: ClassVar[int] = ControlOp.STOP_OR_PAUSE
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("control", 1),)
    control: int


@dataclass(frozen=True, slots=True)
class SetTargetedEnergy(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGETED_EXPENDED_ENERGY
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("energy_kcal", 2),)
    energy_kcal: int


@dataclass(frozen=True, slots=True)
class SetTargetedSteps(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGETED_NUMBER_OF_STEPS
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("steps", 2),)
    steps: int


@dataclass(frozen=True, slots=True)
class SetTargetedStrides(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGETED_NUMBER_OF_STRIDES
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("strides", 2),)
    strides: int


@dataclass(frozen=True, slots=True)
class SetTargetedDistance(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGETED_DISTANCE
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("distance_m", 3),)
    distance_m: int


@dataclass(frozen=True, slots=True)
class SetTargetedTime(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGETED_TRAINING_TIME
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("time_s", 2),)
    time_s: int


TWO_ZONES: Final = (Param("fat_burn_s", 2), Param("fitness_s", 2))
THREE_ZONES: Final = (Param("light_s", 2), Param("moderate_s", 2), Param("hard_s", 2))
FIVE_ZONES: Final = (
    Param("very_light_s", 2),
    Param("light_s", 2),
    Param("moderate_s", 2),
    Param("hard_s", 2),
    Param("maximum_s", 2),
)
BIKE_SIMULATION: Final = (
    Param("wind_speed_mps", 2, signed=True, scale=1000),
    Param("grade_percent", 2, signed=True, scale=100),
    Param("rolling_resistance", 1, scale=10000),
    Param("wind_resistance_kg_per_m", 1, scale=100),
)


@dataclass(frozen=True, slots=True)
class SetTargetedTimeTwoHrZones(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGETED_TIME_IN_TWO_HR_ZONES
    PARAMS: ClassVar[tuple[Param, ...]] = TWO_ZONES
    fat_burn_s: int
    fitness_s: int


@dataclass(frozen=True, slots=True)
class SetTargetedTimeThreeHrZones(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGETED_TIME_IN_THREE_HR_ZONES
    PARAMS: ClassVar[tuple[Param, ...]] = THREE_ZONES
    light_s: int
    moderate_s: int
    hard_s: int


@dataclass(frozen=True, slots=True)
class SetTargetedTimeFiveHrZones(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGETED_TIME_IN_FIVE_HR_ZONES
    PARAMS: ClassVar[tuple[Param, ...]] = FIVE_ZONES
    very_light_s: int
    light_s: int
    moderate_s: int
    hard_s: int
    maximum_s: int


@dataclass(frozen=True, slots=True)
class SetIndoorBikeSimulation(OpMessage):
    """Wind m/s (0.001), grade % (0.01), rolling resistance Crr (0.0001), wind Cw kg/m (0.01)."""

    OP: ClassVar[int] = ControlOp.SET_INDOOR_BIKE_SIMULATION_PARAMETERS
    PARAMS: ClassVar[tuple[Param, ...]] = BIKE_SIMULATION
    wind_speed_mps: float
    grade_percent: float
    rolling_resistance: float
    wind_resistance_kg_per_m: float


@dataclass(frozen=True, slots=True)
class SetWheelCircumference(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_WHEEL_CIRCUMFERENCE
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("circumference_mm", 2, scale=10),)
    circumference_mm: float


@dataclass(frozen=True, slots=True)
class SpinDownControl(OpMessage):
    """`control` is a `SpinDownCommand` value (1 start, 2 ignore); reserved values are kept."""

    OP: ClassVar[int] = ControlOp.SPIN_DOWN_CONTROL
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("control", 1),)
    control: int


@dataclass(frozen=True, slots=True)
class SetTargetedCadence(OpMessage):
    OP: ClassVar[int] = ControlOp.SET_TARGETED_CADENCE
    PARAMS: ClassVar[tuple[Param, ...]] = (Param("cadence_per_min", 2, scale=2),)
    cadence_per_min: float


@dataclass(frozen=True, slots=True)
class UnknownRequest:
    """A reserved op code (0x15-0xFF, including 0x80 written as a request) and its octets."""

    op: int
    parameter: bytes = b""


KnownRequest = (
    RequestControl
    | Reset
    | SetTargetSpeed
    | SetTargetInclination
    | SetTargetResistance
    | SetTargetPower
    | SetTargetHeartRate
    | StartOrResume
    | StopOrPause
    | SetTargetedEnergy
    | SetTargetedSteps
    | SetTargetedStrides
    | SetTargetedDistance
    | SetTargetedTime
    | SetTargetedTimeTwoHrZones
    | SetTargetedTimeThreeHrZones
    | SetTargetedTimeFiveHrZones
    | SetIndoorBikeSimulation
    | SetWheelCircumference
    | SpinDownControl
    | SetTargetedCadence
)
ControlRequest = KnownRequest | UnknownRequest

REQUEST_TYPES: Final[dict[int, type[KnownRequest]]] = {
    cls.OP: cls
    for cls in (
        RequestControl,
        Reset,
        SetTargetSpeed,
        SetTargetInclination,
        SetTargetResistance,
        SetTargetPower,
        SetTargetHeartRate,
        StartOrResume,
        StopOrPause,
        SetTargetedEnergy,
        SetTargetedSteps,
        SetTargetedStrides,
        SetTargetedDistance,
        SetTargetedTime,
        SetTargetedTimeTwoHrZones,
        SetTargetedTimeThreeHrZones,
        SetTargetedTimeFiveHrZones,
        SetIndoorBikeSimulation,
        SetWheelCircumference,
        SpinDownControl,
        SetTargetedCadence,
    )
}


def request_op(request: ControlRequest) -> int:
    """The op code of any request, reserved ones included."""
    return request.op if isinstance(request, UnknownRequest) else request.OP


def encode_control_request(request: ControlRequest) -> bytes:
    """Octets to write to the Control Point. Raises ValueError for unrepresentable values."""
    if isinstance(request, UnknownRequest):
        if request.op in REQUEST_TYPES:
            raise ValueError(
                f"control point: op 0x{request.op:02X} is {ControlOp(request.op).name}; "
                "use its request class"
            )
        return put_uint(request.op, 1, "op") + bytes(request.parameter)
    return bytes([request.OP]) + encode_params(request)


def decode_control_request(data: bytes) -> ControlRequest:
    """Decode a Control Point write. The parameter must have exactly its specified length."""
    reader = Reader(data, CHARACTERISTIC)
    op = reader.uint(1, "op code")
    cls = REQUEST_TYPES.get(op)
    if cls is None:
        return UnknownRequest(op, reader.rest())
    reader.op = op
    name = ControlOp(op).name.lower()
    expected = sum(p.size for p in cls.PARAMS)
    if reader.remaining != expected:
        raise FtmsDecodeError(
            CHARACTERISTIC,
            f"{name} takes {expected} parameter octet{'s' if expected != 1 else ''}, "
            f"got {reader.remaining}",
            op=op,
        )
    return build(cls, decode_params(reader, cls.PARAMS, name))


# --- responses -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ControlResponse:
    """`80 <request_op> <result> [parameter]`; `result` is a `ResultCode` or a reserved int."""

    request_op: int
    result: int
    parameter: bytes = b""

    @property
    def ok(self) -> bool:
        return self.result == ResultCode.SUCCESS

    def spin_down_targets(self) -> tuple[float, float] | None:
        """(low, high) target speed in km/h of a successful Spin Down response, else None."""
        if (
            self.request_op != ControlOp.SPIN_DOWN_CONTROL
            or self.result != ResultCode.SUCCESS
            or len(self.parameter) != 4
        ):
            return None
        low = int.from_bytes(self.parameter[:2], "little")
        high = int.from_bytes(self.parameter[2:], "little")
        return low / 100, high / 100


def spin_down_response(low_kmh: float, high_kmh: float) -> ControlResponse:
    """The success response to Spin Down Control (start), carrying the target speed window."""
    parameter = put_uint(scaled(low_kmh, 100, "low_kmh"), 2, "low_kmh") + put_uint(
        scaled(high_kmh, 100, "high_kmh"), 2, "high_kmh"
    )
    return ControlResponse(ControlOp.SPIN_DOWN_CONTROL, ResultCode.SUCCESS, parameter)


def encode_control_response(response: ControlResponse) -> bytes:
    return (
        bytes([ControlOp.RESPONSE_CODE])
        + put_uint(response.request_op, 1, "request_op")
        + put_uint(response.result, 1, "result")
        + bytes(response.parameter)
    )


def decode_control_response(data: bytes) -> ControlResponse:
    """Decode an indication (or, on sloppy firmware, a notification) from the Control Point."""
    reader = Reader(data, RESPONSE_CHARACTERISTIC)
    code = reader.uint(1, "response op code")
    if code != ControlOp.RESPONSE_CODE:
        raise FtmsDecodeError(
            RESPONSE_CHARACTERISTIC, f"expected response op code 0x80, got 0x{code:02X}"
        )
    request = reader.uint(1, "request op code")
    result = reader.uint(1, "result code")
    return ControlResponse(request, result, reader.rest())
