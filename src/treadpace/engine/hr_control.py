"""Heart-rate control of a step's speed: pure code, time is passed in.

`HrSignal` turns the strap's samples into a smoothed heart rate, or says why
there is none (lost, implausible, frozen). `HrController` decides the speed for
a step with an `HrRule` (plans/hr_rule.py) from `now`, that signal and the
plan's own target; the engine commands what `limit()` returns. Whatever it
decides is never above the plan's target (the caller clamps to the safety cap
and the machine's grid after), and it never starts anything: it only shapes a
speed. Missing or implausible data never makes it faster: it falls back to the
step's pace target or the speed it had, whichever is slower, and says so.

Figures, and why (docs/heart-rate.md): heart rate lags the belt by 30-90 s, so
a cap reacts only to heart rate over it for `REACT_S`, steps down one machine
increment at a time (every `STEP_S` while still over), and climbs back only
after `settle_s` with heart rate `MARGIN_BPM` below the cap. A target leaves heart
rate alone inside its range (a range narrower than twice the dead band is
widened to the middle plus or minus the dead band) and otherwise changes speed
at most once per `settle_s`, by at most `slew` x settle, aiming at the middle of
the range with half the runner's typical gain, so it cannot oscillate.
"""

from __future__ import annotations

import enum
import math
from collections import deque
from dataclasses import dataclass

from treadpace.plans.hr_rule import HrRule

MIN_PLAUSIBLE_BPM = 30
MAX_PLAUSIBLE_BPM = 230
LOST_AFTER_S = 5.0
FROZEN_AFTER_S = 30.0
SMOOTH_S = 8.0
REACT_S = 15.0
STEP_S = 10.0
GUARD_BPM = 1.5
"""The cap acts a little below the cap itself, so a drifting heart does not poke over it."""
MARGIN_BPM = 8.0
GAIN_KMH_PER_BPM = 0.05
"""Speed change per bpm off target: half of what a runner's heart gives back (~10 bpm per km/h)."""


class HrFault(enum.StrEnum):
    LOST = "lost"
    IMPLAUSIBLE = "implausible"
    FROZEN = "frozen"


FAULT_TEXT = {
    HrFault.LOST: "no heart rate from the strap",
    HrFault.IMPLAUSIBLE: "the heart rate reads implausibly",
    HrFault.FROZEN: f"the heart rate has not changed for {FROZEN_AFTER_S:g} s",
}


class HrSignal:
    """The strap's recent samples."""

    def __init__(self) -> None:
        self._samples: deque[tuple[float, int]] = deque()
        self._last_t = -math.inf
        self._last: int | None = None
        self._same_since = -math.inf
        self._asked_at: float | None = None

    def feed(self, now: float, bpm: int | None) -> None:
        self._last_t = now
        if bpm is not None and bpm != self._last:
            self._same_since = now
        self._last = bpm
        if bpm is not None and MIN_PLAUSIBLE_BPM <= bpm <= MAX_PLAUSIBLE_BPM:
            self._samples.append((now, bpm))
        while self._samples and self._samples[0][0] < now - SMOOTH_S:
            self._samples.popleft()

    def read(self, now: float) -> tuple[float | None, HrFault | None]:
        """The smoothed heart rate, or None and why (no reason while the first one is due)."""
        if self._asked_at is None:
            self._asked_at = now
        if self._last_t == -math.inf and now - self._asked_at <= LOST_AFTER_S:
            return None, None
        if self._last is None or now - self._last_t > LOST_AFTER_S:
            return None, HrFault.LOST
        if not MIN_PLAUSIBLE_BPM <= self._last <= MAX_PLAUSIBLE_BPM:
            return None, HrFault.IMPLAUSIBLE
        if now - self._same_since >= FROZEN_AFTER_S:
            return None, HrFault.FROZEN
        recent = [b for t, b in self._samples if t >= now - SMOOTH_S]
        return sum(recent) / len(recent), None


@dataclass(frozen=True)
class HrChange:
    """The data went bad (`fault` set) or came back (`fault` None)."""

    fault: HrFault | None


