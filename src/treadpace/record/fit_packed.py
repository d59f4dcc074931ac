"""Messages of one fixed layout packed with one precompiled `struct.Struct`.

A 3-hour run writes 11,000 records and 1,000 laps, each with the same few
fields. Filling a fit-tool message and letting it encode itself costs a field
object, a sub-field lookup and a range check per value, and was most of the
export's time. A `PackedLayout` takes from fit-tool's own profile what it needs
for a message type and a set of fields (field numbers, base types, scale and
offset, invalid values), builds the definition message fit-tool would write
for them, and then turns each message's values into bytes with one
`struct.pack`: the same bytes fit-tool's encoder writes (tests compare them),
for the numeric fields it holds. `FitStream.add_packed` writes them, with the
definition wherever fit-tool's own rules would put it.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, NamedTuple

Converter = Callable[[Any], int]


class PackedLayout:
    """One message type with one set of scalar integer fields (fit-tool's field names)."""

    def __init__(self, message_type: type[Any], names: Iterable[str], local_id: int = 0) -> None:
        from fit_tool.definition_message import DefinitionMessage
        from fit_tool.field_definition import FieldDefinition
        from fit_tool.record import Record
        from fit_tool.validation import validate_definition

        template = message_type()
        template.local_id = local_id
        self.message_type = message_type
        self.local_id = local_id
        # fit-tool defines a message's fields in its profile's order, whatever the
        # order they were set in: so does the layout.
        position = {field.name: at for at, field in enumerate(template.fields)}
        self.names = tuple(sorted(names, key=lambda name: position.get(name, -1)))
        fields = [_profile_field(template, name) for name in self.names]
        ids = [field.field_id for field in fields]
        self.definition = DefinitionMessage(
            local_id=local_id,
            global_id=template.global_id,
            endian=template.endian,
            field_definitions=[
                FieldDefinition(field_id, field.base_type.size, field.base_type)
                for field_id, field in zip(ids, fields, strict=True)
            ],
        )
        validate_definition(self.definition)
        self._header = Record.from_message(template).header.to_bytes()[0]
        self._struct = struct.Struct(
            "<B" + "".join(field.base_type.struct_format for field in fields)
        )
        self._converters = tuple((field.name, _converter(field)) for field in fields)

    def pack(self, values: Mapping[str, Any]) -> bytes:
        """One data record (header byte and fields) holding `values`, one for each name.

        A value is what fit-tool's message property takes (a timestamp in Unix
        milliseconds, metres, an enum member); None is the field's invalid value.
        """
        return self._struct.pack(
            self._header,
            *[convert(values[name]) for name, convert in self._converters],
        )

    def message(self, values: Mapping[str, Any]) -> Any:
        """The same message as a fresh fit-tool message, each value set by fit-tool's own
        field encoder: the reference `pack` is held to."""
        message = self.message_type()
        message.local_id = self.local_id
        for name in self.names:
            field = message.get_field_by_name(name)
            field.set_value(0, values[name], field.get_valid_sub_field(message.fields))
        return message


class Packed(NamedTuple):
    """One message to pack: its layout and its values."""

    layout: PackedLayout
    values: Mapping[str, Any]


class Layouts:
    """One layout per message type and set of field names, built on first use."""

    def __init__(self) -> None:
        self._layouts: dict[tuple[type[Any], tuple[str, ...]], PackedLayout] = {}

    def packed(self, message_type: type[Any], values: Mapping[str, Any]) -> Packed:
        key = (message_type, tuple(values))
        layout = self._layouts.get(key)
        if layout is None:
            layout = self._layouts[key] = PackedLayout(message_type, values)
        return Packed(layout, values)


def _profile_field(template: Any, name: str) -> Any:
    from fit_tool.base_type import BaseType

    field = template.get_field_by_name(name)
    if field is None:
        raise ValueError(f"{type(template).__name__} has no field {name!r}")
    # Sub-fields change a field's scale by a sibling's value; floats and strings have
    # other invalid values and sizes: none of them is packed here.
    if field.sub_fields or field.base_type.is_float() or field.base_type == BaseType.STRING:
        raise ValueError(f"{name}: only plain integer and enum fields are packed")
    return field


def _converter(field: Any) -> Converter:
    """A value as fit-tool's `Field.encode_value` encodes it, range-checked as its setter is."""
    from fit_tool.exceptions import FitEncodingError

    base_type = field.base_type
    invalid: int = base_type.invalid_raw_value()
    low: int = base_type.min
    high: int = base_type.max
    scale, offset = field.scale, field.offset
    plain = (scale is None or scale == 1.0) and (offset is None or offset == 0.0)
    scale = 1.0 if scale is None else scale
    offset = 0.0 if offset is None else offset
    name = field.name

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
