"""The stop at the end of a run, confirmed: the belt is stopped only when it says so.

An accepted Stop is not a stopped belt, and a refused or unanswered one is not the
end of the matter: while the link is up, `stop_belt` sends Stop again (with backoff
on the run's clock) until the treadmill itself reports the belt stopped, or a bound
passes without the belt getting any slower. "Reports stopped" means a Treadmill Data
record at speed 0, or a stopped status (Machine Status stopped/paused, ours echoed or
the console's; the safety key; Training Status idle or post-workout), received after
the stop began. A belt that is visibly slowing down is left to wind down, not sent
more commands. The caller is told whether the stop was confirmed and says it loudly
when it was not (safety rule 4).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from treadpace.base.backoff import Backoff
from treadpace.base.clock import Clock, ClockTimeout, wait_for
from treadpace.ftms import TrainingStatusCode
from treadpace.treadmill.port import (
    BeltStoppedByUser,
    LinkLost,
    LinkRestored,
    SafetyKeyPulled,
    StopEchoed,
    Telemetry,
    TrainingStatusChanged,
    Treadmill,
    TreadmillError,
    TreadmillUpdate,
)

log = logging.getLogger(__name__)

_CONSOLE = "stop it on the console"

STANDING_KMH = 0.05
"""A belt reported at or below this is standing."""
_SLOWER_KMH = 0.1
_RESTING = (int(TrainingStatusCode.IDLE), int(TrainingStatusCode.POST_WORKOUT))


_STOP_RETRY = Backoff(first=1.0, cap=4.0)


@dataclass(frozen=True)
class StopPolicy:
    answer_s: float = 5.0
    """How long one Stop waits for its answer."""
    patience_s: float = 30.0
    """Give up when the belt has not been seen getting slower for this long."""
    limit_s: float = 180.0
    """Give up after this long in any case (a belt that barely slows)."""
    recheck_s: float = 4.0
    """After an accepted Stop, a belt not slower by then is sent Stop again."""
    retry: Backoff = _STOP_RETRY
    """The pause between Stops that failed (refused, unanswered, transport): the one backoff."""


class BeltWatch:
    """What the treadmill says about its belt, fed from the update stream."""

    def __init__(self) -> None:
        self.speed: float | None = None
        self.link_up = True
        self._since: float | None = None
        self.stopped = False

    def begin(self, t: float) -> None:
        """From now on, a standing belt or a stopped status confirms the stop."""
        self._since = t
        self.stopped = False

    def observe(self, u: TreadmillUpdate) -> None:
        if isinstance(u, Telemetry):  # first: nearly every update is one
            self.speed = u.speed_kmh
            standing = u.speed_kmh <= STANDING_KMH
        elif isinstance(u, LinkLost):
            self.link_up = False
            standing = False
        elif isinstance(u, LinkRestored):
            self.link_up = True
            standing = False
        elif isinstance(u, TrainingStatusChanged):
            standing = u.status in _RESTING
        else:
            standing = isinstance(u, StopEchoed | BeltStoppedByUser | SafetyKeyPulled)
        if standing and self._since is not None and u.t >= self._since:
            self.stopped = True


Wait = Callable[[float], Awaitable[None]]
Say = Callable[[str], None]


async def stop_belt(
    treadmill: Treadmill,
    clock: Clock,
    watch: BeltWatch,
    wait: Wait,
    warn: Say,
    policy: StopPolicy | None = None,
) -> bool:
    """Stop the belt and return True once the treadmill reports it stopped (see module doc).

    `wait(delay)` sleeps up to `delay` clock seconds, returning early when an update
    arrived (the caller feeds `watch`); `warn` tells the runner, once, that the first
    Stop did not get through. CancelledError propagates (the caller decides).
    """
    p = policy or StopPolicy()
    start = clock.now()
    watch.begin(start)
    progress_t, progress_speed = start, watch.speed
    failures = 0
    next_send = start
    accepted = False
    warned = False
    while not watch.stopped:
        now = clock.now()
        speed = watch.speed
        if speed is not None and (progress_speed is None or speed < progress_speed - _SLOWER_KMH):
            progress_t, progress_speed = now, speed
        if now - progress_t >= p.patience_s or now - start >= p.limit_s:
            return False
        if now >= next_send and watch.link_up:
            if accepted and progress_t > next_send - p.recheck_s:
                next_send = now + p.recheck_s  # slowing down as asked: let it
            else:
                problem = await _send_stop(treadmill, clock, p.answer_s)
                accepted = problem is None
                if accepted:
                    next_send = clock.now() + p.recheck_s
                    failures = 0
                else:
                    failures += 1
                    retry = p.retry.delay(failures)
                    log.warning("stopping the belt: %s; trying again in %g s", problem, retry)
                    if not warned:
                        warned = True
                        warn(f"could not stop the belt ({problem}): trying again; {_CONSOLE}")
                    next_send = clock.now() + retry
                continue
        deadline = min(next_send, progress_t + p.patience_s, start + p.limit_s)
        await wait(max(0.05, deadline - clock.now()))
    return True


async def _send_stop(treadmill: Treadmill, clock: Clock, answer_s: float) -> str | None:
    """One Stop; None when the machine took it, else what went wrong (one line)."""
    try:
        await wait_for(clock, treadmill.stop(), answer_s)
    except ClockTimeout:
        return f"no answer within {answer_s:g} s"
    except TreadmillError as exc:
        return str(exc)
    except asyncio.CancelledError:
        raise
    return None
