"""The notices the live view shows, and when each one stops being true.

A notice about a condition (no data, link lost, stopped on the treadmill, the
countdown, a console press held for the step) goes when the condition ends; any
other notice goes after a lifetime on the wall clock, so it can be read at any
`--time-scale`. Errors stay: they are about the belt and must still be on screen
when the run has ended. Everything is decided on `NoticeKind` and the typed
events, never on a notice's text. The same notice again while it is up is not
stacked: it is shown once, with how many times it was repeated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from treadpace.base.notice_level import NoticeLevel
from treadpace.base.repeats import repeated
from treadpace.engine.events import (
    Notice,
    NoticeKind,
    RunFinished,
    RunState,
    StateChanged,
    StepStarted,
    Tick,
)

LIFETIME_S = 12.0
"""Wall seconds a general notice stays up: long enough to read twice."""

KEEP = 3
"""At most this many notices at once (the newest)."""

_UNTIL_RUNNING = frozenset(
    {NoticeKind.START_ON_CONSOLE, NoticeKind.STOPPED_AT_TREADMILL, NoticeKind.LINK_LOST}
)
_UNTIL_DATA = frozenset({NoticeKind.STALE_DATA, NoticeKind.LINK_LOST})
_UNTIL_NEXT_STEP = frozenset(
    {NoticeKind.CONSOLE_CHANGE, NoticeKind.ABOVE_CAP, NoticeKind.STEP_TARGET, NoticeKind.STEP_HOW}
)
_ONE_AT_A_TIME = frozenset(
    {
        NoticeKind.COUNTDOWN,
        NoticeKind.STEP_TARGET,
        NoticeKind.STALE_DATA,
        NoticeKind.BROADCAST_CLIENT,
    }
)
"""Kinds where a new notice replaces the previous one instead of stacking."""
_LIMITED = frozenset(
    {
        NoticeKind.GENERAL,
        NoticeKind.GUIDED,
        NoticeKind.CONSOLE_CHANGE,
        NoticeKind.BROADCAST_CLIENT,
    }
)
"""Kinds that also expire after `LIFETIME_S` (the others last as long as their condition)."""


@dataclass(frozen=True, slots=True)
class _Shown:
    notice: Notice
    since: float  # wall clock, when it arrived
    repeats: int = 0
    """The same notice again while this one was up."""


class NoticeBoard:
    """Keeps the current notices; feed it every engine event, read `messages()`."""

    def __init__(
        self,
        now: Callable[[], float] = time.monotonic,
        lifetime_s: float = LIFETIME_S,
        keep: int = KEEP,
    ) -> None:
        self._now = now
        self._lifetime = lifetime_s
        self._keep = keep
        self._shown: list[_Shown] = []
        self.guided = False
        """The run went into guided mode (it does not come back out)."""

    def handle(self, e: object) -> bool:
        """Take one event; True when what is shown changed (worth a redraw)."""
        before = self.current()
        if isinstance(e, Notice):
            self._add(e)
        elif isinstance(e, Tick):
            self._drop(_UNTIL_DATA)
        elif isinstance(e, StepStarted):
            self._drop(_UNTIL_NEXT_STEP)
        elif isinstance(e, StateChanged):
            self._on_state(e.state, e.previous)
        elif isinstance(e, RunFinished):
            self._on_state(e.state, RunState.RUNNING)
        return self.current() != before

    def current(self) -> list[Notice]:
        """The notices to show now, oldest first."""
        self._expire()
        return [s.notice for s in self._shown]

    def messages(self) -> list[str]:
        self._expire()
        return [repeated(s.notice.message, s.repeats) for s in self._shown]

    def _add(self, n: Notice) -> None:
        if n.kind == NoticeKind.GUIDED:
            self.guided = True
        if n.kind in _ONE_AT_A_TIME:
            self._drop(frozenset({n.kind}))
        same = [s for s in self._shown if _same(s.notice, n)]
        repeats = same[0].repeats + 1 if same else 0
        kept = [s for s in self._shown if not _same(s.notice, n)]
        self._shown = [*kept, _Shown(n, self._now(), repeats)][-self._keep :]

    def _on_state(self, state: RunState, previous: RunState) -> None:
        if previous == RunState.COUNTDOWN:
            self._drop(frozenset({NoticeKind.COUNTDOWN}))
        if state == RunState.RUNNING:
            self._drop(_UNTIL_RUNNING)
        elif state in (RunState.FINISHED, RunState.ABORTED):
            # Nothing is pending any more; only what was said about the belt stays.
            self._shown = [s for s in self._shown if s.notice.level == NoticeLevel.ERROR]

    def _drop(self, kinds: frozenset[NoticeKind]) -> None:
        self._shown = [s for s in self._shown if s.notice.kind not in kinds]

    def _expire(self) -> None:
        now = self._now()
        self._shown = [
            s
            for s in self._shown
            if s.notice.level == NoticeLevel.ERROR
            or s.notice.kind not in _LIMITED
            or now - s.since < self._lifetime
        ]


def _same(a: Notice, b: Notice) -> bool:
    return a.message == b.message and a.kind == b.kind and a.level == b.level