class HrController:
    """One step's speed under its heart-rate rule."""

    def __init__(self, increment_kmh: float) -> None:
        self.increment = max(increment_kmh, 0.01)
        self.signal = HrSignal()
        self.rule: HrRule | None = None
        self.fault: HrFault | None = None
        self.held_s = 0.0
        """Seconds of this step in which heart rate held the speed below the plan's."""
        self._level = math.inf
        self._out: float | None = None
        self._last_change = -math.inf
        self._over_since: float | None = None
        self._t: float | None = None

    def begin(self, rule: HrRule | None, now: float) -> None:
        """A new step. Safe progression keeps the speed reached: a rise waits for the heart."""
        keep = rule is not None and rule.hold_back and self._out is not None
        self.rule = rule
        self.held_s = 0.0
        self._t = now
        self._over_since = None
        if rule is not None and rule.mode == "target":
            self._level = rule.min_kmh
            self._last_change = now
        elif keep:
            assert self._out is not None
            self._level = self._out
        else:
            self._level = math.inf
            self._out = None

    def feed(self, now: float, bpm: int | None) -> None:
        self.signal.feed(now, bpm)

    def limit(self, plan_kmh: float) -> float:
        """The speed to command for the plan's `plan_kmh` now (never above it)."""
        if self.rule is None:
            return plan_kmh
        return min(plan_kmh, self._level)

    def update(self, now: float, plan_kmh: float) -> HrChange | None:
        """Judge the heart rate; returns a change of data quality when there is one."""
        rule = self.rule
        if rule is None:
            return None
        if self._t is not None and self._out is not None and self._out < plan_kmh - 1e-9:
            self.held_s += max(0.0, now - self._t)
        self._t = now
        hr, fault = self.signal.read(now)
        change = HrChange(fault) if fault != self.fault else None
        self.fault = fault
        if hr is None:
            self._fall_back(rule, plan_kmh)
        elif rule.mode == "cap":
            self._cap(rule, now, hr, plan_kmh)
        else:
            self._target(rule, now, hr)
        self._out = self.limit(plan_kmh)
        return change

    def _fall_back(self, rule: HrRule, plan_kmh: float) -> None:
        pace = rule.min_kmh if rule.mode == "target" else plan_kmh
        current = self._out if self._out is not None else pace
        self._level = min(pace, current)
        self._over_since = None

    def _cap(self, rule: HrRule, now: float, hr: float, plan_kmh: float) -> None:
        since = now - self._last_change
        if hr > rule.cap_bpm - GUARD_BPM:
            if self._over_since is None:
                self._over_since = now
            if now - self._over_since >= REACT_S and since >= STEP_S:
                self._level = min(plan_kmh, self._level) - self.increment
                self._last_change = now
            return
        self._over_since = None
        if self._level < math.inf and hr < rule.cap_bpm - MARGIN_BPM and since >= rule.settle_s:
            climb = max(self.increment, rule.slew_kmh_min * rule.settle_s / 60.0)
            self._level += climb
            self._last_change = now
            if self._level >= plan_kmh - 1e-9:
                self._level = plan_kmh if rule.hold_back else math.inf

    def _target(self, rule: HrRule, now: float, hr: float) -> None:
        since = now - self._last_change
        middle = (rule.low_bpm + rule.high_bpm) / 2
        low, high = rule.low_bpm, rule.high_bpm
        if high - low < 2 * rule.dead_band_bpm:  # a narrow range: the dead band is the range
            low, high = middle - rule.dead_band_bpm, middle + rule.dead_band_bpm
        if since < rule.settle_s or low <= hr <= high:
            return
        error = hr - middle
        most = rule.slew_kmh_min * min(since, 2 * rule.settle_s) / 60.0
        delta = max(-most, min(most, -GAIN_KMH_PER_BPM * error))
        steps = max(1, int(abs(delta) / self.increment + 1e-9))
        delta = math.copysign(steps * self.increment, delta)
        level = max(rule.min_kmh, min(rule.max_kmh, self._level + delta))
        if abs(level - self._level) > 1e-9:
            self._level = level
            self._last_change = now
