"""Every byte vector of the FTMS reference (ftms.md §9) decodes to the values given there.

REAL vectors (R..) are captures from physical machines; CONSTRUCTED ones (C..) were
built from the specification. C33/C34 are ATT-level errors with no payload to decode;
they belong to the simulator's tests.
"""

from __future__ import annotations

import pytest

from treadpace.ftms import (
    ControlOp,
    ControlRequest,
    ControlResponse,
    Feature,
    FtmsDecodeError,
    HeartRateMeasurement,
    InclinationRange,
    MachineFeature,
    MachineStatus,
    RequestControl,
    Reset,
    ResultCode,
    SetIndoorBikeSimulation,
    SetTargetedCadence,
    SetTargetedDistance,
    SetTargetedEnergy,
    SetTargetedSteps,
    SetTargetedStrides,
    SetTargetedTime,
    SetTargetedTimeFiveHrZones,
    SetTargetedTimeThreeHrZones,
    SetTargetedTimeTwoHrZones,
    SetTargetHeartRate,
    SetTargetInclination,
    SetTargetPower,
    SetTargetResistance,
    SetTargetSpeed,
    SetWheelCircumference,
    SpeedRange,
    SpinDownControl,
    StartOrResume,
    StatusControlLost,
    StatusReset,
    StatusSafetyKey,
    StatusStartedOrResumed,
    StatusStoppedOrPaused,
    StatusTargetedDistance,
    StatusTargetedTime,
    StatusTargetIncline,
    StatusTargetSpeed,
    StopOrPause,
    TargetFeature,
    TrainingStatus,
    TrainingStatusCode,
    TreadmillData,
    TreadmillDataMerger,
    UnknownRequest,
    decode_control_request,
    decode_control_response,
    decode_feature,
    decode_heart_rate,
    decode_inclination_range,
    decode_machine_status,
    decode_speed_range,
    decode_training_status,
    decode_treadmill_data,
    encode_control_request,
    encode_control_response,
    encode_feature,
    encode_inclination_range,
    encode_machine_status,
    encode_speed_range,
    encode_training_status,
    encode_treadmill_data,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# Life Fitness fills Negative Elevation Gain with 0x7FFF and Matrix with 0xFFFF. The field has
# no "not available" value in the specification, so the decoder reports the raw value.
LF_NEG = 3276.7
MX_NEG = 6553.5

# Matrix Performance TouchXL: one record split over two notifications.
R9 = "9F 00 61 00 36 00 00 00 00 FF 7F 00 00 FF FF 05 00 6E 00 02"
R10 = "00 1F 71 00 00 02 CC 00 3C 06 FF 7F 1A 00"

# --- REAL Treadmill Data (§9.1, §9.2, §9.4, §9.6) ------------------------------------------

REAL_TREADMILL = [
    pytest.param(
        "9E 04 73 02 33 02 25 00 00 3C 00 FF 7F 00 00 FF 7F 02 00 FF FF FF 1F 00",
        TreadmillData(
            speed_kmh=6.27,
            average_speed_kmh=5.63,
            total_distance_m=37,
            inclination_percent=6.0,
            positive_elevation_gain_m=0.0,
            negative_elevation_gain_m=LF_NEG,
            total_energy_kcal=2,
            elapsed_time_s=31,
        ),
        id="R1",
    ),
    pytest.param(
        "9E 04 92 01 4D 02 7A 00 00 82 00 FF 7F AB 00 FF 7F 10 00 FF FF FF 4D 00",
        TreadmillData(
            speed_kmh=4.02,
            average_speed_kmh=5.89,
            total_distance_m=122,
            inclination_percent=13.0,
            positive_elevation_gain_m=17.1,
            negative_elevation_gain_m=LF_NEG,
            total_energy_kcal=16,
            elapsed_time_s=77,
        ),
        id="R2",
    ),
    pytest.param(
        "9E 05 17 05 92 02 FB 00 00 00 00 FF 7F 7C 00 FF 7F 1B 00 FF FF FF 69 8A 00",
        TreadmillData(
            speed_kmh=13.03,
            average_speed_kmh=6.58,
            total_distance_m=251,
            inclination_percent=0.0,
            positive_elevation_gain_m=12.4,
            negative_elevation_gain_m=LF_NEG,
            total_energy_kcal=27,
            heart_rate_bpm=105,
            elapsed_time_s=138,
        ),
        id="R3",
    ),
    pytest.param(
        "9E 0C 50 00 BD 02 53 01 00 00 00 FF 7F 7C 00 FF 7F 23 00 FF FF FF AD 00 3B 00",
        TreadmillData(
            speed_kmh=0.80,
            average_speed_kmh=7.01,
            total_distance_m=339,
            inclination_percent=0.0,
            positive_elevation_gain_m=12.4,
            negative_elevation_gain_m=LF_NEG,
            total_energy_kcal=35,
            elapsed_time_s=173,
            remaining_time_s=59,
        ),
        id="R4",
    ),
    pytest.param(
        "9E 1B 00 00 00 00 00 00 00 00 00 FF 7F 00 00 FF FF 00 00 00",
        TreadmillData(
            speed_kmh=0.0,
            average_speed_kmh=0.0,
            total_distance_m=0,
            inclination_percent=0.0,
            positive_elevation_gain_m=0.0,
            negative_elevation_gain_m=MX_NEG,
            total_energy_kcal=0,
            truncated=True,
        ),
        id="R5",
    ),
    pytest.param(
        "9E 1F 51 00 B2 00 58 00 00 00 00 FF 7F 00 00 FF FF 0C 00 97",
        TreadmillData(
            speed_kmh=0.81,
            average_speed_kmh=1.78,
            total_distance_m=88,
            inclination_percent=0.0,
            positive_elevation_gain_m=0.0,
            negative_elevation_gain_m=MX_NEG,
            total_energy_kcal=12,
            truncated=True,
        ),
        id="R6",
    ),
    pytest.param(
        "9E 1F C6 03 94 02 3E 01 00 5A 00 FF 7F 32 00 FF FF 25 00 F4",
        TreadmillData(
            speed_kmh=9.66,
            average_speed_kmh=6.60,
            total_distance_m=318,
            inclination_percent=9.0,
            positive_elevation_gain_m=5.0,
            negative_elevation_gain_m=MX_NEG,
            total_energy_kcal=37,
            truncated=True,
        ),
        id="R7",
    ),
    pytest.param(
        "9E 1F C6 03 76 03 B8 05 00 00 00 FF 7F 3C 00 FF FF A9 00 5C",
        TreadmillData(
            speed_kmh=9.66,
            average_speed_kmh=8.86,
            total_distance_m=1464,
            inclination_percent=0.0,
            positive_elevation_gain_m=6.0,
            negative_elevation_gain_m=MX_NEG,
            total_energy_kcal=169,
            truncated=True,
        ),
        id="R8",
    ),
    pytest.param(
        R9,
        TreadmillData(
            more_data=True,
            average_speed_kmh=0.97,
            total_distance_m=54,
            inclination_percent=0.0,
            positive_elevation_gain_m=0.0,
            negative_elevation_gain_m=MX_NEG,
            total_energy_kcal=5,
            energy_per_hour_kcal=110,
            energy_per_minute_kcal=2,
        ),
        id="R9",
    ),
    pytest.param(
        R10,
        TreadmillData(
            speed_kmh=1.13,
            heart_rate_bpm=0,
            metabolic_equivalent=0.2,
            elapsed_time_s=204,
            remaining_time_s=1596,
            power_output_w=26,
        ),
        id="R10",
    ),
    pytest.param(
        "84 04 64 00 14 00 00 02 00 FF FF FF 3F 00",
        TreadmillData(speed_kmh=1.00, total_distance_m=20, total_energy_kcal=2, elapsed_time_s=63),
        id="R30",
    ),
    pytest.param(
        "84 04 64 00 1E 00 00 03 00 FF FF FF 5E 00",
        TreadmillData(speed_kmh=1.00, total_distance_m=30, total_energy_kcal=3, elapsed_time_s=94),
        id="R31",
    ),
    pytest.param(
        "84 04 1E 00 1E 00 00 02 00 FF FF FF A2 00",
        TreadmillData(speed_kmh=0.30, total_distance_m=30, total_energy_kcal=2, elapsed_time_s=162),
        id="R32",
    ),
    pytest.param(
        "84 04 00 00 00 00 00 00 00 00 00 00 00 00",
        TreadmillData(
            speed_kmh=0.0,
            total_distance_m=0,
            total_energy_kcal=0,
            energy_per_hour_kcal=0,
            energy_per_minute_kcal=0,
            elapsed_time_s=0,
        ),
        id="R38",
    ),
    pytest.param(
        "9C 25" + " 00" * 24,
        TreadmillData(
            speed_kmh=0.0,
            total_distance_m=0,
            inclination_percent=0.0,
            ramp_angle_deg=0.0,
            positive_elevation_gain_m=0.0,
            negative_elevation_gain_m=0.0,
            total_energy_kcal=0,
            energy_per_hour_kcal=0,
            energy_per_minute_kcal=0,
            heart_rate_bpm=0,
            elapsed_time_s=0,
            step_count=0,
        ),
        id="R39",
    ),
    pytest.param(
        "FE 17 32 01 36 01 32 00 00 32 00",
        TreadmillData(
            speed_kmh=3.06,
            average_speed_kmh=3.10,
            total_distance_m=50,
            inclination_percent=5.0,
            truncated=True,
        ),
        id="R42",
    ),
]


@pytest.mark.parametrize(("hex_bytes", "expected"), REAL_TREADMILL)
def test_real_treadmill_data(hex_bytes: str, expected: TreadmillData) -> None:
    assert decode_treadmill_data(h(hex_bytes)) == expected


def test_real_r9_r10_merge_into_one_record() -> None:
    merger = TreadmillDataMerger()
    assert merger.feed(decode_treadmill_data(h(R9))) is None
    merged = merger.feed(decode_treadmill_data(h(R10)))
    assert merged == TreadmillData(
        speed_kmh=1.13,
        average_speed_kmh=0.97,
        total_distance_m=54,
        inclination_percent=0.0,
        positive_elevation_gain_m=0.0,
        negative_elevation_gain_m=MX_NEG,
        total_energy_kcal=5,
        energy_per_hour_kcal=110,
        energy_per_minute_kcal=2,
        heart_rate_bpm=0,
        metabolic_equivalent=0.2,
        elapsed_time_s=204,
        remaining_time_s=1596,
        power_output_w=26,
    )


def test_real_r40_feature() -> None:
    feature = decode_feature(h("5C 16 00 00 03 00 00 00"))
    assert feature.machine == (
        MachineFeature.TOTAL_DISTANCE
        | MachineFeature.INCLINATION
        | MachineFeature.ELEVATION_GAIN
        | MachineFeature.STEP_COUNT
        | MachineFeature.EXPENDED_ENERGY
        | MachineFeature.HEART_RATE_MEASUREMENT
        | MachineFeature.ELAPSED_TIME
    )
    assert feature.target == TargetFeature.SPEED_TARGET | TargetFeature.INCLINATION_TARGET


def test_real_r41_training_status_flag_without_string() -> None:
    status = decode_training_status(h("01 01"))
    assert status == TrainingStatus(TrainingStatusCode.IDLE, text="")
    assert encode_training_status(status) == h("01 01")


def test_real_r43_heart_rate() -> None:
    m = decode_heart_rate(h("10 75 72 03 27 02"))
    assert m == HeartRateMeasurement(heart_rate_bpm=117, rr_intervals=(882, 551))
    assert m.sensor_contact is None and m.energy_expended_kj is None
    assert m.rr_intervals_s == pytest.approx((0.861, 0.538), abs=5e-4)


# --- CONSTRUCTED control point (§9.8) ------------------------------------------------------

REQUESTS: list[tuple[str, str, ControlRequest]] = [
    ("C1", "00", RequestControl()),
    ("C2", "01", Reset()),
    ("C3", "02 E8 03", SetTargetSpeed(10.0)),
    ("C4", "02 B0 04", SetTargetSpeed(12.0)),
    ("C5", "02 B7 04", SetTargetSpeed(12.07)),
    ("C6", "02 40 1F", SetTargetSpeed(80.0)),
    ("C8", "03 14 00", SetTargetInclination(2.0)),
    ("C9", "03 E2 FF", SetTargetInclination(-3.0)),
    ("C10", "03 0F 00", SetTargetInclination(1.5)),
    ("C11", "04 32", SetTargetResistance(5.0)),
    ("C12", "05 C8 00", SetTargetPower(200)),
    ("C13", "06 96", SetTargetHeartRate(150)),
    ("C14", "07", StartOrResume()),
    ("C15", "08 01", StopOrPause(1)),
    ("C16", "08 02", StopOrPause(2)),
    ("C17", "08 03", StopOrPause(3)),
    ("C18", "09 F4 01", SetTargetedEnergy(500)),
    ("C19", "0A 10 27", SetTargetedSteps(10000)),
    ("C20", "0B 88 13", SetTargetedStrides(5000)),
    ("C21", "0C 88 13 00", SetTargetedDistance(5000)),
    ("C22", "0C 69 52 00", SetTargetedDistance(21097)),
    ("C23", "0D 08 07", SetTargetedTime(1800)),
    ("C24", "0E 58 02 B0 04", SetTargetedTimeTwoHrZones(600, 1200)),
    ("C25", "0F 2C 01 58 02 84 03", SetTargetedTimeThreeHrZones(300, 600, 900)),
    ("C26", "10 3C 00 78 00 B4 00 F0 00 2C 01", SetTargetedTimeFiveHrZones(60, 120, 180, 240, 300)),
    ("C27", "11 00 00 64 00 28 33", SetIndoorBikeSimulation(0.0, 1.0, 0.004, 0.51)),
    ("C28", "12 3A 52", SetWheelCircumference(2105.0)),
    ("C29", "13 01", SpinDownControl(1)),
    ("C30", "14 B4 00", SetTargetedCadence(90.0)),
    ("C31", "15", UnknownRequest(0x15)),
    ("C32", "80", UnknownRequest(0x80)),
]


@pytest.mark.parametrize(
    ("hex_bytes", "message"), [pytest.param(x, r, id=i) for i, x, r in REQUESTS]
)
def test_constructed_requests_round_trip(hex_bytes: str, message: ControlRequest) -> None:
    assert decode_control_request(h(hex_bytes)) == message
    assert encode_control_request(message) == h(hex_bytes)


def test_c7_truncated_parameter_names_the_op() -> None:
    with pytest.raises(FtmsDecodeError) as info:
        decode_control_request(h("02 E8"))
    assert info.value.op == ControlOp.SET_TARGET_SPEED
    assert str(info.value).startswith("control point: ")
    assert "\n" not in str(info.value)


# Responses named in §9.8: every success and typical error, by vector.
RESPONSES = [
    ("C1", "80 00 01"), ("C1", "80 00 05"), ("C1", "80 00 04"), ("C2", "80 01 01"),
    ("C2", "80 01 05"), ("C3", "80 02 01"), ("C3", "80 02 03"), ("C3", "80 02 05"),
    ("C3", "80 02 02"), ("C8", "80 03 01"), ("C8", "80 03 02"), ("C8", "80 03 03"),
    ("C11", "80 04 02"), ("C12", "80 05 02"), ("C13", "80 06 01"), ("C13", "80 06 02"),
    ("C14", "80 07 01"), ("C14", "80 07 04"), ("C14", "80 07 05"), ("C15", "80 08 01"),
    ("C15", "80 08 04"), ("C17", "80 08 03"), ("C18", "80 09 01"), ("C18", "80 09 02"),
    ("C19", "80 0A 01"), ("C20", "80 0B 02"), ("C21", "80 0C 01"), ("C21", "80 0C 02"),
    ("C23", "80 0D 01"), ("C24", "80 0E 02"), ("C25", "80 0F 02"), ("C26", "80 10 02"),
    ("C27", "80 11 02"), ("C28", "80 12 02"), ("C29", "80 13 02"), ("C30", "80 14 02"),
    ("C31", "80 15 02"), ("C32", "80 80 02"),
]  # fmt: skip


@pytest.mark.parametrize(
    "hex_bytes", [pytest.param(x, id=f"{i}-{x.replace(' ', '')}") for i, x in RESPONSES]
)
def test_constructed_responses_round_trip(hex_bytes: str) -> None:
    raw = h(hex_bytes)
    response = decode_control_response(raw)
    assert response == ControlResponse(raw[1], raw[2])
    assert response.ok == (raw[2] == ResultCode.SUCCESS)
    assert encode_control_response(response) == raw


def test_c29_spin_down_response_parameter() -> None:
    raw = h("80 13 01 F4 01 E8 03")
    response = decode_control_response(raw)
    assert response == ControlResponse(0x13, 1, h("F4 01 E8 03"))
    assert response.spin_down_targets() == (5.0, 10.0)
    assert encode_control_response(response) == raw


# --- CONSTRUCTED machine status, training status, feature, ranges (§9.9) -------------------

STATUSES: list[tuple[str, str, MachineStatus]] = [
    ("C35", "01", StatusReset()),
    ("C36", "02 01", StatusStoppedOrPaused(1)),
    ("C37", "02 02", StatusStoppedOrPaused(2)),
    ("C38", "03", StatusSafetyKey()),
    ("C39", "04", StatusStartedOrResumed()),
    ("C40", "05 E8 03", StatusTargetSpeed(10.0)),
    ("C41a", "06 14 00", StatusTargetIncline(2.0)),
    ("C41b", "06 E2 FF", StatusTargetIncline(-3.0)),
    ("C42", "0D 88 13 00", StatusTargetedDistance(5000)),
    ("C43", "0E 08 07", StatusTargetedTime(1800)),
    ("C44", "FF", StatusControlLost()),
]


@pytest.mark.parametrize(
    ("hex_bytes", "status"), [pytest.param(x, s, id=i) for i, x, s in STATUSES]
)
def test_constructed_machine_status_round_trip(hex_bytes: str, status: MachineStatus) -> None:
    assert decode_machine_status(h(hex_bytes)) == status
    assert encode_machine_status(status) == h(hex_bytes)


@pytest.mark.parametrize(
    ("hex_bytes", "code"),
    [
        pytest.param("00 01", TrainingStatusCode.IDLE, id="C45-idle"),
        pytest.param("00 0D", TrainingStatusCode.MANUAL_MODE, id="C45-manual"),
        pytest.param("00 0E", TrainingStatusCode.PRE_WORKOUT, id="C45-pre"),
        pytest.param("00 0F", TrainingStatusCode.POST_WORKOUT, id="C45-post"),
    ],
)
def test_c45_training_status(hex_bytes: str, code: TrainingStatusCode) -> None:
    status = decode_training_status(h(hex_bytes))
    assert status == TrainingStatus(code)
    assert status.text is None
    assert encode_training_status(status) == h(hex_bytes)


def test_c46_training_status_with_string() -> None:
    raw = h("01 0D 4D 61 6E 75 61 6C")
    status = decode_training_status(raw)
    assert status == TrainingStatus(TrainingStatusCode.MANUAL_MODE, "Manual")
    assert encode_training_status(status) == raw


def test_c47_feature() -> None:
    raw = h("1D 16 00 00 03 00 00 00")
    feature = decode_feature(raw)
    assert feature == Feature(
        MachineFeature.AVERAGE_SPEED
        | MachineFeature.TOTAL_DISTANCE
        | MachineFeature.INCLINATION
        | MachineFeature.ELEVATION_GAIN
        | MachineFeature.EXPENDED_ENERGY
        | MachineFeature.HEART_RATE_MEASUREMENT
        | MachineFeature.ELAPSED_TIME,
        TargetFeature.SPEED_TARGET | TargetFeature.INCLINATION_TARGET,
    )
    assert encode_feature(feature) == raw


@pytest.mark.parametrize(
    ("hex_bytes", "expected"),
    [
        pytest.param("50 00 D0 07 0A 00", SpeedRange(0.8, 20.0, 0.1), id="C48"),
        pytest.param("64 00 98 08 0A 00", SpeedRange(1.0, 22.0, 0.1), id="C49"),
    ],
)
def test_speed_ranges(hex_bytes: str, expected: SpeedRange) -> None:
    assert decode_speed_range(h(hex_bytes)) == expected
    assert encode_speed_range(expected) == h(hex_bytes)


@pytest.mark.parametrize(
    ("hex_bytes", "expected"),
    [
        pytest.param("00 00 78 00 0A 00", InclinationRange(0.0, 12.0, 1.0), id="C50"),
        pytest.param("E2 FF 96 00 05 00", InclinationRange(-3.0, 15.0, 0.5), id="C51"),
    ],
)
def test_inclination_ranges(hex_bytes: str, expected: InclinationRange) -> None:
    assert decode_inclination_range(h(hex_bytes)) == expected
    assert encode_inclination_range(expected) == h(hex_bytes)


def test_c52_inverted_speed_range_is_rejected() -> None:
    with pytest.raises(FtmsDecodeError, match=r"^supported speed range: maximum 10\.0 km/h"):
        decode_speed_range(h("D0 07 E8 03 0A 00"))


# --- CONSTRUCTED Treadmill Data (§9.10) ----------------------------------------------------

CONSTRUCTED_TREADMILL = [
    pytest.param("00 00 E8 03", TreadmillData(speed_kmh=10.0), id="C53"),
    pytest.param(
        "0C 04 E8 03 88 13 00 14 00 FF 7F 08 07",
        TreadmillData(
            speed_kmh=10.0, total_distance_m=5000, inclination_percent=2.0, elapsed_time_s=1800
        ),
        id="C54",
    ),
    pytest.param(
        "08 00 E8 03 E2 FF EF FF",
        TreadmillData(speed_kmh=10.0, inclination_percent=-3.0, ramp_angle_deg=-1.7),
        id="C55",
    ),
    pytest.param(
        "84 04 E8 03 88 13 00 2C 01 FF FF FF 08 07",
        TreadmillData(
            speed_kmh=10.0, total_distance_m=5000, total_energy_kcal=300, elapsed_time_s=1800
        ),
        id="C57",
    ),
    pytest.param(
        "84 24 E8 03 88 13 00 2C 01 FF FF FF 08 07 10 27 00",
        TreadmillData(
            speed_kmh=10.0,
            total_distance_m=5000,
            total_energy_kcal=300,
            elapsed_time_s=1800,
            step_count=10000,
        ),
        id="C58",
    ),
    pytest.param(
        "00 10 E8 03 FF 7F C8 00", TreadmillData(speed_kmh=10.0, power_output_w=200), id="C59"
    ),
    pytest.param(
        "20 00 E8 03 A7", TreadmillData(speed_kmh=10.0, instantaneous_pace=16.7), id="C60"
    ),
    pytest.param("01 00", TreadmillData(more_data=True), id="C62"),
]


@pytest.mark.parametrize(("hex_bytes", "expected"), CONSTRUCTED_TREADMILL)
def test_constructed_treadmill_data_round_trip(hex_bytes: str, expected: TreadmillData) -> None:
    assert decode_treadmill_data(h(hex_bytes)) == expected
    assert encode_treadmill_data(expected) == h(hex_bytes)


def test_c56_split_record_merges() -> None:
    part1 = decode_treadmill_data(h("07 00 B0 04 88 13 00"))
    part2 = decode_treadmill_data(h("00 05 E8 03 96 08 07"))
    assert part1 == TreadmillData(more_data=True, average_speed_kmh=12.0, total_distance_m=5000)
    assert part2 == TreadmillData(speed_kmh=10.0, heart_rate_bpm=150, elapsed_time_s=1800)
    merger = TreadmillDataMerger()
    assert merger.feed(part1) is None
    assert merger.feed(part2) == TreadmillData(
        speed_kmh=10.0,
        average_speed_kmh=12.0,
        total_distance_m=5000,
        heart_rate_bpm=150,
        elapsed_time_s=1800,
    )


def test_c61_speed_promised_but_missing_is_a_truncated_record() -> None:
    # Same handling as the Matrix records R5-R8: a short frame is reported, never raised.
    record = decode_treadmill_data(h("00 00"))
    assert record == TreadmillData(truncated=True)
    assert record.speed_kmh is None and not record.more_data
    assert TreadmillDataMerger().feed(record) is None
