"""FIT encoding one message at a time, in memory proportional to the file, not the run.

fit-tool's `FitFileBuilder` keeps every message object until the end, and
a fit-tool message holds an object for each of the ~100 fields its profile
knows: a 3-hour run's 11,000 records cost half a gigabyte and seconds of CPU
to build. `FitStream` applies the builder's own rules (a definition message
whenever a local message's set of fields changes, fit-tool's encoders for
every record, its header and CRC), but encodes each message as it is added
and keeps only the bytes, so the file is the same, byte for byte. `Reused`
lets the exporter reuse one message per set of fields instead of building
one per second and per lap.
"""

from __future__ import annotations

import struct
from typing import Any


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

    def _encode(self, message: Any) -> None:
        from fit_tool.encode import encode_record_projected
        from fit_tool.record import Record

        self._body += encode_record_projected(Record.from_message(message), options=self._options)

    def to_bytes(self) -> bytes:
        from fit_tool.fit_file_header import FitFileHeader
        from fit_tool.utils.crc import crc16

        head = bytes(FitFileHeader(records_size=len(self._body)).to_bytes())
        crc = crc16(bytes(self._body), crc=crc16(head))
        return head + bytes(self._body) + struct.pack("<H", crc)


class Reused:
    """One message object per message type and set of fields, filled again for each use.

    Building a fit-tool message costs an object per profile field; a run has
    one record per second and one lap per step. A reused message always carries
    the same fields (its `shape`), so its definition stays right, and
    `FitStream.add` takes its bytes before it is filled again.
    """

    def __init__(self) -> None:
        self._messages: dict[tuple[type[Any], tuple[bool, ...]], Any] = {}

    def get(self, cls: type[Any], shape: tuple[bool, ...]) -> Any:
        message = self._messages.get((cls, shape))
        if message is None:
            message = self._messages[(cls, shape)] = cls()
        return message

    def record(
        self,
        timestamp_ms: int,
        distance_m: float,
        speed_ms: float,
        heart_rate: int | None,
        grade: float | None,
    ) -> Any:
        """A record message for one telemetry second."""
        from fit_tool.profile.messages.record_message import RecordMessage

        record = self.get(RecordMessage, (heart_rate is not None, grade is not None))
        record.timestamp = timestamp_ms
        record.distance = distance_m
        record.speed = speed_ms
        if heart_rate is not None:
            record.heart_rate = heart_rate
        if grade is not None:
            record.grade = grade
        return record
