"""Fitness Machine service data from an advertisement (ftms.md §1.2), decoded purely."""

from __future__ import annotations

import pytest

from treadpace.ftms import (
    FtmsDecodeError,
    MachineType,
    ServiceData,
    decode_service_data,
    encode_service_data,
)


def test_real_urevo_e1l_scan_response_says_available_treadmill() -> None:
    # AD structure `06 16 26 18 01 01 00`: the service data is the last three octets.
    data = decode_service_data(bytes.fromhex("01 01 00"))
    assert data == ServiceData(available=True, machine_types=MachineType.TREADMILL)
    assert data.type_names == ["treadmill"]
    assert encode_service_data(data) == bytes.fromhex("01 01 00")


def test_several_kinds_in_bit_order_and_reserved_bits_ignored() -> None:
    data = decode_service_data(bytes.fromhex("00 21 ff"))
    assert not data.available
    assert data.type_names == ["treadmill", "indoor bike"]
    assert data.machine_types == MachineType.TREADMILL | MachineType.INDOOR_BIKE


def test_octets_past_the_third_are_ignored() -> None:
    assert decode_service_data(bytes.fromhex("01 10 00 99")).type_names == ["rower"]


@pytest.mark.parametrize("hex_bytes", ["", "01", "01 01"])
def test_short_service_data_is_one_decode_error(hex_bytes: str) -> None:
    with pytest.raises(FtmsDecodeError) as err:
        decode_service_data(bytes.fromhex(hex_bytes))
    assert str(err.value).startswith("fitness machine service data: ")
