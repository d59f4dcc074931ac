"""Fault schedules as written in a file: the pydantic model of one `faults:` entry.

A faults file (`treadpace simulate --faults`) or a model's `faults:` list is
validated entry by entry, so an error names the entry (`faults[2].delta`) and its
line. Relations the types cannot state (a `delta` only where the action takes one,
a `duration` where it needs one) are checked while building the `Fault`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from treadpace.base.user_error import UserError
from treadpace.plans.yaml_document import Document, Loc, read_yaml
from treadpace_sim.fault_spec import (
    ACTIONS,
    CHARACTERISTICS,
    NEEDS_DELTA,
    NEEDS_DURATION,
    OPS,
    Fault,
)
from treadpace_sim.file_schema import TEXT, Section, choice, fail, integer, number, validate

_WANTS = {"at": "a number >= 0", "action": "one of " + ", ".join(ACTIONS)}


def _missing(key: str | int) -> str:
    return _WANTS.get(str(key), "a value")


class FaultEntry(Section):
    at: Annotated[float, number(0.0, duration=True)]
    action: Annotated[str, choice(tuple(ACTIONS))]
    since: Annotated[str, choice(("start", "belt_start"))] = "start"
    delta: Annotated[float | None, number()] = None
    duration: Annotated[float | None, number(positive=True, duration=True)] = None
    characteristic: Annotated[str, choice(CHARACTERISTICS)] = "treadmill_data"
    data: Annotated[str | None, TEXT] = None
    op: Annotated[str, choice(OPS)] = "any"
    count: Annotated[int, integer(1, 1_000_000)] = 1


# the keys only some actions read: elsewhere they are unknown fields, as a typo would be
_ONLY_FOR: dict[str, frozenset[str]] = {
    "delta": NEEDS_DELTA,
    "characteristic": frozenset({"garbage"}),
    "data": frozenset({"garbage"}),
    "op": frozenset({"refuse_write"}),
    "count": frozenset({"refuse_write"}),
}


def _fault(doc: Document, entry: FaultEntry, where: Loc) -> Fault:
    action = entry.action
    for key, actions in _ONLY_FOR.items():
        if key in entry.model_fields_set and action not in actions:
            raise fail(doc, (*where, key), "a known field (unknown field)")
    if action in NEEDS_DELTA:
        if entry.delta is None:
            raise fail(doc, (*where, "delta"), "a number (field is missing)")
        if entry.delta == 0:
            raise fail(doc, (*where, "delta"), "a non-zero number")
    if action in NEEDS_DURATION and entry.duration is None:
        raise fail(doc, (*where, "duration"), "a number > 0 (field is missing)")
    data: bytes | None = None
    if entry.data is not None:
        try:
            data = bytes.fromhex(entry.data.replace(":", " "))
        except ValueError:
            raise fail(doc, (*where, "data"), "hex octets like '9f 00 61'") from None
    op = None if entry.op == "any" else entry.op
    return Fault(
        entry.at,
        action,
        entry.since,
        entry.delta,
        entry.duration,
        entry.characteristic,
        data,
        op,
        entry.count,
    )


def faults_at(doc: Document, loc: Loc) -> list[Fault]:
    """The faults of the list at `loc` in `doc` (absent or empty: none)."""
    items: Any = doc.data
    for part in loc:
        items = items[part]
    if items is None:
        return []
    if not isinstance(items, list):
        raise fail(doc, loc, "a list")
    out: list[Fault] = []
    for i, item in enumerate(items):
        where = (*loc, i)
        if not isinstance(item, dict):
            raise fail(doc, where, "a mapping with at and action")
        out.append(_fault(doc, validate(doc, FaultEntry, _missing, at=where), where))
    return out


def load_faults(path: Path) -> list[Fault]:
    """A faults file: `faults:` with a list (or a bare list) of faults."""
    doc = read_yaml(path, "faults", expand_env=False)
    if isinstance(doc.data, list):
        # a bare list reads as the `faults:` list it stands for
        lines = {("faults", *loc): line for loc, line in doc.lines.items()}
        doc = Document(doc.path, {"faults": doc.data}, lines)
    if not isinstance(doc.data, dict):
        raise fail(doc, ("faults",), "a list of faults")
    if "faults" not in doc.data:
        raise UserError(f"{path}: faults: expected a list of faults (field is missing)")
    for key in doc.data:
        if key != "faults":
            raise fail(doc, (key,), "a known field (unknown field)")
    return faults_at(doc, ("faults",))
