"""Running Speed and Cadence service (0x1814): the footpod protocol a watch understands.

treadpace rebroadcasts the belt as a footpod (`run --broadcast rsc`), so the codec
lives here beside FTMS, pure and symmetric: frozen messages, `encode_*` raising
ValueError for a value the wire cannot carry, `decode_*` raising only
`FtmsDecodeError`.

Layouts (all little-endian):
- RSC Measurement (0x2A53): flags (uint8: bit 0 stride length present, bit 1 total
  distance present, bit 2 running rather than walking), instantaneous speed (uint16,
  1/256 m/s), instantaneous cadence (uint8, steps/min, always present), then the
  optional stride length (uint16, cm) and total distance (uint32, dm).
- RSC Feature (0x2A54): uint16 bit field of what the sensor can measure.
- Sensor Location (0x2A5D): one uint8 code.
- SC Control Point (0x2A55): op code + parameter; the sensor answers by indication
  `10 <request op> <result> [parameter]`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

from treadpace.ftms._wire import Reader, put_uint, scaled, unscale

MEASUREMENT: Final = "rsc measurement"
FEATURE: Final = "rsc feature"
LOCATION: Final = "sensor location"
CONTROL_POINT: Final = "sc control point"

STRIDE_PRESENT: Final = 1 << 0
DISTANCE_PRESENT: Final = 1 << 1
RUNNING: Final = 1 << 2

SPEED_SCALE: Final = 256  # 1/256 m/s
STRIDE_SCALE: Final = 100  # cm
DISTANCE_SCALE: Final = 10  # dm


@dataclass(frozen=True, slots=True)
class RscMeasurement:
    """One footpod sample. Cadence has no "absent" on the wire: 0 means none is known."""

    speed_mps: float
    cadence_spm: int = 0
    stride_length_m: float | None = None
    total_distance_m: float | None = None
    running: bool = False


def encode_rsc_measurement(m: RscMeasurement) -> bytes:
    flags = RUNNING if m.running else 0
    if m.stride_length_m is not None:
        flags |= STRIDE_PRESENT
    if m.total_distance_m is not None:
        flags |= DISTANCE_PRESENT
    out = bytes([flags])
    out += put_uint(scaled(m.speed_mps, SPEED_SCALE, "speed_mps"), 2, "speed_mps")
    out += put_uint(m.cadence_spm, 1, "cadence_spm")
    if m.stride_length_m is not None:
        raw = scaled(m.stride_length_m, STRIDE_SCALE, "stride_length_m")
        out += put_uint(raw, 2, "stride_length_m")
    if m.total_distance_m is not None:
        raw = scaled(m.total_distance_m, DISTANCE_SCALE, "total_distance_m")
        out += put_uint(raw, 4, "total_distance_m")
    return out


def decode_rsc_measurement(data: bytes) -> RscMeasurement:
    """Reserved flag bits and trailing octets are ignored (a later spec may add fields)."""
    reader = Reader(data, MEASUREMENT)
    flags = reader.uint(1, "flags")
    speed = unscale(reader.uint(2, "instantaneous speed"), SPEED_SCALE)
    cadence = reader.uint(1, "instantaneous cadence")
    stride = None
    if flags & STRIDE_PRESENT:
        stride = unscale(reader.uint(2, "instantaneous stride length"), STRIDE_SCALE)
    distance = None
    if flags & DISTANCE_PRESENT:
        distance = unscale(reader.uint(4, "total distance"), DISTANCE_SCALE)
    return RscMeasurement(speed, cadence, stride, distance, bool(flags & RUNNING))


class RscFeatureBit(enum.IntEnum):
    STRIDE_LENGTH = 1 << 0
    TOTAL_DISTANCE = 1 << 1
    WALKING_OR_RUNNING_STATUS = 1 << 2
    CALIBRATION = 1 << 3
    MULTIPLE_SENSOR_LOCATIONS = 1 << 4


@dataclass(frozen=True, slots=True)
class RscFeature:
    """`bits` is the raw uint16 (reserved bits kept, so a decode re-encodes the same)."""

    bits: int

    def supports(self, bit: RscFeatureBit) -> bool:
        return bool(self.bits & bit)


def encode_rsc_feature(f: RscFeature) -> bytes:
    return put_uint(f.bits, 2, "bits")


def decode_rsc_feature(data: bytes) -> RscFeature:
    return RscFeature(Reader(data, FEATURE).uint(2, "feature bits"))


class SensorLocationCode(enum.IntEnum):
    OTHER = 0
    TOP_OF_SHOE = 1
    IN_SHOE = 2
    HIP = 3
    CHEST = 14


@dataclass(frozen=True, slots=True)
class SensorLocation:
    location: int


def encode_sensor_location(s: SensorLocation) -> bytes:
    return put_uint(s.location, 1, "location")


def decode_sensor_location(data: bytes) -> SensorLocation:
    return SensorLocation(Reader(data, LOCATION).uint(1, "sensor location"))


# --- SC Control Point -----------------------------------------------------------------


class ScOp(enum.IntEnum):
    SET_CUMULATIVE_VALUE = 0x01
    START_SENSOR_CALIBRATION = 0x02
    UPDATE_SENSOR_LOCATION = 0x03
    REQUEST_SUPPORTED_SENSOR_LOCATIONS = 0x04
    RESPONSE_CODE = 0x10


class ScResult(enum.IntEnum):
    SUCCESS = 0x01
    OP_CODE_NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    OPERATION_FAILED = 0x04


@dataclass(frozen=True, slots=True)
class ScRequest:
    """A control-point write. `value` is the op's parameter: total distance in dm for
    Set Cumulative Value, a location code for Update Sensor Location; otherwise None.
    `parameter` holds the octets of an op code this codec does not know."""

    op: int
    value: int | None = None
    parameter: bytes = b""


_PARAM_SIZE: Final = {
    ScOp.SET_CUMULATIVE_VALUE: 4,
    ScOp.START_SENSOR_CALIBRATION: 0,
    ScOp.UPDATE_SENSOR_LOCATION: 1,
    ScOp.REQUEST_SUPPORTED_SENSOR_LOCATIONS: 0,
}


def encode_sc_request(r: ScRequest) -> bytes:
    out = put_uint(r.op, 1, "op")
    size = _PARAM_SIZE.get(r.op)  # type: ignore[call-overload]
    if size is None:
        return out + bytes(r.parameter)
    if (r.value is None) != (size == 0):
        raise ValueError(f"{ScOp(r.op).name.lower()}: parameter value {r.value!r} is not valid")
    return out + (put_uint(r.value, size, "value") if r.value is not None else b"")


def decode_sc_request(data: bytes) -> ScRequest:
    """A known op with the wrong parameter length names its op (for `10 op 03`)."""
    reader = Reader(data, CONTROL_POINT)
    op = reader.uint(1, "op code")
    size = _PARAM_SIZE.get(op)  # type: ignore[call-overload]
    if size is None:
        return ScRequest(op, None, reader.rest())
    if reader.remaining != size:
        reader.op = op
        raise reader.fail(
            f"{ScOp(op).name.lower()} takes {size} parameter octets, got {reader.remaining}"
        )
    return ScRequest(op, reader.uint(size, "parameter") if size else None)


@dataclass(frozen=True, slots=True)
class ScResponse:
    """`10 <request op> <result> [parameter]` (the supported locations list, for op 04)."""

    request_op: int
    result: int
    parameter: bytes = b""


def encode_sc_response(r: ScResponse) -> bytes:
    return (
        bytes([ScOp.RESPONSE_CODE])
        + put_uint(r.request_op, 1, "request_op")
        + put_uint(r.result, 1, "result")
        + bytes(r.parameter)
    )


def decode_sc_response(data: bytes) -> ScResponse:
    reader = Reader(data, CONTROL_POINT)
    op = reader.uint(1, "op code")
    if op != ScOp.RESPONSE_CODE:
        raise reader.fail(f"a response starts with 0x10, not 0x{op:02x}")
    request_op = reader.uint(1, "request op code")
    return ScResponse(request_op, reader.uint(1, "result code"), reader.rest())


def decode_sc_control_point(data: bytes) -> ScRequest | ScResponse:
    """Both directions share 0x2A55; 0x10 is never a request op, so `10 op result` answers."""
    if len(data) >= 3 and data[0] == ScOp.RESPONSE_CODE:
        return decode_sc_response(data)
    return decode_sc_request(data)


RscMessage = RscMeasurement | RscFeature | SensorLocation | ScRequest | ScResponse


def _name(enum_type: type[enum.IntEnum], value: int) -> str:
    try:
        return enum_type(value).name.lower()
    except ValueError:
        return f"reserved_0x{value:02x}"


def rsc_to_json(message: RscMessage) -> dict[str, Any]:
    """The decode tool's JSON shape (snake_case, unit suffixes, absent fields omitted)."""
    if isinstance(message, RscMeasurement):
        out: dict[str, Any] = {
            "characteristic": "rsc-measurement",
            "speed_mps": message.speed_mps,
            "speed_kmh": round(message.speed_mps * 3.6, 3),
            "cadence_spm": message.cadence_spm,
            "running": message.running,
        }
        if message.stride_length_m is not None:
            out["stride_length_m"] = message.stride_length_m
        if message.total_distance_m is not None:
            out["total_distance_m"] = message.total_distance_m
        return out
    if isinstance(message, RscFeature):
        out = {
            "characteristic": "rsc-feature",
            "features": [b.name.lower() for b in RscFeatureBit if message.bits & b],
        }
        reserved = message.bits & ~sum(RscFeatureBit)
        if reserved:
            out["reserved_bits"] = reserved
        return out
    if isinstance(message, SensorLocation):
        return {
            "characteristic": "sensor-location",
            "location": _name(SensorLocationCode, message.location),
        }
    if isinstance(message, ScResponse):
        out = {
            "characteristic": "sc-control-point",
            "op": "response_code",
            "request_op": _name(ScOp, message.request_op),
            "result": _name(ScResult, message.result),
        }
        if message.parameter:
            out["parameter"] = message.parameter.hex(" ")
        return out
    out = {"characteristic": "sc-control-point", "op": _name(ScOp, message.op)}
    if message.op == ScOp.SET_CUMULATIVE_VALUE and message.value is not None:
        out["total_distance_m"] = message.value / DISTANCE_SCALE
    elif message.value is not None:
        out["location"] = _name(SensorLocationCode, message.value)
    if message.parameter:
        out["parameter"] = message.parameter.hex(" ")
    return out
