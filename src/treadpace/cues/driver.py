"""The cue driver: follows the plan clock from the engine's events and publishes `Cue`s.

`CueDriver` is pure: it is fed the engine's events and `now`, returns the cues
due, and says when it next needs waking. It predicts the time left in a step
from the latest event (a time step's plan clock; a distance step's metres at the
belt's speed) and fires nothing while the run is paused, so a pause defers a
warning instead of spending it. Each planned cue is said at most once, so a
resume never repeats one; a skipped step takes its unsaid warnings with it.

`CueHub` is the engine's `EventHub` with the driver inside: each cue is
published on the stream right after the event that caused it (a step change, the
last step's end) or at its moment on the run's clock, so every sink - MQTT, the
journal, the live view, speech - sees the cues in order, before `RunFinished`.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace

from treadpace.base.clock import Clock
from treadpace.cues.schedule import DEFAULT_LEAD_S, Planned, Trigger, build
from treadpace.engine.events import (
    Cue,
    CueKind,
    EngineEvent,
    RunFinished,
    RunStarted,
    RunState,
    StateChanged,
    StepFinished,
    StepStarted,
    Tick,
)
from treadpace.engine.hub import EventHub
from treadpace.plans.steps import CompiledStep

_MIN_MS = 0.1
"""Below this belt speed (m/s) a distance step's end cannot be predicted."""
_STILL_TRUE_S = 0.5
"""A warning that comes late by more than this is dropped (the next one says it)."""


class CueDriver:
    def __init__(self, lead_s: int = DEFAULT_LEAD_S) -> None:
        self.lead_s = lead_s
        self._steps: tuple[CompiledStep, ...] = ()
        self._imperial = False
        self._planned: dict[int, list[Planned]] = {}
        self._index = -1
        self._running = False
        self._left = 0.0  # seconds or metres left in the step at `_left_t`
        self._left_t = 0.0
        self._speed_ms = 0.0
        self._lead_s = 0.0
        """The next change comes this long before the step's end (the engine's belt lag)."""
        self._distance_m = 0.0
        self._elapsed_s = 0.0

    def feed(self, e: EngineEvent, now: float) -> list[Cue]:
        """Take one event; the cues it makes due, stamped `now`."""
        out: list[Cue] = []
        if isinstance(e, Tick):
            if e.step_index == self._index:
                self._left, self._left_t = e.step_remaining, e.t
                self._lead_s = e.lead_s
            self._speed_ms = e.speed_kmh / 3.6
            self._running = e.state == RunState.RUNNING
        elif isinstance(e, StepStarted):
            out += self._step_started(e)
        elif isinstance(e, StateChanged):
            self._left, self._left_t = self._left_at(e.t), e.t
            self._running = e.state == RunState.RUNNING
        elif isinstance(e, StepFinished):
            out += self._step_finished(e, now)
        elif isinstance(e, RunStarted):
            self._start(e)
        elif isinstance(e, RunFinished):
            self._index, self._running = -1, False
        return out + self.fire(now)

    def due(self, now: float) -> float:
        """Clock time of the next cue (math.inf when nothing can come before an event)."""
        if not self._running:
            return math.inf
        left = self._time_left(now)
        cues = [*self._next(), *self._early()]
        return min((self._due(p, now, left) for p in cues), default=math.inf)

    def fire(self, now: float) -> list[Cue]:
        """The cues due by `now`, each once; a warning no longer true is dropped unsaid."""
        if not self._running or self.due(now) > now + 1e-3:
            return []
        pending = self._pending()
        left = self._time_left(now)
        due = [p for p in pending if self._due(p, now, left) <= now + 1e-3]
        out = []
        for p in due:
            pending.remove(p)
            warning = p.cue.kind in (CueKind.UPCOMING, CueKind.COUNTDOWN)
            late = warning and p.value - (left - self._lead_s) > _STILL_TRUE_S
            if not late:
                out.append(replace(p.cue, t=now))
        early = [p for p in self._early() if self._due(p, now, left) <= now + 1e-3]
        for p in early:  # the change came before its step: so does its cue
            self._planned[self._index + 1].remove(p)
            out.append(replace(p.cue, t=now))
        return out

    # --- internals ---------------------------------------------------------------------

    def _start(self, e: RunStarted) -> None:
        self._steps, self._imperial = e.steps, e.imperial
        self._planned = {}
        for p in build(e.steps, self.lead_s, e.imperial):
            self._planned.setdefault(p.step, []).append(p)
        self._index, self._running = -1, False
        self._distance_m = self._elapsed_s = 0.0

    def _step_started(self, e: StepStarted) -> list[Cue]:
        self._index = e.index
        self._lead_s = 0.0
        self._left, self._left_t = e.step.amount, e.t
        pending = self._pending()
        starts = [p for p in pending if p.trigger == Trigger.START]
        for p in starts:
            pending.remove(p)
        return [replace(p.cue, t=e.t) for p in starts]

    def _step_finished(self, e: StepFinished, now: float) -> list[Cue]:
        self._planned.pop(e.index, None)  # a skipped step's warnings go unsaid
        self._index = -1
        self._distance_m += e.distance_m
        self._elapsed_s += e.elapsed_s
        if e.index != len(self._steps) - 1:
            return []
        return [
            Cue(
                t=now,
                kind=CueKind.FINISH,
                step_index=len(self._steps),
                distance_m=self._distance_m,
                elapsed_s=self._elapsed_s,
                imperial=self._imperial,
            )
        ]

    def _next(self) -> list[Planned]:
        """The pending cues that can be due first: warnings come most-seconds-first."""
        out: list[Planned] = []
        warned = False
        for p in self._pending():
            if p.trigger == Trigger.LEFT_S:
                if warned:
                    continue
                warned = True
            out.append(p)
        return out

    def _early(self) -> list[Planned]:
        """The next step's start cues, when its change is asked for before the step begins."""
        if self._lead_s <= 0 or self._index < 0:
            return []
        return [p for p in self._planned.get(self._index + 1, []) if p.trigger == Trigger.START]

    def _pending(self) -> list[Planned]:
        return self._planned.get(self._index, []) if self._index >= 0 else []

    def _step(self) -> CompiledStep | None:
        return self._steps[self._index] if 0 <= self._index < len(self._steps) else None

    def _left_at(self, now: float) -> float:
        """Seconds (time step) or metres (distance step) left at `now`."""
        step = self._step()
        if step is None or not self._running:
            return self._left
        dt = max(0.0, now - self._left_t)
        rate = 1.0 if step.kind == "time" else self._speed_ms
        return self._left - rate * dt

    def _time_left(self, now: float) -> float:
        step = self._step()
        left = self._left_at(now)
        if step is None or step.kind == "time":
            return left
        return left / self._speed_ms if self._speed_ms >= _MIN_MS else math.inf

    def _due(self, p: Planned, now: float, time_left: float) -> float:
        if p.trigger == Trigger.START:
            return now if p.step == self._index else now + time_left - self._lead_s
        if p.trigger == Trigger.LEFT_S:
            # Warnings count down to the change, which the belt's lag may bring early.
            lead = self._lead_s if p.cue.kind in (CueKind.UPCOMING, CueKind.COUNTDOWN) else 0.0
            return now + time_left - lead - p.value
        if self._speed_ms < _MIN_MS:
            return math.inf
        return now + (self._left_at(now) - p.value) / self._speed_ms


