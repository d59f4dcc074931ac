"""Who may start a standing belt: the one gate every command passes (safety rules 2 and 3).

A command that would set a standing belt moving (START before the run, START or
RESUME while paused) is a start, wherever it comes from. From the terminal or the
command line (the runner at the treadmill) it is always allowed. From MQTT or a
web page it needs the profile's `mqtt.allow_remote_start`, and even then never
after the belt was stopped at the treadmill (a console stop or the safety key):
then only the runner standing there resumes, with a key or on the console.

Kept apart from the engine so the rule is one small pure function, tested on its own.
It is the only place that reads `allow_remote_start` to decide anything: a front
end (MQTT, the page) never filters starts itself, it hands every command to the
engine's one command path saying where it came from (`CommandPath`), and the
engine asks `start_refusal`. The answer goes back to the front end as a
`Verdict` (a typed `Refusal` and its text), so a page or a script is told the
engine's own decision, never a guess of its own. The CLI asks
`remote_wait_refusal` before a run that would wait for a remote start.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from treadpace.engine.events import Command, RunState


class CommandSource(enum.StrEnum):
    """Where a command came from."""

    LOCAL = "local"
    """At the treadmill: terminal keys, the `run` command itself."""
    REMOTE = "remote"
    """Away from it: MQTT / Home Assistant, a web page."""


_STANDING = (RunState.IDLE, RunState.READY, RunState.PAUSED)

NOT_ALLOWED = "remote start refused: the profile does not set mqtt.allow_remote_start"
STOPPED_AT_TREADMILL = (
    "remote resume refused: the belt was stopped at the treadmill (console or safety key);"
    " resume there"
)
NO_REMOTE = "the profile must set mqtt.enabled and mqtt.allow_remote_start"
NOT_CONNECTED = "the treadmill is not connected yet"


class Refusal(enum.StrEnum):
    """Why the engine did not act on a runner's command (a front end goes by this, not text)."""

    REMOTE_START_NOT_ALLOWED = "remote_start_not_allowed"
    """A start from away from the treadmill, and the profile does not allow remote start."""
    STOPPED_AT_TREADMILL = "stopped_at_treadmill"
    """A remote resume after a stop on the console or by the safety key."""
    NOT_CONNECTED = "not_connected"
    """A resume while the link to the treadmill is down."""

    @property
    def text(self) -> str:
        """What the runner reads (the engine's notice says the same)."""
        return _TEXT[self]


_TEXT = {
    Refusal.REMOTE_START_NOT_ALLOWED: NOT_ALLOWED,
    Refusal.STOPPED_AT_TREADMILL: STOPPED_AT_TREADMILL,
    Refusal.NOT_CONNECTED: NOT_CONNECTED,
}


@dataclass(frozen=True)
class Verdict:
    """What the engine made of one command: taken (`refusal` None) or refused, and why."""

    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def text(self) -> str:
        return self.refusal.text if self.refusal is not None else ""


ACCEPTED = Verdict()
"""Taken: acted on, or (an ill-timed command) nothing to do, which is no error."""

CommandPath = Callable[[Command, float | None, CommandSource], Awaitable[Verdict | None]]
"""The engine's one command path as a front end holds it (`Engine.command`).

The source is a required argument here, so a front end cannot forget to say
that a command came from away from the treadmill. The answer is the engine's
verdict (None from a handler that gives none, read as taken)."""


def starts_belt(cmd: Command, state: RunState) -> bool:
    """Whether `cmd` in `state` would set a standing belt moving."""
    return cmd in (Command.START, Command.RESUME) and state in _STANDING


def start_refusal(
    cmd: Command,
    state: RunState,
    source: CommandSource,
    *,
    remote_start_allowed: bool,
    stopped_at_treadmill: bool,
) -> Refusal | None:
    """Why `cmd` must not be acted on, or None when it may."""
    if source is CommandSource.LOCAL or not starts_belt(cmd, state):
        return None
    if not remote_start_allowed:
        return Refusal.REMOTE_START_NOT_ALLOWED
    if state == RunState.PAUSED and stopped_at_treadmill:
        return Refusal.STOPPED_AT_TREADMILL
    return None


def remote_wait_refusal(*, remote_start_allowed: bool, mqtt_enabled: bool) -> str | None:
    """Why a run must not wait for a remote start (nothing could ever start it), or None."""
    if remote_start_allowed and mqtt_enabled:
        return None
    return NO_REMOTE
