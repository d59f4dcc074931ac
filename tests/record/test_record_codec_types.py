"""A tick line's field types, as the journal reader accepts, converts and refuses them.

The reader takes a value whose type the check would give back unchanged (a float
in a float field, an int in an int field, a null where one is allowed) without
the full check: every other value still meets it, and these cases say what it
does with them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.ui_events import tick as made_up_tick
from treadpace.engine.events import RunState, Tick
from treadpace.record.codec import JournalLineError, decode_event, encode_event


def tick_line(**changes: Any) -> str:
    tick = made_up_tick(12.25, speed_kmh=10.5, step_name="mile 2")
    record = json.loads(encode_event(tick))
    record.update(changes)
    return json.dumps(record)


def test_values_of_their_fields_type_read_back_as_they_are() -> None:
    tick = decode_event(tick_line(incline_percent=2.5, energy_kcal=None))
    assert isinstance(tick, Tick)
    assert tick.speed_kmh == 10.5 and type(tick.speed_kmh) is float
    assert tick.heart_rate_bpm == 150 and type(tick.heart_rate_bpm) is int
    assert tick.incline_percent == 2.5 and tick.energy_kcal is None
    assert tick.state is RunState.RUNNING


def test_an_int_in_a_float_field_reads_as_a_float() -> None:
    tick = decode_event(tick_line(speed_kmh=11, incline_percent=3))
    assert isinstance(tick, Tick)
    assert tick.speed_kmh == 11.0 and type(tick.speed_kmh) is float
    assert tick.incline_percent == 3.0 and type(tick.incline_percent) is float


@pytest.mark.parametrize(
    "changes",
    [
        {"speed_kmh": True},  # a bool is no number here
        {"speed_kmh": None},  # a float field without None allowed
        {"speed_kmh": "fast"},
        {"step_index": 1.5},  # an int field takes no float
        {"step_index": None},
        {"heart_rate_bpm": 150.0},
        {"heart_rate_bpm": False},
        {"step_name": 7},
        {"state": "sprinting"},
    ],
)
def test_a_value_of_the_wrong_type_costs_its_line(changes: dict[str, Any]) -> None:
    with pytest.raises(JournalLineError):
        decode_event(tick_line(**changes))


def test_a_lone_surrogate_in_a_text_field_reads_as_a_replacement_character() -> None:
    line = tick_line().replace('"mile 2"', '"mile \\ud800"')
    tick = decode_event(line)
    assert isinstance(tick, Tick)
    assert tick.step_name == "mile \ufffd"
