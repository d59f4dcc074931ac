"""FTMS messages other than Treadmill Data: tolerances, guards, UUIDs, dispatch and JSON."""

from __future__ import annotations

import json

import pytest

from treadpace.ftms import (
    CONTROL_POINT,
    FEATURE,
    FTMS_SERVICE,
    HEART_RATE_MEASUREMENT,
    MACHINE_STATUS,
    TREADMILL_DATA,
    ControlOp,
    ControlResponse,
    FtmsDecodeError,
    HeartRateMeasurement,
    InclinationRange,
    MachineFeature,
    ResultCode,
    SetTargetSpeed,
    SpeedRange,
    StatusStartedOrResumed,
    StatusStoppedOrPaused,
    StatusTargetSpeed,
    StatusUnknown,
    StopControl,
    StopOrPause,
    TargetFeature,
    TrainingStatus,
    TreadmillData,
    UnknownRequest,
    decode,
    decode_control_request,
    decode_control_response,
    decode_feature,
    decode_heart_rate,
    decode_inclination_range,
    decode_machine_status,
    decode_speed_range,
    decode_training_status,
    encode_control_request,
    encode_feature,
    encode_heart_rate,
    encode_inclination_range,
    encode_machine_status,
    encode_speed_range,
    resolve_characteristic,
    short_uuid,
    spin_down_response,
    to_json,
    uuid16,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# --- UUIDs --------------------------------------------------------------------------------


def test_uuid_constants_are_full_lowercase_base_uuids() -> None:
    assert FTMS_SERVICE == "00001826-0000-1000-8000-00805f9b34fb"
    assert TREADMILL_DATA == "00002acd-0000-1000-8000-00805f9b34fb"
    assert uuid16(0x2A37) == HEART_RATE_MEASUREMENT
    assert short_uuid(FEATURE) == 0x2ACC
    assert short_uuid(CONTROL_POINT.upper()) == 0x2AD9


@pytest.mark.parametrize("text", ["", "2acd", "00002acd-0000-1000-8000-00805f9b34fc", "x" * 36])
def test_short_uuid_of_anything_else_is_none(text: str) -> None:
    assert short_uuid(text) is None


def test_uuid16_range() -> None:
    with pytest.raises(ValueError):
        uuid16(0x10000)


# --- Feature and ranges -------------------------------------------------------------------


def test_feature_keeps_reserved_bits_and_ignores_trailing_octets() -> None:
    feature = decode_feature(h("1D 16 02 80 03 00 00 01 EE"))
    assert MachineFeature.AVERAGE_SPEED in feature.machine
    assert int(feature.machine) & (1 << 31)
    assert encode_feature(feature) == h("1D 16 02 80 03 00 00 01")


def test_every_feature_bit_is_named() -> None:
    assert {m.value for m in MachineFeature} == {1 << b for b in range(17)}
    assert {m.value for m in TargetFeature} == {1 << b for b in range(17)}


def test_short_feature_raises() -> None:
    with pytest.raises(FtmsDecodeError, match=r"^fitness machine feature: target setting"):
        decode_feature(h("1D 16 00 00 03"))


@pytest.mark.parametrize(
    ("hex_bytes", "problem"),
    [
        ("64 00 98 08 00 00", "minimum increment is 0"),
        ("64 00", "maximum speed needs 2 octets"),
    ],
)
def test_bad_speed_ranges(hex_bytes: str, problem: str) -> None:
    with pytest.raises(FtmsDecodeError, match=rf"^supported speed range: {problem}"):
        decode_speed_range(h(hex_bytes))


def test_urevo_all_zero_inclination_range_decodes_as_no_incline() -> None:
    none = InclinationRange(0.0, 0.0, 0.0)
    raw = encode_inclination_range(none)
    assert raw == bytes(6)
    assert decode_inclination_range(raw) == none
    assert none.no_incline
    assert not InclinationRange(0.0, 12.0, 1.0).no_incline


def test_a_zero_increment_on_a_real_inclination_range_is_still_rejected() -> None:
    with pytest.raises(FtmsDecodeError, match=r"^supported inclination range: minimum increment"):
        decode_inclination_range(h("00 00 78 00 00 00"))


def test_inverted_inclination_range_is_rejected() -> None:
    with pytest.raises(FtmsDecodeError, match=r"maximum -3\.0 % is below minimum 15\.0 %"):
        decode_inclination_range(h("96 00 E2 FF 05 00"))


def test_single_speed_range_is_accepted() -> None:
    assert decode_speed_range(encode_speed_range(SpeedRange(3.0, 3.0, 0.1))) == SpeedRange(
        3.0, 3.0, 0.1
    )


# --- Control point ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hex_bytes", "op", "problem"),
    [
        ("", None, "op code needs 1 octet"),
        ("00 00", 0x00, "request_control takes 0 parameter octets, got 1"),
        ("07 01", 0x07, "start_or_resume takes 0"),
        ("08", 0x08, "stop_or_pause takes 1 parameter octet, got 0"),
        ("02 E8 03 00", 0x02, "set_target_speed takes 2 parameter octets, got 3"),
        ("0C 88 13", 0x0C, "set_targeted_distance takes 3"),
    ],
)
def test_malformed_requests(hex_bytes: str, op: int | None, problem: str) -> None:
    with pytest.raises(FtmsDecodeError) as info:
        decode_control_request(h(hex_bytes))
    assert info.value.op == op
    assert str(info.value).startswith(f"control point: {problem}")


