"""The field types of the simulator's model and fault files, and their one-line errors.

Model and fault files are read like plans: `treadpace.plans.yaml_document.read_yaml` (the
bounded `PlainLoader` of `treadpace.base.safe_yaml`, which remembers the line of every
key), then a pydantic model validates the values. Every field type here checks its
value itself and says what it expected in the simulator's words (`a number > 0`,
`one of kmh, mph`), so a mistake comes back as `file:line: field.path: expected ...`.

Imported only when a file is loaded: `import treadpace_sim` stays free of pydantic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from treadpace.base.printable import printable
from treadpace.base.user_error import UserError
from treadpace.plans.paces import parse_clock, parse_duration
from treadpace.plans.yaml_document import Document, FieldError, Loc, describe_error, dotted

M = TypeVar("M", bound=BaseModel)

_WORDS = {"yes": True, "on": True, "no": False, "off": False}


class Section(BaseModel):
    """A mapping in a model or fault file: unknown keys are errors that name the key."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _fail(want: str) -> ValueError:
    return ValueError(f"expected {want}")


def _seconds(value: object) -> object:
    """`value` in seconds if it is a duration text, else as it was (the caller judges)."""
    if not isinstance(value, str):
        return value
    try:
        # a clock time may be 0:00 (a fault at the start); words need a length
        return parse_clock(value) if ":" in value else parse_duration(value)
    except ValueError:
        return value


def number_want(
    minimum: float | None = None, maximum: float | None = None, positive: bool = False
) -> str:
    if positive:
        return "a number > 0"
    if minimum is not None and maximum is not None:
        return f"a number from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f"a number >= {minimum:g}"
    return "a number"


def number(
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    positive: bool = False,
    duration: bool = False,
) -> BeforeValidator:
    """A finite number in bounds; with `duration`, seconds or a plan-style duration."""
    want = number_want(minimum, maximum, positive)
    if duration:
        want += ' (seconds, or a duration like "30:00" or "30 min")'

    def check(value: object) -> float:
        if duration:
            value = _seconds(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(want)
        out = float(value)
        if (
            out != out
            or (positive and out <= 0)
            or (minimum is not None and out < minimum)
            or (maximum is not None and out > maximum)
        ):
            raise _fail(want)
        return out

    return BeforeValidator(check)


def integer(minimum: int, maximum: int) -> BeforeValidator:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise _fail(f"an integer from {minimum} to {maximum}")
        return value

    return BeforeValidator(check)


def choice(options: Sequence[str]) -> BeforeValidator:
    want = "one of " + ", ".join(options)

    def check(value: object) -> str:
        if not isinstance(value, str) or value not in options:
            raise _fail(want)
        return value

    return BeforeValidator(check)


def _boolean(value: object) -> bool:
    if isinstance(value, str):
        # plans read these words as booleans too
        value = _WORDS.get(value.lower(), value)
    if not isinstance(value, bool):
        raise _fail("true or false")
    return value


def _text(value: object) -> str:
    if value is None or isinstance(value, list | dict):
        raise _fail("a text value")
    return str(value)


BOOLEAN = BeforeValidator(_boolean)
TEXT = BeforeValidator(_text)

_UNKNOWN = "expected a known field (unknown field)"
_MAPPING_TYPES = frozenset({"model_type", "model_attributes_type", "dict_type"})


def _message(err: Any, data: Any, missing: Callable[[str | int], str]) -> tuple[Loc, str]:
    kind = err["type"]
    loc: Loc = tuple(err["loc"])
    if kind == "extra_forbidden":
        return loc, _UNKNOWN
    if kind == "missing":
        return loc, f"expected {missing(loc[-1])} (field is missing)"
    if kind in _MAPPING_TYPES:
        return loc, "expected a mapping of fields"
    if kind in ("list_type", "tuple_type"):
        return loc, "expected a list"
    return describe_error(err, frozenset(), data)


def validate(
    doc: Document, cls: type[M], missing: Callable[[str | int], str], *, at: Loc = ()
) -> M:
    """`doc.data` (or its part at `at`) as `cls`; the first problem as a one-line UserError."""
    data: Any = doc.data
    for part in at:
        data = data[part]
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc, message = _message(err, data, missing)
        if err["type"] == "invalid_key":
            # `3: x` is a key like any other to the runner: name it as written
            where = (*at, *loc)
            shown = dotted((*where[:-1], str(where[-1])))
            line = doc.line_of(where)
            raise UserError(printable(f"{doc.path}:{line}: {shown}: {_UNKNOWN}")) from None
        raise doc.error((*at, *loc), message) from None
    except FieldError as exc:
        raise doc.error((*at, *exc.loc), exc.message) from None


def fail(doc: Document, loc: Loc, want: str) -> UserError:
    """A relation between fields that the types alone cannot check."""
    return doc.error(loc, f"expected {want}")
