"""The simulator's telemetry loop always yields, even when it cannot keep its period.

At a huge time scale (or on a machine too slow for the model's rate) every pass of
the loop takes longer than one telemetry period. The loop must still give the event
loop back each pass (skipping the periods it missed), or nothing else runs: not the
engine, not the signal handlers that stop the belt. A clock that leaps a full second
at every reading stands in for that, and reports a loop that never lets go.
"""

from __future__ import annotations

import asyncio

from treadpace_sim.treadmill import SimulatedTreadmill


class LeapingClock:
    """Each reading is a second later than the last: every pass overruns its 0.1 s."""

    def __init__(self) -> None:
        self._t = 0.0
        self.readings_since_yield = 0

    def now(self) -> float:
        self._t += 1.0
        self.readings_since_yield += 1
        if self.readings_since_yield > 10_000:
            raise RuntimeError("the simulator loop never yields")
        return self._t

    def wall(self) -> float:
        return self._t

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


async def test_the_telemetry_loop_yields_when_it_falls_behind() -> None:
    clock = LeapingClock()
    sim = SimulatedTreadmill("generic", clock)
    await sim.start()
    turns = 0
    try:
        for _ in range(200):
            clock.readings_since_yield = 0  # this task ran: the loop let go
            turns += 1
            await asyncio.sleep(0)
        task = sim._task
        assert task is not None and not task.done()
        assert turns == 200
    finally:
        await sim.close()