def test_reserved_requests_keep_their_parameter() -> None:
    assert decode_control_request(h("42 01 02")) == UnknownRequest(0x42, h("01 02"))
    assert encode_control_request(UnknownRequest(0x42, h("01 02"))) == h("42 01 02")


def test_unknown_request_cannot_smuggle_a_defined_op() -> None:
    with pytest.raises(ValueError, match="SET_TARGET_SPEED"):
        encode_control_request(UnknownRequest(0x02, h("E8 03")))


def test_request_encoder_rejects_out_of_range() -> None:
    with pytest.raises(ValueError, match="speed_kmh"):
        encode_control_request(SetTargetSpeed(700.0))
    with pytest.raises(ValueError, match="control"):
        encode_control_request(StopOrPause(256))


def test_response_must_start_with_0x80() -> None:
    with pytest.raises(FtmsDecodeError, match=r"^control point response: expected response op"):
        decode_control_response(h("02 E8 03"))
    with pytest.raises(FtmsDecodeError, match="result code needs 1 octet"):
        decode_control_response(h("80 02"))


def test_spin_down_response_helper_and_other_responses_have_no_targets() -> None:
    assert spin_down_response(5.0, 10.0) == decode_control_response(h("80 13 01 F4 01 E8 03"))
    assert ControlResponse(0x13, ResultCode.OP_CODE_NOT_SUPPORTED).spin_down_targets() is None
    assert ControlResponse(0x02, ResultCode.SUCCESS, h("F4 01 E8 03")).spin_down_targets() is None


# --- Machine status -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hex_bytes", "status"),
    [
        ("04 00 00", StatusStartedOrResumed()),
        ("02 02 00", StatusStoppedOrPaused(StopControl.PAUSE)),
        ("05 00 00", StatusTargetSpeed(0.0)),
        ("05 E8 03 00 00", StatusTargetSpeed(10.0)),
    ],
)
def test_urevo_padding_is_ignored(hex_bytes: str, status: object) -> None:
    assert decode_machine_status(h(hex_bytes)) == status


@pytest.mark.parametrize("op", [0x00, 0x16, 0x25, 0xFE])
def test_reserved_status_ops_are_kept(op: int) -> None:
    assert decode_machine_status(bytes([op, 0x60, 0x00])) == StatusUnknown(op, h("60 00"))


def test_short_status_parameter_names_the_status() -> None:
    with pytest.raises(
        FtmsDecodeError, match=r"^fitness machine status: stopped_or_paused_by_user"
    ):
        decode_machine_status(h("02"))
    with pytest.raises(FtmsDecodeError, match=r"^fitness machine status: op code needs 1 octet"):
        decode_machine_status(b"")


def test_status_unknown_cannot_smuggle_a_defined_op() -> None:
    with pytest.raises(ValueError, match="TARGET_SPEED_CHANGED"):
        encode_machine_status(StatusUnknown(0x05, h("E8 03")))


# --- Training status ----------------------------------------------------------------------


def test_reserved_training_status_values_are_plain_ints() -> None:
    assert decode_training_status(h("00 10")) == TrainingStatus(0x10)
    assert decode_training_status(h("00 11")).status == 0x11


def test_training_status_string_tolerances() -> None:
    assert decode_training_status(h("01 0D 4D 61 6E 00 00")).text == "Man"  # NUL-terminated
    assert decode_training_status(h("01 0D 4D C3")).text == "M\ufffd"  # cut UTF-8
    assert decode_training_status(h("00 0D 4D 61")).text is None  # no flag: trailing ignored
    extended = decode_training_status(h("03 02 57 61 72 6D"))
    assert extended == TrainingStatus(2, "Warm", extended=True)


