"""The one backoff: how long to wait before trying a connection or a write again.

Every retry in treadpace (the BLE connect and reconnect, the heart-rate strap, the
MQTT broker, a Request Control or subscribe that failed in transport, a refused
setpoint) paces itself with `Backoff`, on the injected clock, so a test on the
`VirtualClock` sees the exact schedule and no retry waits on the wall.

`Backoff` is the policy (first pause, doubling, cap, optionally a bound on the
attempts); `Retrying` is one running schedule: it counts failures, sleeps the next
pause, and starts again from the first pause once a connection has lasted
`stable_s` (a peer that accepts and drops us at once keeps backing off).

Retries are owned by one loop only: whoever calls `Retrying.wait` makes single
attempts between the waits, never a retrying call of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from treadpace.base.clock import Clock


@dataclass(frozen=True)
class Backoff:
    """Pause `first` s after the first failure, doubling up to `cap` s.

    `attempts` bounds the tries in all (0: unbounded, for loops that reconnect until
    told to stop); `stable_s` is how long a connection must last for the schedule to
    start again from `first`.
    """

    first: float = 1.0
    cap: float = 30.0
    attempts: int = 0
    stable_s: float = 10.0

    def __post_init__(self) -> None:
        if not (0 < self.first <= self.cap and math.isfinite(self.cap)):
            raise ValueError("expected 0 < first <= cap (finite)")
        if self.attempts < 0:
            raise ValueError("expected attempts >= 0")

    def delay(self, failures: int) -> float:
        """The pause after `failures` consecutive failures (1: `first`)."""
        if failures <= 1:
            return self.first
        # Doubling is capped before it can overflow: 2**64 * first is past any cap.
        return min(self.first * 2.0 ** min(failures - 1, 64), self.cap)

    def delays(self) -> list[float]:
        """Every pause of a bounded schedule, in order (`attempts - 1` of them)."""
        if self.attempts == 0:
            raise ValueError("an unbounded backoff has no list of delays")
        return [self.delay(n) for n in range(1, self.attempts)]


class Retrying:
    """One running `Backoff` on a clock: failures counted, reset after a lasting connection."""

    def __init__(self, backoff: Backoff, clock: Clock) -> None:
        self.backoff = backoff
        self._clock = clock
        self.failures = 0
        self._up_since: float | None = None

    @property
    def exhausted(self) -> bool:
        """True once a bounded schedule has had all its attempts."""
        return self.backoff.attempts > 0 and self.failures >= self.backoff.attempts

    @property
    def attempt(self) -> int:
        """The number (from 1) of the attempt about to be made."""
        return self.failures + 1

    def failed(self) -> float:
        """Count one failed attempt; the pause to wait before the next."""
        self.failures += 1
        return self.backoff.delay(self.failures)

    async def wait(self) -> None:
        """Count one failed attempt and sleep its pause on the clock."""
        await self._clock.sleep(self.failed())

    def connected(self) -> None:
        """A connection was made: remember when, for `lost`."""
        self._up_since = self._clock.now()

    def lost(self) -> None:
        """The connection ended: a lasting one starts the schedule again from `first`."""
        since, self._up_since = self._up_since, None
        if since is not None and self._clock.now() - since >= self.backoff.stable_s:
            self.failures = 0

    def reset(self) -> None:
        self.failures = 0
        self._up_since = None
