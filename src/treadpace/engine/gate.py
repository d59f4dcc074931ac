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
engine asks `start_refusal`. The CLI asks `remote_wait_refusal` before a run
that would wait for a remote start.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable

from treadpace.engine.events import Command, RunState


class CommandSource(enum.StrEnum):
    """Where a command came from."""

    LOCAL = "local"
    """At the treadmill: terminal keys, the `run` command itself."""
    REMOTE = "remote"
    """Away from it: MQTT / Home Assistant, a web page."""


CommandPath = Callable[[Command, float | None, CommandSource], Awaitable[None]]
"""The engine's one command path as a front end holds it (`Engine.command`).

The source is a required argument here, so a front end cannot forget to say
that a command came from away from the treadmill."""

_STANDING = (RunState.IDLE, RunState.READY, RunState.PAUSED)

NOT_ALLOWED = "remote start refused: the profile does not set mqtt.allow_remote_start"
STOPPED_AT_TREADMILL = (
    "remote resume refused: the belt was stopped at the treadmill (console or safety key);"
    " resume there"
)
NO_REMOTE = "the profile must set mqtt.enabled and mqtt.allow_remote_start"


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
) -> str | None:
    """Why `cmd` must not be acted on, or None when it may."""
    if source is CommandSource.LOCAL or not starts_belt(cmd, state):
        return None
    if not remote_start_allowed:
        return NOT_ALLOWED
    if state == RunState.PAUSED and stopped_at_treadmill:
        return STOPPED_AT_TREADMILL
    return None


def remote_wait_refusal(*, remote_start_allowed: bool, mqtt_enabled: bool) -> str | None:
    """Why a run must not wait for a remote start (nothing could ever start it), or None."""
    if remote_start_allowed and mqtt_enabled:
        return None
    return NO_REMOTE
