"""Little-endian integer packing with range checks, shared by every message module.

Decoding goes through `Reader`, which turns "not enough octets" into an
`FtmsDecodeError` naming the characteristic and field. Encoding goes through
`put_uint`/`put_sint`/`scaled`, which raise ValueError for a value the wire
field cannot carry (the caller built an impossible message).
"""

from __future__ import annotations

import math

from treadpace.ftms.decode_error import FtmsDecodeError


class Reader:
    """Sequential reader over one characteristic value."""

    __slots__ = ("characteristic", "data", "op", "pos")

    def __init__(self, data: bytes, characteristic: str, *, op: int | None = None) -> None:
        self.data = bytes(data)
        self.characteristic = characteristic
        self.op = op
        self.pos = 0

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def fail(self, problem: str) -> FtmsDecodeError:
        return FtmsDecodeError(self.characteristic, problem, op=self.op)

    def take(self, size: int, field: str) -> bytes:
        if self.remaining < size:
            raise self.fail(
                f"{field} needs {size} octet{'s' if size != 1 else ''}, "
                f"{self.remaining} left (packet of {len(self.data)})"
            )
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def uint(self, size: int, field: str) -> int:
        return int.from_bytes(self.take(size, field), "little")

    def sint(self, size: int, field: str) -> int:
        return int.from_bytes(self.take(size, field), "little", signed=True)

    def rest(self) -> bytes:
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk


def _check_int(value: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field}: {value!r} is not an integer")


def put_uint(value: int, size: int, field: str) -> bytes:
    _check_int(value, field)
    if not 0 <= value < 1 << (8 * size):
        raise ValueError(f"{field}: {value} does not fit an unsigned {8 * size}-bit field")
    return value.to_bytes(size, "little")


def put_sint(value: int, size: int, field: str) -> bytes:
    _check_int(value, field)
    half = 1 << (8 * size - 1)
    if not -half <= value < half:
        raise ValueError(f"{field}: {value} does not fit a signed {8 * size}-bit field")
    return value.to_bytes(size, "little", signed=True)


def scaled(value: float, scale: int, field: str) -> int:
    """The raw integer for `value` on a grid of 1/scale (round half to even)."""
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{field}: {value!r} is not a finite number")
    return round(value * scale)


def unscale(raw: int, scale: int) -> float:
    """Raw integer to the value it stands for; exact on the decimal grid (627/100 == 6.27)."""
    return raw / scale
