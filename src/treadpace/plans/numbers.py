"""Numbers from files pass one set of checks, whatever YAML type they arrived as.

YAML hands us ints, floats (including `.nan`, `.inf` and `1e308`), booleans and
text. pydantic's lax mode would read `true` as 1 and let infinity through a
field with only a lower bound, so the plan and profile models use these types
instead: a boolean is never a number, a float is always finite, and a length
(duration or distance) is always above zero and below what a treadmill run
can be.

A length written as a bare number in a file is refused (is `30` seconds or
minutes?); a float built by code is already in seconds or metres. The loader
marks file input with `FILE_CONTEXT` so the two can be told apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AllowInfNan, BeforeValidator, ValidationInfo

MAX_DURATION_S = 24 * 3600.0
"""The longest time a plan, a step or a race may last (24:00:00)."""
MAX_DISTANCE_M = 300_000.0
"""The longest distance a plan, a step or a race may cover (300 km)."""
MAX_STEPS = 10_000
"""The most steps a plan may compile to, repeats expanded."""

FILE_CONTEXT: dict[str, Any] = {"from_file": True}
"""Pass as `context=` when validating values that came from a file."""


def from_file(info: ValidationInfo | None) -> bool:
    context = info.context if info is not None else None
    return isinstance(context, dict) and bool(context.get("from_file"))


def _not_bool(word: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"expected {word}, got {value!r}")
        return value

    return check


Whole = Annotated[int, BeforeValidator(_not_bool("a whole number"))]
"""An int field that refuses `true`/`false` (pydantic would read them as 1/0)."""

Number = Annotated[float, AllowInfNan(False), BeforeValidator(_not_bool("a number"))]
"""A finite float field that refuses `true`/`false`."""


def _shown(value: Any) -> str:
    return f'"{value.strip()}"' if isinstance(value, str) else repr(value)


def length(
    parser: Callable[[object], float], what: str, maximum: float, shown: Callable[[float], str]
) -> Callable[[Any, ValidationInfo], float]:
    """A validator for a duration or distance: text through `parser`, a float
    only from code, and either way finite, above zero and at most `maximum`."""

    def run(value: Any, info: ValidationInfo) -> float:
        if isinstance(value, float) and not from_file(info):
            seconds_or_metres = value
        else:
            seconds_or_metres = parser(value)
        if not math.isfinite(seconds_or_metres) or seconds_or_metres <= 0:
            raise ValueError(f"expected a {what} longer than zero, got {_shown(value)}")
        if seconds_or_metres > maximum:
            raise ValueError(f"expected a {what} of at most {shown(maximum)}, got {_shown(value)}")
        return seconds_or_metres

    return run
