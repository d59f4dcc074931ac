"""FtmsTreadmill's own cost per control round trip, over a bare link round trip.

Both sides talk to the same simulated treadmill model over the in-process link, on the
virtual clock, so the difference is what treadpace adds: encoding, the procedure
lock, response correlation and the clock-based timeout.

    python benchmarks/control_roundtrip.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from treadpace.base.clock import VirtualClock
from treadpace.ftms import CONTROL_POINT
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill


async def measure(n: int, batches: int = 5) -> tuple[float, float]:
    """Median seconds per round trip (bare, FtmsTreadmill), batches interleaved."""
    clock = VirtualClock()
    # Two identical machines: a machine grants control to one client at a time.
    sim = SimulatedTreadmill("generic", clock)
    other = SimulatedTreadmill("generic", clock)
    await sim.start()
    await other.start()

    # Bare: write, then wait for the matching indication, nothing else.
    bare = SimLink(other)
    await bare.connect()
    got: asyncio.Queue[bytes] = asyncio.Queue()
    await bare.subscribe(CONTROL_POINT, got.put_nowait)
    await bare.write(CONTROL_POINT, b"\x00")
    await got.get()

    tm = FtmsTreadmill(SimLink(sim), clock)
    await tm.connect()
    await tm.request_control()

    async def bare_batch() -> float:
        started = time.perf_counter()
        for i in range(n):
            await bare.write(CONTROL_POINT, bytes([0x02, 0xF2 if i % 2 else 0xE8, 0x03]))
            await got.get()
        return (time.perf_counter() - started) / n

    async def ours_batch() -> float:
        started = time.perf_counter()
        for i in range(n):
            await tm.set_speed(10.1 if i % 2 else 10.0)
        return (time.perf_counter() - started) / n

    await bare_batch()  # warm-up
    await ours_batch()
    bare_runs, ours_runs = [], []
    for _ in range(batches):
        bare_runs.append(await bare_batch())
        ours_runs.append(await ours_batch())
    await bare.disconnect()
    await tm.disconnect()
    await sim.close()
    await other.close()
    return statistics.median(bare_runs), statistics.median(ours_runs)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    bare_s, ours_s = asyncio.run(measure(n))
    print(f"round trips: {n} per batch, median of 5 interleaved batches")
    print(f"bare link write -> response: {bare_s * 1e6:.1f} us")
    print(f"FtmsTreadmill.set_speed:     {ours_s * 1e6:.1f} us")
    print(f"treadpace overhead per round trip: {(ours_s - bare_s) * 1e6:.1f} us (target < 1000 us)")


if __name__ == "__main__":
    main()
