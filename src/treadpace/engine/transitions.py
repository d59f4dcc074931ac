"""The run's state machine as a table: `(state, trigger) -> state`, and nothing else.

Every change of `RunState` in the engine core goes through `next_state`; a pair
that is not in the table is no change at all (a stale trigger, such as a resume
that is answered after the run was paused again by the safety key). Keeping the
table as data lets the docs print it and the property tests check that every
change they observe is one of these rows.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from treadpace.engine.causes import PauseCause
from treadpace.engine.events import RunState

S = RunState


class Trigger(enum.StrEnum):
    """What moves the run from one state to another."""

    CONNECTED = "connected"
    """Connected, limits read, control asked for: waiting for the runner's start."""
    COUNTDOWN_BEGUN = "countdown_begun"
    """The runner started (a key, `--yes`, an allowed remote start, the console)."""
    COUNTDOWN_STOPPED = "countdown_stopped"
    """Pause during the countdown: the belt has not moved; back to waiting."""
    BELT_STARTED = "belt_started"
    """The treadmill took Start (or, guided, the runner starts it): the plan begins."""
    RUNNER_PAUSE = "runner_pause"
    STOPPED_AT_TREADMILL = "stopped_at_treadmill"
    """Console stop or pause."""
    SAFETY_KEY = "safety_key"
    LINK_LOST = "link_lost"
    RESUMED = "resumed"
    """The runner resumed and the treadmill took Start (guided: at once)."""
    STARTED_ON_CONSOLE = "started_on_console"
    """The runner started the belt on the console: the machine said so, or the belt that
    stood after a stop there (or a lost link) is seen running again."""
    LINK_BACK_MOVING = "link_back_moving"
    """The link came back and the belt is moving: the plan goes on."""
    PLAN_COMPLETE = "plan_complete"
    ENDED = "ended"
    """Any other end: stop, a signal, a lost treadmill, a failure."""


_LIVE = (S.IDLE, S.READY, S.COUNTDOWN, S.RUNNING, S.PAUSED)

_ROWS: dict[tuple[RunState, Trigger], RunState] = {
    (S.IDLE, Trigger.CONNECTED): S.READY,
    (S.READY, Trigger.COUNTDOWN_BEGUN): S.COUNTDOWN,
    (S.COUNTDOWN, Trigger.COUNTDOWN_STOPPED): S.READY,
    (S.READY, Trigger.BELT_STARTED): S.RUNNING,  # no countdown (`--yes`)
    (S.COUNTDOWN, Trigger.BELT_STARTED): S.RUNNING,
    (S.RUNNING, Trigger.RUNNER_PAUSE): S.PAUSED,
    (S.RUNNING, Trigger.STOPPED_AT_TREADMILL): S.PAUSED,
    (S.RUNNING, Trigger.SAFETY_KEY): S.PAUSED,
    (S.RUNNING, Trigger.LINK_LOST): S.PAUSED,
    (S.PAUSED, Trigger.RESUMED): S.RUNNING,
    (S.PAUSED, Trigger.STARTED_ON_CONSOLE): S.RUNNING,
    (S.PAUSED, Trigger.LINK_BACK_MOVING): S.RUNNING,
    (S.RUNNING, Trigger.PLAN_COMPLETE): S.FINISHED,
    (S.PAUSED, Trigger.PLAN_COMPLETE): S.FINISHED,  # the last step skipped while paused
    **{(state, Trigger.ENDED): S.ABORTED for state in _LIVE},
}

TRANSITIONS: Final[Mapping[tuple[RunState, Trigger], RunState]] = MappingProxyType(_ROWS)
"""Every state change the engine makes. FINISHED and ABORTED have no way out."""

PAUSE_CAUSE: Final[Mapping[Trigger, PauseCause]] = MappingProxyType(
    {
        Trigger.RUNNER_PAUSE: PauseCause.RUNNER,
        Trigger.STOPPED_AT_TREADMILL: PauseCause.AT_TREADMILL,
        Trigger.SAFETY_KEY: PauseCause.SAFETY_KEY,
        Trigger.LINK_LOST: PauseCause.LINK_LOST,
    }
)
"""Why the run is paused, by the trigger that paused it: it decides who may resume."""


def next_state(state: RunState, trigger: Trigger) -> RunState | None:
    """The state `trigger` leads to from `state`, or None when it changes nothing."""
    return TRANSITIONS.get((state, trigger))


def table_markdown() -> str:
    """The table as the docs show it (docs/architecture.md)."""
    lines = ["| from | trigger | to |", "|---|---|---|"]
    lines += [f"| {a} | {t} | {b} |" for (a, t), b in TRANSITIONS.items()]
    return "\n".join(lines)