def test_short_training_status_raises() -> None:
    with pytest.raises(FtmsDecodeError, match=r"^training status: status needs 1 octet"):
        decode_training_status(h("01"))


# --- Heart rate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hex_bytes", "expected"),
    [
        ("00 48", HeartRateMeasurement(72)),
        ("02 48", HeartRateMeasurement(72)),  # 0b01: contact not supported
        ("04 48", HeartRateMeasurement(72, sensor_contact=False)),
        ("06 48", HeartRateMeasurement(72, sensor_contact=True)),
        ("01 48 00", HeartRateMeasurement(72)),  # uint16 format
        ("01 2C 01", HeartRateMeasurement(300)),
        ("08 48 10 27", HeartRateMeasurement(72, energy_expended_kj=10000)),
        ("18 48 10 27 00 04 00 02 07", HeartRateMeasurement(72, None, 10000, (1024, 512))),
        ("10 48", HeartRateMeasurement(72)),  # RR flag with no room for an interval
    ],
)
def test_heart_rate_layouts(hex_bytes: str, expected: HeartRateMeasurement) -> None:
    assert decode_heart_rate(h(hex_bytes)) == expected


def test_heart_rate_encoder_picks_the_format() -> None:
    assert encode_heart_rate(HeartRateMeasurement(72, True, None, (1024,))) == h("16 48 00 04")
    assert encode_heart_rate(HeartRateMeasurement(300)) == h("01 2C 01")


@pytest.mark.parametrize(("hex_bytes", "field"), [("", "flags"), ("01 48", "heart rate")])
def test_short_heart_rate_raises(hex_bytes: str, field: str) -> None:
    with pytest.raises(FtmsDecodeError, match=rf"^heart rate measurement: {field} needs"):
        decode_heart_rate(h(hex_bytes))


# --- dispatch -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("characteristic", "expected"),
    [
        ("treadmill-data", "treadmill-data"),
        ("Treadmill_Data", "treadmill-data"),
        ("2acd", "treadmill-data"),
        ("0x2ACD", "treadmill-data"),
        (0x2ADA, "machine-status"),
        (MACHINE_STATUS, "machine-status"),
        ("2a37", "heart-rate"),
        ("2ad9", "control-point/auto"),
        ("control-response", "control-response"),
    ],
)
def test_resolve_characteristic(characteristic: str | int, expected: str) -> None:
    assert resolve_characteristic(characteristic) == expected


@pytest.mark.parametrize("characteristic", ["bogus", "2a00", 0x1826, "0xZZ", ""])
def test_unknown_characteristic_is_a_value_error_not_a_decode_error(
    characteristic: str | int,
) -> None:
    with pytest.raises(ValueError, match="unknown characteristic") as info:
        resolve_characteristic(characteristic)
    assert not isinstance(info.value, FtmsDecodeError)


def test_decode_dispatches_by_name_and_uuid() -> None:
    assert decode("2acd", h("00 00 E8 03")) == TreadmillData(speed_kmh=10.0)
    assert decode(CONTROL_POINT, h("02 E8 03")) == SetTargetSpeed(10.0)
    assert decode(CONTROL_POINT, h("80 02 01")) == ControlResponse(2, 1)
    assert decode("control-point", h("80 02 01")) == UnknownRequest(0x80, h("02 01"))


