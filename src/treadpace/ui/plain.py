"""Plain log lines for a run without a terminal (a pipe, a service, CI).

One line per state change, step change and notice, and a status line every
`status_every_s` seconds of plan time. Reads from a bounded subscription, so a
slow pipe never holds the engine back. The same notice again within a few
seconds is counted, not printed: the next one printed (or the end) says how often.
"""

from __future__ import annotations

import sys
from typing import TextIO

from treadpace.base import display as fmt
from treadpace.base.printable import printable
from treadpace.base.repeats import RepeatFilter, repeated
from treadpace.engine.events import (
    Notice,
    RunFinished,
    RunStarted,
    SetpointSent,
    StateChanged,
    StepStarted,
    Tick,
)
from treadpace.engine.hub import Subscription
from treadpace.ui.summary_table import outcome_text


class PlainLog:
    def __init__(self, out: TextIO | None = None, *, status_every_s: float = 60.0) -> None:
        self.out = out or sys.stdout
        self.status_every_s = status_every_s
        self.imperial = False
        self._next_status = 0.0
        self._start_t = 0.0
        self._repeats: RepeatFilter[tuple[str, str, str]] = RepeatFilter()

    def _line(self, t: float, text: str) -> None:
        # Names come from files and devices: one line each, never terminal control.
        self.out.write(f"[{fmt.duration(t - self._start_t):>7}] {printable(text)}\n")
        self.out.flush()

    async def consume(self, sub: Subscription) -> None:
        async for event in sub:
            self.handle(event)

    def handle(self, e: object) -> None:
        imp = self.imperial
        if isinstance(e, Tick):
            if e.elapsed_s >= self._next_status:
                self._next_status = e.elapsed_s + self.status_every_s
                hr = f", HR {e.heart_rate_bpm}" if e.heart_rate_bpm else ""
                self._line(
                    e.t,
                    f"{e.step_name}: {fmt.target(e.speed_kmh, imp)}"
                    f" target {fmt.target(e.target_speed_kmh, imp)}{hr};"
                    f" {fmt.distance(e.distance_m, imp)} in {fmt.duration(e.elapsed_s)}"
                    f" ({e.progress:.0%})",
                )
        elif isinstance(e, RunStarted):
            self.imperial = imp = e.imperial
            self._start_t = e.t
            self._line(e.t, f"plan: {e.plan_name} ({len(e.steps)} steps) on {e.device}")
        elif isinstance(e, StepStarted):
            s = e.step
            target = fmt.target(s.speed_kmh, imp)
            if s.is_ramp and s.end_speed_kmh is not None:
                target += f" -> {fmt.target(s.end_speed_kmh, imp)}"
            incline = f", incline {s.incline_percent:g} %" if s.incline_percent else ""
            self._line(
                e.t,
                f"step {e.index + 1}/{e.total_steps} {s.name}:"
                f" {fmt.step_amount(s.kind, s.amount, imp)} at {target}{incline}",
            )
        elif isinstance(e, StateChanged):
            why = f" ({e.reason})" if e.reason else ""
            self._line(e.t, f"{e.state.value}{why}")
        elif isinstance(e, Notice):
            held = self._repeats.admit((e.level, e.kind, e.message), e.t)
            if held is not None:
                self._line(e.t, repeated(f"{e.level}: {e.message}", held))
        elif isinstance(e, RunFinished):
            for key, held in self._repeats.held():
                level, _, message = key
                self._line(e.t, f"{level}: {message} (repeated {held} more times)")
            self._line(e.t, f"run {outcome_text(e)}")
        elif isinstance(e, SetpointSent):
            pass
