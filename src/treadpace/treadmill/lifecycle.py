"""Keeping a connection alive: the reconnect loop and the silent-telemetry watchdog.

A lost link is reconnected in the background with `RECONNECT` backoff on the run's
clock, one link attempt per try, until it works or the treadmill is closed. A
moving belt whose Treadmill Data falls silent is reported once (`TelemetryStale`),
judged on both the run's clock and real time: at --time-scale 30 five run seconds
are 167 ms of the wall, shorter than a garbage-collection pause.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from treadpace.base.backoff import Backoff, Retrying
from treadpace.base.clock import Clock
from treadpace.treadmill.port import TelemetryStale, TreadmillUpdate

log = logging.getLogger(__name__)

RECONNECT = Backoff(first=1.0, cap=16.0, stable_s=10.0)
"""The reconnect loop's pauses: 1, 2, 4 ... 16 s, from 1 s again after 10 s connected."""


class StaleWatch:
    """When telemetry last arrived, and whether its silence was already reported."""

    def __init__(self, stale_after: float, stale_after_real: float) -> None:
        self._after = stale_after
        self._after_real = stale_after_real
        self._last: float | None = None
        self._last_real = 0.0
        self._reported = False

    def data(self, now: float, real: float) -> None:
        """Telemetry arrived (or a new connection began: earlier silence says nothing)."""
        self._last = now
        self._last_real = real
        self._reported = False

    def next_look(self, now: float) -> float:
        """Clock seconds until a silence could first be due: at least a second.

        While data comes once a second the watchdog so wakes once per `stale_after`
        rather than once per packet; a silence is still seen within a second of it
        becoming due, as with a look every second.
        """
        if self._last is None or self._reported:
            return 1.0
        return max(1.0, self._last + self._after - now)

    def due(self, now: float, real: float, *, moving: bool, connected: bool) -> bool:
        """True once per silence: a moving belt, a live link, no data for too long."""
        last = self._last
        if (
            moving
            and connected
            and not self._reported
            and last is not None
            and now - last >= self._after
            and real - self._last_real >= self._after_real
        ):
            self._reported = True
            return True
        return False


async def watch_telemetry(
    clock: Clock,
    real: Callable[[], float],
    watch: StaleWatch,
    state: Callable[[], tuple[bool, bool]],
    push: Callable[[TreadmillUpdate], None],
) -> None:
    """Report a silence that `watch` finds due (looking at least once a second while one
    could be); `state` is (moving, up)."""
    while True:
        await clock.sleep(watch.next_look(clock.now()))
        moving, connected = state()
        if watch.due(clock.now(), real(), moving=moving, connected=connected):
            push(TelemetryStale(clock.now()))


async def reconnect_loop(
    name: str,
    closed: Callable[[], bool],
    retrying: Retrying,
    reconnect: Callable[[], Awaitable[None]],
) -> None:
    """Reconnect with backoff on the clock until it works or `closed()`.

    The loop owns the retries: each `reconnect()` is one link attempt (one scan).
    """
    while not closed():
        await retrying.wait()
        try:
            await reconnect()
        except Exception as exc:  # any transport failure: keep trying, never crash
            log.info("reconnect to %s failed (%s); trying again", name, exc)
        else:
            retrying.connected()
            return
