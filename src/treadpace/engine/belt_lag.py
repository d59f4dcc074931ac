"""Belt lag: how fast this belt changes speed, learnt from its telemetry, and how early to ask.

A belt takes seconds to reach a new speed (0.2-0.5 km/h a second on the machines
described in ftms.md Q10), so a step that starts with a change is run slower (or
faster) than its target until the belt gets there. Asking for the change before
the step begins moves part of that ramp into the step before: started half a ramp
early, the two steps share the lag equally and each is off by a quarter of what
the later one alone would be, which is the best one early start can do for both.

The rates are learnt, not assumed: between two telemetry records taken while the
belt was still on its way to the speed it was sent (both readings more than an
increment from it, and moving towards it), the belt's change over the time between
them is one sample of its acceleration (or deceleration). Until a rate has been
seen, nothing is asked early. The lead is bounded (`MAX_LEAD_S`).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LEAD_S = 10.0
"""Never ask for a change more than this long before its step."""
_ALPHA = 0.3
"""Weight of a new rate sample (readings arrive about once a second)."""
_MIN_RATE = 0.02
"""Slower than this (km/h per s) is not a belt ramping but one barely moving: not a sample."""
_MAX_GAP_S = 3.0


@dataclass
class BeltLag:
    up_kmh_s: float | None = None
    down_kmh_s: float | None = None
    _last: tuple[float, float] | None = None

    def feed(self, t: float, belt_kmh: float, sent_kmh: float | None, increment: float) -> None:
        """One telemetry record: the belt's speed and what it was last sent."""
        last, self._last = self._last, (t, belt_kmh)
        if last is None or sent_kmh is None:
            return
        dt = t - last[0]
        if not 0 < dt <= _MAX_GAP_S:
            return
        before = sent_kmh - last[1]
        after = sent_kmh - belt_kmh
        moved = belt_kmh - last[1]
        # Both readings short of the target, on the same side, and the belt closing in.
        ramping = abs(before) > 2 * increment and abs(after) > increment / 2
        if not ramping or after * before <= 0 or moved * before <= 0:
            return
        rate = abs(moved) / dt
        if rate < _MIN_RATE:
            return
        if before > 0:
            self.up_kmh_s = rate if self.up_kmh_s is None else _blend(self.up_kmh_s, rate)
        else:
            self.down_kmh_s = rate if self.down_kmh_s is None else _blend(self.down_kmh_s, rate)

    def lead_s(self, from_kmh: float, to_kmh: float) -> float:
        """How long before a change from `from_kmh` to `to_kmh` to ask for it (0: not known)."""
        delta = to_kmh - from_kmh
        rate = self.up_kmh_s if delta > 0 else self.down_kmh_s
        if rate is None or abs(delta) < 1e-6:
            return 0.0
        return min(MAX_LEAD_S, abs(delta) / (2.0 * rate))


def _blend(old: float, new: float) -> float:
    return old + _ALPHA * (new - old)
