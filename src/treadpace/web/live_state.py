"""What the page shows, built from the engine's events: pure, no I/O, no clock.

`LiveState.absorb` takes every event the web sink reads and keeps the picture a
page needs: the plan, the latest numbers, the chart so far and the notices.
`hello()` is everything a page needs when it (re)connects; `live()` is the
latest numbers. Numbers are formatted here, in the runner's units, with the
same helpers as the terminal (`display`, the cue words, the countdown banner),
so the page script only places text and never works out a pace of its own.

When the run is over the picture is the finished one: a typed `finished`
message with the summary (the same rows as the terminal's table), and live
numbers that stand still (no actual speed, nothing left, no next change) with
the summary's time and distance, so the tile and the summary agree.

What goes to the pages is built once per change and kept as JSON text
(`hello_text`, `live_text`): a plan of ten thousand steps is formatted once per
run, however many pages connect or ask again, so no page can make the event
loop the engine shares redo that work. Identical notices within a few seconds
are sent once (`repeats`), so a flood of refused presses is not a flood of banners.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

from treadpace.base import display as fmt
from treadpace.base.notice_level import NoticeLevel
from treadpace.base.repeats import RepeatFilter, repeated
from treadpace.base.units import kmh_to_mph
from treadpace.cues.banner import countdown
from treadpace.cues.text import display, speech
from treadpace.engine.events import (
    Cue,
    CueKind,
    EngineEvent,
    Notice,
    RunFinished,
    RunStarted,
    RunState,
    StateChanged,
    StepStarted,
    Tick,
)
from treadpace.plans.steps import CompiledStep
from treadpace.ui.summary_table import HEADERS, outcome_text, summary_rows
from treadpace.web.plan_picture import PlanPicture, planned_rows, step_row

CHART_POINTS = 600
"""At most this many chart points are kept; beyond it every other one goes."""
_STANDING_KMH = 0.05
NEXT_STEPS = 3
CUE_SHOW_S = 10.0
"""A cue said as a change happens stays on the page this long (clock seconds)."""

_STATE_TEXT = {
    RunState.IDLE: "connecting",
    RunState.READY: "ready",
    RunState.COUNTDOWN: "starting",
    RunState.RUNNING: "running",
    RunState.PAUSED: "paused",
    RunState.FINISHED: "finished",
    RunState.ABORTED: "stopped",
}


def _round(value: float, digits: int = 2) -> float:
    return round(value, digits)


@dataclass
class LiveState:
    """The page's picture of one run."""

    allow_remote_start: bool = False
    imperial: bool = False
    plan_name: str = ""
    steps: tuple[CompiledStep, ...] = ()
    state: RunState = RunState.IDLE
    tick: Tick | None = None
    step_index: int = 0
    chart: list[tuple[float, float, float]] = field(default_factory=list)
    chart_every_s: float = 5.0
    notices: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=5))
    finished: dict[str, Any] | None = None
    result: RunFinished | None = None
    cue: Cue | None = None
    """The latest cue, shown until `cue_until` (clock time)."""
    cue_until: float = 0.0
    version: int = 0
    """Goes up with every change a page should see."""
    repeats: RepeatFilter[tuple[str, str, str]] = field(default_factory=RepeatFilter)
    hello_builds: int = 0
    """How many times the hello was built (at most once per `version`)."""
    plan_builds: int = 0
    """How many times the plan's part of the hello was built (once per run)."""
    plan_generation: int = 0
    """Goes up with every new run (what the plan's part of the hello is built for)."""
    _plan_json: tuple[int, str] | None = field(default=None, repr=False)
    _hello: tuple[int, str] | None = field(default=None, repr=False)
    _live: tuple[int, str] | None = field(default=None, repr=False)
    _next_rows: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = field(
        default=None, repr=False
    )

    # ------------------------------------------------------------------ events

    def never_began(self, why: str) -> dict[str, Any] | None:
        """A run refused before anything moved: its finished picture says why."""
        if self.finished is None:
            return None
        self.version += 1
        self.finished = {**self.finished, "reason": f"not started: {why}"}
        return {"type": "finished", **self.finished}

    def absorb(self, event: EngineEvent | Any) -> dict[str, Any] | None:
        """Take one event; returns a message to send at once (a notice, a cue), if any."""
        self.version += 1
        if isinstance(event, Tick):
            if self.result is not None:
                return None  # the belt winding down after the end: the run is over
            self.tick = event
            self.state = event.state
            self._chart(event)
        elif isinstance(event, StateChanged):
            if self.result is None:
                self.state = event.state
        elif isinstance(event, StepStarted):
            self.step_index = event.index
        elif isinstance(event, RunStarted):
            self.imperial = event.imperial
            self.plan_name = event.plan_name
            self.steps = event.steps
            self.chart.clear()
            self.plan_generation += 1
        elif isinstance(event, Notice):
            level = NoticeLevel.read(event.level)
            held = self.repeats.admit((level, event.kind, event.message), event.t)
            if held is None:
                return None  # said a moment ago: counted, said again with the count later
            note = self._note(level, repeated(event.message, held), "notice")
            return {**note, "kind": event.kind}
        elif isinstance(event, RunFinished):
            self.state = event.state
            self.result = event
            self.cue = None
            self.finished = self._finished(event)
            return {"type": "finished", **self.finished}
        elif isinstance(event, Cue):
            # The spoken cue's words, shown as a banner (rendered from the typed cue) until
            # the change it announces has come, or for a while after one that happened.
            self.cue = event
            ahead = event.kind in (CueKind.UPCOMING, CueKind.COUNTDOWN)
            self.cue_until = event.t + (event.seconds if ahead else CUE_SHOW_S)
            # `speak` is what the phone says (the same words the laptop's voice says).
            return {
                "type": "cue",
                "level": NoticeLevel.INFO,
                "message": display(event),
                "speak": speech(event),
                "lead_s": event.seconds,
            }
        return None

    def cue_text(self) -> str | None:
        """The cue to show now, following a nudge; None once it is over."""
        cue, tick = self.cue, self.tick
        if cue is None:
            return None
        if tick is not None and tick.t >= self.cue_until:
            return None
        about_now = cue.kind in (CueKind.CHANGE, CueKind.LAST_STEP)
        if (
            about_now
            and tick is not None
            and tick.step_index == cue.step_index
            and cue.end_speed_kmh is None
            and tick.target_speed_kmh > 0
        ):
            cue = replace(cue, speed_kmh=tick.target_speed_kmh)  # what the belt runs now
        return display(cue)

    def _note(self, level: NoticeLevel, message: str, kind: str) -> dict[str, Any]:
        note = {"type": kind, "level": level, "message": message}
        self.notices.append(note)
        return note

    def _chart(self, tick: Tick) -> None:
        if tick.state != RunState.RUNNING:
            return
        if self.chart and tick.elapsed_s < self.chart[-1][0] + self.chart_every_s:
            return
        self.chart.append(
            (
                _round(tick.elapsed_s, 1),
                self._unit(tick.target_speed_kmh),
                self._unit(tick.speed_kmh),
            )
        )
        if len(self.chart) > CHART_POINTS:
            del self.chart[1::2]
            self.chart_every_s *= 2

    def _finished(self, event: RunFinished) -> dict[str, Any]:
        """The run's summary: the terminal's table, as text to place."""
        return {
            "state": event.state.value,
            "reason": event.reason,
            "outcome": outcome_text(event),
            "distance": fmt.distance(event.distance_m, self.imperial),
            "time": fmt.duration(event.elapsed_s),
            "pace": fmt.pace(
                event.distance_m / event.elapsed_s * 3.6 if event.elapsed_s > 0 else 0.0,
                self.imperial,
            ),
            "headers": list(HEADERS),
            "rows": [list(row) for row in summary_rows(event, self.imperial)],
        }

    # ------------------------------------------------------------------ messages

    def _unit(self, kmh: float) -> float:
        return _round(kmh_to_mph(kmh) if self.imperial else kmh)

    def planned(self) -> list[list[float]]:
        """The plan's target over plan time: [start_s, end_s, from, to] per step."""
        return planned_rows(self.steps, self.imperial)

    def hello(self) -> dict[str, Any]:
        return {**self._moment(), **self._plan()}

    def _plan(self) -> dict[str, Any]:
        """The part of the hello that only a new run changes (as long as the plan)."""
        return self.plan_picture().as_dict()

    def plan_picture(self) -> PlanPicture:
        """A snapshot of the plan's part, to build its JSON elsewhere (a worker thread)."""
        return PlanPicture(
            self.plan_generation,
            self.plan_name,
            self.steps,
            self.imperial,
            self.allow_remote_start,
        )

    def plan_ready(self) -> bool:
        return self._plan_json is not None and self._plan_json[0] == self.plan_generation

    def set_plan_json(self, picture: PlanPicture, text: str) -> None:
        """Keep `picture.json()` built elsewhere, unless another run has begun since."""
        if picture.generation == self.plan_generation:
            self._plan_json = (picture.generation, text)
            self.plan_builds += 1

    def _moment(self) -> dict[str, Any]:
        """The part that changes as the run goes (bounded: the chart is thinned)."""
        return {
            "type": "hello",
            "mode": "run",
            "chart": [list(p) for p in self.chart],
            "notices": list(self.notices),
            "finished": self.finished,
            "live": self.live(),
        }

    def hello_text(self) -> str:
        """`hello()` as JSON, built at most once per `version` (the plan once per run)."""
        if self._hello is not None and self._hello[0] == self.version:
            return self._hello[1]
        if not self.plan_ready():
            picture = self.plan_picture()
            self.set_plan_json(picture, picture.json())
        assert self._plan_json is not None
        moment = json.dumps(self._moment(), separators=(",", ":"))
        text = f"{moment[:-1]},{self._plan_json[1][1:]}"
        self.hello_builds += 1
        self._hello = (self.version, text)
        return text

    def live_text(self) -> str:
        """`live()` as JSON, built at most once per `version` whatever the number of pages."""
        if self._live is None or self._live[0] != self.version:
            self._live = (self.version, json.dumps(self.live(), separators=(",", ":")))
        return self._live[1]

    def _step(self, index: int, step: CompiledStep) -> dict[str, Any]:
        return step_row(index, step, self.imperial)

    def _next_steps(self, index: int) -> list[dict[str, Any]]:
        """The steps after `index`, formatted once per step, not once per telemetry packet."""
        key = (self.steps, self.imperial, index)
        cached = self._next_rows
        # The plan is compared by identity: a new run's steps are a new tuple.
        if cached is None or cached[0][0] is not key[0] or cached[0][1:] != key[1:]:
            end = min(len(self.steps), index + 1 + NEXT_STEPS)
            cached = self._next_rows = (
                key,
                [self._step(i, self.steps[i]) for i in range(index + 1, end)],
            )
        return cached[1]

    def live(self) -> dict[str, Any]:
        tick = self.tick
        index = tick.step_index if tick is not None else self.step_index
        out: dict[str, Any] = {
            "type": "live",
            "state": self.state.value,
            "state_text": _STATE_TEXT.get(self.state, self.state.value),
            "step_number": index + 1 if self.steps else 0,
            "total_steps": len(self.steps),
            "next_steps": self._next_steps(index),
            "point": list(self.chart[-1]) if self.chart else None,
        }
        step = self.steps[index] if 0 <= index < len(self.steps) else None
        out["step_name"] = step.name if step is not None else ""
        if tick is None:
            return out
        imperial = self.imperial
        kind = step.kind if step is not None else "time"
        moving = tick.speed_kmh > _STANDING_KMH
        out.update(
            target_pace=fmt.pace(tick.target_speed_kmh, imperial),
            actual_pace=fmt.pace(tick.speed_kmh, imperial) if moving else fmt.NO_PACE,
            target_speed=fmt.speed(tick.target_speed_kmh, imperial),
            actual_speed=fmt.speed(tick.speed_kmh, imperial),
            incline=fmt.incline(tick.incline_percent),
            target_incline=f"{tick.target_incline_percent:g} %",
            step_left=fmt.remaining(kind, max(0.0, tick.step_remaining), imperial),
            heart_rate=tick.heart_rate_bpm,
            hr_zone=tick.hr_zone,
            elapsed=fmt.duration(tick.elapsed_s),
            distance=fmt.distance(tick.distance_m, imperial),
            progress=_round(min(1.0, max(0.0, tick.progress)) * 100, 1),
            next_change=self._next_change(tick, index, kind),
            cue=self.cue_text(),
        )
        if self.result is not None:
            out.update(self._standing(self.result))
        return out

    def _standing(self, result: RunFinished) -> dict[str, Any]:
        """The finished picture: no target, a standing belt, nothing left, the summary's totals."""
        done = result.state == RunState.FINISHED
        return {
            "target_pace": fmt.NO_PACE,
            "target_speed": "",
            "target_incline": "",
            "actual_pace": fmt.NO_PACE,
            "actual_speed": fmt.speed(0.0, self.imperial),
            "step_left": "done" if done else "stopped",
            "elapsed": fmt.duration(result.elapsed_s),
            "distance": fmt.distance(result.distance_m, self.imperial),
            "progress": 100.0 if done else self.live_progress(),
            "next_change": None,
            "next_steps": [],
            "cue": None,
        }

    def live_progress(self) -> float:
        tick = self.tick
        return _round(min(1.0, max(0.0, tick.progress)) * 100, 1) if tick is not None else 0.0

    def _next_change(self, tick: Tick, index: int, kind: str) -> dict[str, Any] | None:
        """Seconds to the end of the step and what comes then ("faster", "finish")."""
        left = max(0.0, tick.step_remaining)
        if kind == "time":
            seconds: float | None = left
        else:
            seconds = left / (tick.speed_kmh / 3.6) if tick.speed_kmh > 0.5 else None
        text = countdown(self.steps, tick, self.imperial) or ""
        if index + 1 >= len(self.steps):
            return {
                "in_s": seconds,
                "in": fmt.duration(seconds) if seconds is not None else "",
                "what": "finish",
                "pace": "",
                "text": text,
            }
        nxt = self.steps[index + 1]
        now = tick.target_speed_kmh
        what = (
            "faster"
            if nxt.speed_kmh > now + 0.05
            else ("slower" if nxt.speed_kmh < now - 0.05 else "next step")
        )
        return {
            "in_s": _round(seconds, 1) if seconds is not None else None,
            "in": fmt.duration(seconds) if seconds is not None else "",
            "what": what,
            "pace": fmt.pace(nxt.speed_kmh, self.imperial),
            "text": text,
        }
