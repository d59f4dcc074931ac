"""Engine events to MQTT payloads, and MQTT command messages to engine commands.

Pure functions, no I/O: the bridge decides when to publish, these decide what.
Numbers are rounded to what a dashboard can show; units follow the field names
(km/h, m, s, %), and the one display string (`pace`) follows the runner's units.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from treadpace.base.display import distance as format_distance
from treadpace.base.display import duration as format_duration
from treadpace.base.display import pace as format_pace
from treadpace.base.notice_level import NoticeLevel
from treadpace.base.units import (
    pace_s_per_km,
    pace_s_per_mi,
)
from treadpace.engine.events import (
    Command,
    Cue,
    Notice,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    Tick,
)

# Below this the belt is standing still: a pace would be meaningless (and huge).
_STANDING_KMH = 0.05

MAX_NUDGE_KMH = 2.0
"""Largest speed change one `nudge` command may ask for; bigger is rejected, not clamped."""

_MAX_PAYLOAD = 32
_PRESS_WORDS = frozenset({"press", "1", "true", "on"})


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), allow_nan=False)


def _r(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


@dataclass(frozen=True)
class RunContext:
    """What the telemetry needs from earlier events (units, the current step's kind)."""

    imperial: bool = False
    total_steps: int = 0
    step_kind: str = "time"


def telemetry(tick: Tick, ctx: RunContext) -> dict[str, Any]:
    moving = tick.speed_kmh > _STANDING_KMH
    remaining = max(0.0, tick.step_remaining)
    if ctx.step_kind == "distance":
        remaining_display = format_distance(remaining, ctx.imperial)
    else:
        remaining_display = format_duration(remaining)
    return {
        "state": tick.state.value,
        "speed_kmh": _r(tick.speed_kmh, 2),
        "target_speed_kmh": _r(tick.target_speed_kmh, 2),
        "pace_s_per_km": _r(pace_s_per_km(tick.speed_kmh), 1) if moving else None,
        "pace_s_per_mi": _r(pace_s_per_mi(tick.speed_kmh), 1) if moving else None,
        "pace": format_pace(tick.speed_kmh, ctx.imperial),
        "target_pace": format_pace(tick.target_speed_kmh, ctx.imperial),
        "distance_m": _r(tick.distance_m, 1),
        "incline_percent": _r(tick.incline_percent, 1),
        "target_incline_percent": _r(tick.target_incline_percent, 1),
        "heart_rate_bpm": tick.heart_rate_bpm,
        "hr_zone": tick.hr_zone,
        "step": tick.step_name,
        "step_index": tick.step_index,
        "step_number": tick.step_index + 1,
        "total_steps": ctx.total_steps,
        "step_kind": ctx.step_kind,
        "step_remaining": _r(remaining, 1),
        "step_remaining_display": remaining_display,
        "progress_percent": _r(min(1.0, max(0.0, tick.progress)) * 100.0, 1),
        "elapsed_s": _r(tick.elapsed_s, 1),
        "energy_kcal": _r(tick.energy_kcal, 1),
        "t": _r(tick.t, 3),
        "time": _r(tick.wall, 3),
    }


def run_started(event: RunStarted) -> dict[str, Any]:
    return {
        "event": "run_started",
        "t": _r(event.t, 3),
        "time": _r(event.wall, 3),
        "plan": event.plan_name,
        "kind": event.plan_kind,
        "total_steps": len(event.steps),
        "device": event.device,
    }


def step_started(event: StepStarted, imperial: bool) -> dict[str, Any]:
    step = event.step
    return {
        "event": "step_started",
        "t": _r(event.t, 3),
        "index": event.index,
        "number": event.index + 1,
        "total_steps": event.total_steps,
        "name": step.name,
        "kind": step.kind,
        "amount": _r(step.amount, 1),
        "target_speed_kmh": _r(step.speed_kmh, 2),
        "end_speed_kmh": _r(step.end_speed_kmh, 2),
        "target_pace": format_pace(step.speed_kmh, imperial),
        "incline_percent": _r(step.incline_percent, 1),
        "pace_label": step.pace_label,
    }


def step_finished(event: StepFinished) -> dict[str, Any]:
    return {
        "event": "step_finished",
        "t": _r(event.t, 3),
        "index": event.index,
        "name": event.step.name,
        "elapsed_s": _r(event.elapsed_s, 1),
        "distance_m": _r(event.distance_m, 1),
        "avg_speed_kmh": _r(event.avg_speed_kmh, 2),
        "skipped": event.skipped,
    }


def notice(level: NoticeLevel, message: str, t: float | None = None) -> dict[str, Any]:
    return {"event": "notice", "t": _r(t, 3), "level": level, "message": message}


def engine_notice(event: Notice) -> dict[str, Any]:
    return notice(NoticeLevel.read(event.level), event.message, event.t)


def cue(event: Cue) -> dict[str, Any]:
    """A cue (`treadpace.cues`): its kind and data, and the text a screen shows."""
    from treadpace.cues.text import display

    return {
        "event": "cue",
        "t": _r(event.t, 3),
        "kind": event.kind.value,
        "change": event.change.value if event.change is not None else None,
        "seconds": event.seconds,
        "step_index": event.step_index,
        "speed_kmh": _r(event.speed_kmh, 2),
        "incline_percent": _r(event.incline_percent, 1),
        "text": display(event),
    }


def run_finished(event: RunFinished) -> dict[str, Any]:
    return {
        "event": "run_finished",
        "t": _r(event.t, 3),
        "time": _r(event.wall, 3),
        "state": event.state.value,
        "reason": event.reason,
        "distance_m": _r(event.distance_m, 1),
        "elapsed_s": _r(event.elapsed_s, 1),
        "steps": len(event.steps),
        "departures": {k.value: _r(event.departure_seconds(k), 1) for k in event.departures},
        "guided_cause": event.guided_cause.value if event.guided_cause is not None else None,
    }


class BadCommand(ValueError):
    """A command message we will not pass on; `str()` says why, in one line."""


_BUTTONS: dict[str, Command] = {
    "pause": Command.PAUSE,
    "resume": Command.RESUME,
    "skip": Command.SKIP,
    "stop": Command.STOP,
    "start": Command.START,
    "nudge_up": Command.NUDGE_UP,
    "nudge_down": Command.NUDGE_DOWN,
}


def parse_command(name: str, payload: bytes) -> tuple[Command, float | None]:
    """`(command, value)` for a message on `<base>/command/<name>`, or BadCommand.

    Button commands take a press word ("PRESS", as Home Assistant sends, "1",
    "true", "on", or the command's own name). `nudge` takes a signed km/h change,
    e.g. "+0.2" or "-0.5", at most MAX_NUDGE_KMH either way. An empty payload is
    never a press: it is how a retained message is cleared.
    """
    if len(payload) > _MAX_PAYLOAD:
        raise BadCommand(f"{name}: payload longer than {_MAX_PAYLOAD} bytes")
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise BadCommand(f"{name}: payload is not UTF-8 text") from None
    if name == "nudge":
        return _parse_nudge(text)
    command = _BUTTONS.get(name)
    if command is None:
        raise BadCommand(f"unknown command {name[:_MAX_PAYLOAD]!r}")
    if text.lower() not in _PRESS_WORDS and text.lower() != name:
        raise BadCommand(f"{name}: expected PRESS, got {text!r}")
    return command, None


def _parse_nudge(text: str) -> tuple[Command, float | None]:
    try:
        delta = float(text)
    except ValueError:
        raise BadCommand(f"nudge: expected a signed km/h change like +0.2, got {text!r}") from None
    if not math.isfinite(delta) or delta == 0 or abs(delta) > MAX_NUDGE_KMH:
        raise BadCommand(
            f"nudge: expected a change between -{MAX_NUDGE_KMH:g} and +{MAX_NUDGE_KMH:g} km/h"
            f" (not 0), got {text!r}"
        )
    return (Command.NUDGE_UP if delta > 0 else Command.NUDGE_DOWN), abs(delta)
