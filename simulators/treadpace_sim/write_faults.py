"""Control Point writes that fail at the ATT level, as a flaky radio or firmware makes them.

A real link sometimes answers a Write Request with an ATT Error Response (BlueZ:
"Operation failed with ATT error: 0x80") instead of taking it: the machine never saw
the command, and no `80` response follows. The `refuse_write` fault arms a number of
such failures, for one op code (`op: stop_or_pause`) or for any write; each failing
write uses one up, so "the first Request Control fails, the second works" is one line
in a model or faults file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from treadpace.ftms import ControlOp
from treadpace_sim.att_error import AttError

APPLICATION_ERROR: Final = 0x80
"""The first application error code, what such firmware typically reports."""

OPS: Final = tuple(op.name.lower() for op in ControlOp)


@dataclass
class _Armed:
    op: str | None
    left: int


class WriteRefusals:
    """Armed ATT-level write failures, used up in order as matching writes arrive."""

    def __init__(self) -> None:
        self._armed: list[_Armed] = []

    def arm(self, op: str | None, count: int = 1) -> None:
        if op is not None and op not in OPS:
            raise ValueError(f"unknown op {op!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self._armed.append(_Armed(op, count))

    def clear(self) -> None:
        self._armed.clear()

    def take(self, data: bytes) -> AttError | None:
        """The error this write gets, if a refusal is armed for it (and use it up)."""
        name = _name(data)
        for armed in self._armed:
            if armed.op is None or armed.op == name:
                armed.left -= 1
                if armed.left <= 0:
                    self._armed.remove(armed)
                return AttError(APPLICATION_ERROR, f"{name or 'write'} refused (fault)")
        return None


def _name(data: bytes) -> str | None:
    if not data:
        return None
    try:
        return ControlOp(data[0]).name.lower()
    except ValueError:
        return None
