"""What Bluetooth costs treadpace, measured through bleak's real BlueZ backend.

A private dbus-daemon and the BlueZ stand-in (in this process, zero simulated
latency, 10 ms advertising interval) serve two simulated treadmills. Figures:

1. first use: scan by the FTMS UUID + connect (services resolved) + subscribe
   (Control Point and Treadmill Data) + the first control round trip (Request
   Control written, its indication received), median of several cold starts;
2. treadpace's own overhead per control round trip: `FtmsTreadmill.set_speed`
   over `BleakLink`, against a bare bleak `write_gatt_char` -> indication on the
   other machine, batches interleaved (target < 1 ms).

Both ends (bleak and the stand-in) share this process's event loop and core, so
the absolute round trip is an upper bound for a real adapter's D-Bus share.

    python benchmarks/ble_roundtrip.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from treadpace.base.clock import ScaledClock
from treadpace.ftms import (
    CONTROL_POINT,
    TREADMILL_DATA,
    RequestControl,
    SetTargetSpeed,
    encode_control_request,
)
from treadpace.treadmill.ble import BleakLink, find_device
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace_sim.bluez import FakeBlueZ, PrivateBus
from treadpace_sim.treadmill import SimulatedTreadmill

BARE = "C0:FF:EE:18:26:01"
OURS = "C0:FF:EE:18:26:02"


async def first_use(clock: ScaledClock, runs: int) -> dict[str, float]:
    """Median ms of each phase of a cold start, over `runs` connects."""
    phases: dict[str, list[float]] = {"scan": [], "connect": [], "subscribe": [], "round trip": []}
    totals: list[float] = []
    for _ in range(runs):
        link = BleakLink(OURS, clock, retries=0)
        t0 = time.perf_counter()
        await find_device(OURS, timeout=5.0)
        t1 = time.perf_counter()
        await link.connect()  # scans again (as every connect does), then connects
        t2 = time.perf_counter()
        got: asyncio.Queue[bytes] = asyncio.Queue()
        await link.subscribe(CONTROL_POINT, got.put_nowait)
        await link.subscribe(TREADMILL_DATA, lambda _d: None)
        t3 = time.perf_counter()
        await link.write(CONTROL_POINT, encode_control_request(RequestControl()))
        await got.get()
        t4 = time.perf_counter()
        await link.disconnect()
        scan = t1 - t0
        phases["scan"].append(scan)
        phases["connect"].append(t2 - t1 - scan)  # connect minus its own scan
        phases["subscribe"].append(t3 - t2)
        phases["round trip"].append(t4 - t3)
        totals.append(t4 - t0 - scan)  # one scan + connect + subscribe + round trip
    out = {k: statistics.median(v) * 1e3 for k, v in phases.items()}
    out["total"] = statistics.median(totals) * 1e3
    return out


async def overhead(clock: ScaledClock, n: int, batches: int = 5) -> tuple[float, float]:
    """Median seconds per control round trip: (bare bleak, FtmsTreadmill over BleakLink)."""
    from bleak import BleakClient

    device, _ = await find_device(BARE, timeout=5.0)
    bare = BleakClient(device)
    await bare.connect()
    got: asyncio.Queue[bytes] = asyncio.Queue()
    await bare.start_notify(CONTROL_POINT, lambda _c, d: got.put_nowait(bytes(d)))
    await bare.write_gatt_char(CONTROL_POINT, b"\x00", response=True)
    await got.get()

    treadmill = FtmsTreadmill(BleakLink(OURS, clock, retries=0), clock)
    await treadmill.connect()
    await treadmill.request_control()

    speeds = [8.0, 8.5]
    payloads = [encode_control_request(SetTargetSpeed(v)) for v in speeds]
    bare_t: list[float] = []
    ours_t: list[float] = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for i in range(n):
            await bare.write_gatt_char(CONTROL_POINT, payloads[i % 2], response=True)
            await got.get()
        bare_t.append((time.perf_counter() - t0) / n)
        t0 = time.perf_counter()
        for i in range(n):
            await treadmill.set_speed(speeds[i % 2])
        ours_t.append((time.perf_counter() - t0) / n)
    await treadmill.disconnect()
    await bare.disconnect()
    return statistics.median(bare_t), statistics.median(ours_t)


async def main(n: int) -> None:
    clock = ScaledClock(1.0)
    sims = [SimulatedTreadmill("generic", clock) for _ in range(2)]
    for s in sims:
        await s.start()
    async with FakeBlueZ(advertising_interval=0.01) as bluez:
        bluez.add_device(sims[0], BARE)
        bluez.add_device(sims[1], OURS)
        phases = await first_use(clock, runs=5)
        bare, ours = await overhead(clock, n)
    for s in sims:
        await s.close()
    print("first use through bleak's BlueZ backend (median of 5 cold starts, ms):")
    for name, ms in phases.items():
        print(f"  {name:<11} {ms:7.2f}")
    print(f"control round trip, {n} x 5 batches (median per round trip):")
    print(f"  bare bleak write -> indication   {bare * 1e3:7.3f} ms")
    print(f"  FtmsTreadmill.set_speed          {ours * 1e3:7.3f} ms")
    print(f"  treadpace overhead               {(ours - bare) * 1e3:7.3f} ms  (target < 1 ms)")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    bus = PrivateBus()
    bus.start()
    old = bus.export()
    try:
        asyncio.run(main(count))
    finally:
        PrivateBus.restore(old)
        bus.stop()