# --- JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("characteristic", "hex_bytes", "expected"),
    [
        (
            "treadmill-data",
            "9F 00 61 00 36 00 00 00 00 FF 7F 00 00 FF FF 05 00 6E 00 02",
            {
                "characteristic": "treadmill-data",
                "more_data": True,
                "average_speed_kmh": 0.97,
                "total_distance_m": 54,
                "inclination_percent": 0.0,
                "positive_elevation_gain_m": 0.0,
                "negative_elevation_gain_m": 6553.5,
                "total_energy_kcal": 5,
                "energy_per_hour_kcal": 110,
                "energy_per_minute_kcal": 2,
            },
        ),
        (
            "treadmill-data",
            "FE 37 32 01 36 01 32 00 00 32 00 F6 FF",
            {
                "characteristic": "treadmill-data",
                "more_data": False,
                "instantaneous_speed_kmh": 3.06,
                "average_speed_kmh": 3.1,
                "total_distance_m": 50,
                "inclination_percent": 5.0,
                "ramp_angle_deg": -1.0,
                "truncated": True,
            },
        ),
        (
            "treadmill-data",
            "60 3F E8 03 32 3C 96 14 08 07 3C 00 9C FF C8 00 10 27 00",
            {
                "characteristic": "treadmill-data",
                "more_data": False,
                "instantaneous_speed_kmh": 10.0,
                "instantaneous_pace_km_per_min": 5.0,
                "average_pace_km_per_min": 6.0,
                "heart_rate_bpm": 150,
                "metabolic_equivalent": 2.0,
                "elapsed_time_s": 1800,
                "remaining_time_s": 60,
                "force_on_belt_n": -100,
                "power_output_w": 200,
                "step_count": 10000,
            },
        ),
        (
            "feature",
            "01 00 01 80 01 00 00 01",
            {
                "characteristic": "feature",
                "machine_features": ["average_speed", "user_data_retention"],
                "target_features": ["speed_target"],
                "machine_reserved_bits": 1 << 31,
                "target_reserved_bits": 1 << 24,
            },
        ),
        (
            "speed-range",
            "50 00 D0 07 0A 00",
            {
                "characteristic": "speed-range",
                "min_speed_kmh": 0.8,
                "max_speed_kmh": 20.0,
                "increment_kmh": 0.1,
            },
        ),
        (
            "inclination-range",
            "E2 FF 96 00 05 00",
            {
                "characteristic": "inclination-range",
                "min_inclination_percent": -3.0,
                "max_inclination_percent": 15.0,
                "increment_percent": 0.5,
            },
        ),
        (
            "control-point",
            "02 E8 03",
            {"characteristic": "control-point", "op": "set_target_speed", "speed_kmh": 10.0},
        ),
        (
            "control-point",
            "08 02",
            {"characteristic": "control-point", "op": "stop_or_pause", "control": "pause"},
        ),
        (
            "control-point",
            "08 07",
            {"characteristic": "control-point", "op": "stop_or_pause", "control": "reserved_0x07"},
        ),
        (
            "control-point",
            "15 AA",
            {"characteristic": "control-point", "op": "reserved_0x15", "parameter": "aa"},
        ),
        (
            "control-response",
            "80 02 05",
            {
                "characteristic": "control-response",
                "op": "set_target_speed",
                "result": "control_not_permitted",
            },
        ),
        (
            "control-response",
            "80 15 00 01",
            {
                "characteristic": "control-response",
                "op": "reserved_0x15",
                "result": "reserved_0x00",
                "parameter": "01",
            },
        ),
        (
            "control-response",
            "80 13 01 F4 01 E8 03",
            {
                "characteristic": "control-response",
                "op": "spin_down_control",
                "result": "success",
                "target_speed_low_kmh": 5.0,
                "target_speed_high_kmh": 10.0,
            },
        ),
        (
            "machine-status",
            "02 01",
            {
                "characteristic": "machine-status",
                "op": "stopped_or_paused_by_user",
                "control": "stop",
            },
        ),
        (
            "machine-status",
            "06 E2 FF",
            {
                "characteristic": "machine-status",
                "op": "target_incline_changed",
                "incline_percent": -3.0,
            },
        ),
        (
            "machine-status",
            "14 04",
            {
                "characteristic": "machine-status",
                "op": "spin_down_status",
                "status": "stop_pedalling",
            },
        ),
        (
            "machine-status",
            "FF",
            {"characteristic": "machine-status", "op": "control_permission_lost"},
        ),
        (
            "machine-status",
            "25 60 00",
            {"characteristic": "machine-status", "op": "reserved_0x25", "parameter": "60 00"},
        ),
        (
            "training-status",
            "01 0D 4D 61 6E 75 61 6C",
            {"characteristic": "training-status", "status": "manual_mode", "text": "Manual"},
        ),
        (
            "training-status",
            "02 11",
            {"characteristic": "training-status", "status": "reserved_0x11", "extended": True},
        ),
        (
            "heart-rate",
            "1E 75 10 00 72 03",
            {
                "characteristic": "heart-rate",
                "heart_rate_bpm": 117,
                "sensor_contact": True,
                "energy_expended_kj": 16,
                "rr_intervals_s": [882 / 1024],
            },
        ),
    ],
)
def test_to_json_shapes(characteristic: str, hex_bytes: str, expected: dict[str, object]) -> None:
    result = to_json(decode(characteristic, h(hex_bytes)))
    assert result == expected
    assert list(result) == list(expected)  # key order is part of the readable output
    json.dumps(result, allow_nan=False)


