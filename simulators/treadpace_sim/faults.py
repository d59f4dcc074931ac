"""Scripted faults: what goes wrong, and when, during a simulated session.

A fault is `(at, action)` plus a few optional parameters. Schedules come from a
model file (`faults:`), a separate faults file (`treadpace simulate --faults`), or
from code in tests. Times are simulator seconds since `SimulatedTreadmill.start()`,
or since the belt first started when `since: belt_start` (handy for engine tests
whose countdown length is not known in advance).

Example faults file::

    faults:
      - {at: 30, action: press_speed, delta: 0.5}       # runner presses + (km/h)
      - {at: 60, action: telemetry_gap, duration: 5}
      - {at: 90, action: pull_safety_key, duration: 10}  # key back after 10 s
      - {at: 0, action: refuse_write, op: request_control}  # first Request Control: ATT error
"""

from __future__ import annotations

from pathlib import Path

from treadpace_sim.fault_spec import (
    ACTIONS,
    CHARACTERISTICS,
    NEEDS_DELTA,
    NEEDS_DURATION,
    OPS,
    Fault,
)

__all__ = [
    "ACTIONS",
    "CHARACTERISTICS",
    "NEEDS_DELTA",
    "NEEDS_DURATION",
    "OPS",
    "Fault",
    "load_faults",
]


def load_faults(path: Path) -> list[Fault]:
    """A faults file: `faults:` with a list (or a bare list) of faults.

    The file schema (fault_file.py) is imported here, on first use, so that
    importing the simulator does not import pydantic.
    """
    from treadpace_sim.fault_file import load_faults as load

    return load(path)
