"""The live picture the core makes for every packet is a whole, ordinary `Tick`.

The core makes its `Tick` from one dict (base/frozen_record.py) instead of the
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
from treadpace.plans.steps import CompiledPlan, CompiledStep
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
