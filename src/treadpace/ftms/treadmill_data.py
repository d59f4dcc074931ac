"""Treadmill Data (0x2ACD): the telemetry record a treadmill notifies about once a second.

A 16-bit flags word is followed by the fields whose flag bits are set, in the fixed
order of `_GROUPS`. Bit 0 is inverted: 0 means Instantaneous Speed is present
("More Data" = 1 marks a part of a split record that carries no speed).

The decoder is table-driven and tolerant of the deviations real firmwares show
(reference ftms.md §8 Q7):

- a record cut short (Matrix: 32 octets promised, 20 sent) keeps every field that
  was read completely and sets `truncated=True`; it never raises for that. A frame
  that promises speed and stops before it (`00 00`) is the same case: a record with
  `truncated=True` and `speed_kmh=None`, so callers handle one kind of short frame;
- the vendor step count in reserved bit 13 (FitShow family) is read as 3 octets when
  exactly 3 remain after the standard fields, otherwise trailing octets are ignored;
- padding after the last field is ignored;
- pace is uint8 (the 2017 XML), unless the frame is longer than that layout by exactly
  the number of pace fields (plus the 3 step octets when bit 13 is set): then pace is
  read as uint16. A caller who wants to know can compare `len(data)` with
  `treadmill_data_length(flags)`. The encoder writes uint8 and widens to uint16 only
  for a pace above 25.5, which the same rule reads back.

Only a frame too short to hold the flags raises `FtmsDecodeError`.

The elevation gains have no "not available" value in the specification, so the
Life Fitness 0x7FFF and Matrix 0xFFFF fillers decode literally (3276.7 m, 6553.5 m);
the spec's sentinels (inclination, ramp, energy, force, power) decode to None.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from treadpace.ftms._wire import Reader, put_uint, scaled

CHARACTERISTIC: Final = "treadmill data"

MORE_DATA: Final = 1 << 0
STEP_COUNT_VENDOR_BIT: Final = 1 << 13
_PACE_BITS: Final = (1 << 5) | (1 << 6)


@dataclass(frozen=True)  # not slots: the decoder hands a record its fields in one dict
class TreadmillData:
    """One Treadmill Data notification (or a merged record). `None` = absent or "not available".

    `instantaneous_pace` and `average_pace` are in the XML's "km/min" unit at 0.1
    resolution; firmwares fill them inconsistently, so derive pace from speed instead.
    `step_count` comes from the vendor bit 13 extension. `truncated` is set by the
    decoder when the frame ended inside a promised field; it is never encoded.
    """

    more_data: bool = False
    speed_kmh: float | None = None
    average_speed_kmh: float | None = None
    total_distance_m: int | None = None
    inclination_percent: float | None = None
    ramp_angle_deg: float | None = None
    positive_elevation_gain_m: float | None = None
    negative_elevation_gain_m: float | None = None
    instantaneous_pace: float | None = None
    average_pace: float | None = None
    total_energy_kcal: int | None = None
    energy_per_hour_kcal: int | None = None
    energy_per_minute_kcal: int | None = None
    heart_rate_bpm: int | None = None
    metabolic_equivalent: float | None = None
    elapsed_time_s: int | None = None
    remaining_time_s: int | None = None
    force_on_belt_n: int | None = None
    power_output_w: int | None = None
    step_count: int | None = None
    truncated: bool = False


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: the encoder's cache key
class _Field:
    name: str
    size: int
    signed: bool = False
    scale: int = 1  # value = raw / scale; 1 means an int-valued field
    na: int | None = None  # raw (unsigned) pattern meaning "data not available"


@dataclass(frozen=True, slots=True)
class _Group:
    bit: int
    fields: tuple[_Field, ...]


# Spec order (ftms.md §2.1). Bit 0 is inverted; bits 5 and 6 (pace) may be read as uint16.
_GROUPS: Final = (
    _Group(0, (_Field("speed_kmh", 2, scale=100),)),
    _Group(1, (_Field("average_speed_kmh", 2, scale=100),)),
    _Group(2, (_Field("total_distance_m", 3),)),
    _Group(
        3,
        (
            _Field("inclination_percent", 2, signed=True, scale=10, na=0x7FFF),
            _Field("ramp_angle_deg", 2, signed=True, scale=10, na=0x7FFF),
        ),
    ),
    _Group(
        4,
        (
            _Field("positive_elevation_gain_m", 2, scale=10),
            _Field("negative_elevation_gain_m", 2, scale=10),
        ),
    ),
    _Group(5, (_Field("instantaneous_pace", 1, scale=10),)),
    _Group(6, (_Field("average_pace", 1, scale=10),)),
    _Group(
        7,
        (
            _Field("total_energy_kcal", 2, na=0xFFFF),
            _Field("energy_per_hour_kcal", 2, na=0xFFFF),
            _Field("energy_per_minute_kcal", 1, na=0xFF),
        ),
    ),
    _Group(8, (_Field("heart_rate_bpm", 1),)),
    _Group(9, (_Field("metabolic_equivalent", 1, scale=10),)),
    _Group(10, (_Field("elapsed_time_s", 2),)),
    _Group(11, (_Field("remaining_time_s", 2),)),
    _Group(
        12,
        (
            _Field("force_on_belt_n", 2, signed=True, na=0x7FFF),
            _Field("power_output_w", 2, signed=True, na=0x7FFF),
        ),
    ),
)
VALUE_FIELDS: Final = (*(f.name for g in _GROUPS for f in g.fields), "step_count")


def _group_present(group: _Group, flags: int) -> bool:
    if group.bit == 0:
        return not flags & MORE_DATA
    return bool(flags & (1 << group.bit))


def treadmill_data_length(flags: int, *, pace_octets: int = 1) -> int:
    """Octets a compliant frame with these flags occupies (flags word included, no steps)."""
    total = 2
    for group in _GROUPS:
        if _group_present(group, flags):
            for field in group.fields:
                total += pace_octets if group.bit in (5, 6) else field.size
    return total


def _pace_layout(flags: int, length: int) -> tuple[int, bool]:
    """(pace field width, step count present) for a frame of `length` octets."""
    has_steps_bit = bool(flags & STEP_COUNT_VENDOR_BIT)
    narrow = treadmill_data_length(flags)
    if length == narrow:
        return 1, False
    if has_steps_bit and length == narrow + 3:
        return 1, True
    pace_fields = bin(flags & _PACE_BITS).count("1")
    if pace_fields:
        wide = narrow + pace_fields
        if length == wide:
            return 2, False
        if has_steps_bit and length == wide + 3:
            return 2, True
    return 1, False


# One field's place in a frame: (name, start, end, signed, scale, "not available" pattern).
_Slot = tuple[str, int, int, bool, int, int | None]


@lru_cache(maxsize=1024)
def _layout(flags: int, length: int) -> tuple[tuple[_Slot, ...], bool]:
    """Where each field sits in a frame of this length, and whether the frame is cut short."""
    pace_width, has_steps = _pace_layout(flags, length)
    slots: list[_Slot] = []
    pos = 2
    for group in _GROUPS:
        if not _group_present(group, flags):
            continue
        for field in group.fields:
            size = pace_width if group.bit in (5, 6) else field.size
            if pos + size > length:
                return tuple(slots), True
            slots.append((field.name, pos, pos + size, field.signed, field.scale, field.na))
            pos += size
    if has_steps:
        slots.append(("step_count", pos, pos + 3, False, 1, None))
    return tuple(slots), False


# A field read from the frame: (its name, read as two items (a 3-octet field: uint16
# then uint8), scale, "not available" pattern).
_Read = tuple[str, bool, int, int | None]
_Plan = tuple[Callable[[bytes], tuple[int, ...]], tuple[_Read, ...], bool]
_FIELDS: Final = ("more_data", *VALUE_FIELDS, "truncated")
"""TreadmillData's fields, as declared (a test keeps the two the same)."""
_DEFAULTS: Final[dict[str, Any]] = {
    **dict.fromkeys(_FIELDS),
    "more_data": False,
    "truncated": False,
}
_STRUCT_CODE: Final = {(1, False): "B", (1, True): "b", (2, False): "H", (2, True): "h"}


