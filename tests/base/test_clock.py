"""The clocks: virtual time advances only when everyone waits, in deadline order."""

from __future__ import annotations

import asyncio
import time

import pytest

from treadpace.base.clock import ClockTimeout, ScaledClock, VirtualClock, wait_for


async def test_virtual_clock_runs_an_hour_instantly_in_order() -> None:
    clock = VirtualClock()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, delay: float) -> None:
        await clock.sleep(delay)
        woke.append((name, clock.now()))

    async def main() -> None:
        await asyncio.gather(sleeper("b", 3600.0), sleeper("a", 1.5), sleeper("c", 60.0))

    started = time.perf_counter()
    await clock.drive(main())
    assert time.perf_counter() - started < 1.0
    assert woke == [("a", 1.5), ("c", 60.0), ("b", 3600.0)]


async def test_virtual_clock_waits_for_ready_work_before_advancing() -> None:
    clock = VirtualClock()
    queue: asyncio.Queue[float] = asyncio.Queue()
    seen: list[float] = []

    async def producer() -> None:
        for _ in range(5):
            await clock.sleep(1.0)
            queue.put_nowait(clock.now())

    async def consumer() -> None:
        for _ in range(5):
            value = await queue.get()
            # Hand-offs through several loop iterations must complete before time moves on.
            for _ in range(20):
                await asyncio.sleep(0)
            seen.append(clock.now() - value)

    await clock.drive(asyncio.gather(producer(), consumer()))
    assert seen == [0.0] * 5


async def test_virtual_clock_wall_follows_now() -> None:
    clock = VirtualClock(epoch=1000.0)
    await clock.drive(clock.sleep(42.0))
    assert clock.now() == 42.0
    assert clock.wall() == 1042.0


async def test_cancelled_sleeper_does_not_hold_time() -> None:
    clock = VirtualClock()

    async def main() -> float:
        task = asyncio.ensure_future(clock.sleep(100.0))
        await asyncio.sleep(0)
        task.cancel()
        await clock.sleep(5.0)
        return clock.now()

    assert await clock.drive(main()) == 5.0


async def test_manual_advance_wakes_due_sleepers_only() -> None:
    clock = VirtualClock()
    t1 = asyncio.ensure_future(clock.sleep(1.0))
    t2 = asyncio.ensure_future(clock.sleep(10.0))
    await asyncio.sleep(0)
    clock.advance(2.0)
    await asyncio.sleep(0)
    assert t1.done() and not t2.done()
    assert clock.now() == 2.0
    t2.cancel()


async def test_wait_for_times_out_on_the_clock() -> None:
    clock = VirtualClock()
    never: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    with pytest.raises(ClockTimeout):
        await clock.drive(wait_for(clock, never, 2.0))
    assert clock.now() == 2.0
    assert never.cancelled()


async def test_wait_for_returns_the_result_in_time() -> None:
    clock = VirtualClock()

    async def answer() -> int:
        await clock.sleep(0.5)
        return 7

    assert await clock.drive(wait_for(clock, answer(), 2.0)) == 7
    assert clock.now() == 0.5


async def test_scaled_clock_runs_faster_than_real_time() -> None:
    clock = ScaledClock(1000.0)
    before = clock.now()
    await clock.sleep(50.0)  # 50 ms of real time
    assert clock.now() - before >= 50.0
    with pytest.raises(ValueError):
        ScaledClock(0)
