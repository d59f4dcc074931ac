"""The Fitness Machine service data a machine may advertise (AD type 0x16, UUID 0x1826).

Three octets (ftms.md §1.2): Flags (uint8, bit 0 "Fitness Machine Available") and
Fitness Machine Type (uint16, bit 0 treadmill ... bit 5 indoor bike). `scan` uses it
to say what kind of machine answered before connecting. Many machines send none;
fewer than three octets is an `FtmsDecodeError`, octets past the third (none are
defined) and reserved bits are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import Final

from treadpace.ftms._wire import Reader, put_uint

CHARACTERISTIC: Final = "fitness machine service data"

AVAILABLE: Final = 1 << 0


class MachineType(IntFlag):
    TREADMILL = 1 << 0
    CROSS_TRAINER = 1 << 1
    STEP_CLIMBER = 1 << 2
    STAIR_CLIMBER = 1 << 3
    ROWER = 1 << 4
    INDOOR_BIKE = 1 << 5


_KNOWN_TYPES: Final = int(
    MachineType.TREADMILL
    | MachineType.CROSS_TRAINER
    | MachineType.STEP_CLIMBER
    | MachineType.STAIR_CLIMBER
    | MachineType.ROWER
    | MachineType.INDOOR_BIKE
)


@dataclass(frozen=True, slots=True)
class ServiceData:
    """What the advertisement says: available for use, and which kinds of machine."""

    available: bool
    machine_types: MachineType

    @property
    def type_names(self) -> list[str]:
        """`["treadmill"]`, `["treadmill", "indoor bike"]`: in bit order, in plain words."""
        return [
            str(t.name).lower().replace("_", " ")
            for t in MachineType
            if t in self.machine_types and t.name
        ]


def decode_service_data(data: bytes) -> ServiceData:
    r = Reader(data, CHARACTERISTIC)
    flags = r.uint(1, "flags")
    types = r.uint(2, "fitness machine type")
    return ServiceData(
        available=bool(flags & AVAILABLE), machine_types=MachineType(types & _KNOWN_TYPES)
    )


def encode_service_data(message: ServiceData) -> bytes:
    flags = put_uint(AVAILABLE if message.available else 0, 1, "flags")
    return flags + put_uint(int(message.machine_types), 2, "fitness machine type")
