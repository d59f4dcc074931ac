"""The random world the engine core's property tests run in: plans, profiles, machines.

`worlds()` draws one run's fixed facts: a short plan (time and distance steps,
constant and ramps, some open or free), the runner's settings (caps below and
above the machine's, countdowns, offset or hold), and a machine (speed range and
increment, a 0.1 mph console among them, with or without incline, controllable
or read-only, honest or reporting mph in its km/h fields).

The grid checks here restate safety rule 1 from the protocol's side (a setpoint
travels in 0.01 km/h / 0.1 % units on the grid that starts at the machine's
minimum and steps by its increment), independently of `engine.setpoint`, so a
broken grid in the engine cannot also break the check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import product

from hypothesis import strategies as st

from treadpace.base.units import KMH_PER_MPH
from treadpace.engine.config import EngineConfig
from treadpace.ftms import InclinationRange, SpeedRange
from treadpace.plans.steps import CompiledPlan, CompiledStep, StepKind

MPH_STEP_KMH = 0.1 * KMH_PER_MPH
TOLERANCE = 1e-9


@dataclass(frozen=True)
class World:
    plan: CompiledPlan
    config: EngineConfig
    speeds: SpeedRange
    inclines: InclinationRange | None
    controllable: bool
    mph_liar: bool
    """The belt runs 1.61x the speed it reports (mph in the km/h fields, ftms.md Q9)."""

    @property
    def speed_top(self) -> float:
        """The fastest speed that may be commanded: min(profile cap, machine max)."""
        return max(self.speeds.min_kmh, min(self.config.max_speed_kmh, self.speeds.max_kmh))

    @property
    def incline_top(self) -> float:
        assert self.inclines is not None
        top = min(self.config.max_incline_percent, self.inclines.max_percent)
        return max(self.inclines.min_percent, top)

    @property
    def mph_console(self) -> bool:
        return abs(self.speeds.increment_kmh - MPH_STEP_KMH) < 0.0051

    @property
    def speed_step(self) -> float:
        """One step of the belt's grid in km/h (an mph console steps in true 0.1 mph)."""
        return MPH_STEP_KMH if self.mph_console else self.speeds.increment_kmh


def on_speed_grid(kmh: float, speeds: SpeedRange) -> bool:
    """Whether `kmh` is a point of the machine's speed grid as it travels on the wire."""
    if abs(speeds.increment_kmh - MPH_STEP_KMH) < 0.0051:
        # 0.01 mph units; each point travels as the nearest 0.01 km/h.
        lo = round(speeds.min_kmh / KMH_PER_MPH * 100)
        step = max(1, round(speeds.increment_kmh / KMH_PER_MPH * 100))
        k = round((kmh / KMH_PER_MPH * 100 - lo) / step)
        wire = math.floor((lo + k * step) / 100 * KMH_PER_MPH * 100 + 0.5) / 100
        return abs(wire - kmh) < TOLERANCE
    return _on_grid(kmh, speeds.min_kmh, speeds.increment_kmh, 100)


def on_incline_grid(percent: float, inclines: InclinationRange) -> bool:
    return _on_grid(percent, inclines.min_percent, inclines.increment_percent, 10)


def _on_grid(value: float, minimum: float, increment: float, resolution: int) -> bool:
    units = value * resolution
    if abs(units - round(units)) > 1e-6:
        return False
    lo = math.ceil(minimum * resolution - 1e-6)
    step = max(1, round(increment * resolution))
    return (round(units) - lo) % step == 0


# --- strategies ---------------------------------------------------------------------------
# Each fact is one draw from a product of the choices (a draw is what costs in a state
# machine run 10,000 times), so a run's whole world is five integers.

