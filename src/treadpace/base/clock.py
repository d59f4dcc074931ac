"""Injected time: every component that waits or stamps asks a `Clock`, never the OS.

Three clocks share one small interface:

- `ScaledClock(1.0)` is real time; `ScaledClock(30)` runs a demo 30 times faster.
- `VirtualClock` only moves when every task is waiting on it, so a 60-minute run
  simulates as fast as the CPU can push the bytes, deterministically.

`now()` is monotonic seconds since the clock was made; `wall()` is the Unix time
that corresponds to `now()` (used for recordings and MQTT timestamps). A clock
may also tell `real()` elapsed seconds (see `real_seconds`), for the few floors
that must hold on the wall at any time scale.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, runtime_checkable

T = TypeVar("T")


@runtime_checkable
class Clock(Protocol):
    def now(self) -> float: ...

    def wall(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class ClockTimeout(Exception):
    """Raised by `wait_for` when the clock, not the OS, ran out of patience."""


class ScaledClock:
    """Real time, optionally sped up. Scale 1 is the wall clock."""

    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.scale = scale
        self._t0 = time.monotonic()
        self._wall0 = time.time()

    def now(self) -> float:
        return (time.monotonic() - self._t0) * self.scale

    def real(self) -> float:
        """Real seconds since the clock was made, whatever the scale."""
        return time.monotonic() - self._t0

    def wall(self) -> float:
        return self._wall0 + self.now()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.scale)


class RealClock(ScaledClock):
    def __init__(self) -> None:
        super().__init__(1.0)


# 2026-01-01T00:00:00Z: a fixed, recognisable epoch for virtual runs.
VIRTUAL_EPOCH = 1_767_225_600.0


class VirtualClock:
    """Time that advances only when every task is blocked on `sleep`.

    Run `advance_forever()` as a task (or use `drive(coro)`), and the clock jumps to
    the next sleeper's deadline whenever the event loop has nothing else ready.
    Tasks blocked on real I/O do not hold the clock back: use `ScaledClock` when a
    test talks to a real broker or bus and needs time to pass at their pace.
    """

    def __init__(self, start: float = 0.0, epoch: float = VIRTUAL_EPOCH) -> None:
        self._now = start
        self._epoch = epoch
        self._seq = itertools.count()
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        # The driver (`advance_forever`): its loop while it runs, and whether its next
        # look at the ready queue is already scheduled.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._polling = False
        self._driver_gen = 0  # a cancelled driver's last callback must not run on

    def now(self) -> float:
        return self._now

    def real(self) -> float:
        """Virtual time stands in for real time too: tests stay deterministic."""
        return self._now

    def wall(self) -> float:
        return self._epoch + self._now

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), fut))
        if self._loop is loop and not self._polling:
            self._polling = True
            loop.call_soon(self._poll, self._driver_gen)
        await fut

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, waking sleepers due on the way, in order."""
        target = self._now + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, fut = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            if not fut.done():
                fut.set_result(None)
        self._now = target

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)

    async def settle(self) -> None:
        """Yield until no other callback is ready to run."""
        loop = asyncio.get_running_loop()
        for _ in range(100_000):
            await asyncio.sleep(0)
            ready = getattr(loop, "_ready", None)
            if ready is None:
                # Not a CPython base loop: fall back to a generous fixed yield count.
                for _ in range(50):
                    await asyncio.sleep(0)
                return
            if len(ready) == 0:
                return

    async def advance_forever(self) -> None:
        """Driver task: jump to the next deadline whenever everyone waits.

        The waiting is a plain callback (`_poll`) that looks at the loop's ready queue
        and puts itself back at its end while anything else is ready: one cheap
        callback per look instead of a task step, which a virtual hour takes tens of
        thousands of times. Without a CPython base loop it falls back to `settle`.
        """
        loop = asyncio.get_running_loop()
        if getattr(loop, "_ready", None) is None:
            await self._advance_by_settling()
            return
        self._driver_gen += 1
        self._loop = loop
        self._polling = True
        loop.call_soon(self._poll, self._driver_gen)
        try:
            await loop.create_future()  # runs until cancelled
        finally:
            self._driver_gen += 1
            self._loop = None
            self._polling = False

    def _poll(self, gen: int) -> None:
        loop = self._loop
        if loop is None or gen != self._driver_gen:
            return  # the driver that scheduled this look has ended
        if len(loop._ready) > 0:  # type: ignore[attr-defined]
            loop.call_soon(self._poll, gen)
            return
        self._drop_cancelled()
        if not self._sleepers:
            self._polling = False  # the next `sleep` starts the look again
            return
        deadline, _, fut = heapq.heappop(self._sleepers)
        self._now = max(self._now, deadline)
        fut.set_result(None)
        loop.call_soon(self._poll, gen)

    async def _advance_by_settling(self) -> None:
        while True:
            await self.settle()
            self._drop_cancelled()
            if not self._sleepers:
                await asyncio.sleep(0)
                continue
            deadline, _, fut = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            fut.set_result(None)

    async def drive(self, aw: Awaitable[T]) -> T:
        """Await `aw` while advancing virtual time as needed."""
        driver = asyncio.create_task(self.advance_forever(), name="virtual-clock")
        try:
            return await aw
        finally:
            driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await driver


def real_seconds(clock: Clock) -> Callable[[], float]:
    """The clock's real elapsed time (`real()`), or its own time when it has none.

    For floors that must hold in real time at any `--time-scale` (a data watchdog),
    while a virtual clock keeps tests deterministic.
    """
    real = getattr(clock, "real", None)
    return real if callable(real) else clock.now


async def wait_for(clock: Clock, aw: Awaitable[T], timeout: float) -> T:
    """`asyncio.wait_for` measured on `clock` instead of the loop's time."""
    task: asyncio.Future[T] = asyncio.ensure_future(aw)
    timer: asyncio.Future[None] = asyncio.create_task(clock.sleep(timeout), name="wait_for timer")
    waiting: set[asyncio.Future[Any]] = {task, timer}
    try:
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        timer.cancel()
        raise
    if task in done:
        timer.cancel()
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    raise ClockTimeout(f"no answer within {timeout:g} s")
