"""When the simulator's faults happen: timers on the clock, from start or first belt start.

A fault's `at` counts from `start()` or, with `since: belt_start`, from the first
time the belt moved. Faults scheduled before `start()` wait for it; belt-start
faults wait for the belt. Each armed fault is one task sleeping on the injected
clock; `cancel()` cancels them all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from treadpace.base.clock import Clock
from treadpace_sim.faults import Fault


class FaultSchedule:
    """Faults waiting for their time, and the tasks that carry them out."""

    def __init__(self, clock: Clock, apply: Callable[[Fault], None]) -> None:
        self._clock = clock
        self._apply = apply
        self._t0: float | None = None
        self.belt_started_at: float | None = None
        self._pending: list[Fault] = []
        self._belt_faults: list[Fault] = []
        self._timers: set[asyncio.Task[None]] = set()

    def add(self, fault: Fault) -> None:
        if fault.since == "belt_start":
            if self.belt_started_at is None:
                self._belt_faults.append(fault)
            else:
                self._arm(self.belt_started_at + fault.at, fault)
        elif self._t0 is None:
            self._pending.append(fault)
        else:
            self._arm(self._t0 + fault.at, fault)

    def started(self, t0: float) -> None:
        self._t0 = t0
        pending, self._pending = self._pending, []
        for fault in pending:
            self._arm(t0 + fault.at, fault)

    def belt_moving(self, now: float) -> None:
        """The belt moves: the first time, belt-start faults are armed from `now`."""
        if self.belt_started_at is not None:
            return
        self.belt_started_at = now
        faults, self._belt_faults = self._belt_faults, []
        for fault in faults:
            self._arm(now + fault.at, fault)

    def cancel(self) -> list[asyncio.Task[None]]:
        """Cancel every armed fault (the caller awaits the tasks); later faults wait for start."""
        self._t0 = None
        tasks = list(self._timers)
        for task in tasks:
            task.cancel()
        self._timers.clear()
        return tasks

    def _arm(self, when: float, fault: Fault) -> None:
        task = asyncio.create_task(self._at(when, fault), name=f"fault {fault.action}")
        self._timers.add(task)
        task.add_done_callback(self._timers.discard)

    async def _at(self, when: float, fault: Fault) -> None:
        delay = when - self._clock.now()
        if delay > 0:
            await self._clock.sleep(delay)
        self._apply(fault)
