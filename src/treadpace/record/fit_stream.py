"""FIT encoding one message at a time, in memory proportional to the file, not the run.

fit-tool's `FitFileBuilder` keeps every message object until the end, and
a fit-tool message holds an object for each of the ~100 fields its profile
knows: a 3-hour run's 11,000 records cost half a gigabyte and seconds of CPU
to build. `FitStream` applies the builder's own rules (a definition message
whenever a local message's set of fields changes, fit-tool's encoders for
every record, its header and CRC), but encodes each message as it is added
and keeps only the bytes, so the file is the same, byte for byte. The many
messages of one layout (a record a second, a lap a step) come packed
(`treadpace.record.fit_packed`) rather than as fit-tool messages.
"""

from __future__ import annotations

import struct
from typing import Any

from treadpace.record.fit_packed import Packed


class FitStream:
    """A FIT file built message by message; `to_bytes()` at the end."""

    def __init__(self, min_string_size: int = 0) -> None:
        from fit_tool.encode import resolve_encode_options

        self.min_string_size = min_string_size
        self._definitions: dict[int, Any] = {}
        self._body = bytearray()
        self._options = resolve_encode_options()  # what FitFile.to_bytes() uses

    def add(self, message: Any) -> None:
        """Encode `message`, preceded by its definition when the local one does not fit it."""
        from fit_tool.data_message import DataMessage
        from fit_tool.definition_message import DefinitionMessage
        from fit_tool.validation import validate_definition, validate_message_header

        validate_message_header(message)
        if isinstance(message, DataMessage):
            stored = self._definitions.get(message.local_id)
            wanted = DefinitionMessage.from_data_message(
                message, min_string_size=self.min_string_size
            )
            if wanted is not stored:
                validate_definition(wanted)
                if stored is None or not stored.supports(wanted):
                    self._definitions[message.local_id] = stored = wanted
                    self._encode(wanted)
            if message.definition_message is not stored:
                message.set_definition_message(stored)
        elif isinstance(message, DefinitionMessage):
            validate_definition(message)
            self._definitions[message.local_id] = message
        self._encode(message)

    def add_packed(self, packed: Packed) -> None:
        """A packed message, preceded by its definition where `add` would put one."""
        layout = packed.layout
        stored = self._definitions.get(layout.local_id)
        wanted = layout.definition
        # The layout's definition is checked once, when the layout is built.
        if wanted is not stored:
            if stored is None or not stored.supports(wanted):
                self._definitions[layout.local_id] = stored = wanted
                self._body += layout.definition_record
            elif _sizes(stored) != _sizes(wanted):
                # The definition in force holds a text field longer than this message
                # needs: fit-tool writes the message to that size (`add` does so).
                self.add(layout.message(packed.values))
                return
        self._body += layout.pack(packed.values)

    def _encode(self, message: Any) -> None:
        from fit_tool.encode import encode_record_projected
        from fit_tool.record import Record

        self._body += encode_record_projected(Record.from_message(message), options=self._options)

    def to_bytes(self) -> bytes:
        from fit_tool.fit_file_header import FitFileHeader

        head = bytes(FitFileHeader(records_size=len(self._body)).to_bytes())
        crc = fit_crc16(self._body, crc=fit_crc16(head))
        return head + bytes(self._body) + struct.pack("<H", crc)


def _sizes(definition: Any) -> list[int]:
    return [field.size for field in definition.field_definitions]


_CRC_TABLE: list[int] = []


def fit_crc16(data: bytes | bytearray, crc: int = 0) -> int:
    """fit-tool's `crc16`, a byte at a time instead of a nibble at a time.

    The table is fit-tool's CRC of each single byte: one lookup per byte gives
    the same CRC (the CRC is linear), in a quarter of the time over a whole file.
    """
    table = _CRC_TABLE
    if not table:
        from fit_tool.utils.crc import crc16

        table += [crc16(bytes([byte])) for byte in range(256)]
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc
