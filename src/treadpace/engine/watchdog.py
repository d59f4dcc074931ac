"""The "obeyed?" watchdog, and the bounded retry of a refused setpoint write.

Some firmware answers every Set Target Speed with success and never moves the belt
(ftms.md Q4); the engine then falls back to guided mode. The sign is a belt that has
held one speed, away from the machine's target, for a while after that target was
set. "The machine's target" is what the machine last took: our last *accepted*
write, or the runner's console press (the belt is still moving to it), never a
write it refused. Closeness is judged on the machine's own grid: within half a grid
step the belt is on target.

A write refused at the ATT level never reached the machine (the belt did not take
the target), and one refusal is not a machine that ignores us: `WriteRetry` spaces
the retries on the engine's clock, with the transport's backoff (treadmill/retry.py),
and says when they are used up. Unlike `retry_transport` it never sleeps: the
engine's loop goes on (steps end, commands arrive) while a retry waits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from treadpace.base.backoff import Backoff
from treadpace.treadmill.retry import TRANSPORT


@dataclass
class ObeyWatchdog:
    timeout_s: float
    tolerance_kmh: float = 0.05
    """Half a step of the machine's speed grid."""
    target_kmh: float | None = None
    since: float = 0.0
    """When the machine took `target_kmh`."""
    _steady_kmh: float = 0.0
    _steady_since: float = 0.0

    def expect(self, kmh: float, t: float) -> None:
        """The machine took `kmh` as its target at `t`: the timeout starts again."""
        self.target_kmh = kmh
        self.since = t

    def ignored(self, t: float, belt_kmh: float) -> bool:
        """Fold in one reading; True when the belt plainly does not follow the target.

        A belt still changing speed is following something (a slow belt ramps for
        many seconds), so only a belt steady for `timeout_s` away from a target set
        at least `timeout_s` ago counts.
        """
        if abs(belt_kmh - self._steady_kmh) >= self.tolerance_kmh:
            self._steady_kmh = belt_kmh
            self._steady_since = t
            return False
        target = self.target_kmh
        if target is None or abs(belt_kmh - target) < self.tolerance_kmh:
            return False
        return t - self.since >= self.timeout_s and t - self._steady_since >= self.timeout_s


@dataclass
class WriteRetry:
    """The transport's bounded backoff, kept as a deadline rather than slept."""

    backoff: Backoff = TRANSPORT
    refusals: int = 0
    not_before: float = field(default=-math.inf)

    def refused(self, now: float) -> bool:
        """Count a refusal at `now`; False once every retry has been refused too."""
        if self.refusals + 1 >= self.backoff.attempts:
            return False
        self.refusals += 1
        self.not_before = now + self.backoff.delay(self.refusals)
        return True

    def accepted(self) -> None:
        self.refusals = 0
        self.not_before = -math.inf

    def wait(self, now: float) -> float:
        """Seconds until the next write may go (0 when it may go now)."""
        return max(0.0, self.not_before - now)
