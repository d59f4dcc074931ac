"""The plan's part of the page's hello: as long as the plan, so built once per run, off the loop.

A plan of ten thousand steps takes a few hundred milliseconds to format, and
`json.dumps` of it in one call holds the interpreter lock the whole time. So the
page's server takes a `PlanPicture` (a frozen snapshot, made on the event loop)
and has `json()` run in a worker thread, which formats and encodes step by step,
letting the engine's event loop run between them. Pure: no I/O, no clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from treadpace.base import display as fmt
from treadpace.base.units import kmh_to_mph
from treadpace.plans.steps import CompiledStep

_COMPACT = (",", ":")


def _round(value: float, digits: int = 2) -> float:
    return round(value, digits)


def _unit(kmh: float, imperial: bool) -> float:
    return _round(kmh_to_mph(kmh) if imperial else kmh)


def step_row(index: int, step: CompiledStep, imperial: bool) -> dict[str, Any]:
    """One step as the page lists it."""
    return {
        "number": index + 1,
        "name": step.name,
        "amount": fmt.step_amount(step.kind, step.amount, imperial),
        "pace": fmt.pace(step.speed_kmh, imperial),
        "label": step.pace_label,
    }


def planned_rows(steps: tuple[CompiledStep, ...], imperial: bool) -> list[list[float]]:
    """The plan's target over plan time: [start_s, end_s, from, to] per step.

    A distance step's length in time is estimated at its target speed.
    """
    out: list[list[float]] = []
    t = 0.0
    for step in steps:
        end_kmh = step.end_speed_kmh if step.end_speed_kmh is not None else step.speed_kmh
        if step.kind == "time":
            length = step.amount
        else:
            mean = max((step.speed_kmh + end_kmh) / 2, 1.0)
            length = step.amount / (mean / 3.6)
        start, end = _round(t, 1), _round(t + length, 1)
        out.append([start, end, _unit(step.speed_kmh, imperial), _unit(end_kmh, imperial)])
        t += length
    return out


@dataclass(frozen=True)
class PlanPicture:
    """What the hello says about the plan, for one run (`generation`)."""

    generation: int
    name: str
    steps: tuple[CompiledStep, ...]
    imperial: bool
    allow_remote_start: bool

    def head(self) -> dict[str, Any]:
        return {
            "plan": self.name,
            "unit": fmt.speed_unit(self.imperial),
            "allow_remote_start": self.allow_remote_start,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.head(),
            "steps": [step_row(i, s, self.imperial) for i, s in enumerate(self.steps)],
            "planned": planned_rows(self.steps, self.imperial),
        }

    def json(self) -> str:
        """`as_dict()` as compact JSON, encoded a step at a time (see the module's note)."""
        rows = ",".join(
            json.dumps(step_row(i, s, self.imperial), separators=_COMPACT)
            for i, s in enumerate(self.steps)
        )
        planned = ",".join(
            json.dumps(p, separators=_COMPACT) for p in planned_rows(self.steps, self.imperial)
        )
        head = json.dumps(self.head(), separators=_COMPACT)
        return f'{head[:-1]},"steps":[{rows}],"planned":[{planned}]}}'
