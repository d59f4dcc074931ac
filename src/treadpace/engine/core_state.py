"""The engine core's state as one record: the run's state and the facts that qualify it.

`CoreState` is the one value the engine core changes as a run goes on; the rest
of the core (the step cursor, the plan clock, the setpoint policy, the odometer)
is composed around it and holds no flag of the run's. It is mutable but owned:
`run_core.RunCore` holds the only reference, and the rule modules change it by
replacing a whole sub-state, each an immutable value whose type leaves out the
combinations that cannot happen (a link both down and awaiting its first reading,
a run done but not ended, a "started by us" belt that was never asked to start).
A mutable record replaced field by field keeps each rule's change one line and
lets a test read the state between two inputs; freezing it would copy ~10 fields
for every reading without making any illegal state harder to build.

`run` changes only through the transition table (`transitions.next_state`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from treadpace.engine.causes import EndCause, GuidedCause, PauseCause
from treadpace.engine.events import RunState
from treadpace.engine.messages import Write, WriteOp


class Start(enum.Enum):
    """Whether the runner asked for the start, and whether treadpace started the belt."""

    NOT_ASKED = enum.auto()
    ASKED = enum.auto()
    """A start was asked (a key, `--yes`, an allowed remote start, the console): the core
    begins the countdown as soon as the run is READY."""
    OURS = enum.auto()
    """The treadmill took our Start or Resume (or may have): the end stops the belt."""

    def asked(self) -> Start:
        return self if self is Start.OURS else Start.ASKED

    def unasked(self) -> Start:
        """The ask is used up (the countdown began) or withdrawn (paused in the countdown)."""
        return self if self is Start.OURS else Start.NOT_ASKED


@dataclass(frozen=True)
class LinkUp:
    """The treadmill is connected (or was never lost)."""


@dataclass(frozen=True)
class LinkDown:
    """The link is lost since run time `since`: the run ends if it stays lost too long."""

    since: float


@dataclass(frozen=True)
class LinkBack:
    """The link is back after pausing the run: the next plausible reading decides."""


Link = LinkUp | LinkDown | LinkBack
LINK_UP = LinkUp()
LINK_BACK = LinkBack()


@dataclass(frozen=True)
class Writes:
    """One write at a time: the one unanswered, and PAUSE, RESUME, UNIT_FIX waiting their turn."""

    in_flight: Write | None = None
    queued: tuple[WriteOp, ...] = ()

    def sent(self, write: Write) -> Writes:
        assert self.in_flight is None, f"{write.op} while {self.in_flight} is unanswered"
        return replace(self, in_flight=write)

    def answered(self) -> Writes:
        return replace(self, in_flight=None)

    def queue(self, op: WriteOp) -> Writes:
        return replace(self, queued=(*self.queued, op))

    def without(self, *ops: WriteOp) -> Writes:
        return replace(self, queued=tuple(op for op in self.queued if op not in ops))

    def without_first(self, op: WriteOp) -> Writes:
        """`op` taken out of the queue once (the first time it is there)."""
        if op not in self.queued:
            return self
        i = self.queued.index(op)
        return replace(self, queued=self.queued[:i] + self.queued[i + 1 :])

    def popped(self) -> tuple[WriteOp, Writes]:
        return self.queued[0], replace(self, queued=self.queued[1:])


class EndPhase(enum.Enum):
    DECIDED = enum.auto()
    """The first ending is chosen; an unanswered write is still awaited."""
    STOPPING = enum.auto()
    """The plan clock has stopped; the belt's stop is asked for, or the run is reported."""
    DONE = enum.auto()
    """Reported: the core takes no more input."""


@dataclass(frozen=True)
class Ending:
    """The first ending: its state, its words for people, its cause for code."""

    state: RunState
    reason: str
    cause: EndCause
    phase: EndPhase = EndPhase.DECIDED
    belt_left_running: bool = False
    """The stop at the end was needed and the belt never said it stood (exit 3)."""


@dataclass(frozen=True)
class Countdown:
    """The countdown's next number, and the run time it is due."""

    next: int
    at: float


@dataclass
class CoreState:
    run: RunState = RunState.IDLE
    pause_cause: PauseCause | None = None
    """Why the run is paused (None unless PAUSED): it decides who may resume."""
    guided: GuidedCause | None = None
    """Why treadpace stopped commanding speed (None: it commands it)."""
    start: Start = Start.NOT_ASKED
    held_at_treadmill: bool = False
    """A console stop or the safety key: only the runner standing there resumes."""
    link: Link = LINK_UP
    writes: Writes = field(default_factory=Writes)
    countdown: Countdown | None = None
    ending: Ending | None = None

    @property
    def ended(self) -> bool:
        return self.ending is not None

    @property
    def finishing(self) -> bool:
        """Past the ending's decision: nothing is settled any more."""
        return self.ending is not None and self.ending.phase is not EndPhase.DECIDED

    @property
    def done(self) -> bool:
        return self.ending is not None and self.ending.phase is EndPhase.DONE
