"""Heart Rate Measurement (0x2A37) of the Heart Rate Service, for a chest strap paired directly.

Flags (uint8), heart rate (uint8 or uint16), optional Energy Expended (uint16 kJ),
then RR intervals (uint16, 1/1024 s) filling the rest of the packet (ftms.md §1.3).
A dangling odd octet at the end of the RR list (a cut packet) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from treadpace.ftms._wire import Reader, put_uint

CHARACTERISTIC: Final = "heart rate measurement"

HR_UINT16: Final = 1 << 0
CONTACT_SUPPORTED: Final = 1 << 2
CONTACT_DETECTED: Final = 1 << 1
ENERGY_PRESENT: Final = 1 << 3
RR_PRESENT: Final = 1 << 4


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """`sensor_contact` None = the strap does not report contact; RR in units of 1/1024 s.

    The encoder uses the uint16 heart-rate format only above 255 bpm; both formats decode
    to the same message.
    """

    heart_rate_bpm: int
    sensor_contact: bool | None = None
    energy_expended_kj: int | None = None
    rr_intervals: tuple[int, ...] = ()

    @property
    def rr_intervals_s(self) -> tuple[float, ...]:
        return tuple(rr / 1024 for rr in self.rr_intervals)


def encode_heart_rate(m: HeartRateMeasurement) -> bytes:
    wide = m.heart_rate_bpm > 0xFF
    flags = HR_UINT16 if wide else 0
    if m.sensor_contact is not None:
        flags |= CONTACT_SUPPORTED | (CONTACT_DETECTED if m.sensor_contact else 0)
    if m.energy_expended_kj is not None:
        flags |= ENERGY_PRESENT
    if m.rr_intervals:
        flags |= RR_PRESENT
    out = bytes([flags]) + put_uint(m.heart_rate_bpm, 2 if wide else 1, "heart_rate_bpm")
    if m.energy_expended_kj is not None:
        out += put_uint(m.energy_expended_kj, 2, "energy_expended_kj")
    for rr in m.rr_intervals:
        out += put_uint(rr, 2, "rr_interval")
    return out


def decode_heart_rate(data: bytes) -> HeartRateMeasurement:
    reader = Reader(data, CHARACTERISTIC)
    flags = reader.uint(1, "flags")
    wide = bool(flags & HR_UINT16)
    bpm = reader.uint(2 if wide else 1, "heart rate")
    contact = bool(flags & CONTACT_DETECTED) if flags & CONTACT_SUPPORTED else None
    energy = reader.uint(2, "energy expended") if flags & ENERGY_PRESENT else None
    rr: tuple[int, ...] = ()
    if flags & RR_PRESENT:
        rr = tuple(reader.uint(2, "RR interval") for _ in range(reader.remaining // 2))
    return HeartRateMeasurement(bpm, contact, energy, rr)
