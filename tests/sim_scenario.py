"""`FtmsTreadmill` on one of the simulator's models, a scenario played on a virtual clock.

`on_model(model, scenario)` connects the port to the simulated machine over its
in-process link, lets `scenario` act on the machine and the port, and returns every
update the port queued for the engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from treadpace.base.clock import VirtualClock
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import TreadmillUpdate
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill

Scenario = Callable[[SimulatedTreadmill, FtmsTreadmill, VirtualClock], Awaitable[None]]


async def on_model(model: str, scenario: Scenario) -> list[TreadmillUpdate]:
    clock = VirtualClock()

    async def body() -> list[TreadmillUpdate]:
        sim = SimulatedTreadmill(model, clock)
        await sim.start()
        tm = FtmsTreadmill(SimLink(sim), clock)
        await tm.connect()
        try:
            await scenario(sim, tm, clock)
        finally:
            updates = list(tm._queue)
            await tm.disconnect()
            await sim.close()
        return updates

    return await clock.drive(body())
