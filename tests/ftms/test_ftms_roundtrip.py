"""Property tests: `decode(encode(m)) == m` for every FTMS message type, and split/merge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treadpace.ftms import (
    ControlResponse,
    Feature,
    HeartRateMeasurement,
    InclinationRange,
    MachineFeature,
    SpeedRange,
    StatusUnknown,
    TargetFeature,
    TrainingStatus,
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
    encode_heart_rate,
    encode_inclination_range,
    encode_machine_status,
    encode_speed_range,
    encode_training_status,
    encode_treadmill_data,
    split_treadmill_data,
)
from treadpace.ftms._params import Param
from treadpace.ftms.control_point import REQUEST_TYPES
from treadpace.ftms.machine_status import STATUS_TYPES

EXAMPLES = settings(max_examples=150, deadline=None)


def grid(scale: int, low: int, high: int) -> st.SearchStrategy[float]:
    """Values on a wire grid: raw integers in [low, high] divided by `scale`."""
    return st.integers(low, high).map(lambda raw: raw / scale)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


U16_NA = 0xFFFE  # largest uint16 that is not the "not available" pattern
S16_NA = 0x7FFE


@st.composite
def treadmill_records(draw: st.DrawFn, *, whole: bool | None = None) -> TreadmillData:
    more_data = draw(st.booleans()) if whole is None else not whole
    elevation = draw(maybe(st.tuples(grid(10, 0, 0xFFFF), grid(10, 0, 0xFFFF))))
    pace = grid(10, 0, 0xFF) | grid(10, 0, 0xFFFF)
    return TreadmillData(
        more_data=more_data,
        speed_kmh=None if more_data else draw(grid(100, 0, 0xFFFF)),
        average_speed_kmh=draw(maybe(grid(100, 0, 0xFFFF))),
        total_distance_m=draw(maybe(st.integers(0, 0xFFFFFF))),
        inclination_percent=draw(maybe(grid(10, -0x8000, S16_NA))),
        ramp_angle_deg=draw(maybe(grid(10, -0x8000, S16_NA))),
        positive_elevation_gain_m=None if elevation is None else elevation[0],
        negative_elevation_gain_m=None if elevation is None else elevation[1],
        instantaneous_pace=draw(maybe(pace)),
        average_pace=draw(maybe(pace)),
        total_energy_kcal=draw(maybe(st.integers(0, U16_NA))),
        energy_per_hour_kcal=draw(maybe(st.integers(0, U16_NA))),
        energy_per_minute_kcal=draw(maybe(st.integers(0, 0xFE))),
        heart_rate_bpm=draw(maybe(st.integers(0, 0xFF))),
        metabolic_equivalent=draw(maybe(grid(10, 0, 0xFF))),
        elapsed_time_s=draw(maybe(st.integers(0, 0xFFFF))),
        remaining_time_s=draw(maybe(st.integers(0, 0xFFFF))),
        force_on_belt_n=draw(maybe(st.integers(-0x8000, S16_NA))),
        power_output_w=draw(maybe(st.integers(-0x8000, S16_NA))),
        step_count=draw(maybe(st.integers(0, 0xFFFFFF))),
    )


def param_strategy(p: Param) -> st.SearchStrategy[Any]:
    bits = 8 * p.size
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if p.signed else (0, (1 << bits) - 1)
    return st.integers(low, high) if p.scale == 1 else grid(p.scale, low, high)


def op_messages(types: dict[int, type[Any]]) -> st.SearchStrategy[Any]:
    return st.one_of(
        [
            st.builds(cls, **{p.name: param_strategy(p) for p in cls.PARAMS})
            for cls in types.values()
        ]
    )


@st.composite
def speed_ranges(draw: st.DrawFn) -> SpeedRange:
    low = draw(st.integers(0, 0xFFFF))
    high = draw(st.integers(low, 0xFFFF))
    return SpeedRange(low / 100, high / 100, draw(st.integers(1, 0xFFFF)) / 100)


@st.composite
def inclination_ranges(draw: st.DrawFn) -> InclinationRange:
    low = draw(st.integers(-0x8000, 0x7FFF))
    high = draw(st.integers(low, 0x7FFF))
    return InclinationRange(low / 10, high / 10, draw(st.integers(1, 0xFFFF)) / 10)


utf8_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)

CASES: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], bytes], Callable[[bytes], Any]]] = {
    "treadmill-data": (treadmill_records(), encode_treadmill_data, decode_treadmill_data),
    "feature": (
        st.builds(
            Feature,
            st.integers(0, 0xFFFFFFFF).map(MachineFeature),
            st.integers(0, 0xFFFFFFFF).map(TargetFeature),
        ),
        encode_feature,
        decode_feature,
    ),
    "speed-range": (speed_ranges(), encode_speed_range, decode_speed_range),
    "inclination-range": (inclination_ranges(), encode_inclination_range, decode_inclination_range),
    "control-point": (
        op_messages(REQUEST_TYPES)
        | st.builds(UnknownRequest, st.integers(0x15, 0xFF), st.binary(max_size=18)),
        encode_control_request,
        decode_control_request,
    ),
    "control-response": (
        st.builds(
            ControlResponse, st.integers(0, 0xFF), st.integers(0, 0xFF), st.binary(max_size=17)
        ),
        encode_control_response,
        decode_control_response,
    ),
    "machine-status": (
        op_messages(STATUS_TYPES)
        | st.builds(
            StatusUnknown,
            st.sampled_from([0x00, *range(0x16, 0xFF)]),
            st.binary(max_size=18),
        ),
        encode_machine_status,
        decode_machine_status,
    ),
    "training-status": (
        st.builds(TrainingStatus, st.integers(0, 0xFF), maybe(utf8_text), st.booleans()),
        encode_training_status,
        decode_training_status,
    ),
    "heart-rate": (
        st.builds(
            HeartRateMeasurement,
            st.integers(0, 0xFFFF),
            maybe(st.booleans()),
            maybe(st.integers(0, 0xFFFF)),
            st.lists(st.integers(0, 0xFFFF), max_size=8).map(tuple),
        ),
        encode_heart_rate,
        decode_heart_rate,
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
@EXAMPLES
@given(data=st.data())
def test_decode_encode_round_trip(kind: str, data: st.DataObject) -> None:
    strategy, encode, decode = CASES[kind]
    message = data.draw(strategy)
    assert decode(encode(message)) == message


@EXAMPLES
@given(record=treadmill_records(whole=True), max_payload=st.integers(7, 40))
def test_split_parts_fit_and_merge_back(record: TreadmillData, max_payload: int) -> None:
    parts = split_treadmill_data(record, max_payload)
    assert all(len(part) <= max_payload for part in parts)
    decoded = [decode_treadmill_data(part) for part in parts]
    assert [d.more_data for d in decoded] == [True] * (len(parts) - 1) + [False]
    assert not any(d.truncated for d in decoded)
    merger = TreadmillDataMerger()
    outputs = [merger.feed(d) for d in decoded]
    assert outputs[:-1] == [None] * (len(parts) - 1)
    assert outputs[-1] == record


@EXAMPLES
@given(record=treadmill_records(whole=True))
def test_a_record_that_fits_is_sent_whole(record: TreadmillData) -> None:
    whole = encode_treadmill_data(record)
    parts = split_treadmill_data(record, max_payload=max(len(whole), 7))
    assert parts == [whole]
