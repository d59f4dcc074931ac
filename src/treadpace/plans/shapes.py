"""Plan values that may take more than one shape: a length that is a time or a distance,
and an incline that is a number or a ramp `{from: 1%, to: 6%}`.

Kept apart from `models.py` so the plan models only name these types; the
parsing (and its "expected ..." messages) lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

import treadpace.plans.schema_values as schema_values
from treadpace.plans.numbers import MAX_DISTANCE_M, MAX_DURATION_S
from treadpace.plans.paces import parse_distance, parse_duration, parse_percent
from treadpace.plans.steps import StepKind

_LENGTH_HINT = 'a time like "10:00" or a distance like "1 mi"'


@dataclass(frozen=True)
class Length:
    """A time (seconds) or a distance (metres), as the runner wrote it."""

    kind: StepKind
    amount: float
    text: str


def parse_length(value: Any) -> Length:
    if isinstance(value, Length):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"expected {_LENGTH_HINT}, got {value!r}")
    text = " ".join(value.split())
    try:
        seconds = parse_duration(text)
    except ValueError:
        pass
    else:
        if seconds > MAX_DURATION_S:
            raise ValueError(f'expected a time of at most 24:00:00, got "{text}"')
        return Length("time", seconds, text)
    try:
        metres = parse_distance(text)
    except ValueError:
        raise ValueError(f'expected {_LENGTH_HINT}, got "{text}"') from None
    if metres > MAX_DISTANCE_M:
        raise ValueError(f'expected a distance of at most 300 km, got "{text}"')
    return Length("distance", metres, text)


TimeOrDistance = Annotated[
    Length,
    BeforeValidator(parse_length),
    PlainSerializer(lambda v: v.text, return_type=str),
    WithJsonSchema(schema_values.TIME_OR_DISTANCE),
]


@dataclass(frozen=True)
class InclineRamp:
    """An incline that moves linearly over a step, like a speed ramp."""

    start: float
    end: float


def parse_incline(value: Any) -> float | InclineRamp:
    """`2`, `"2%"`, or `{from: 1%, to: 6%}`."""
    if isinstance(value, InclineRamp):
        return value
    if not isinstance(value, dict):
        return parse_percent(value)
    keys = set(value)
    if keys != {"from", "to"}:
        extra = sorted(str(k) for k in keys - {"from", "to"})
        what = f"unknown key {extra[0]}" if extra else "both from and to"
        raise ValueError(f"expected an incline ramp like {{from: 1%, to: 6%}} ({what})")
    return InclineRamp(parse_percent(value["from"]), parse_percent(value["to"]))


Incline = Annotated[
    float | InclineRamp,
    BeforeValidator(parse_incline),
    PlainSerializer(
        lambda v: {"from": v.start, "to": v.end} if isinstance(v, InclineRamp) else v,
        return_type=Any,
    ),
    WithJsonSchema(schema_values.INCLINE),
]
"""A segment's incline: a percentage, or a ramp from one to another."""
