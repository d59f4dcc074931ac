"""Dispatch by characteristic (name or UUID) and the JSON view of every message.

`decode()` serves the `treadpace ftms decode` tool and anyone holding raw bytes and a
UUID; `to_json()` gives the one JSON shape the tool prints and the logs reuse:
snake_case keys with unit suffixes, absent fields omitted, op/result/status codes as
snake_case names (`reserved_0x15` for codes the specification reserves).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any, Final, cast

from treadpace.ftms._params import OpMessage
from treadpace.ftms.advertising import ServiceData, decode_service_data
from treadpace.ftms.control_point import (
    REQUEST_TYPES,
    ControlOp,
    ControlRequest,
    ControlResponse,
    ResultCode,
    SpinDownCommand,
    SpinDownControl,
    StopControl,
    StopOrPause,
    UnknownRequest,
    decode_control_request,
    decode_control_response,
)
from treadpace.ftms.feature import Feature, MachineFeature, TargetFeature, decode_feature
from treadpace.ftms.heart_rate import HeartRateMeasurement, decode_heart_rate
from treadpace.ftms.machine_status import (
    STATUS_TYPES,
    MachineStatus,
    MachineStatusOp,
    SpinDownStatusCode,
    StatusSpinDown,
    StatusStoppedOrPaused,
    StatusUnknown,
    decode_machine_status,
)
from treadpace.ftms.ranges import (
    InclinationRange,
    SpeedRange,
    decode_inclination_range,
    decode_speed_range,
)
from treadpace.ftms.rsc import (
    RscFeature,
    RscMeasurement,
    RscMessage,
    ScRequest,
    ScResponse,
    SensorLocation,
    decode_rsc_feature,
    decode_rsc_measurement,
    decode_sc_control_point,
    decode_sensor_location,
    rsc_to_json,
)
from treadpace.ftms.training_status import (
    TrainingStatus,
    TrainingStatusCode,
    decode_training_status,
)
from treadpace.ftms.treadmill_data import TreadmillData, decode_treadmill_data
from treadpace.ftms.uuids import short_uuid

Message = (
    TreadmillData
    | Feature
    | SpeedRange
    | InclinationRange
    | ControlRequest
    | ControlResponse
    | MachineStatus
    | TrainingStatus
    | HeartRateMeasurement
    | RscMessage
    | ServiceData
)


def _decode_control_point(data: bytes) -> ControlRequest | ControlResponse:
    # The Control Point carries both directions: 0x80 is never a valid request op,
    # so a frame starting with it that is long enough for a response is one.
    if len(data) >= 3 and data[0] == ControlOp.RESPONSE_CODE:
        return decode_control_response(data)
    return decode_control_request(data)


DECODERS: Final[dict[str, Callable[[bytes], Message]]] = {
    "treadmill-data": decode_treadmill_data,
    "feature": decode_feature,
    "speed-range": decode_speed_range,
    "inclination-range": decode_inclination_range,
    "control-point": decode_control_request,
    "control-response": decode_control_response,
    "machine-status": decode_machine_status,
    "training-status": decode_training_status,
    "heart-rate": decode_heart_rate,
    "rsc-measurement": decode_rsc_measurement,
    "rsc-feature": decode_rsc_feature,
    "sensor-location": decode_sensor_location,
    "sc-control-point": decode_sc_control_point,
    "service-data": decode_service_data,
}

_BY_UUID: Final[dict[int, str]] = {
    0x2ACD: "treadmill-data",
    0x2ACC: "feature",
    0x2AD4: "speed-range",
    0x2AD5: "inclination-range",
    0x2AD9: "control-point/auto",
    0x2ADA: "machine-status",
    0x2AD3: "training-status",
    0x2A37: "heart-rate",
    0x2A53: "rsc-measurement",
    0x2A54: "rsc-feature",
    0x2A5D: "sensor-location",
    0x2A55: "sc-control-point",
}

CHARACTERISTIC_NAMES: Final = tuple(DECODERS)


def resolve_characteristic(characteristic: str | int) -> str:
    """Canonical decoder name for a name, a 16-bit UUID (int, '2acd', '0x2ACD') or a full UUID.

    0x2AD9 resolves to 'control-point/auto', which decodes `80 ..` as a response and
    anything else as a request. Raises ValueError for anything else.
    """
    if isinstance(characteristic, int):
        short: int | None = characteristic
    else:
        text = characteristic.strip().lower().replace("_", "-")
        if text in DECODERS or text == "control-point/auto":
            return text
        short = short_uuid(text)
        if short is None:
            digits = text.removeprefix("0x")
            if 1 <= len(digits) <= 4 and all(c in "0123456789abcdef" for c in digits):
                short = int(digits, 16)
    if short is not None and short in _BY_UUID:
        return _BY_UUID[short]
    raise ValueError(
        f"unknown characteristic {characteristic!r}: expected one of "
        f"{', '.join(CHARACTERISTIC_NAMES)}, or a 16-bit UUID such as 2acd"
    )


def decode(characteristic: str | int, data: bytes) -> Message:
    """Decode `data` as the given characteristic. Raises FtmsDecodeError for bad bytes and
    ValueError for an unknown characteristic."""
    name = resolve_characteristic(characteristic)
    if name == "control-point/auto":
        return _decode_control_point(bytes(data))
    return DECODERS[name](bytes(data))


# --- JSON ------------------------------------------------------------------------------


def code_name(enum: type[IntEnum], value: int) -> str:
    """snake_case name of a code, or `reserved_0xNN` for a value the enum does not define."""
    try:
        return enum(value).name.lower()
    except ValueError:
        return f"reserved_0x{value:02x}"


_TREADMILL_KEYS: Final = {
    "speed_kmh": "instantaneous_speed_kmh",
    "average_speed_kmh": "average_speed_kmh",
    "total_distance_m": "total_distance_m",
    "inclination_percent": "inclination_percent",
    "ramp_angle_deg": "ramp_angle_deg",
    "positive_elevation_gain_m": "positive_elevation_gain_m",
    "negative_elevation_gain_m": "negative_elevation_gain_m",
    "instantaneous_pace": "instantaneous_pace_km_per_min",
    "average_pace": "average_pace_km_per_min",
    "total_energy_kcal": "total_energy_kcal",
    "energy_per_hour_kcal": "energy_per_hour_kcal",
    "energy_per_minute_kcal": "energy_per_minute_kcal",
    "heart_rate_bpm": "heart_rate_bpm",
    "metabolic_equivalent": "metabolic_equivalent",
    "elapsed_time_s": "elapsed_time_s",
    "remaining_time_s": "remaining_time_s",
    "force_on_belt_n": "force_on_belt_n",
    "power_output_w": "power_output_w",
    "step_count": "step_count",
}


def _treadmill_json(td: TreadmillData) -> dict[str, Any]:
    out: dict[str, Any] = {"characteristic": "treadmill-data", "more_data": td.more_data}
    for attr, key in _TREADMILL_KEYS.items():
        value = getattr(td, attr)
        if value is not None:
            out[key] = value
    if td.truncated:
        out["truncated"] = True
    return out


def _flag_names(flags: int, enum: type[MachineFeature] | type[TargetFeature]) -> list[str]:
    return [str(member.name).lower() for member in enum if flags & member.value]


def _feature_json(f: Feature) -> dict[str, Any]:
    out: dict[str, Any] = {
        "characteristic": "feature",
        "machine_features": _flag_names(f.machine, MachineFeature),
        "target_features": _flag_names(f.target, TargetFeature),
    }
    machine_reserved = int(f.machine) & ~sum(m.value for m in MachineFeature)
    target_reserved = int(f.target) & ~sum(m.value for m in TargetFeature)
    if machine_reserved:
        out["machine_reserved_bits"] = machine_reserved
    if target_reserved:
        out["target_reserved_bits"] = target_reserved
    return out


_PARAM_ENUMS: Final[dict[tuple[type[Any], str], type[IntEnum]]] = {
    (StopOrPause, "control"): StopControl,
    (StatusStoppedOrPaused, "control"): StopControl,
    (SpinDownControl, "control"): SpinDownCommand,
    (StatusSpinDown, "status"): SpinDownStatusCode,
}


def _params_json(message: OpMessage, out: dict[str, Any]) -> dict[str, Any]:
    for p in message.PARAMS:
        value = getattr(message, p.name)
        enum = _PARAM_ENUMS.get((type(message), p.name))
        out[p.name] = code_name(enum, value) if enum is not None else value
    return out


def _request_json(req: ControlRequest) -> dict[str, Any]:
    if isinstance(req, UnknownRequest):
        out: dict[str, Any] = {
            "characteristic": "control-point",
            "op": code_name(ControlOp, req.op),
        }
        if req.parameter:
            out["parameter"] = req.parameter.hex(" ")
        return out
    return _params_json(
        req, {"characteristic": "control-point", "op": code_name(ControlOp, req.OP)}
    )


def _response_json(resp: ControlResponse) -> dict[str, Any]:
    out: dict[str, Any] = {
        "characteristic": "control-response",
        "op": code_name(ControlOp, resp.request_op),
        "result": code_name(ResultCode, resp.result),
    }
    targets = resp.spin_down_targets()
    if targets is not None:
        out["target_speed_low_kmh"], out["target_speed_high_kmh"] = targets
    elif resp.parameter:
        out["parameter"] = resp.parameter.hex(" ")
    return out


def _status_json(status: MachineStatus) -> dict[str, Any]:
    if isinstance(status, StatusUnknown):
        out: dict[str, Any] = {
            "characteristic": "machine-status",
            "op": code_name(MachineStatusOp, status.op),
        }
        if status.parameter:
            out["parameter"] = status.parameter.hex(" ")
        return out
    return _params_json(
        status,
        {"characteristic": "machine-status", "op": code_name(MachineStatusOp, status.OP)},
    )


def _training_json(ts: TrainingStatus) -> dict[str, Any]:
    out: dict[str, Any] = {
        "characteristic": "training-status",
        "status": code_name(TrainingStatusCode, ts.status),
    }
    if ts.text is not None:
        out["text"] = ts.text
    if ts.extended:
        out["extended"] = True
    return out


def _heart_rate_json(m: HeartRateMeasurement) -> dict[str, Any]:
    out: dict[str, Any] = {"characteristic": "heart-rate", "heart_rate_bpm": m.heart_rate_bpm}
    if m.sensor_contact is not None:
        out["sensor_contact"] = m.sensor_contact
    if m.energy_expended_kj is not None:
        out["energy_expended_kj"] = m.energy_expended_kj
    if m.rr_intervals:
        out["rr_intervals_s"] = list(m.rr_intervals_s)
    return out


_REQUEST_CLASSES: Final = tuple(REQUEST_TYPES.values())
_STATUS_CLASSES: Final = tuple(STATUS_TYPES.values())


def to_json(message: Message) -> dict[str, Any]:
    """A JSON-ready dict of any decoded message (see the module docstring for the shape)."""
    if isinstance(message, TreadmillData):
        return _treadmill_json(message)
    if isinstance(message, RscMeasurement | RscFeature | SensorLocation | ScRequest | ScResponse):
        return rsc_to_json(message)
    if isinstance(message, Feature):
        return _feature_json(message)
    if isinstance(message, SpeedRange):
        return {
            "characteristic": "speed-range",
            "min_speed_kmh": message.min_kmh,
            "max_speed_kmh": message.max_kmh,
            "increment_kmh": message.increment_kmh,
        }
    if isinstance(message, InclinationRange):
        out: dict[str, Any] = {
            "characteristic": "inclination-range",
            "min_inclination_percent": message.min_percent,
            "max_inclination_percent": message.max_percent,
            "increment_percent": message.increment_percent,
        }
        if message.no_incline:
            out["notes"] = ["no incline: an all-zero range means the machine has none"]
        return out
    if isinstance(message, ControlResponse):
        return _response_json(message)
    if isinstance(message, TrainingStatus):
        return _training_json(message)
    if isinstance(message, HeartRateMeasurement):
        return _heart_rate_json(message)
    if isinstance(message, ServiceData):
        return {
            "characteristic": "service-data",
            "available": message.available,
            "machine_types": message.type_names,
        }
    if isinstance(message, (UnknownRequest, *_REQUEST_CLASSES)):
        return _request_json(cast(ControlRequest, message))
    if isinstance(message, (StatusUnknown, *_STATUS_CLASSES)):
        return _status_json(cast(MachineStatus, message))
    raise TypeError(f"not an FTMS message: {type(message).__name__}")
