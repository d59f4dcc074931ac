"""A frozen dataclass instance made from one dict, for the records built on every packet.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`
(the frozen guard forbids a plain assignment): for a record of twenty fields that is
most of the cost of making it, some microseconds, paid for every telemetry packet of
a run. `frozen_record` hands a new instance its whole `__dict__` at once instead.
Equality, hashing, `repr`, `dataclasses.replace` and the frozen guard stay the
dataclass's own; the class must not use `__slots__` (it would have no `__dict__`).

The caller names every field, defaults included: nothing checks it here (that is the
cost saved), so each caller has a test that its record has exactly the class's fields
and equals the one the constructor makes. (`ftms/` sits below `base/` and keeps its own
copy of these two lines for the Treadmill Data decoder.)
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")

_new = object.__new__
_set = object.__setattr__


def frozen_record(cls: type[T], fields: dict[str, Any]) -> T:
    """An instance of the frozen, slot-less dataclass `cls` whose fields are `fields`."""
    record = _new(cls)
    _set(record, "__dict__", fields)
    return record
