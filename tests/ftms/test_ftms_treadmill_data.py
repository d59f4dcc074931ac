"""Treadmill Data beyond the vectors: firmware deviations, encoder guards, split and merge."""

from __future__ import annotations

import dataclasses
import math

import pytest

from treadpace.ftms import (
    FtmsDecodeError,
    TreadmillData,
    TreadmillDataMerger,
    decode_treadmill_data,
    encode_treadmill_data,
    split_treadmill_data,
)
from treadpace.ftms.treadmill_data import _FIELDS, treadmill_data_length


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


SPERAX = "84 04 E8 03 88 13 00 2C 01 FF FF FF 08 07"  # C57
SPERAX_RECORD = TreadmillData(
    speed_kmh=10.0, total_distance_m=5000, total_energy_kcal=300, elapsed_time_s=1800
)


@pytest.mark.parametrize("size", [0, 1])
def test_no_room_for_flags_raises(size: int) -> None:
    with pytest.raises(FtmsDecodeError, match=r"^treadmill data: flags needs 2 octets"):
        decode_treadmill_data(b"\x00" * size)


@pytest.mark.parametrize("padding", ["00", "00 00", "00 00 00 00", "FF FF FF FF FF"])
def test_padding_after_the_last_field_is_ignored(padding: str) -> None:
    record = decode_treadmill_data(h("00 00 E8 03 " + padding))
    assert record == TreadmillData(speed_kmh=10.0)


@pytest.mark.parametrize("trailing", ["", "10", "10 27", "10 27 00 00"])
def test_vendor_bit_13_without_exactly_three_octets_is_ignored(trailing: str) -> None:
    record = decode_treadmill_data(h("84 24 E8 03 88 13 00 2C 01 FF FF FF 08 07 " + trailing))
    assert record == SPERAX_RECORD


def test_vendor_bit_13_on_a_truncated_record_reads_no_steps() -> None:
    record = decode_treadmill_data(h("84 24 E8 03 88 13 00 2C 01 FF"))
    assert record.truncated
    assert record.step_count is None
    assert record.total_energy_kcal == 300 and record.energy_per_hour_kcal is None


def test_pace_is_uint8_when_the_length_says_so() -> None:
    record = decode_treadmill_data(h("60 00 E8 03 32 3C"))
    assert record.instantaneous_pace == 5.0 and record.average_pace == 6.0


def test_pace_is_read_as_uint16_when_the_frame_is_longer_by_the_pace_fields() -> None:
    record = decode_treadmill_data(h("60 00 E8 03 2C 01 58 02"))
    assert record == TreadmillData(speed_kmh=10.0, instantaneous_pace=30.0, average_pace=60.0)
    assert len(h("60 00 E8 03 2C 01 58 02")) == treadmill_data_length(0x0060) + 2


def test_uint16_pace_with_vendor_step_count() -> None:
    record = decode_treadmill_data(h("20 20 E8 03 2C 01 10 27 00"))
    assert record == TreadmillData(speed_kmh=10.0, instantaneous_pace=30.0, step_count=10000)


def test_one_extra_octet_with_two_pace_fields_is_padding_not_uint16() -> None:
    record = decode_treadmill_data(h("60 00 E8 03 32 3C 00"))
    assert record.instantaneous_pace == 5.0 and record.average_pace == 6.0


def test_encoder_widens_pace_only_when_needed_and_decoder_reads_it_back() -> None:
    narrow = TreadmillData(speed_kmh=10.0, instantaneous_pace=25.5)
    wide = TreadmillData(speed_kmh=10.0, instantaneous_pace=25.6, average_pace=1.0)
    assert encode_treadmill_data(narrow) == h("20 00 E8 03 FF")
    assert encode_treadmill_data(wide) == h("60 00 E8 03 00 01 0A 00")
    assert decode_treadmill_data(encode_treadmill_data(wide)) == wide


def test_truncation_inside_a_group_keeps_the_complete_sub_fields() -> None:
    # Incline present, ramp cut after one octet.
    record = decode_treadmill_data(h("08 00 E8 03 14 00 FF"))
    assert record == TreadmillData(speed_kmh=10.0, inclination_percent=2.0, truncated=True)


def test_not_available_values_decode_to_none() -> None:
    record = decode_treadmill_data(h("88 10 E8 03 FF 7F FF 7F FF FF FF FF FF FF 7F FF 7F"))
    assert record == TreadmillData(speed_kmh=10.0)
    assert not record.truncated


def test_negative_signed_fields() -> None:
    record = decode_treadmill_data(h("08 10 E8 03 00 80 01 80 9C FF 00 80"))
    assert record.inclination_percent == -3276.8
    assert record.ramp_angle_deg == -3276.7
    assert record.force_on_belt_n == -100
    assert record.power_output_w == -32768