def test_to_json_op_names_cover_every_op() -> None:
    for op in ControlOp:
        if op is not ControlOp.RESPONSE_CODE:
            assert op.name.lower() in json.dumps(to_json(ControlResponse(op, ResultCode.SUCCESS)))


def test_to_json_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="not an FTMS message"):
        to_json(object())  # type: ignore[arg-type]


# --- the contract other areas code against (team brief) -----------------------------------


def test_contract_names_are_exported() -> None:
    import treadpace.ftms as ftms

    names = [
        "FTMS_SERVICE",
        "FEATURE",
        "TREADMILL_DATA",
        "TRAINING_STATUS",
        "SPEED_RANGE",
        "INCLINATION_RANGE",
        "CONTROL_POINT",
        "MACHINE_STATUS",
        "HEART_RATE_SERVICE",
        "HEART_RATE_MEASUREMENT",
        "DEVICE_INFORMATION",
        "MANUFACTURER_NAME",
        "MODEL_NUMBER",
        "FIRMWARE_REVISION",
        "uuid16",
        "short_uuid",
        "FtmsDecodeError",
        "TreadmillData",
        "encode_treadmill_data",
        "decode_treadmill_data",
        "split_treadmill_data",
        "TreadmillDataMerger",
        "MachineFeature",
        "TargetFeature",
        "Feature",
        "encode_feature",
        "decode_feature",
        "SpeedRange",
        "InclinationRange",
        "encode_speed_range",
        "decode_speed_range",
        "encode_inclination_range",
        "decode_inclination_range",
        "ControlOp",
        "ResultCode",
        "StopControl",
        "ControlRequest",
        "RequestControl",
        "Reset",
        "SetTargetSpeed",
        "SetTargetInclination",
        "SetTargetResistance",
        "SetTargetPower",
        "SetTargetHeartRate",
        "StartOrResume",
        "StopOrPause",
        "SetTargetedEnergy",
        "SetTargetedSteps",
        "SetTargetedStrides",
        "SetTargetedDistance",
        "SetTargetedTime",
        "UnknownRequest",
        "encode_control_request",
        "decode_control_request",
        "ControlResponse",
        "encode_control_response",
        "decode_control_response",
        "MachineStatus",
        "StatusReset",
        "StatusStoppedOrPaused",
        "StatusSafetyKey",
        "StatusStartedOrResumed",
        "StatusTargetSpeed",
        "StatusTargetIncline",
        "StatusControlLost",
        "StatusUnknown",
        "encode_machine_status",
        "decode_machine_status",
        "TrainingStatus",
        "TrainingStatusCode",
        "encode_training_status",
        "decode_training_status",
        "HeartRateMeasurement",
        "decode",
        "to_json",
    ]
    assert [n for n in names if not hasattr(ftms, n)] == []
    assert set(ftms.__all__) == {n for n in dir(ftms) if not n.startswith("_")} - {
        "advertising",
        "annotations",
        "control_point",
        "decode_error",
        "feature",
        "heart_rate",
        "machine_status",
        "ranges",
        "registry",
        "rsc",
        "training_status",
        "treadmill_data",
        "uuids",
    }


def test_treadmill_data_fields_in_contract_order() -> None:
    import dataclasses

    assert [f.name for f in dataclasses.fields(TreadmillData)] == [
        "more_data", "speed_kmh", "average_speed_kmh", "total_distance_m", "inclination_percent",
        "ramp_angle_deg", "positive_elevation_gain_m", "negative_elevation_gain_m",
        "instantaneous_pace", "average_pace", "total_energy_kcal", "energy_per_hour_kcal",
        "energy_per_minute_kcal", "heart_rate_bpm", "metabolic_equivalent", "elapsed_time_s",
        "remaining_time_s", "force_on_belt_n", "power_output_w", "step_count", "truncated",
    ]  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        TreadmillData().speed_kmh = 1.0  # type: ignore[misc]


def test_result_and_stop_codes() -> None:
    assert [int(c) for c in ResultCode] == [1, 2, 3, 4, 5]
    assert (StopControl.STOP, StopControl.PAUSE) == (1, 2)
    assert [int(op) for op in ControlOp] == [*range(0x15), 0x80]


def test_the_protocol_core_is_sans_io() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, treadpace.ftms; "
        "print(' '.join(m for m in ('asyncio', 'bleak', 'logging', 'socket', 'threading', "
        "'typer') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
