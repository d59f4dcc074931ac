"""Records the core makes from one dict are whole, ordinary dataclass instances.

The core makes its `Tick` (one a packet) and every step as commanded (each step of
the plan as the run starts) from one dict (base/frozen_record.py) instead of the
dataclass's constructor, which checks nothing: these tests hold that each one has
exactly the class's fields, equals the one the constructor makes from the same
values (so equality, hashing and `replace` are the dataclass's), and stays frozen.
"""

from __future__ import annotations

import dataclasses

import pytest

from treadpace.base.frozen_record import frozen_record
from treadpace.engine.config import EngineConfig
from treadpace.engine.core import EngineCore
from treadpace.engine.events import Command, RunState, Tick
from treadpace.engine.messages import (
    Answer,
    Connected,
    FromTreadmill,
    Input,
    RunnerCommand,
    Write,
    Written,
)
from treadpace.ftms import InclinationRange, SpeedRange
from treadpace.plans.hr_rule import HrRule
from treadpace.plans.steps import CompiledPlan, CompiledStep, StepRole
from treadpace.treadmill.port import Telemetry

PLAN = CompiledPlan(
    "t",
    "custom",
    (
        CompiledStep("ramp", "time", 30, 9.0, incline_percent=1.0, end_speed_kmh=11.0),
        CompiledStep("km", "distance", 100, 10.0),
    ),
)
FIELDS = {f.name for f in dataclasses.fields(Tick)}


def ticks() -> list[Tick]:
    """Every Tick of the plan run on a belt that follows each command at once."""
    core = EngineCore(PLAN, EngineConfig(countdown_s=0))
    out: list[Tick] = []
    speed, metres = 0.0, 0.0

    def feed(inp: Input, now: float) -> None:
        nonlocal speed
        for action in core.handle(inp, now, wall=1000.0 + now, has_control=True):
            if isinstance(action, Tick):
                out.append(action)
            elif isinstance(action, Write):
                if action.value is not None and action.op.name == "SPEED":
                    speed = action.value
                feed(Written(action.op, Answer.TAKEN), now)

    feed(Connected("m", SpeedRange(1.0, 20.0, 0.1), InclinationRange(0, 10, 0.5), True), 0.0)
    feed(RunnerCommand(Command.START), 0.0)
    for t in range(1, 80):
        metres += speed / 3.6
        feed(FromTreadmill(Telemetry(float(t), speed, 1.0, float(int(metres)), 72.0, 120)), t)
    return out


def test_every_tick_has_exactly_the_fields_of_the_class() -> None:
    made = ticks()
    assert len(made) > 60
    assert {tick.state for tick in made} == {RunState.RUNNING}
    assert {tick.step_index for tick in made} == {0, 1}  # both steps, and a change between
    for tick in made:
        assert set(vars(tick)) == FIELDS


def test_a_tick_is_the_one_the_constructor_makes() -> None:
    for tick in ticks():
        built = Tick(**vars(tick))
        assert tick == built
        assert hash(tick) == hash(built)
        assert repr(tick) == repr(built)
        assert dataclasses.replace(tick, t=-1.0) == dataclasses.replace(built, t=-1.0)


def test_a_record_made_from_a_dict_stays_frozen() -> None:
    tick = ticks()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tick.t = 0.0  # type: ignore[misc]
    again = frozen_record(Tick, dict(vars(tick)))
    assert again == tick and again is not tick


def test_a_step_as_commanded_is_the_step_with_its_speeds_on_the_grid() -> None:
    """Copied from the step's fields: what `dataclasses.replace` would make, and frozen."""
    policy = EngineCore(PLAN, EngineConfig(countdown_s=0)).policy
    policy.fit(SpeedRange(1.0, 20.0, 0.1), InclinationRange(0, 10, 0.5))
    rule = HrRule("cap", 150.0, 150.0)
    steps = [
        *PLAN.steps,
        CompiledStep("free", "time", 60, 9.03, free=True, pace_label="easy"),
        CompiledStep("hr", "time", 60, 10.06, hr=rule, role=StepRole.COOLDOWN),
    ]
    for step in steps:
        shown = policy.as_commanded(step)
        end = step.end_speed_kmh
        assert shown == dataclasses.replace(
            step,
            speed_kmh=policy.on_grid(step.speed_kmh),
            end_speed_kmh=None if end is None else policy.on_grid(end),
        )
        assert set(vars(shown)) == {f.name for f in dataclasses.fields(CompiledStep)}
        assert vars(step) is not vars(shown)
        with pytest.raises(dataclasses.FrozenInstanceError):
            shown.speed_kmh = 0.0  # type: ignore[misc]
    assert policy.as_commanded(steps[2]).speed_kmh == 9.0  # on the 0.1 km/h grid
