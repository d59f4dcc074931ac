"""What a scripted fault is: its actions, their parameters, and the `Fault` record.

The data half of `faults.py`, apart so that the faults file schema
(`fault_file.py`) can build faults without importing the module that loads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from treadpace_sim.write_faults import OPS as _CONTROL_OPS

ACTIONS: Final = {
    "drop_link": "the link drops; reconnection possible after `duration` s (default 0)",
    "reboot": "belt stops at once, counters reset, control lost, link down for `duration` s (5)",
    "pull_safety_key": "emergency stop; the key goes back after `duration` s if given",
    "insert_safety_key": "put the safety key back",
    "press_stop": "runner presses Stop on the console",
    "press_pause": "runner presses Pause on the console",
    "press_start": "runner presses Start on the console",
    "press_speed": "runner presses speed +/- : `delta` km/h (required)",
    "press_incline": "runner presses incline +/- : `delta` % (required)",
    "control_point_silent": "control point writes are accepted but neither acted on nor "
    "answered, for `duration` s (default: for good)",
    "control_lost": "the machine withdraws control (Machine Status FF)",
    "garbage": "a malformed notification on `characteristic` (hex `data`, default random)",
    "telemetry_gap": "no Treadmill Data for `duration` s (required)",
    "odometer_jump": "the machine's Total Distance jumps by `delta` metres (required) "
    "without the belt moving",
    "strap_off": "the heart-rate strap loses contact for `duration` s (required)",
    "strap_stuck": "the heart-rate reading freezes at its value for `duration` s (required)",
    "strap_nonsense": "the heart-rate reading is `delta` bpm (required, e.g. 250) "
    "for `duration` s (required)",
    "footpod_off": "the footpod goes quiet (off the shoe, out of range) for `duration` s "
    "(required)",
    "footpod_nonsense": "the footpod reports an impossible speed for `duration` s (required)",
    "refuse_write": "the next `count` (default 1) Control Point writes, of `op` only if given "
    "(e.g. stop_or_pause), fail with an ATT error (the machine never sees them)",
}

OPS: Final = ("any", *_CONTROL_OPS)

CHARACTERISTICS: Final = ("treadmill_data", "machine_status", "training_status", "control_point")

NEEDS_DELTA: Final = frozenset({"press_speed", "press_incline", "odometer_jump", "strap_nonsense"})
NEEDS_DURATION: Final = frozenset(
    {"telemetry_gap", "strap_off", "strap_stuck", "strap_nonsense", "footpod_off"}
    | {"footpod_nonsense"}
)


@dataclass(frozen=True, slots=True)
class Fault:
    at: float
    action: str
    since: str = "start"
    """"start" (simulator start) or "belt_start" (the first time the belt started)."""
    delta: float | None = None
    duration: float | None = None
    characteristic: str = "treadmill_data"
    data: bytes | None = None
    op: str | None = None
    """refuse_write: the op code name the refusal applies to (None: any write)."""
    count: int = 1

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown fault action {self.action!r}")
        if self.since not in ("start", "belt_start"):
            raise ValueError(f"since must be 'start' or 'belt_start', not {self.since!r}")
        if self.action in NEEDS_DELTA and not self.delta:
            raise ValueError(f"{self.action} needs a non-zero delta")
        if self.action in NEEDS_DURATION and not self.duration:
            raise ValueError(f"{self.action} needs a duration")
        if self.characteristic not in CHARACTERISTICS:
            raise ValueError(f"unknown characteristic {self.characteristic!r}")
        if self.op is not None and self.op not in _CONTROL_OPS:
            raise ValueError(f"unknown op {self.op!r}")
        if self.count < 1:
            raise ValueError("count must be at least 1")

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"action": self.action}
        if self.delta is not None:
            out["delta"] = self.delta
        if self.duration is not None:
            out["duration"] = self.duration
        if self.action == "garbage":
            out["characteristic"] = self.characteristic
        if self.action == "refuse_write":
            out["op"] = self.op or "any"
            out["count"] = self.count
        return out