# --- encoder guards ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (TreadmillData(), "must carry speed_kmh"),
        (TreadmillData(more_data=True, speed_kmh=1.0), "carries no speed_kmh"),
        (TreadmillData(speed_kmh=-0.01), "does not fit"),
        (TreadmillData(speed_kmh=655.36), "does not fit"),
        (TreadmillData(speed_kmh=math.nan), "not a finite number"),
        (TreadmillData(speed_kmh=1.0, inclination_percent=3276.7), "'not available' value"),
        (TreadmillData(speed_kmh=1.0, total_energy_kcal=0xFFFF), "'not available' value"),
        (TreadmillData(speed_kmh=1.0, positive_elevation_gain_m=1.0), "no 'not available'"),
        (TreadmillData(speed_kmh=1.0, total_distance_m=1 << 24), "does not fit"),
        (TreadmillData(speed_kmh=1.0, step_count=-1), "does not fit"),
    ],
)
def test_encoder_refuses_what_the_wire_cannot_carry(record: TreadmillData, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        encode_treadmill_data(record)


def test_encoder_writes_not_available_for_an_absent_member_of_a_present_group() -> None:
    record = TreadmillData(speed_kmh=10.0, power_output_w=200)
    assert encode_treadmill_data(record) == h("00 10 E8 03 FF 7F C8 00")  # C59


# --- split --------------------------------------------------------------------------------

LIFE_FITNESS = "9E 04 73 02 33 02 25 00 00 3C 00 FF 7F 00 00 FF 7F 02 00 FF FF FF 1F 00"  # R1


def test_split_of_a_24_octet_record_at_the_default_mtu() -> None:
    record = decode_treadmill_data(h(LIFE_FITNESS))
    parts = split_treadmill_data(record)
    assert parts == [
        h("9F 00 33 02 25 00 00 3C 00 FF 7F 00 00 FF 7F 02 00 FF FF FF"),
        h("00 04 73 02 1F 00"),
    ]


def test_split_into_many_small_parts() -> None:
    record = decode_treadmill_data(h(LIFE_FITNESS))
    parts = split_treadmill_data(record, max_payload=7)
    assert len(parts) == 5  # avg+distance, incline, elevation, energy, speed+elapsed
    assert all(len(p) <= 7 for p in parts)
    merger = TreadmillDataMerger()
    assert [merger.feed(decode_treadmill_data(p)) for p in parts][-1] == record


@pytest.mark.parametrize(
    ("record", "max_payload", "problem"),
    [
        (SPERAX_RECORD, 6, "below 7"),
        (TreadmillData(more_data=True, total_distance_m=1), 20, "whole record"),
        (TreadmillData(total_distance_m=1), 20, "must carry speed_kmh"),
    ],
)
def test_split_refuses(record: TreadmillData, max_payload: int, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        split_treadmill_data(record, max_payload)


# --- merge --------------------------------------------------------------------------------


def test_merger_emits_on_each_speed_bearing_packet_with_latest_values() -> None:
    merger = TreadmillDataMerger()
    assert merger.feed(TreadmillData(speed_kmh=5.0, heart_rate_bpm=120)) == TreadmillData(
        speed_kmh=5.0, heart_rate_bpm=120
    )
    assert merger.feed(TreadmillData(more_data=True, total_distance_m=10)) is None
    assert merger.feed(TreadmillData(more_data=True, total_distance_m=12)) is None
    assert merger.feed(TreadmillData(speed_kmh=5.5)) == TreadmillData(
        speed_kmh=5.5, heart_rate_bpm=120, total_distance_m=12
    )


def test_merger_copes_with_parts_in_the_other_order() -> None:
    # Speed-bearing part first, More Data part second (the Yesoul order): every
    # emitted record still carries the freshest value of every field.
    merger = TreadmillDataMerger()
    first = merger.feed(TreadmillData(speed_kmh=8.0, elapsed_time_s=1))
    merger.feed(TreadmillData(more_data=True, total_distance_m=2))
    second = merger.feed(TreadmillData(speed_kmh=8.1, elapsed_time_s=2))
    assert first == TreadmillData(speed_kmh=8.0, elapsed_time_s=1)
    assert second == TreadmillData(speed_kmh=8.1, elapsed_time_s=2, total_distance_m=2)


def test_merger_passes_truncation_on_and_reset_forgets() -> None:
    merger = TreadmillDataMerger()
    merger.feed(TreadmillData(more_data=True, total_distance_m=99))
    truncated = merger.feed(decode_treadmill_data(h("9E 1F 51 00 B2 00 58 00 00 00")))
    assert truncated is not None and truncated.truncated and truncated.total_distance_m == 88
    merger.reset()
    assert merger.feed(TreadmillData(speed_kmh=1.0)) == TreadmillData(speed_kmh=1.0)


def test_a_decoded_record_is_the_frozen_dataclass_its_fields_make() -> None:
    """The decoder hands a record its fields in one dict (for speed): the same frozen
    value the constructor makes, with every field the dataclass declares."""
    assert tuple(f.name for f in dataclasses.fields(TreadmillData)) == _FIELDS
    data = bytes.fromhex("0c05e803d204000a00ff7f785802")
    record = decode_treadmill_data(data)
    made = TreadmillData(
        speed_kmh=10.0, total_distance_m=1234, inclination_percent=1.0, heart_rate_bpm=120,
        elapsed_time_s=600,
    )  # fmt: skip
    assert record == made and hash(record) == hash(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.speed_kmh = 1.0  # type: ignore[misc]
