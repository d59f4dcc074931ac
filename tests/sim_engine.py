"""One way to play an engine against the simulated treadmill until the run ends.

Start the simulator, run the engine, press START, let a script act, wait for the
run's result, let the belt wind down if asked, and close the treadmill and the
simulator: the tail every engine-on-the-simulator test shares.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, RunFinished
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
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
