"""Fuzz: 25,000 random byte strings per decoder (100,000 at depth) raise only FtmsDecodeError.

A seeded `random.Random` and a plain loop keep this reproducible and fast (hypothesis
would spend its time shrinking, not exploring). Every value a decoder accepts must also
turn into JSON (the decode tool prints it) and re-encode to bytes that decode to the
same value: decoding normalises, it never produces a message the encoder refuses.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from tests.depth import sized
from treadpace.ftms import (
    CONTROL_POINT,
    ControlResponse,
    FtmsDecodeError,
    MachineFeature,
    TargetFeature,
    decode,
    decode_control_request,
    decode_control_response,
    decode_feature,
    decode_heart_rate,
    decode_inclination_range,
    decode_machine_status,
    decode_service_data,
    decode_speed_range,
    decode_training_status,
    decode_treadmill_data,
    encode_control_request,
    encode_control_response,
    encode_feature,
    encode_heart_rate,
    encode_inclination_range,
    encode_machine_status,
    encode_service_data,
    encode_speed_range,
    encode_training_status,
    encode_treadmill_data,
    to_json,
)
from treadpace.ftms.feature import FLAG_CACHE_LIMIT

ITERATIONS = sized(25_000, 100_000)
MAX_LENGTH = 40

# (decoder, encoder, first-octet bias): for op-code characteristics half of the packets
# start with a defined op code, so parameter parsing gets exercised, not just "reserved".
DECODERS: dict[str, tuple[Callable[[bytes], Any], Callable[[Any], bytes], int | None]] = {
    "treadmill-data": (decode_treadmill_data, encode_treadmill_data, None),
    "feature": (decode_feature, encode_feature, None),
    "speed-range": (decode_speed_range, encode_speed_range, None),
    "inclination-range": (decode_inclination_range, encode_inclination_range, None),
    "control-point": (decode_control_request, encode_control_request, 0x15),
    "control-response": (decode_control_response, encode_control_response, None),
    "machine-status": (decode_machine_status, encode_machine_status, 0x16),
    "training-status": (decode_training_status, encode_training_status, None),
    "heart-rate": (decode_heart_rate, encode_heart_rate, None),
    "service-data": (decode_service_data, encode_service_data, None),
}

# Checking JSON and re-encoding on every accepted value would dominate the run time;
# every 16th accepted value is plenty to find a normalisation bug.
CHECK_EVERY = 16


def random_packets(seed: str, op_bias: int | None) -> list[bytes]:
    rng = random.Random(seed)
    packets = []
    for _ in range(ITERATIONS):
        data = bytearray(rng.randbytes(rng.randint(0, MAX_LENGTH)))
        if op_bias is not None and data and rng.random() < 0.5:
            data[0] = rng.randrange(op_bias)
        elif seed == "control-response" and len(data) > 0 and rng.random() < 0.9:
            data[0] = 0x80
        packets.append(bytes(data))
    return packets


@pytest.mark.parametrize("name", list(DECODERS))
def test_random_bytes_raise_only_ftms_decode_error(name: str) -> None:
    decoder, encoder, op_bias = DECODERS[name]
    accepted = rejected = 0
    for data in random_packets(name, op_bias):
        try:
            message = decoder(data)
        except FtmsDecodeError as exc:
            rejected += 1
            text = str(exc)
            assert "\n" not in text and text.startswith(exc.characteristic + ": ")
            continue
        accepted += 1
        if accepted % CHECK_EVERY == 0:
            json.dumps(to_json(message), allow_nan=False)
            if not getattr(message, "truncated", False):
                assert decoder(encoder(message)) == message, data.hex(" ")
    # Both paths must have been exercised for the fuzz to mean anything.
    assert accepted > 0
    assert rejected > 0


def test_control_point_uuid_tells_responses_from_requests() -> None:
    # 0x2AD9 carries both directions: `80 op result ...` is a response, anything else
    # (including a bare `80` written as a request) a request.
    rng = random.Random("2ad9")
    for _ in range(ITERATIONS // 10):
        data = rng.randbytes(rng.randint(0, 8))
        if data and rng.random() < 0.5:
            data = b"\x80" + data[1:]
        try:
            message = decode(CONTROL_POINT, data)
        except FtmsDecodeError:
            continue
        if len(data) >= 3 and data[0] == 0x80:
            assert isinstance(message, ControlResponse)
        else:
            assert not isinstance(message, ControlResponse)


def test_random_features_do_not_grow_the_flag_cache() -> None:
    # IntFlag remembers every composite value; device bytes must not grow that forever.
    rng = random.Random("feature-cache")
    for _ in range(5 * FLAG_CACHE_LIMIT):
        feature = decode_feature(rng.randbytes(8))
        assert encode_feature(feature)[:8]
    assert len(MachineFeature._value2member_map_) <= FLAG_CACHE_LIMIT + 1
    assert len(TargetFeature._value2member_map_) <= FLAG_CACHE_LIMIT + 1
    assert decode_feature(bytes.fromhex("1D 16 00 00 03 00 00 00")).target == (
        TargetFeature.SPEED_TARGET | TargetFeature.INCLINATION_TARGET
    )
