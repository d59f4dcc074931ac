"""Wall time of a 60-minute plan run end to end on the virtual clock (target <= 0.3 s).

engine -> FtmsTreadmill -> FTMS bytes -> simulator -> bytes -> engine, on the
`generic` model, every sink but the terminal attached (a subscription that
drains every event). Prints the median and best of N runs and what was moved.

The floor, run side by side with it: the same simulator and FtmsTreadmill for the
same hour, a reader that starts the belt once and only reads the telemetry (no
engine). The target for the run is <= 1.3x that floor.

    python benchmarks/run_virtual.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub
from treadpace.engine.events import SetpointSent, Tick
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import Telemetry
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill


def sixty_minutes() -> CompiledPlan:
    """Warm-up, a ramp, four distance steps, thirds, cool-down: 60:00 planned."""
    steps = [
        CompiledStep("warm-up", "time", 600, 9.0),
        CompiledStep("ramp", "time", 600, 9.5, end_speed_kmh=11.5),
        *(CompiledStep(f"km {i + 1}", "distance", 1000, 11.0 + 0.2 * i) for i in range(4)),
    ]
    used = sum(s.planned_time_s for s in steps)
    third = (3600 - 600 - used) / 3
    steps += [CompiledStep(f"third {i + 1}", "time", third, 10.5 + 0.6 * i) for i in range(3)]
    steps.append(CompiledStep("cool-down", "time", 600, 8.5))
    return CompiledPlan("benchmark 60 min", "custom", tuple(steps))


async def one_run(p: CompiledPlan) -> tuple[float, int, int, float]:
    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)
    hub = EventHub()
    sub = hub.subscribe()
    counts = {"tick": 0, "set": 0}

    async def drain() -> None:
        async for e in sub:
            if isinstance(e, Tick):
                counts["tick"] += 1
            elif isinstance(e, SetpointSent):
                counts["set"] += 1

    async def go() -> float:
        await sim.start()
        treadmill = FtmsTreadmill(SimLink(sim), clock)
        engine = Engine(treadmill, p, EngineConfig(countdown_s=0), clock, hub)
        sink = asyncio.create_task(drain())
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        result = await task
        await sink
        await treadmill.disconnect()
        await sim.close()
        return result.elapsed_s

    t0 = time.perf_counter()
    elapsed = await clock.drive(go())
    return time.perf_counter() - t0, counts["tick"], counts["set"], elapsed


async def telemetry_only(seconds: float = 3600.0) -> float:
    """The floor: the belt started once, an hour of telemetry read, nothing decided."""
    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)

    async def go() -> None:
        await sim.start()
        treadmill = FtmsTreadmill(SimLink(sim), clock)
        await treadmill.connect()
        await treadmill.request_control()
        await treadmill.start()
        await treadmill.set_speed(10.0)
        async for update in treadmill.updates():
            if isinstance(update, Telemetry) and update.t >= seconds:
                break
        await treadmill.disconnect()
        await sim.close()

    t0 = time.perf_counter()
    await clock.drive(go())
    return time.perf_counter() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    p = sixty_minutes()
    asyncio.run(one_run(p)), asyncio.run(telemetry_only())  # warm-up, not measured
    walls, floors = [], []
    ticks = sets = 0
    plan_s = 0.0
    for _ in range(n):  # side by side: a busy machine weighs on both alike
        wall, ticks, sets, plan_s = asyncio.run(one_run(p))
        walls.append(wall)
        floors.append(asyncio.run(telemetry_only()))
    ratio = statistics.median(walls) / statistics.median(floors)
    print(
        f"60-minute plan on the virtual clock: median {statistics.median(walls):.3f} s,"
        f" best {min(walls):.3f} s wall over {n} runs (target <= 0.3 s)"
    )
    print(
        f"  telemetry only (the floor): median {statistics.median(floors):.3f} s;"
        f" the run is {ratio:.2f}x the floor (target <= 1.3x)"
    )
    print(f"  plan time {plan_s:.0f} s, {ticks} telemetry ticks, {sets} setpoints sent")


if __name__ == "__main__":
    main()
