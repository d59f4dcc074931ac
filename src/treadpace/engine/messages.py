"""What goes into the engine core and what comes out: small frozen dataclasses.

In: the machine's limits once connected, what the treadmill says (telemetry and
machine events, as the treadmill port reports them), the runner's commands, the
answer to each write, "time is now T", an abort, the end of the treadmill's
updates, and the driver's "finish now" and the answer to the final stop.

Out: one write at a time to the treadmill, the final confirmed stop, events for
the hub (the engine's own `EngineEvent` dataclasses, as they are), and when to
be woken next. The core never waits for anything: the driver performs a write,
then hands its `Written` answer back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from treadpace.engine.causes import EndCause
from treadpace.engine.events import Command, EngineEvent
from treadpace.engine.gate import CommandSource
from treadpace.ftms import InclinationRange, SpeedRange
from treadpace.treadmill.port import TreadmillUpdate

# --- in -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connected:
    """Connected and the machine's limits read (the profile's cap was checked to fit)."""

    name: str
    speeds: SpeedRange
    inclines: InclinationRange | None
    controllable: bool


@dataclass(frozen=True, slots=True)
class FromTreadmill:
    update: TreadmillUpdate


@dataclass(frozen=True, slots=True)
class RunnerCommand:
    cmd: Command
    value: float | None = None
    source: CommandSource = CommandSource.LOCAL


class WriteOp(enum.StrEnum):
    CONTROL = "request_control"
    START = "start"
    RESUME = "resume"
    PAUSE = "pause"
    SPEED = "set_speed"
    INCLINE = "set_incline"
    UNIT_FIX = "set_speed_after_unit_mismatch"


class Answer(enum.Enum):
    """What became of a write, as the driver saw it."""

    TAKEN = enum.auto()
    REFUSED = enum.auto()
    """A definite no from the machine (a result code): acted on."""
    NOT_SENT = enum.auto()
    """Failed in transport (an ATT error): the machine never saw it; may be tried again."""
    UNKNOWN = enum.auto()
    """No answer in time: it may or may not have been taken."""
    NOT_CONNECTED = enum.auto()


@dataclass(frozen=True, slots=True)
class Written:
    op: WriteOp
    answer: Answer
    detail: str = ""
    """The treadmill's words for a failure, for the runner's notice."""


@dataclass(frozen=True, slots=True)
class TimePassed:
    """Time is now T (a wake-up the core asked for, or any other moment)."""


@dataclass(frozen=True, slots=True)
class Abort:
    reason: str
    cause: EndCause = EndCause.INTERRUPTED


@dataclass(frozen=True, slots=True)
class UpdatesEnded:
    """The treadmill's update stream ended: closed, or `error` underneath."""

    error: str | None = None


@dataclass(frozen=True, slots=True)
class Finish:
    """The driver is leaving (the plan ended, a signal, an error): stop and report."""

    failure: str = ""


@dataclass(frozen=True, slots=True)
class StopAnswered:
    confirmed: bool
    """The treadmill reported the belt stopped (see `treadmill.stop`)."""


Input = (
    Connected
    | FromTreadmill
    | RunnerCommand
    | Written
    | TimePassed
    | Abort
    | UpdatesEnded
    | Finish
    | StopAnswered
)

# --- out ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Write:
    """One command to the treadmill; its `Written` answer comes back before the next."""

    op: WriteOp
    value: float | None = None


@dataclass(frozen=True, slots=True)
class StopBelt:
    """The final stop: sent until the belt reports it stands (safety rule 4)."""


@dataclass(frozen=True, slots=True)
class WakeAt:
    t: float
    """Run time to be woken at (inf: only an input wakes the core)."""


@dataclass(frozen=True, slots=True)
class Done:
    """The run is over and reported: close the event stream."""


Action = Write | StopBelt | WakeAt | Done | EngineEvent
