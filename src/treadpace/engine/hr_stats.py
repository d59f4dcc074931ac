"""Heart-rate figures of a run as it happens: average and maximum per step, time per zone.

Fed the same samples as the controller; pure (time is passed in). A sample
counts for the time until the next one, at most `GAP_S` (a strap that went
quiet does not fill the gap with its last reading).
"""

from __future__ import annotations

from treadpace.plans.zones import zone_of

GAP_S = 5.0


class HrStats:
    def __init__(self, bounds: tuple[int, ...] | None) -> None:
        self.bounds = bounds
        self.zone_s = [0.0] * 6
        """Seconds below zone 1 (index 0) and in zones 1-5 while the run ran."""
        self._last: tuple[float, int, bool] | None = None
        self._sum = 0
        self._count = 0
        self._max: int | None = None

    def zone(self, bpm: int | None) -> int | None:
        """The zone of a reading (0 below zone 1), None without one or without zones."""
        if bpm is None or self.bounds is None:
            return None
        return zone_of(bpm, self.bounds)

    def feed(self, now: float, bpm: int | None, counting: bool) -> None:
        last = self._last
        if last is not None and last[2] and self.bounds is not None:
            t, value, _ = last
            zone = zone_of(value, self.bounds)
            self.zone_s[zone] += min(max(0.0, now - t), GAP_S)
        if bpm is None or bpm <= 0:
            self._last = None
            return
        self._last = (now, bpm, counting)
        if counting:
            self._sum += bpm
            self._count += 1
            self._max = bpm if self._max is None else max(self._max, bpm)

    def close_step(self) -> tuple[int | None, int | None]:
        """(average, maximum) of the step just ended; the next step starts afresh."""
        out = (round(self._sum / self._count) if self._count else None, self._max)
        self._sum = self._count = 0
        self._max = None
        return out
