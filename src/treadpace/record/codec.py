"""Engine events to journal lines and back.

The journal is the event stream itself, one JSON object per line, so that
reading a journal gives back the very events a live sink saw: exports, the
history and the report all work on the same typed objects. Each line carries a
`type` tag; the other keys are the event's field names. Floats are rounded to
the millisecond / millimetre, which keeps an hour of telemetry near 1 MB.

Reading takes any bytes: a damaged line (a foreign tag, a field of the wrong
type, nesting deeper than `MAX_DEPTH`) is a `JournalLineError` for that one
line, never another exception, so the reader can skip it and keep the run. An
integer longer than `MAX_INT_DIGITS` reads as infinity, which the field checks
and `treadpace.record.repair` handle like any other impossible number; a plan
step in the header with an impossible length, speed or incline becomes a free
step labelled as unreadable, so the header, the one line a run cannot lose,
survives it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import types
import typing
from typing import Any

from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.causes import EndCause, GuidedCause
from treadpace.engine.events import (
    Cue,
    CueChange,
    CueKind,
    EngineEvent,
    Notice,
    NoticeKind,
    RunFinished,
    RunStarted,
    RunState,
    SetpointSent,
    StateChanged,
    StepFinished,
    StepStarted,
    StepSummary,
    Tick,
)
from treadpace.plans.hr_rule import HrRule
from treadpace.plans.steps import CompiledStep, StepRole

JOURNAL_VERSION = 1
MAX_DEPTH = 16
"""A journal line nests three levels (header, steps, a step's heart-rate rule); deeper is
damage, refused before the JSON parser recurses into it."""
MAX_INT_DIGITS = 20
"""Every integer a journal holds (indices, heart rates, counts) is far shorter; a longer
one would overflow a float, or take the parser quadratic time, and reads as infinity."""

_TAGS: dict[type[Any], str] = {
    RunStarted: "run_started",
    StateChanged: "state",
    StepStarted: "step_started",
    StepFinished: "step_finished",
    SetpointSent: "setpoint",
    Tick: "tick",
    Notice: "notice",
    Cue: "cue",
    RunFinished: "run_finished",
}
_CLASSES: dict[str, type[Any]] = {tag: cls for cls, tag in _TAGS.items()}
# Steps are written once, in the header; later events name them by index.
_STEP_INDEXED = (StepStarted, StepFinished)


class JournalLineError(ValueError):
    """A line that is not a journal event (truncated, foreign or from a newer version)."""


def _plain(value: Any) -> Any:
    if isinstance(value, RunState):
        return value.value
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def encode_event(event: EngineEvent) -> str:
    """One journal line (no trailing newline)."""
    record: dict[str, Any] = {"type": _TAGS[type(event)]}
    if isinstance(event, RunStarted):
        record["version"] = JOURNAL_VERSION
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        if f.name == "step" and isinstance(event, _STEP_INDEXED):
            record["step_name"] = value.name
            continue
        record[f.name] = _plain(value)
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


MAX_STEP_AMOUNT = 1e6
"""Seconds or metres (11 days, 1000 km): what every export format can store of a step."""
MAX_STEP_KMH = 100.0
MAX_STEP_INCLINE = 100.0
DAMAGED_STEP_LABEL = "(unreadable in the journal)"
"""The pace label of a header step that could not be read: shown where the step is."""


def _within(value: float | None, low: float, high: float) -> bool:
    return value is None or (math.isfinite(value) and low <= value <= high)


def _step(data: Any) -> CompiledStep:
    fields = _fields(CompiledStep, data)
    if fields.get("hr") is not None:
        fields["hr"] = HrRule(**_fields(HrRule, fields["hr"]))
    # Journals from before roles have none, and a role from a newer version is unknown
    # here: either way the step reads as an effort, as every step did then.
    role = fields.get("role")
    known = isinstance(role, str) and role in StepRole.__members__.values()
    fields["role"] = StepRole(str(role)) if known else StepRole.ACTIVE
    step = CompiledStep(**fields)
    if not (
        0.0 < step.amount <= MAX_STEP_AMOUNT
        and 0.0 < step.speed_kmh <= MAX_STEP_KMH
        and _within(step.end_speed_kmh, 1e-3, MAX_STEP_KMH)
        and _within(step.incline_percent, -MAX_STEP_INCLINE, MAX_STEP_INCLINE)
        and _within(step.end_incline_percent, -MAX_STEP_INCLINE, MAX_STEP_INCLINE)
    ):
        raise JournalLineError(f"step {step.name!r} has a length, speed or incline out of range")
    return step


def _header_step(data: Any) -> CompiledStep:
    """A header step, or, when it is damaged, a free step in its place that says so.

    The header is the one line a run cannot do without: one damaged step costs that
    step's target, not the run.
    """
    try:
        return _step(data)
    except (JournalLineError, KeyError, TypeError, ValueError):
        name = data.get("name") if isinstance(data, dict) else None
        name = _text(name) if isinstance(name, str) else "(unnamed)"
        return CompiledStep(name, "time", 1.0, 1.0, pace_label=DAMAGED_STEP_LABEL, free=True)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


_KINDS: dict[tuple[type[Any], str], tuple[tuple[Any, ...] | None, tuple[Any, ...]]] = {}


def _kind(cls: type[Any], name: str) -> tuple[tuple[Any, ...] | None, tuple[Any, ...]]:
    """(the Literal's values or None, the allowed types) of a field, worked out once."""
    kind = _KINDS.get((cls, name))
    if kind is None:
        hint = _hints(cls)[name]
        if typing.get_origin(hint) is typing.Literal:
            kind = (typing.get_args(hint), ())
        elif typing.get_origin(hint) in (typing.Union, types.UnionType):
            kind = (None, typing.get_args(hint))
        else:
            kind = (None, (hint,))
        _KINDS[(cls, name)] = kind
    return kind


def _checked(cls: type[Any], name: str, value: Any) -> Any:
    """`value` when it fits the field's declared scalar type (ints widen to float)."""
    literal, allowed = _kind(cls, name)
    if literal is not None:
        if value in literal:
            return value
        raise JournalLineError(f"{name} is not one of {literal}")
    if value is None:
        if type(None) in allowed:
            return None
        raise JournalLineError(f"{name} is missing")
    if isinstance(value, bool):
        if bool in allowed:
            return value
    elif isinstance(value, int | float) and float in allowed:
        return float(value)
    elif isinstance(value, int) and int in allowed:
        return value
    elif isinstance(value, str) and (str in allowed or RunState in allowed):
        return _text(value)
    elif not any(a in (bool, int, float, str) for a in allowed):
        return value  # structured fields (steps) are built and checked above
    raise JournalLineError(f"{name} has the wrong type")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str) -> str:
    """`value`, with any lone surrogate (a JSON `\\ud800` escape) made U+FFFD: no file or
    terminal can be written one."""
    return value if value.isascii() else _SURROGATE.sub("\ufffd", value)


_AS_IS: dict[type[Any], dict[str, tuple[type[Any], ...]]] = {}


def _as_is(cls: type[Any]) -> dict[str, tuple[type[Any], ...]]:
    """For each field of `cls`, the exact value types `_checked` returns unchanged.

    A tick line is mostly floats, ints and nulls: a value of one of these types
    skips the full check, which would give it back as it is anyway.
    """
    kinds = _AS_IS.get(cls)
    if kinds is None:
        kinds = _AS_IS[cls] = {}
        for name in _hints(cls):
            literal, allowed = _kind(cls, name)
            kept: list[type[Any]] = []
            if literal is None:
                kept += [t for t in (float, bool, type(None)) if t in allowed]
                if int in allowed and float not in allowed:
                    kept.append(int)  # an int in a float field widens to float: not as is
            kinds[name] = tuple(kept)
    return kinds


def _fields(cls: type[Any], record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise JournalLineError(f"{cls.__name__} is not an object")
    kinds = _as_is(cls)
    fields: dict[str, Any] = {}
    for k, v in record.items():
        kept = kinds.get(k)
        if kept is not None:
            fields[k] = v if type(v) in kept else _checked(cls, k, v)
    return fields


# The characters that open or close a string or a level, and the escape inside a string.
_SPECIAL = re.compile(r'[\[\]{}"\\]')


def _too_deep(line: str) -> bool:
    """Nesting beyond `MAX_DEPTH`, brackets inside strings not counted.

    One pass over the special characters alone (a regular expression for whole strings
    backtracks exponentially on an unterminated one).
    """
    if line.count("[") + line.count("{") <= MAX_DEPTH:
        return False  # the common case: a tick line has none
    depth = 0
    in_string = False
    escaped_until = -1
    for found in _SPECIAL.finditer(line):
        at = found.start()
        if at < escaped_until:
            continue
        char = line[at]
        if in_string:
            if char == "\\":
                escaped_until = at + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _int(digits: str) -> float:
    """An integer, or, when longer than any a journal holds, infinity: a value no field
    accepts (an index or a count must be whole) and the repairs replace (a time, a
    speed), so it costs its field or its line, never the parser's time or a float overflow."""
    if len(digits) > MAX_INT_DIGITS:
        return -math.inf if digits.startswith("-") else math.inf
    return int(digits)


_JSON = json.JSONDecoder(parse_int=_int)
"""What `json.loads(line, parse_int=_int)` builds for every line, built once."""


def _load(line: str) -> dict[str, Any]:
    if _too_deep(line):
        raise JournalLineError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        record = _JSON.decode(line)
    except json.JSONDecodeError as exc:
        raise JournalLineError(f"not JSON ({exc.msg})") from None
    except RecursionError:  # only when the stack was already deep: the bound is above
        raise JournalLineError(f"nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(record, dict):
        raise JournalLineError("not a JSON object")
    return record


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record[key]
    if not isinstance(value, list):
        raise JournalLineError(f"{key} is not a list")
    return value


def decode_event(line: str, steps: tuple[CompiledStep, ...] = ()) -> EngineEvent:
    """The event a journal line holds. `steps` (from the header) resolves step indices."""
    record = _load(line)
    tag = record.pop("type", None)
    cls = _CLASSES.get(tag) if isinstance(tag, str) else None
    if cls is None:
        raise JournalLineError("unknown event type")
    record.pop("version", None)
    try:
        if cls is RunStarted:
            record["steps"] = tuple(map(_header_step, _list(record, "steps")))
            if "simulated" not in record:
                # Only for journals written before the flag: then the simulator's device
                # name was the one sign of a simulated run. Never used for newer journals.
                device = record.get("device")
                record["simulated"] = isinstance(device, str) and device.startswith("simulator")
        if cls in _STEP_INDEXED:
            name = record.pop("step_name", "")
            index = record["index"]
            if not isinstance(index, int) or isinstance(index, bool):
                raise JournalLineError("index is not a whole number")
            step = steps[index] if 0 <= index < len(steps) else None
            record["step"] = step or CompiledStep(name, "time", 1.0, 0.0)
        if cls is RunFinished:
            record["steps"] = tuple(
                StepSummary(**_fields(StepSummary, s)) for s in _list(record, "steps")
            )
            zones = record.get("hr_zone_s", ())
            if not isinstance(zones, list) or not all(isinstance(z, int | float) for z in zones):
                raise JournalLineError("hr_zone_s is not a list of seconds")
            record["hr_zone_s"] = tuple(float(z) for z in zones)
        for key in ("state", "previous"):
            if key in record and cls is not Notice:
                record[key] = RunState(record[key])
        if cls is Notice:
            # Older journals have no kind; a kind from a newer version reads as general.
            kind = record.get("kind", NoticeKind.GENERAL)
            known = kind in NoticeKind.__members__.values()
            record["kind"] = NoticeKind(kind) if known else NoticeKind.GENERAL
            record["level"] = NoticeLevel.read(record["level"])
        if cls is Cue:
            record["kind"] = CueKind(record["kind"])
            change = record.get("change")
            record["change"] = CueChange(change) if change is not None else None
        if cls is RunFinished:
            # Older journals have no end cause; one from a newer version reads as unknown.
            end = record.get("end_cause")
            known = isinstance(end, str) and end in EndCause.__members__.values()
            record["end_cause"] = EndCause(str(end)) if known else None
        for key in ("guided", "guided_cause"):  # Notice, RunFinished
            # A cause from a newer version reads as unknown (the guided time still shows).
            cause = record.get(key)
            if isinstance(cause, str) and cause in GuidedCause.__members__.values():
                record[key] = GuidedCause(cause)
            else:
                record[key] = None
        event: EngineEvent = cls(**_fields(cls, record))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise JournalLineError(f"bad {cls.__name__} ({exc})") from None
    return event