@lru_cache(maxsize=1024)
def _plan(flags: int, length: int) -> _Plan:
    """One `struct` unpack for every field of a frame of this layout, and what each item is."""
    slots, truncated = _layout(flags, length)
    codes = ["<2x"]
    reads: list[_Read] = []
    for name, start, end, signed, scale, na in slots:
        size = end - start
        codes.append("HB" if size == 3 else _STRUCT_CODE[size, signed])
        reads.append((name, size == 3, scale, na))
    return struct.Struct("".join(codes)).unpack_from, tuple(reads), truncated


def _made(fields: dict[str, Any]) -> TreadmillData:
    """The frozen record holding `fields` (every field named), as the constructor makes it.

    A frozen dataclass's `__init__` sets each of its 21 fields through
    `object.__setattr__`, most of the cost of a decode; this hands the new instance its
    whole `__dict__` at once. Equality, hashing and the frozen guard are the dataclass's.
    """
    record = object.__new__(TreadmillData)
    object.__setattr__(record, "__dict__", fields)
    return record


def decode_treadmill_data(data: bytes) -> TreadmillData:
    """Decode one Treadmill Data notification; see the module docstring for the tolerances."""
    if len(data) < 2:
        Reader(data, CHARACTERISTIC).uint(2, "flags")  # raises: the one error, as every decoder
    data = bytes(data)
    flags = data[0] | data[1] << 8
    unpack, reads, truncated = _plan(flags, len(data))
    raw = unpack(data)
    fields = _DEFAULTS.copy()
    fields["more_data"], fields["truncated"] = bool(flags & MORE_DATA), truncated
    at = 0
    for name, wide, scale, na in reads:
        value = raw[at]
        if wide:
            value |= raw[at + 1] << 16
            at += 2
        else:
            at += 1
        if value != na:
            fields[name] = value if scale == 1 else value / scale
    return _made(fields)


