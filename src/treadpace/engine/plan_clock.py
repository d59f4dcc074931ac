"""The plan clock: seconds of the plan that have run, which stop while the run is paused.

A time step ends on this clock, not on the wall or the run's clock: a pause, a
lost link or a standing belt in guided mode holds it. It is given `now` on every
call and keeps no clock of its own.
"""

from __future__ import annotations


class PlanClock:
    def __init__(self) -> None:
        self._base = 0.0  # plan seconds counted before the current stretch
        self._anchor: float | None = None  # run time the current stretch began, if counting

    @property
    def counting(self) -> bool:
        return self._anchor is not None

    def at(self, now: float) -> float:
        """Plan seconds at run time `now`."""
        if self._anchor is None:
            return self._base
        return self._base + now - self._anchor

    def set_counting(self, counting: bool, now: float) -> None:
        if counting and self._anchor is None:
            self._anchor = now
        elif not counting and self._anchor is not None:
            self._base += now - self._anchor
            self._anchor = None
