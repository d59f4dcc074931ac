"""Packed FIT messages are the bytes fit-tool's own encoder writes for the same values.

`PackedLayout` encodes records, laps and workout steps without fit-tool's per-field
objects; here each packed message is held to fit-tool's encoding of a message whose
properties are set the usual way (scaled values, rounding, timestamps, negative
grades, enum members, a field left without a value, sub-fields, text of every
length), and a file of them decodes, with Garmin's SDK, to the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pytest
from garmin_fit_sdk import Decoder, Stream
from hypothesis import given, settings
from hypothesis import strategies as st

from treadpace.plans.steps import CompiledStep, StepRole
from treadpace.record.fit_packed import Layouts, Packed, PackedLayout
from treadpace.record.fit_stream import FitStream, fit_crc16
from treadpace.workouts.fit import workout_step_message, workout_step_values

UNIX_2026 = 1_767_225_600_000
"""2026-01-01T00:00:00Z in Unix milliseconds, as the exporter gives timestamps."""


PROPERTIES = {"wkt_step_index": "workout_step_index"}
"""fit-tool's property for a field, where its name is not the field's."""


def record_message_type() -> type[Any]:
    from fit_tool.profile.messages.record_message import RecordMessage

    return cast(type[Any], RecordMessage)


def lap_message_type() -> type[Any]:
    from fit_tool.profile.messages.lap_message import LapMessage

    return cast(type[Any], LapMessage)


def workout_step_message_type() -> type[Any]:
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage

    return cast(type[Any], WorkoutStepMessage)


def by_fit_tool(message_type: type[Any], values: Mapping[str, Any]) -> bytes:
    """Header and data of a fit-tool message with `values` set through its properties.

    A None value is a field the definition lists but the message no longer holds:
    fit-tool writes its invalid value, as the packed layout does.
    """
    from fit_tool.definition_message import DefinitionMessage
    from fit_tool.record import Record

    message = message_type()
    for name, value in values.items():
        field = message.get_field_by_name(name)
        prop = PROPERTIES.get(name, name)
        assert isinstance(getattr(message_type, prop), property)
        setattr(message, prop, value if value is not None else _some(field))
    message.set_definition_message(DefinitionMessage.from_data_message(message))
    for name, value in values.items():
        if value is None:
            message.get_field_by_name(name).clear()
    return bytes(Record.from_message(message).header.to_bytes()) + bytes(message.to_bytes())


def _some(field: Any) -> Any:
    """A value the field takes (its scaled zero): only its place in the definition counts."""
    return -(field.offset or 0) if field.scale not in (None, 1) else 0


def garmin(data: bytes) -> dict[str, list[dict[str, Any]]]:
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return cast(dict[str, list[dict[str, Any]]], messages)


def file_of(messages: list[tuple[PackedLayout, Mapping[str, Any]]], packed: bool) -> bytes:
    stream = FitStream()
    for layout, values in messages:
        if packed:
            stream.add_packed(Packed(layout, values))
        else:
            stream.add(layout.message(values))
    return stream.to_bytes()


RECORD_CASES: list[dict[str, Any]] = [
    {"timestamp": UNIX_2026 + 7_000, "distance": 2.78, "speed": 1.111, "heart_rate": 121},
    # Rounding at the scale's last digit (a float just below and above .5), and
    # truncation where the profile has no scale (heart rate).
    {"timestamp": UNIX_2026, "distance": 1.005, "speed": 3.3335, "heart_rate": 150.9},
    {"timestamp": UNIX_2026, "distance": 0.125, "speed": 0.0005, "grade": -3.456},
    {"timestamp": UNIX_2026 + 999, "distance": 42195.0, "speed": 0.0, "grade": 0.005},
    # No value: the invalid value of the field's base type.
    {"timestamp": UNIX_2026, "distance": None, "speed": None, "heart_rate": None, "grade": None},
]


@pytest.mark.parametrize("values", RECORD_CASES)
def test_a_packed_record_is_fit_tools_record(values: dict[str, Any]) -> None:
    layout = PackedLayout(record_message_type(), values)
    assert layout.pack(values) == by_fit_tool(record_message_type(), values)
    assert layout.pack(values) == by_fit_tool_fresh(layout, values)


def by_fit_tool_fresh(layout: PackedLayout, values: Mapping[str, Any]) -> bytes:
    """`layout.message` (the reference the exporter's file test uses) encoded by fit-tool."""
    from fit_tool.record import Record

    message = layout.message(values)
    return bytes(Record.from_message(message).header.to_bytes()) + bytes(message.to_bytes())


def test_a_packed_lap_is_fit_tools_lap() -> None:
    from fit_tool.profile.profile_type import Event, EventType, Intensity, LapTrigger, Sport

    values: dict[str, Any] = {
        "message_index": 3,
        "timestamp": UNIX_2026 + 47_000,
        "start_time": UNIX_2026 + 36_000,
        "event": Event.LAP,
        "event_type": EventType.STOP,
        "sport": Sport.RUNNING,
        "total_elapsed_time": 11.0005,
        "total_timer_time": 10.9994,
        "total_distance": 35.835,
        "avg_speed": 3.2575,
        "max_speed": 3.3333333,
        "avg_heart_rate": 172,
        "total_calories": 2,
        "intensity": Intensity.RECOVERY,
        "lap_trigger": LapTrigger.DISTANCE,
        "avg_grade": -1.5,
        "wkt_step_index": 999,
    }
    layout = PackedLayout(lap_message_type(), values)
    assert layout.pack(values) == by_fit_tool(lap_message_type(), values)


def test_a_file_of_packed_messages_reads_back_as_fit_tools() -> None:
    layouts = Layouts()
    messages = [
        (packed.layout, packed.values)
        for packed in (layouts.packed(record_message_type(), v) for v in RECORD_CASES * 2)
    ]
    data = file_of(messages, packed=True)
    assert data == file_of(messages, packed=False)
    records = garmin(data)["record_mesgs"]
    assert len(records) == len(messages)
    assert records[0]["distance"] == 2.78 and records[0]["heart_rate"] == 121
    assert records[2]["grade"] == pytest.approx(-3.46)  # -3.456 rounds to -346 hundredths
    assert records[1]["heart_rate"] == 150
    # A field without a value is one the reader leaves out.
    assert {"distance", "speed", "heart_rate", "grade"}.isdisjoint(records[4])


@settings(max_examples=300, deadline=None)
@given(
    seconds=st.integers(0, 10**8),
    distance=st.floats(0, 4e7) | st.none(),
    speed=st.floats(0, 65.5) | st.none(),
    heart_rate=st.integers(0, 254) | st.none(),
    grade=st.floats(-327, 327) | st.none(),
)
def test_any_record_packs_as_fit_tool_encodes_it(
    seconds: int,
    distance: float | None,
    speed: float | None,
    heart_rate: int | None,
    grade: float | None,
) -> None:
    values = {
        "timestamp": UNIX_2026 + seconds * 1000,
        "distance": distance,
        "speed": speed,
        "heart_rate": heart_rate,
        "grade": grade,
    }
    layout = PackedLayout(record_message_type(), values)
    assert layout.pack(values) == by_fit_tool(record_message_type(), values)


@pytest.mark.parametrize(
    "values",
    [
        {"timestamp": UNIX_2026, "speed": -0.001},
        {"timestamp": UNIX_2026, "speed": 65.536},
        {"timestamp": UNIX_2026, "heart_rate": 256},
        {"timestamp": UNIX_2026, "grade": -327.69},
    ],
)
def test_a_value_out_of_range_is_refused_as_fit_tool_refuses_it(values: dict[str, Any]) -> None:
    from fit_tool.exceptions import FitEncodingError

    layout = PackedLayout(record_message_type(), values)
    with pytest.raises(FitEncodingError):
        layout.pack(values)
    with pytest.raises(FitEncodingError):
        by_fit_tool(record_message_type(), values)


def test_only_integer_enum_and_text_fields_are_packed() -> None:
    with pytest.raises(ValueError, match="no field"):
        PackedLayout(record_message_type(), ["timestamp", "pace"])
    with pytest.raises(ValueError, match="only integer, enum and text"):
        PackedLayout(record_message_type(), ["timestamp", "flow"])  # a float
    with pytest.raises(ValueError, match="needs its size"):
        PackedLayout(workout_step_message_type(), ["message_index", "wkt_step_name"])


def plan_steps() -> list[CompiledStep]:
    """Steps of every kind a workout step is written for, with names of every size."""
    return [
        CompiledStep("warm up", "time", 300.0, 8.0, role=StepRole.WARMUP),
        CompiledStep("x" * 40, "distance", 1609.344, 12.5),  # a name longer than 31 bytes
        CompiledStep("easy", "time", 90.5, 9.0, role=StepRole.RECOVERY),  # shorter again
        CompiledStep("ramp", "time", 120.0, 10.0, end_speed_kmh=14.0),
        CompiledStep("free run", "distance", 400.0, 10.0, free=True),
        CompiledStep("until the lap button", "time", 60.0, 9.5, open=True),
        CompiledStep("Kilómetro rápido — ünïcode ✓ " * 2, "distance", 1000.0, 15.0),
        CompiledStep("cool", "time", 600.0, 7.0, role=StepRole.COOLDOWN),
    ]


def test_packed_workout_steps_are_the_file_fit_tool_writes() -> None:
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage

    steps = plan_steps() * 2
    by_fit_tool, packed = FitStream(min_string_size=32), FitStream(min_string_size=32)
    layouts = Layouts(min_string_size=32, sized=("wkt_step_name",))
    for index, step in enumerate(steps):
        by_fit_tool.add(workout_step_message(index, step))
        packed.add_packed(layouts.packed(WorkoutStepMessage, workout_step_values(index, step)))
    data = packed.to_bytes()
    assert data == by_fit_tool.to_bytes()
    read = garmin(data)["workout_step_mesgs"]
    assert [m["wkt_step_name"] for m in read] == [s.name[:40] for s in steps]
    assert read[0]["duration_time"] == 300.0 and read[1]["duration_distance"] == 1609.34
    assert "custom_target_speed_low" not in read[4]  # a free step has no target


def test_values_that_select_another_sub_field_are_refused() -> None:
    from fit_tool.profile.profile_type import WorkoutStepDuration

    values = {"message_index": 0, "duration_type": WorkoutStepDuration.TIME, "duration_time": 5.0}
    layout = PackedLayout(workout_step_message_type(), values)
    assert layout.pack(values)
    # Distance steps keep their length in centimetres, not milliseconds.
    with pytest.raises(ValueError, match="duration_distance"):
        layout.pack({**values, "duration_type": WorkoutStepDuration.DISTANCE})


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300), start=st.integers(0, 0xFFFF))
def test_the_files_crc_is_fit_tools(data: bytes, start: int) -> None:
    from fit_tool.utils.crc import crc16

    assert fit_crc16(data, crc=start) == crc16(data, crc=start)


