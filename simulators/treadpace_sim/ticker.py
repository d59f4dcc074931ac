"""The simulator's heartbeat: Treadmill Data at the model's rate, the belt log once a second.

One task wakes on the injected clock at the next telemetry or log time, whichever
is first, and calls `tick(now, telemetry_due, log_due)`. When it falls behind (a
slow iteration, a huge time scale) it still yields to the event loop every turn,
so other tasks and signal handlers run, and missed periods are skipped rather
than sent in a burst.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from treadpace.base.clock import Clock

Tick = Callable[[float, bool, bool], None]


async def run_ticks(clock: Clock, t0: float, period: float, log_belt: bool, tick: Tick) -> None:
    """Call `tick` every `period` (telemetry) and, with `log_belt`, every second (log)."""
    next_tel = t0 + period
    next_log = t0 + 1.0 if log_belt else math.inf
    while True:
        now = clock.now()
        wake = min(next_tel, next_log)
        if wake > now:
            await clock.sleep(wake - now)
            now = clock.now()
        else:
            await asyncio.sleep(0)
        tel_due = now >= next_tel - 1e-9
        if tel_due:
            next_tel += period
            if next_tel <= now:
                next_tel = now + period
        log_due = now >= next_log - 1e-9
        if log_due:
            next_log += 1.0
            if next_log <= now:
                next_log = now + 1.0
        tick(now, tel_due, log_due)
