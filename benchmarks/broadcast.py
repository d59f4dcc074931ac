"""What `run --broadcast rsc,ftms` costs: notification latency and extra CPU.

This process is treadpace: the engine driving the software treadmill (in-process
link, real time) with the broadcast registered on hci1. A second process is the
rest of the world: the BlueZ stand-in on a private dbus-daemon and a bleak
"watch" on hci0 subscribed to RSC Measurement and Treadmill Data. Keeping them
apart means this process's CPU is treadpace's alone. Figures:

1. latency from a belt telemetry packet reaching treadpace (the Treadmill Data
   bytes handed to the link) to the watch receiving the RSC notification, over
   D-Bus and the stand-in (both clocks are CLOCK_MONOTONIC); target < 50 ms;
2. extra CPU of broadcasting: this process's CPU time over the same length of
   run with and without the broadcast (and a subscribed watch); target < 0.5 %
   of one core.

    python benchmarks/broadcast.py [SECONDS]      (default 30 s per phase)
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

from treadpace.base.clock import ScaledClock
from treadpace.broadcast import Broadcaster
from treadpace.engine import Command, Engine, EngineConfig, EventHub
from treadpace.ftms import TREADMILL_DATA
from treadpace.ftms.uuids import RSC_FEATURE, RSC_MEASUREMENT, RSC_SERVICE
from treadpace.plans.broadcast_settings import BroadcastSettings
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import NotifyCallback
from treadpace.treadmill.sim import SimLink
from treadpace_sim.bluez import FakeBlueZ, PrivateBus
from treadpace_sim.treadmill import SimulatedTreadmill


class TimedLink(SimLink):
    """The in-process link, noting when each Treadmill Data packet reaches treadpace."""

    packets: list[float]

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        if uuid != TREADMILL_DATA:
            return await super().subscribe(uuid, callback)
        self.packets = []

        def timed(data: bytes) -> None:
            self.packets.append(time.perf_counter())
            callback(data)

        return await super().subscribe(uuid, timed)


async def one_run(seconds: float, broadcast: bool) -> tuple[float, list[float]]:
    """CPU seconds of this process over `seconds` of a steady run, and the packet times."""
    clock = ScaledClock(1.0)
    sim = SimulatedTreadmill("generic", clock)
    await sim.start()
    hub = EventHub()
    link = TimedLink(sim)
    treadmill = FtmsTreadmill(link, clock)
    plan = CompiledPlan("bench", "custom", (CompiledStep("steady", "time", 3600, 10.0),))
    engine = Engine(treadmill, plan, EngineConfig(countdown_s=0), clock, hub)
    tasks = []
    broadcaster = None
    if broadcast:
        settings = BroadcastSettings(services=["rsc", "ftms"], adapter="hci1")
        broadcaster = Broadcaster(settings, clock, hub)
        await broadcaster.start()
        broadcaster.attach(treadmill)
        tasks.append(asyncio.create_task(broadcaster.run(hub.subscribe(maxsize=100))))
        # the watch is another process: its subscription is seen only by its effect here
        while not broadcaster.server.clients or not broadcaster.sent:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    task = asyncio.create_task(engine.run())
    await engine.command(Command.START)
    await asyncio.sleep(5)  # the belt is up to speed
    cpu0 = time.process_time()
    await asyncio.sleep(seconds)
    cpu = time.process_time() - cpu0
    packets = [t for t in getattr(link, "packets", []) if t]
    engine.abort("benchmark over")
    await task
    hub.close()
    await asyncio.gather(*tasks)
    if broadcaster is not None:
        await broadcaster.stop()
    await sim.close()
    return cpu, packets


async def watch() -> None:
    """The other process: the stand-in and a bleak watch; prints arrival times on EOF."""
    from bleak import BleakClient

    from treadpace.treadmill.ble import find_device

    arrivals: list[float] = []
    async with FakeBlueZ(advertising_interval=0.01):
        print("ready", flush=True)
        device, _ = await find_device(None, timeout=60.0, service_uuid=RSC_SERVICE)
        async with BleakClient(device) as client:
            await client.start_notify(
                RSC_MEASUREMENT, lambda _c, _d: arrivals.append(time.perf_counter())
            )
            await client.start_notify(TREADMILL_DATA, lambda _c, _d: None)
            await client.read_gatt_char(RSC_FEATURE)  # a watch reads it when pairing
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, sys.stdin.read)
    print(json.dumps(arrivals), flush=True)


def latencies(packets: list[float], arrivals: list[float]) -> list[float]:
    """Each notification against the latest packet before it (heartbeats, > 0.5 s, left out)."""
    out = []
    i = 0
    for t in arrivals:
        while i + 1 < len(packets) and packets[i + 1] <= t:
            i += 1
        if packets and packets[i] <= t and t - packets[i] < 0.5:
            out.append(t - packets[i])
    return out


async def main(seconds: float) -> None:
    cpu_off, _ = await one_run(seconds, broadcast=False)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--watch",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdin is not None
    assert (await proc.stdout.readline()).strip() == b"ready"
    cpu_on, packets = await one_run(seconds, broadcast=True)
    proc.stdin.close()
    arrivals = json.loads(await proc.stdout.readline())
    await proc.wait()
    lat = sorted(x * 1e3 for x in latencies(packets, arrivals))
    print(f"broadcast benchmark: {seconds:g} s of a steady 10 km/h run per phase, real time")
    print(
        f"  latency belt packet -> RSC notification at the watch ({len(lat)} notifications):"
        f" median {statistics.median(lat):.2f} ms, p95 {lat[int(0.95 * (len(lat) - 1))]:.2f} ms,"
        f" max {lat[-1]:.2f} ms (target < 50 ms)"
    )
    extra = (cpu_on - cpu_off) / seconds * 100
    print(
        f"  CPU of this process: {100 * cpu_off / seconds:.3f} % without, "
        f"{100 * cpu_on / seconds:.3f} % with the broadcast"
    )
    print(f"  extra CPU of broadcasting: {extra:.3f} % of one core (target < 0.5 %)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--watch"]:
        asyncio.run(watch())
    else:
        bus = PrivateBus()
        bus.start()
        old = bus.export()
        try:
            asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0))
        finally:
            PrivateBus.restore(old)
            bus.stop()