def test_a_packed_array_is_fit_tools_array() -> None:
    from fit_tool.profile.messages.time_in_zone_message import TimeInZoneMessage
    from fit_tool.profile.profile_type import MesgNum

    values = {
        "timestamp": UNIX_2026 + 60_000,
        "reference_mesg": MesgNum.LAP,
        "reference_index": 12,
        "time_in_hr_zone": [0.0, 1.0005, 59.9994, 3600.5, 0.0015, 10.25],
    }
    layout = Layouts(sized=("time_in_hr_zone",)).packed(TimeInZoneMessage, values).layout
    message = TimeInZoneMessage()
    message.timestamp = values["timestamp"]
    message.reference_mesg = values["reference_mesg"]
    message.reference_index = values["reference_index"]
    message.time_in_hr_zone = values["time_in_hr_zone"]
    data = file_of([(layout, values)], packed=True)
    stream = FitStream()
    stream.add(message)
    assert data == stream.to_bytes()
    zones = garmin(data)["time_in_zone_mesgs"][0]["time_in_hr_zone"]
    assert zones == [0.0, 1.0, 59.999, 3600.5, 0.002, 10.25]
    with pytest.raises(ValueError, match="5 values for an array of 6"):
        layout.pack({**values, "time_in_hr_zone": [1.0] * 5})
