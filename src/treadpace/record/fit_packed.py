"""Messages of one fixed layout packed with one precompiled `struct.Struct`.

A 3-hour, 1,000-step run writes 11,000 records, 1,000 laps, 1,000 Time In
Zone messages and 1,000 Workout Steps, each kind with the same few fields.
Filling a fit-tool message and letting it encode itself costs a field object,
a sub-field lookup and a range check per value, and was most of the export's
time. A `PackedLayout` takes from fit-tool's own profile what it needs for a
message type and a set of fields (field numbers, base types, scale and offset,
sub-fields, invalid values), has fit-tool encode the definition message its
builder would write for them, and then turns each message's values into bytes
with one `struct.pack`: the bytes fit-tool's encoder writes for the same
values (tests compare them). `FitStream.add_packed` writes them, with the
definition wherever fit-tool's own rules would put it.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, NamedTuple

Converter = Callable[[Any], Any]


class PackedLayout:
    """One message type with one set of fields, named as fit-tool's profile names them.

    A name is a field's or a sub-field's (`duration_time` is `duration_value` in
    seconds, scaled as that sub-field is). `lengths` gives each text field's size
    in bytes and each array's number of values. Integers, enums, arrays of them and
    text are packed; floats are not.
    """

    def __init__(
        self,
        message_type: type[Any],
        names: Iterable[str],
        local_id: int = 0,
        lengths: Mapping[str, int] | None = None,
    ) -> None:
        from fit_tool.definition_message import DefinitionMessage
        from fit_tool.encode import encode_record_projected, resolve_encode_options
        from fit_tool.field_definition import FieldDefinition
        from fit_tool.record import Record
        from fit_tool.validation import validate_definition

        template = message_type()
        template.local_id = local_id
        self.message_type = message_type
        self.local_id = local_id
        lengths = dict(lengths or {})
        entries = sorted(
            (_profile_entry(template, name, lengths.get(name)) for name in names),
            # fit-tool defines a message's fields in its profile's order, whatever the
            # order they were set in: so does the layout.
            key=lambda entry: template.fields.index(entry.field),
        )
        self.names = tuple(entry.name for entry in entries)
        self.definition = DefinitionMessage(
            local_id=local_id,
            global_id=template.global_id,
            endian=template.endian,
            field_definitions=[
                FieldDefinition(entry.field.field_id, entry.size, entry.field.base_type)
                for entry in entries
            ],
        )
        validate_definition(self.definition)
        # A layout's definition never changes: fit-tool encodes it once, header and all.
        self.definition_record: bytes = encode_record_projected(
            Record.from_message(self.definition), options=resolve_encode_options()
        )
        self._header = Record.from_message(template).header.to_bytes()[0]
        self._struct = struct.Struct("<B" + "".join(entry.format for entry in entries))
        self._converters = tuple((entry.name, entry.converter) for entry in entries)
        self._arrays = frozenset(entry.name for entry in entries if entry.array)
        by_id = {entry.field.field_id: entry.name for entry in entries}
        self._selections = tuple(
            _Selection.of(entry, by_id) for entry in entries if entry.field.sub_fields
        )

    def pack(self, values: Mapping[str, Any]) -> bytes:
        """One data record (header byte and fields) holding `values`, one for each name.

        A value is what fit-tool's message property takes (a timestamp in Unix
        milliseconds, metres, an enum member, a list for an array); None is a number
        field's invalid value (text has none: it is refused).
        """
        for selection in self._selections:
            selection.check(values)
        if not self._arrays:
            return self._struct.pack(
                self._header, *[convert(values[name]) for name, convert in self._converters]
            )
        flat: list[Any] = [self._header]
        for name, convert in self._converters:
            if name in self._arrays:
                flat += convert(values[name])
            else:
                flat.append(convert(values[name]))
        return self._struct.pack(*flat)

    def message(self, values: Mapping[str, Any]) -> Any:
        """The same message as a fresh fit-tool message, each value set by fit-tool's own
        field encoder: the reference `pack` is held to."""
        message = self.message_type()
        message.local_id = self.local_id
        for name in self.names:
            field = _field_of(message, name)
            sub_field = field.get_valid_sub_field(message.fields)
            if (sub_field.name if sub_field is not None else field.name) != name:
                raise ValueError(f"fit-tool reads {field.name} as {sub_field} here, not {name}")
            if name in self._arrays:
                field.set_values(values[name])  # as fit-tool's array properties do
            else:
                field.set_value(0, values[name], sub_field)
        return message


class _Entry(NamedTuple):
    name: str
    field: Any
    sub_field: Any
    size: int
    format: str
    converter: Converter
    array: bool = False


def _field_of(message: Any, name: str) -> Any:
    """The field called `name`, or the one whose sub-field is called so."""
    field = message.get_field_by_name(name)
    if field is not None:
        return field
    for field in message.fields:
        if any(sub.name == name for sub in field.sub_fields):
            return field
    raise ValueError(f"{type(message).__name__} has no field {name!r}")


def _profile_entry(template: Any, name: str, length: int | None) -> _Entry:
    from fit_tool.base_type import BaseType

    field = _field_of(template, name)
    sub_field = next((sub for sub in field.sub_fields if sub.name == name), None)
    base_type = field.base_type
    if base_type.is_float():
        raise ValueError(f"{name}: only integer, enum and text fields are packed")
    if base_type == BaseType.STRING:
        if length is None:
            raise ValueError(f"{name}: a text field needs its size")
        return _Entry(name, field, None, length, f"{length}s", _text(name, length))
    each = _integer(field, sub_field)
    if length is None:
        return _Entry(name, field, sub_field, base_type.size, base_type.struct_format, each)
    size, char = base_type.size * length, base_type.struct_format
    return _Entry(name, field, sub_field, size, f"{length}{char}", _array(name, length, each), True)


def _array(name: str, length: int, each: Converter) -> Converter:
    """An array field's values, each as its own field's value would be."""

    def convert(values: Any) -> list[Any]:
        if len(values) != length:
            raise ValueError(f"{name}: {len(values)} values for an array of {length}")
        return [each(value) for value in values]

    return convert


def _text(name: str, size: int) -> Converter:
    """Text as fit-tool writes it: UTF-8, a zero after it, zeros up to the field's size."""

    def convert(value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"{name}: expected text, got {type(value).__name__}")
        encoded = value.encode("utf-8") + b"\0"
        if len(encoded) > size:
            raise ValueError(f"{name}: {len(encoded)} bytes do not fit in {size}")
        return encoded

    return convert