_SPEEDS = (3.0, 6.4, 8.05, 10.0, 11.27, 13.7, 16.0, 19.5, 24.0)
_INCLINES = (0.0, 1.5, 6.0, 18.0, -2.0)
_AMOUNTS: tuple[tuple[StepKind, float], ...] = (
    ("time", 5.0),
    ("time", 20.0),
    ("time", 60.0),
    ("distance", 10.0),
    ("distance", 50.0),
    ("distance", 200.0),
)
StepFacts = tuple[StepKind, float, float, float | None, float, float | None, str]
_STEPS: tuple[StepFacts, ...] = tuple(
    (kind, amount, speed, end, incline, end_incline, flags)
    for (kind, amount), speed, end, incline, end_incline, flags in product(
        _AMOUNTS,
        _SPEEDS,
        (None, *_SPEEDS),
        _INCLINES,
        (None, *_INCLINES),
        ("", "", "", "", "open", "free"),
    )
)
_MACHINES = (
    SpeedRange(0.8, 16.0, 0.1),
    SpeedRange(1.0, 20.0, 0.1),
    SpeedRange(0.5, 22.0, 0.05),
    SpeedRange(1.0, 18.0, 0.5),
    SpeedRange(1.61, 19.31, 0.16),  # a 0.1 mph console, 1-12 mph, as it reports in km/h
    SpeedRange(0.8, 12.87, 0.161),
    SpeedRange(0.0, 25.0, 0.01),
)
_INCLINE_RANGES = (
    None,
    InclinationRange(0.0, 15.0, 0.5),
    InclinationRange(-3.0, 12.0, 0.1),
    InclinationRange(0.0, 10.0, 1.0),
)
Hardware = tuple[SpeedRange, InclinationRange | None, bool, bool]
"""(speed range, incline range, controllable, reports mph as km/h)."""
_HARDWARE: tuple[Hardware, ...] = tuple(
    product(_MACHINES, _INCLINE_RANGES, (True,) * 7 + (False,), (False, False, False, True))
)
_SETTINGS = tuple(
    EngineConfig(
        max_speed_kmh=cap,
        max_incline_percent=incline_cap,
        incline_offset_percent=offset,
        manual_change=manual,
        countdown_s=countdown,
        allow_remote_start=remote,
        link_timeout_s=link,
    )
    for cap in (0.0, 5.0, 9.99, 12.345, 14.5, 19.31, 30.0)  # raised to the machine's minimum
    for incline_cap in (-5.0, 3.0, 8.55, 15.0, 40.0)  # likewise
    for offset in (0.0, 0.0, 1.0, 20.0)
    for manual in ("offset", "hold")
    for countdown in range(4)
    for remote in (False, True)
    for link in (10.0, 300.0)
)


def _step(n: int, facts: StepFacts) -> CompiledStep:
    kind, amount, speed, end, incline, end_incline, flags = facts
    return CompiledStep(
        name=f"step {n + 1}",
        kind=kind,
        amount=amount,
        speed_kmh=speed,
        end_speed_kmh=end,
        incline_percent=incline,
        end_incline_percent=end_incline,
        open=flags == "open",
        free=flags == "free",
    )


_PLANS = st.lists(st.sampled_from(_STEPS), min_size=1, max_size=4).map(
    lambda steps: CompiledPlan(
        name="random", kind="custom", steps=tuple(_step(n, s) for n, s in enumerate(steps))
    )
)


def _world(plan: CompiledPlan, hardware: Hardware, settings: EngineConfig) -> World:
    speeds, inclines, controllable, liar = hardware
    low_incline = inclines.min_percent if inclines is not None else 0.0
    config = replace(  # a cap under the machine's minimum is refused before the run
        settings,
        max_speed_kmh=max(speeds.min_kmh, settings.max_speed_kmh),
        max_incline_percent=max(low_incline, settings.max_incline_percent),
    )
    return World(plan, config, speeds, inclines, controllable, liar)


def worlds(
    *, controllable: bool | None = None, remote_start: bool | None = None
) -> st.SearchStrategy[World]:
    """Random worlds; `controllable` or `remote_start` narrow them to one kind."""
    hardware = [h for h in _HARDWARE if controllable in (None, h[2])]
    settings = [c for c in _SETTINGS if remote_start in (None, c.allow_remote_start)]
    return st.builds(_world, _PLANS, st.sampled_from(hardware), st.sampled_from(settings))
