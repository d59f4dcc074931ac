"""One way to play an engine against the simulated treadmill until the run ends.

Start the simulator, run the engine, press START, let a script act, wait for the
run's result, let the belt wind down if asked, and close the treadmill and the
simulator: the tail every engine-on-the-simulator test shares (`drive_to_end`).
`run_sim` plays a plan (`plan`: steps in, the plan every engine test runs) that way and
returns its `Outcome`: the result, the engine's events and what the simulator itself
logged (`Record`s: each command and belt state with its time and belt distance).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunFinished
from treadpace.engine.events import EngineEvent
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill


async def drive_to_end(
    engine: Engine,
    sim: SimulatedTreadmill,
    treadmill: FtmsTreadmill,
    clock: VirtualClock,
    *,
    script: Callable[[], Awaitable[None]] | None = None,
    wind_down_s: float = 0.0,
) -> RunFinished:
    """The run's result, the whole run played on `clock` (see the module doc)."""

    async def go() -> RunFinished:
        await sim.start()
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        if script is not None:
            await script()
        result = await task
        if wind_down_s:
            await clock.sleep(wind_down_s)  # let the belt wind down in the log
        await treadmill.disconnect()
        await sim.close()
        return result

    return await clock.drive(go())


@dataclass
class Record:
    t: float
    r: dict[str, object]
    belt_m: float


@dataclass
class Outcome:
    result: RunFinished
    records: list[Record]
    events: list[EngineEvent]
    sim: SimulatedTreadmill
    engine: Engine
    extra: dict[str, object] = field(default_factory=dict)

    def commands(self, op: str | None = None) -> list[Record]:
        return [
            x
            for x in self.records
            if x.r.get("event") == "command" and (op is None or x.r.get("op") == op)
        ]

    def speeds(self) -> list[Record]:
        return [x for x in self.commands("set_target_speed") if x.r.get("result") == "success"]

    def belts(self) -> list[Record]:
        return [x for x in self.records if x.r.get("event") == "belt"]


Script = Callable[[Engine, SimulatedTreadmill, VirtualClock], Awaitable[None]]


def plan(*steps: CompiledStep) -> CompiledPlan:
    return CompiledPlan(name="sim test", kind="custom", steps=steps)


async def run_sim(
    p: CompiledPlan,
    *,
    model: str = "generic",
    config: EngineConfig | None = None,
    script: Script | None = None,
) -> Outcome:
    clock = VirtualClock()
    records: list[Record] = []
    sim_box: list[SimulatedTreadmill] = []

    def observe(t: float, r: dict[str, object]) -> None:
        records.append(Record(t, r, sim_box[0].server.belt.distance_m))

    sim = SimulatedTreadmill(model, clock, observers=[observe])
    sim_box.append(sim)
    hub = EventHub()
    sub = hub.subscribe()
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    engine = Engine(treadmill, p, config or EngineConfig(countdown_s=0), clock, hub)

    acts = None if script is None else (lambda: script(engine, sim, clock))
    result = await drive_to_end(engine, sim, treadmill, clock, script=acts, wind_down_s=30)
    events = [e async for e in sub]
    return Outcome(result, records, events, sim, engine)


def start_time(o: Outcome) -> float:
    return next(x.t for x in o.commands("start_or_resume") if x.r.get("result") == "success")
