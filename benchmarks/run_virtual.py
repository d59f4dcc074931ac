"""Wall time of a 60-minute plan run end to end on the virtual clock (target <= 0.3 s).

engine -> FtmsTreadmill -> FTMS bytes -> simulator -> bytes -> engine, on the
`generic` model, every sink but the terminal attached (a subscription that
drains every event). Prints the median and best of N runs and what was moved.

The floor, run side by side with it: the same simulator and FtmsTreadmill for the
same hour, a reader that starts the belt once and only reads the telemetry (no
engine). The target for the run is <= 1.3x that floor.

Where the run's extra time goes, so the ratio can be read (both printed under it):
- the floor telling one sink: the same floor, each packet made a `Tick` and published
  to one draining subscription, the least any run that shows its packets pays;
- the engine's decisions a packet: one more run, its core's functions wrapped in
  timers (the wrapping costs a little, so these figures are a bound from above), each
  divided by the telemetry packets, against what 1.3x the floor leaves a packet.

    python benchmarks/run_virtual.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from treadpace.base.clock import VirtualClock
from treadpace.base.frozen_record import frozen_record
from treadpace.engine import Command, Engine, EngineConfig, EventHub, reactions
from treadpace.engine import core as engine_core
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


async def telemetry_only(seconds: float = 3600.0, tell: bool = False) -> float:
    """The floor: the belt started once, an hour of telemetry read, nothing decided.

    With `tell`, each packet is also made a `Tick` and published to one subscription
    that a second task drains: what showing the packets costs with no decision made."""
    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)
    hub = EventHub()
    sub = hub.subscribe()

    async def drain() -> None:
        async for _ in sub:
            pass

    async def go() -> None:
        await sim.start()
        treadmill = FtmsTreadmill(SimLink(sim), clock)
        await treadmill.connect()
        await treadmill.request_control()
        await treadmill.start()
        await treadmill.set_speed(10.0)
        sink = asyncio.create_task(drain()) if tell else None
        async for update in treadmill.updates():
            if isinstance(update, Telemetry):
                if tell:
                    hub.publish(_tick_of(update))
                if update.t >= seconds:
                    break
        hub.close()
        if sink is not None:
            await sink
        await treadmill.disconnect()
        await sim.close()

    t0 = time.perf_counter()
    await clock.drive(go())
    return time.perf_counter() - t0


def _tick_of(tel: Telemetry) -> Tick:
    """A Tick made from a packet the way the core makes one (every field, one dict)."""
    fields = {name: 0.0 for name in Tick.__dataclass_fields__}
    fields.update(t=tel.t, speed_kmh=tel.speed_kmh, distance_m=tel.distance_m or 0.0)
    return frozen_record(Tick, fields)


SPLIT: tuple[tuple[str, object, str], ...] = (
    ("the core, all of it (EngineCore.handle)", engine_core.EngineCore, "handle"),
    ("  settling what to write (_settle)", engine_core, "_settle"),
    ("  the next wake-up (_next_wake)", engine_core, "_next_wake"),
    ("  a telemetry packet (reactions._telemetry)", reactions, "_telemetry"),
    ("    true pace (_observe_true_pace)", reactions, "_observe_true_pace"),
    ("    the live picture (_tick)", reactions, "_tick"),
)


@contextmanager
def _timed(spent: dict[str, float]) -> Iterator[None]:
    """Wrap each function of SPLIT in a timer adding to `spent[label]`, then unwrap."""
    saved: list[tuple[object, str, Any]] = []

    def wrap(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        clock = time.perf_counter

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += clock() - t0

        return timed

    for label, owner, name in SPLIT:
        fn = getattr(owner, name)
        saved.append((owner, name, fn))
        setattr(owner, name, wrap(label, fn))
    table = reactions._REACTIONS
    original = table[Telemetry]
    table[Telemetry] = reactions._telemetry  # the table holds the function itself
    try:
        yield
    finally:
        table[Telemetry] = original
        for owner, name, fn in saved:
            setattr(owner, name, fn)


def split(p: CompiledPlan, floor_s: float, run_s: float) -> None:
    """Print the engine's decisions a packet against what 1.3x the floor leaves them."""
    spent: dict[str, float] = defaultdict(float)
    with _timed(spent):
        _, ticks, _, _ = asyncio.run(one_run(p))
    total = spent[SPLIT[0][0]]
    allowed = (1.3 * floor_s - floor_s) / ticks
    print(
        f"  the engine's decisions: {total / ticks * 1e6:.1f} us a packet"
        f" (at most; timed inside a run of {run_s:.3f} s);"
        f" 1.3x the floor leaves {allowed * 1e6:.1f} us a packet for all the run adds"
    )
    for label, _, _ in SPLIT[1:]:
        print(f"    {label}: {spent[label] / ticks * 1e6:.1f} us")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    p = sixty_minutes()
    asyncio.run(one_run(p)), asyncio.run(telemetry_only())  # warm-up, not measured
    walls, floors, told = [], [], []
    ticks = sets = 0
    plan_s = 0.0
    for _ in range(n):  # side by side: a busy machine weighs on both alike
        wall, ticks, sets, plan_s = asyncio.run(one_run(p))
        walls.append(wall)
        floors.append(asyncio.run(telemetry_only()))
        told.append(asyncio.run(telemetry_only(tell=True)))
    ratio = statistics.median(walls) / statistics.median(floors)
    print(
        f"60-minute plan on the virtual clock: median {statistics.median(walls):.3f} s,"
        f" best {min(walls):.3f} s wall over {n} runs (target <= 0.3 s)"
    )
    print(
        f"  telemetry only (the floor): median {statistics.median(floors):.3f} s;"
        f" the run is {ratio:.2f}x the floor (target <= 1.3x)"
    )
    floor = statistics.median(floors)
    print(
        f"  the floor telling one sink of each packet: median {statistics.median(told):.3f} s"
        f" ({statistics.median(told) / floor:.2f}x the floor)"
    )
    print(f"  plan time {plan_s:.0f} s, {ticks} telemetry ticks, {sets} setpoints sent")
    split(p, floor, statistics.median(walls))


if __name__ == "__main__":
    main()
