"""A belt the runner restarted on the console, told by its telemetry alone.

The Machine Status "started or resumed" (`04`) is the console's word that the
runner pressed Start, but a read-only treadmill has no Machine Status and a
rebooted one may never send it again. The belt's own speed is then the only
witness, and noise must not pass for it: after a stop at the treadmill the belt
winds down for seconds, and a confused decoder can let a stray value through.

So the belt counts as restarted only when it was first seen standing since the
pause, and then `PACKETS` readings in a row, each at a later time than the last,
show a speed a belt can run: at least `KMH` and at most the machine's top speed.
Pure: readings in, a yes or no out.
"""

from __future__ import annotations

from typing import Final

STANDING_KMH: Final = 0.05
"""At or below this the belt stands (the engine's `MOVING_KMH` is this)."""
KMH: Final = 0.5
"""The slowest reading that counts as running again: below any console's lowest speed."""
PACKETS: Final = 2
"""Readings in a row that must show it (about two seconds at the usual 1 Hz)."""


class BeltRestartWatch:
    """Watches the readings taken while the run is paused by a stop at the treadmill."""

    def __init__(self) -> None:
        self.rest_seen = False
        self._count = 0
        self._last_t: float | None = None

    def reset(self) -> None:
        """A new stop: the belt must be seen standing again before anything counts."""
        self.rest_seen = False
        self._count = 0
        self._last_t = None

    def feed(self, t: float, kmh: float, top_kmh: float) -> bool:
        """True once the belt is seen running again after it stood (see the module doc)."""
        if kmh <= STANDING_KMH:
            self.rest_seen = True
            self._count = 0
            return False
        if not self.rest_seen or not KMH <= kmh <= top_kmh:
            self._count = 0  # winding down, or a value no belt runs at
            return False
        if self._last_t is not None and t <= self._last_t:
            return False  # the same packet again is not a second reading
        self._count += 1
        self._last_t = t
        return self._count >= PACKETS
