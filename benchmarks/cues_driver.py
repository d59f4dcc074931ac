"""What the cue driver costs a run: a 60-minute plan on the virtual clock, with and without.

The same run (engine -> FTMS bytes -> simulator -> engine, `generic` model) with the
engine's plain `EventHub` and with the run's `CueHub`, which feeds every event to
the cue driver inside `publish`. Prints the median wall time of each, the
difference per event, and how many cues were published.

    python benchmarks/cues_driver.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from run_virtual import sixty_minutes  # the same 60-minute plan as that benchmark

from treadpace.base.clock import VirtualClock
from treadpace.cues.driver import CueHub
from treadpace.engine import Command, Engine, EngineConfig, EventHub
from treadpace.engine.events import Cue
from treadpace.plans.steps import CompiledPlan
from treadpace_sim.treadmill import SimulatedTreadmill


async def one_run(p: CompiledPlan, with_cues: bool) -> tuple[float, int, int]:
    from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
    from treadpace.treadmill.sim import SimLink

    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)
    hub = CueHub(clock) if with_cues else EventHub()
    sub = hub.subscribe()
    counts = {"events": 0, "cues": 0}

    async def drain() -> None:
        async for e in sub:
            counts["events"] += 1
            counts["cues"] += isinstance(e, Cue)

    async def go() -> None:
        await sim.start()
        treadmill = FtmsTreadmill(SimLink(sim), clock)
        engine = Engine(treadmill, p, EngineConfig(countdown_s=0), clock, hub)
        sink = asyncio.create_task(drain())
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        await task
        hub.close()
        await sink
        await treadmill.disconnect()
        await sim.close()

    t0 = time.perf_counter()
    await clock.drive(go())
    return time.perf_counter() - t0, counts["events"], counts["cues"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    p = sixty_minutes()
    results: dict[bool, list[float]] = {False: [], True: []}
    events = cues = 0
    for _ in range(n):
        for with_cues in (False, True):
            wall, count, said = asyncio.run(one_run(p, with_cues))
            results[with_cues].append(wall)
            if with_cues:
                events, cues = count, said
    plain, cued = (statistics.median(results[k]) for k in (False, True))
    print(f"60-minute plan, virtual clock, median of {n}:")
    print(f"  EventHub {plain:.3f} s, CueHub {cued:.3f} s wall ({cued - plain:+.3f} s)")
    print(f"  {events} events, {cues} cues; {(cued - plain) / events * 1e6:+.1f} µs per event")


if __name__ == "__main__":
    main()
