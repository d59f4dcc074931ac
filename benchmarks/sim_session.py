"""Simulator cost figures: a 60-minute session on a virtual clock, bytes end to end.

Run: `.venv/bin/python benchmarks/sim_session.py`. Prints figures; asserts nothing.
A client takes control, starts the belt and changes speed every 5 minutes for an
hour while it decodes every Treadmill Data notification (one run skips the decoding,
to show the simulator's own share); the simulator ticks at
1 Hz (split records at MTU 23) and, in the second run, at 2 Hz with a sim log.
The engine benchmark adds the engine on top, so the simulator's share of its
"well under 1 s" budget is what this prints.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from treadpace.base.clock import VirtualClock
from treadpace.ftms import (
    CONTROL_POINT,
    TREADMILL_DATA,
    TreadmillDataMerger,
    decode_treadmill_data,
)
from treadpace_sim.model import load_model
from treadpace_sim.treadmill import SimulatedTreadmill


async def session(model: str, log: Path | None, decode: bool = True) -> tuple[int, float]:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model(model), clock, sim_log=log)
    merger = TreadmillDataMerger()
    records = 0

    def on_data(data: bytes) -> None:
        nonlocal records
        if not decode:
            records += data[0] & 1 == 0
            return
        if merger.feed(decode_treadmill_data(data)) is not None:
            records += 1

    async def run() -> None:
        await sim.start()
        sim.connect()
        sim.subscribe(TREADMILL_DATA, on_data)
        sim.subscribe(CONTROL_POINT, lambda d: None)
        for request in (b"\x00", b"\x07"):
            await sim.write(CONTROL_POINT, request)
            await asyncio.sleep(0)
        for k in range(12):
            speed = round((8.0 + 0.5 * k) * 100)
            await sim.write(CONTROL_POINT, b"\x02" + speed.to_bytes(2, "little"))
            await clock.sleep(300)
        await sim.close()

    await clock.drive(run())
    return records, sim.belt.distance_m


def main() -> None:
    asyncio.run(session("generic", None))  # warm-up, outside what is measured
    configs = (
        ("generic", "1 Hz, split", False, True),
        ("generic", "1 Hz, split, no decode", False, False),
        ("early-notify", "2 Hz, single", False, True),
        ("generic", "1 Hz, split, sim log", True, True),
    )
    best = [float("inf")] * len(configs)
    seen: list[tuple[int, float]] = [(0, 0.0)] * len(configs)
    for _ in range(3):  # rounds of every line side by side: a busy machine weighs on each
        for i, (model, _note, with_log, decode) in enumerate(configs):
            with tempfile.TemporaryDirectory() as tmp:
                log = Path(tmp) / "sim.jsonl" if with_log else None
                t0 = time.perf_counter()
                seen[i] = asyncio.run(session(model, log, decode))
                best[i] = min(best[i], time.perf_counter() - t0)
    for (model, rate_note, _log, _decode), elapsed, (records, distance) in zip(
        configs, best, seen, strict=True
    ):
        print(
            f"60 min on {model:<13} ({rate_note:<22}): {elapsed * 1000:6.1f} ms wall (best of 3), "
            f"{records} records, {distance / 1000:.2f} km, "
            f"{elapsed / max(records, 1) * 1e6:5.1f} µs per record"
        )


if __name__ == "__main__":
    main()