class CueHub(EventHub):
    """An `EventHub` that also publishes the run's cues, on the run's clock."""

    def __init__(self, clock: Clock, lead_s: int = DEFAULT_LEAD_S) -> None:
        super().__init__()
        self.clock = clock
        self.driver = CueDriver(lead_s)
        self._timer: asyncio.Task[None] | None = None
        self._timer_at = math.inf

    def publish(self, event: EngineEvent) -> None:
        super().publish(event)
        if isinstance(event, Cue):
            return
        for cue in self.driver.feed(event, self.clock.now()):
            super().publish(cue)
        self._arm()

    def close(self) -> None:
        self._cancel()
        super().close()

    def _arm(self) -> None:
        now = self.clock.now()
        at = self.driver.due(now)
        if math.isinf(at):
            self._cancel()
            return
        if self._timer is not None and not self._timer.done() and self._timer_at <= at + 1e-4:
            return  # an earlier wake-up re-arms itself; no task per telemetry packet
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # fed outside a loop (a replay): nothing to wait for
            return
        self._cancel()
        self._timer_at = at
        self._timer = loop.create_task(self._alarm(at - now), name="cue-alarm")

    async def _alarm(self, delay: float) -> None:
        await self.clock.sleep(delay)
        self._timer, self._timer_at = None, math.inf
        for cue in self.driver.fire(self.clock.now()):
            super().publish(cue)
        self._arm()

    def _cancel(self) -> None:
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()
        self._timer, self._timer_at = None, math.inf