@lru_cache(maxsize=4096, typed=True)
def _raw_value(field: _Field, value: int | float | None, size: int) -> bytes:
    """A field's octets. Cached: from one record to the next most values repeat (speed,
    incline, heart rate), and the checks below are most of an encode; typed, so that
    True never passes for a 1 already seen, and NaN, never equal to itself, is never a hit."""
    if value is None:
        if field.na is None:
            raise ValueError(
                f"treadmill data: {field.name} has no 'not available' value; "
                "set it when the other fields of its group are set"
            )
        return field.na.to_bytes(size, "little")
    raw = value if field.scale == 1 else scaled(value, field.scale, field.name)
    if type(raw) is not int:
        raise ValueError(f"treadmill data: {field.name}: {value!r} is not an integer")
    bits = 8 * size
    low, high = (
        (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if field.signed else (0, (1 << bits) - 1)
    )
    if not low <= raw <= high:
        raise ValueError(
            f"treadmill data: {field.name}: {value!r} does not fit "
            f"{'a signed' if field.signed else 'an unsigned'} {bits}-bit field"
        )
    if field.na is not None and raw & ((1 << bits) - 1) == field.na:
        raise ValueError(f"treadmill data: {field.name}: {value!r} is the 'not available' value")
    return raw.to_bytes(size, "little", signed=field.signed)


def _pace_width(td: TreadmillData) -> int:
    """uint8 per the XML; uint16 (which the decoder recognises by length) only when needed."""
    for value in (td.instantaneous_pace, td.average_pace):
        if value is not None and scaled(value, 10, "pace") > 0xFF:
            return 2
    return 1


# The groups after speed as (flag bit, ((field, its name, its size), ...), whether pace).
_AFTER_SPEED: Final = tuple(
    (g.bit, tuple((f, f.name, f.size) for f in g.fields), g.bit in (5, 6)) for g in _GROUPS[1:]
)


def _encoded_groups(td: TreadmillData) -> list[tuple[int, bytes]]:
    """(flag bit, octets) for every present group after speed, step count last."""
    pace_width = _pace_width(td)
    values = td.__dict__  # not slots (see the class): one dict, no attribute look-ups
    out: list[tuple[int, bytes]] = []
    for bit, fields, pace in _AFTER_SPEED:
        if len(fields) == 1:
            field, name, size = fields[0]
            value = values[name]
            if value is not None:
                out.append((bit, _raw_value(field, value, pace_width if pace else size)))
            continue
        present = [values[name] for _, name, _ in fields]
        if present.count(None) == len(present):
            continue
        body = b"".join(
            [_raw_value(f[0], value, f[2]) for f, value in zip(fields, present, strict=True)]
        )
        out.append((bit, body))
    if td.step_count is not None:
        out.append((13, put_uint(td.step_count, 3, "step_count")))
    return out


def _speed_octets(td: TreadmillData) -> bytes:
    if td.speed_kmh is None:
        raise ValueError("treadmill data: a record without More Data must carry speed_kmh")
    return _raw_value(_GROUPS[0].fields[0], td.speed_kmh, 2)


def _frame(more_data: bool, speed: bytes, groups: list[tuple[int, bytes]]) -> bytes:
    flags = MORE_DATA if more_data else 0
    for bit, _ in groups:
        flags |= 1 << bit
    return flags.to_bytes(2, "little") + speed + b"".join(body for _, body in groups)


def encode_treadmill_data(td: TreadmillData) -> bytes:
    """Encode one notification. `more_data=True` requires `speed_kmh=None`, and vice versa.

    Raises ValueError for values the wire cannot carry (out of range, or equal to a
    field's "not available" pattern). `truncated` is not encoded. Pace goes out as uint8
    (the XML) unless a value needs uint16; the decoder's length rule reads that back.
    """
    if td.more_data:
        if td.speed_kmh is not None:
            raise ValueError("treadmill data: a More Data part carries no speed_kmh")
        return _frame(True, b"", _encoded_groups(td))
    return _frame(False, _speed_octets(td), _encoded_groups(td))


def split_treadmill_data(td: TreadmillData, max_payload: int = 20) -> list[bytes]:
    """Encode a record as notifications of at most `max_payload` octets (spec §4.19).

    Every part but the last has More Data set and no speed; the last carries the speed
    and the remaining fields. A record that fits comes back as a single notification.
    """
    if max_payload < 7:
        raise ValueError(f"max_payload {max_payload} is below 7, the smallest splittable size")
    if td.more_data:
        raise ValueError("split_treadmill_data takes a whole record (more_data=False)")
    speed = _speed_octets(td)
    groups = _encoded_groups(td)
    parts: list[bytes] = []
    i = 0
    rest = [0] * (len(groups) + 1)  # rest[i]: the octets of groups[i:]
    for j in range(len(groups) - 1, -1, -1):
        rest[j] = rest[j + 1] + len(groups[j][1])
    while 2 + len(speed) + rest[i] > max_payload:
        size = 2
        start = i
        while i < len(groups) and size + len(groups[i][1]) <= max_payload:
            size += len(groups[i][1])
            i += 1
        parts.append(_frame(True, b"", groups[start:i]))
    parts.append(_frame(False, speed, groups[i:]))
    return parts


class TreadmillDataMerger:
    """Turns a stream of (possibly split) notifications into whole records.

    Keeps the latest known value of every field and emits a merged record each time a
    speed-bearing notification arrives (ftms.md §2.2). This copes both with compliant
    splits (More Data parts first) and with firmwares that send the parts in the other
    order or never split. Call `reset()` on disconnect so that no stale value survives.
    """

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[str, Any] = {}

    def feed(self, td: TreadmillData) -> TreadmillData | None:
        for name in VALUE_FIELDS:
            value = getattr(td, name)
            if value is not None:
                self._known[name] = value
        if td.speed_kmh is None:
            return None
        return _made({**_DEFAULTS, **self._known, "truncated": td.truncated})

    def reset(self) -> None:
        self._known.clear()
