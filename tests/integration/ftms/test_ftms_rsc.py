"""The Running Speed and Cadence codec: spec-layout vectors, round trips, fuzz, the decode tool.

How many round trips and random byte strings: the hypothesis profile (tests/depth.py).
The decode tool runs in-process (`cli_runner.invoke`): what it prints and its exit code.

Vectors are built by hand from the field layout (flags, speed in 1/256 m/s, cadence,
stride in cm, distance in dm), so a codec that swapped a scale or an order fails them.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.cli_runner import invoke
from tests.depth import sized
from treadpace.ftms import FtmsDecodeError, decode, to_json
from treadpace.ftms.rsc import (
    RscFeature,
    RscFeatureBit,
    RscMeasurement,
    ScOp,
    ScRequest,
    ScResponse,
    ScResult,
    SensorLocation,
    decode_rsc_feature,
    decode_rsc_measurement,
    decode_sc_control_point,
    decode_sc_request,
    decode_sensor_location,
    encode_rsc_feature,
    encode_rsc_measurement,
    encode_sc_request,
    encode_sc_response,
    encode_sensor_location,
)

VECTORS: list[tuple[str, RscMeasurement]] = [
    # 3.0 m/s = 768/256 -> 00 03; cadence 180 = b4
    ("00 00 03 b4", RscMeasurement(3.0, 180)),
    # running, stride 1.40 m = 140 cm = 8c 00, distance 1234.5 m = 12345 dm = 39 30 00 00
    ("07 00 03 b4 8c 00 39 30 00 00", RscMeasurement(3.0, 180, 1.4, 1234.5, True)),
    # distance only: 10 km/h = 2.777.. m/s -> 711/256 = c7 02, cadence unknown (0)
    ("02 c7 02 00 a0 86 01 00", RscMeasurement(711 / 256, 0, None, 10_000.0)),
    # a walking sample with stride only
    ("01 80 01 64 32 00", RscMeasurement(1.5, 100, 0.5)),
]


@pytest.mark.parametrize(("hex_text", "message"), VECTORS)
def test_measurement_vectors(hex_text: str, message: RscMeasurement) -> None:
    data = bytes.fromhex(hex_text)
    assert decode_rsc_measurement(data) == message
    assert encode_rsc_measurement(message) == data


def test_reserved_flags_and_extra_octets_are_ignored() -> None:
    assert decode_rsc_measurement(bytes.fromhex("f8 00 03 b4 ff")) == RscMeasurement(3.0, 180)


@pytest.mark.parametrize(
    ("hex_text", "field"),
    [
        ("", "flags"),
        ("00 00", "instantaneous speed"),
        ("00 00 03", "instantaneous cadence"),
        ("01 00 03 b4 8c", "instantaneous stride length"),
        ("02 00 03 b4 39 30 00", "total distance"),
    ],
)
def test_short_measurements_name_the_missing_field(hex_text: str, field: str) -> None:
    with pytest.raises(FtmsDecodeError, match=field):
        decode_rsc_measurement(bytes.fromhex(hex_text))


def test_encoder_refuses_values_the_wire_cannot_carry() -> None:
    with pytest.raises(ValueError, match="speed_mps"):
        encode_rsc_measurement(RscMeasurement(256.0))  # 65536/256
    with pytest.raises(ValueError, match="cadence_spm"):
        encode_rsc_measurement(RscMeasurement(3.0, 256))
    with pytest.raises(ValueError, match="total_distance_m"):
        encode_rsc_measurement(RscMeasurement(3.0, 0, None, -1.0))


def test_feature_location_and_control_point_vectors() -> None:
    feature = RscFeature(RscFeatureBit.TOTAL_DISTANCE | RscFeatureBit.WALKING_OR_RUNNING_STATUS)
    assert encode_rsc_feature(feature) == bytes.fromhex("06 00")
    assert decode_rsc_feature(bytes.fromhex("06 00")) == feature
    assert feature.supports(RscFeatureBit.TOTAL_DISTANCE)
    assert not feature.supports(RscFeatureBit.CALIBRATION)
    assert encode_sensor_location(SensorLocation(1)) == b"\x01"
    assert decode_sensor_location(b"\x02") == SensorLocation(2)
    # Set Cumulative Value to 1000.0 m = 10000 dm
    request = ScRequest(ScOp.SET_CUMULATIVE_VALUE, 10_000)
    assert encode_sc_request(request) == bytes.fromhex("01 10 27 00 00")
    assert decode_sc_control_point(bytes.fromhex("01 10 27 00 00")) == request
    response = ScResponse(ScOp.SET_CUMULATIVE_VALUE, ScResult.SUCCESS)
    assert encode_sc_response(response) == bytes.fromhex("10 01 01")
    assert decode_sc_control_point(bytes.fromhex("10 01 01")) == response
    assert decode_sc_control_point(b"\x04") == ScRequest(4)


def test_wrong_parameter_length_names_the_op() -> None:
    with pytest.raises(FtmsDecodeError) as info:
        decode_sc_request(bytes.fromhex("01 10 27"))
    assert info.value.op == ScOp.SET_CUMULATIVE_VALUE
    assert decode_sc_request(bytes.fromhex("7f 01 02")) == ScRequest(0x7F, None, b"\x01\x02")


@st.composite
def measurements(draw: st.DrawFn) -> RscMeasurement:
    stride = draw(st.none() | st.integers(0, 0xFFFF))
    distance = draw(st.none() | st.integers(0, 0xFFFF_FFFF))
    return RscMeasurement(
        draw(st.integers(0, 0xFFFF)) / 256,
        draw(st.integers(0, 0xFF)),
        None if stride is None else stride / 100,
        None if distance is None else distance / 10,
        draw(st.booleans()),
    )


@given(message=measurements())
def test_measurement_round_trip(message: RscMeasurement) -> None:
    data = encode_rsc_measurement(message)
    assert decode_rsc_measurement(data) == message
    assert decode("2a53", data) == message
    json.dumps(to_json(message), allow_nan=False)


@given(op=st.sampled_from(list(ScOp)[:4]), value=st.integers(0, 0xFFFF_FFFF))
def test_control_point_round_trip(op: ScOp, value: int) -> None:
    size = {1: 4, 2: 0, 3: 1, 4: 0}[op]
    request = ScRequest(op, value % (1 << (8 * size)) if size else None)
    assert decode_sc_control_point(encode_sc_request(request)) == request


FUZZ_ITERATIONS = sized(10_000, 50_000)
"""Random byte strings per decoder: the everyday run's, and the deep profile's."""

FUZZ: dict[str, tuple[Any, Any]] = {
    "rsc-measurement": (decode_rsc_measurement, encode_rsc_measurement),
    "rsc-feature": (decode_rsc_feature, encode_rsc_feature),
    "sensor-location": (decode_sensor_location, encode_sensor_location),
    "sc-control-point": (
        decode_sc_control_point,
        lambda m: encode_sc_response(m) if isinstance(m, ScResponse) else encode_sc_request(m),
    ),
}


@pytest.mark.parametrize("name", list(FUZZ))
def test_random_bytes_raise_only_ftms_decode_error(name: str) -> None:
    decoder, encoder = FUZZ[name]
    rng = random.Random(name)
    accepted = rejected = 0
    for _ in range(FUZZ_ITERATIONS):
        data = bytearray(rng.randbytes(rng.randint(0, 16)))
        if name == "sc-control-point" and data and rng.random() < 0.6:
            data[0] = rng.choice([1, 2, 3, 4, 0x10])
        try:
            message = decoder(bytes(data))
        except FtmsDecodeError as exc:
            rejected += 1
            assert "\n" not in str(exc) and str(exc).startswith(exc.characteristic + ": ")
            continue
        accepted += 1
        if accepted % 16 == 0:
            json.dumps(to_json(message), allow_nan=False)
            assert decoder(encoder(message)) == message, data.hex(" ")
    assert accepted > 0
    if name in ("rsc-measurement", "sc-control-point"):
        assert rejected > 0


def test_decode_tool_prints_an_rsc_measurement_as_json() -> None:
    packet = "07 00 03 b4 8c 00 39 30 00 00"
    result = invoke("ftms", "decode", "rsc-measurement", packet)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "characteristic": "rsc-measurement",
        "speed_mps": 3.0,
        "speed_kmh": 10.8,
        "cadence_spm": 180,
        "running": True,
        "stride_length_m": 1.4,
        "total_distance_m": 1234.5,
    }
    bad = invoke("ftms", "decode", "2a53", "00 00")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "instantaneous speed" in bad.stderr