class _Selection:
    """Which of a field's sub-fields fit-tool picks for a message's values: the first
    whose reference fields (all of them) hold one of its values. A layout names the one
    it packs (or the field itself, for none); `check` refuses values that pick another."""

    def __init__(self, name: str, chosen: Any, candidates: list[tuple[Any, list[Any]]]) -> None:
        self.name = name
        self.chosen = chosen
        self.candidates = candidates

    @classmethod
    def of(cls, entry: _Entry, names_by_id: Mapping[int, str]) -> _Selection:
        candidates = []
        for sub in entry.field.sub_fields:
            # A reference the layout does not hold is not valid: that sub-field never applies.
            if all(ref in names_by_id for ref in sub.reference_map):
                refs = [
                    (names_by_id[ref], {_raw(value) for value in permitted})
                    for ref, permitted in sub.reference_map.items()
                ]
                candidates.append((sub, refs))
        return cls(entry.name, entry.sub_field, candidates)

    def check(self, values: Mapping[str, Any]) -> None:
        picked = next(
            (
                sub
                for sub, refs in self.candidates
                if all(_raw(values[ref]) in permitted for ref, permitted in refs)
            ),
            None,
        )
        if picked is not self.chosen:
            instead = picked.name if picked is not None else "the field without a sub-field"
            raise ValueError(f"{self.name}: fit-tool writes these values as {instead}")


def _raw(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _integer(field: Any, sub_field: Any) -> Converter:
    """A value as fit-tool's `Field.encode_value` encodes it, range-checked as its setter is."""
    from fit_tool.exceptions import FitEncodingError

    base_type = field.base_type
    invalid: int = base_type.invalid_raw_value()
    low: int = base_type.min
    high: int = base_type.max
    scale = field.get_scale(sub_field=sub_field)
    offset = field.get_offset(sub_field=sub_field)
    plain = (scale is None or scale == 1.0) and (offset is None or offset == 0.0)
    scale = 1.0 if scale is None else scale
    offset = 0.0 if offset is None else offset
    name = field.name if sub_field is None else sub_field.name

    def convert(value: Any) -> int:
        if value is None:
            return invalid
        if isinstance(value, Enum):
            encoded = value.value
        elif plain:
            encoded = int(value)
        else:
            encoded = round((value + offset) * scale)
        if not low <= encoded <= high:
            raise FitEncodingError(
                f"{name} encoded value {encoded} is not in valid range [{low}, {high}]"
            )
        return encoded  # type: ignore[no-any-return]

    return convert


class Packed(NamedTuple):
    """One message to pack: its layout and its values."""

    layout: PackedLayout
    values: Mapping[str, Any]


class Layouts:
    """One layout per message type, set of field names and lengths, built on first use.

    `sized` names the text and array fields: a text field takes the size fit-tool's
    builder gives it (its UTF-8 bytes and a zero, at least `min_string_size`), an
    array as many values as it is given.
    """

    def __init__(self, min_string_size: int = 0, sized: Iterable[str] = ()) -> None:
        self.min_string_size = min_string_size
        self.sized = frozenset(sized)
        self._layouts: dict[tuple[Any, ...], PackedLayout] = {}

    def packed(self, message_type: type[Any], values: Mapping[str, Any]) -> Packed:
        lengths = {name: self._length(values[name]) for name in self.sized if name in values}
        key = (message_type, tuple(values), *lengths.values())
        layout = self._layouts.get(key)
        if layout is None:
            layout = PackedLayout(message_type, values, lengths=lengths)
            self._layouts[key] = layout
        return Packed(layout, values)

    def _length(self, value: Any) -> int:
        if isinstance(value, str):
            return max(len(value.encode("utf-8")) + 1, self.min_string_size)
        return len(value)
