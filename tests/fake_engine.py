"""One way to play the engine against the fake treadmill (`tests.fake_treadmill`) to its end.

`run(plan, ...)` builds the engine on a virtual clock, presses START (unless told not
to), lets a script act and returns the result, the fake treadmill (its command log)
and every event the engine published.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from tests.fake_treadmill import FakeTreadmill
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub
from treadpace.engine.events import EngineEvent, RunFinished
from treadpace.plans.steps import CompiledPlan

Script = Callable[[Engine, FakeTreadmill, VirtualClock], Awaitable[None]]


async def run(
    p: CompiledPlan,
    *,
    config: EngineConfig | None = None,
    script: Script | None = None,
    start: bool = True,
    **fake: Any,
) -> tuple[RunFinished, FakeTreadmill, list[EngineEvent]]:
    clock = VirtualClock()
    hub = EventHub()
    sub = hub.subscribe()
    tm = FakeTreadmill(clock, **fake)
    engine = Engine(tm, p, config or EngineConfig(countdown_s=0), clock, hub)

    async def go() -> RunFinished:
        task = asyncio.create_task(engine.run())
        if start:
            await engine.command(Command.START)
        if script is not None:
            await script(engine, tm, clock)
        result = await task
        await tm.disconnect()
        return result

    result = await clock.drive(go())
    events = [e async for e in sub]
    return result, tm, events
