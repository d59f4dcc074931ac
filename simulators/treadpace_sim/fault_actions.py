"""What each fault action does to the machine: one handler per action name.

`faults.py` says which actions exist and checks their parameters; this table
carries them out on anything with the simulated treadmill's console and fault
surface (`FaultTarget`), so the treadmill itself needs no long if-chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Protocol

from treadpace_sim.faults import Fault
from treadpace_sim.heart import StrapFault
from treadpace_sim.runner_footpod import FootpodFault
from treadpace_sim.write_faults import WriteRefusals


class FaultTarget(Protocol):
    """The parts of `SimulatedTreadmill` a fault acts through."""

    refusals: WriteRefusals

    def drop_link(self, down_for: float = 0.0) -> None: ...
    def reboot(self, down_for: float = 5.0) -> None: ...
    def pull_safety_key(self, restore_after: float | None = None) -> None: ...
    def insert_safety_key(self) -> None: ...
    def press_stop(self) -> None: ...
    def press_pause(self) -> None: ...
    def press_start(self) -> None: ...
    def press_speed(self, delta_kmh: float) -> None: ...
    def press_incline(self, delta_percent: float) -> None: ...
    def control_point_silent(self, duration: float | None = None) -> None: ...
    def revoke_control(self) -> None: ...
    def send_garbage(self, characteristic: str = ..., data: bytes | None = None) -> None: ...
    def telemetry_gap(self, duration: float) -> None: ...
    def odometer_jump(self, delta_m: float) -> None: ...
    def strap_fault(self, fault: StrapFault, duration: float, bpm: int) -> None: ...
    def footpod_fault(self, fault: FootpodFault, duration: float) -> None: ...


Handler = Callable[[FaultTarget, Fault], None]


def _strap(kind: StrapFault) -> Handler:
    return lambda m, f: m.strap_fault(kind, f.duration or 0.0, round(f.delta or 0.0))


HANDLERS: Final[dict[str, Handler]] = {
    "drop_link": lambda m, f: m.drop_link(f.duration or 0.0),
    "reboot": lambda m, f: m.reboot(5.0 if f.duration is None else f.duration),
    "pull_safety_key": lambda m, f: m.pull_safety_key(f.duration),
    "insert_safety_key": lambda m, f: m.insert_safety_key(),
    "press_stop": lambda m, f: m.press_stop(),
    "press_pause": lambda m, f: m.press_pause(),
    "press_start": lambda m, f: m.press_start(),
    "press_speed": lambda m, f: m.press_speed(f.delta or 0.0),
    "press_incline": lambda m, f: m.press_incline(f.delta or 0.0),
    "control_point_silent": lambda m, f: m.control_point_silent(f.duration),
    "control_lost": lambda m, f: m.revoke_control(),
    "garbage": lambda m, f: m.send_garbage(f.characteristic, f.data),
    "telemetry_gap": lambda m, f: m.telemetry_gap(f.duration or 0.0),
    "odometer_jump": lambda m, f: m.odometer_jump(f.delta or 0.0),
    "refuse_write": lambda m, f: m.refusals.arm(f.op, f.count),
    "strap_off": _strap(StrapFault.OFF),
    "strap_stuck": _strap(StrapFault.STUCK),
    "strap_nonsense": _strap(StrapFault.NONSENSE),
    "footpod_off": lambda m, f: m.footpod_fault(FootpodFault.OFF, f.duration or 0.0),
    "footpod_nonsense": lambda m, f: m.footpod_fault(FootpodFault.NONSENSE, f.duration or 0.0),
}


def apply_fault(machine: FaultTarget, fault: Fault) -> None:
    """Carry out `fault` on `machine` now (an action without a handler does nothing)."""
    handler = HANDLERS.get(fault.action)
    if handler is not None:
        handler(machine, fault)
