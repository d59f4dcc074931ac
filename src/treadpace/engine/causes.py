"""How a run departed from its plan: guided mode (and why), capped, held by the console.

A run that reached its last step "finished", but if for part of it treadpace was
not commanding the belt (guided mode), could not command what the plan asked (the
target was above the runner's or the machine's maximum: capped), or followed a
speed the runner set on the console instead of the plan (held), it did not run
the plan as written. That is kept as typed values on `RunFinished` (causes as
enums, plan-clock seconds per kind), so the summary, the journal, `history` and
MQTT all say the same thing without reading display text.
"""

from __future__ import annotations

import enum
import math


class Departure(enum.StrEnum):
    """A way a run left the plan as written."""

    GUIDED = "guided"
    """treadpace stopped commanding; the runner set the belt on the console."""
    CAPPED = "capped"
    """The plan asked for more than the profile's or the machine's maximum."""
    HELD = "held"
    """A console speed change (held, or kept as an offset) overrode the plan's target for
    the rest of a step."""


class EndCause(enum.StrEnum):
    """Why a run ended; what the command line's exit code and the history read."""

    PLAN_COMPLETE = "plan_complete"
    """The last step ended."""
    RUNNER_STOP = "runner_stop"
    """The runner stopped the run: `q`, or stop on MQTT or the web page."""
    INTERRUPTED = "interrupted"
    """A signal: Ctrl+C, SIGTERM, SIGHUP, SIGQUIT."""
    STOPPED_AT_TREADMILL = "stopped_at_treadmill"
    """A console stop or the safety key during the countdown."""
    TREADMILL_LOST = "treadmill_lost"
    """The treadmill could not be reached, or its link did not come back."""
    FAILED = "failed"
    """Anything else (an error underneath)."""


class PauseCause(enum.StrEnum):
    """Why a run is paused, which decides who may resume it and how."""

    RUNNER = "runner"
    """Paused by the runner (a key, MQTT, the web page)."""
    AT_TREADMILL = "at_treadmill"
    """Stopped or paused on the treadmill's console."""
    SAFETY_KEY = "safety_key"
    """The safety key was pulled."""
    LINK_LOST = "link_lost"
    """The Bluetooth link dropped; the run resumes when it is back."""


class GuidedCause(enum.StrEnum):
    """Why a run went into guided mode."""

    READ_ONLY = "read_only"
    """The treadmill has no Control Point."""
    CONTROL_REFUSED = "control_refused"
    """Request Control was refused."""
    CONTROL_UNREACHABLE = "control_unreachable"
    """Request Control never got through (transport failures, retried)."""
    START_REFUSED = "start_refused"
    """Start was refused: the runner starts the belt."""
    SPEED_REFUSED = "speed_refused"
    """A speed command was refused while the belt ran."""
    SPEED_IGNORED = "speed_ignored"
    """Speed commands were accepted but the belt did not follow them."""
    CONTROL_LOST = "control_lost"
    """The machine withdrew control (or reset) mid-run."""
    CONTROL_SILENT = "control_silent"
    """The control point stopped answering commands mid-run."""
    CONTROL_NOT_REGAINED = "control_not_regained"
    """Control was not granted again after a reconnect."""
    UNIT_MISMATCH = "unit_mismatch"
    """The belt covers a different distance than its reported speed says (mph as km/h)."""


DEPARTURE_TEXT = {
    Departure.GUIDED: "in guided mode",
    Departure.CAPPED: "capped at the maximum speed",
    Departure.HELD: "held by a console speed change",
}

CAUSE_TEXT = {
    GuidedCause.READ_ONLY: "read-only treadmill",
    GuidedCause.CONTROL_REFUSED: "control refused",
    GuidedCause.CONTROL_UNREACHABLE: "control could not be asked for",
    GuidedCause.START_REFUSED: "start refused",
    GuidedCause.SPEED_REFUSED: "speed commands refused",
    GuidedCause.SPEED_IGNORED: "speed commands ignored",
    GuidedCause.CONTROL_LOST: "control lost",
    GuidedCause.CONTROL_SILENT: "the treadmill stopped answering commands",
    GuidedCause.CONTROL_NOT_REGAINED: "control not regained",
    GuidedCause.UNIT_MISMATCH: "speed unit mismatch",
}


class DepartureClock:
    """Plan-clock seconds spent in each departure; each one on or off at a plan time."""

    def __init__(self) -> None:
        self._since: dict[Departure, float] = {}
        self._total: dict[Departure, float] = dict.fromkeys(Departure, 0.0)

    def set(self, kind: Departure, active: bool, plan_t: float) -> None:
        since = self._since.get(kind)
        if active and since is None:
            self._since[kind] = plan_t
        elif not active and since is not None:
            self._total[kind] += max(0.0, plan_t - since)
            del self._since[kind]

    def active(self, kind: Departure) -> bool:
        return kind in self._since

    def seconds(self, kind: Departure, plan_t: float) -> float:
        since = self._since.get(kind)
        extra = max(0.0, plan_t - since) if since is not None else 0.0
        total = self._total[kind] + extra
        return total if math.isfinite(total) else 0.0


NOT_CONFIRMED = (
    "THE BELT MAY STILL BE RUNNING: treadpace could not confirm that it stopped."
    " Stop it on the console (or pull the safety key)."
)
"""What the runner is told, loudly, when the stop could not be confirmed."""
