"""Training Status (0x2AD3): the phase of the workout as the machine sees it.

Flags (uint8), status (uint8), then an optional UTF-8 string (ftms.md §5.2).
Tolerances: FitShow firmware sets the string flag and sends no string (`01 01`
decodes to `text=""`); reserved status values (the Urevo's 0x10/0x11) are kept as
plain ints; invalid UTF-8 (a string cut by the MTU) is replaced, not raised; NUL
terminators that C firmware appends are dropped; octets after the status when the
string flag is clear are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from treadpace.ftms._wire import Reader, put_uint

CHARACTERISTIC: Final = "training status"

STRING_PRESENT: Final = 1 << 0
EXTENDED_STRING: Final = 1 << 1


class TrainingStatusCode(IntEnum):
    OTHER = 0x00
    IDLE = 0x01
    WARMING_UP = 0x02
    LOW_INTENSITY_INTERVAL = 0x03
    HIGH_INTENSITY_INTERVAL = 0x04
    RECOVERY_INTERVAL = 0x05
    ISOMETRIC = 0x06
    HEART_RATE_CONTROL = 0x07
    FITNESS_TEST = 0x08
    SPEED_OUTSIDE_CONTROL_REGION_LOW = 0x09
    SPEED_OUTSIDE_CONTROL_REGION_HIGH = 0x0A
    COOL_DOWN = 0x0B
    WATT_CONTROL = 0x0C
    MANUAL_MODE = 0x0D
    PRE_WORKOUT = 0x0E
    POST_WORKOUT = 0x0F


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    """`status` is a `TrainingStatusCode` value or a reserved int; `text` None = no string."""

    status: int
    text: str | None = None
    extended: bool = False


def encode_training_status(ts: TrainingStatus) -> bytes:
    flags = (STRING_PRESENT if ts.text is not None else 0) | (EXTENDED_STRING if ts.extended else 0)
    text = ts.text.encode("utf-8") if ts.text is not None else b""
    return bytes([flags]) + put_uint(ts.status, 1, "status") + text


def decode_training_status(data: bytes) -> TrainingStatus:
    reader = Reader(data, CHARACTERISTIC)
    flags = reader.uint(1, "flags")
    raw = reader.uint(1, "status")
    status: int = TrainingStatusCode(raw) if raw <= max(TrainingStatusCode) else raw
    text = None
    if flags & STRING_PRESENT:
        text = reader.rest().decode("utf-8", errors="replace").rstrip("\x00")
    return TrainingStatus(status, text, bool(flags & EXTENDED_STRING))
