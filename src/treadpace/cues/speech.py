"""Saying cues out loud (espeak-ng), or ringing the terminal bell, never holding up the run.

`Speaker` is a sink of the event stream. Taking a cue is synchronous and
instant; a worker task says one cue at a time through a subprocess, so the
engine never waits on audio. The queue is small and bounded: a cue that waited
longer than `stale_after_s` (wall seconds: speech runs in real time whatever the
run's time scale) is dropped unsaid, a new cue drops queued countdown numbers
and warnings it supersedes, a pause or a skip drops queued warnings (the change
they announce moved or went), and a full queue drops its oldest cue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from treadpace.cues.text import speech
from treadpace.engine.events import Cue, CueKind, RunState, StateChanged, StepFinished
from treadpace.engine.hub import Subscription

log = logging.getLogger(__name__)

ESPEAK = "espeak-ng"
MAX_QUEUE = 3
STALE_AFTER_S = 4.0
SAY_TIMEOUT_S = 15.0
"""A speech process still going after this long is killed (a wedged audio device)."""
DRAIN_S = 6.0
"""At the end of a run, how long the last cues may take to be said."""

_WARNINGS = frozenset({CueKind.UPCOMING, CueKind.COUNTDOWN})
_SUPERSEDES: dict[CueKind, frozenset[CueKind]] = {
    CueKind.UPCOMING: frozenset({CueKind.COUNTDOWN}),
    CueKind.COUNTDOWN: _WARNINGS,
    CueKind.CHANGE: _WARNINGS,
    CueKind.LAST_STEP: _WARNINGS,
    CueKind.FINISH: _WARNINGS,
    CueKind.HALFWAY: frozenset(),
}
"""What a new cue makes pointless among the queued ones."""


def espeak_command(language: str, speed_wpm: int = 165) -> list[str] | None:
    """The espeak-ng command line (the text goes last), or None when it is not installed."""
    path = shutil.which(ESPEAK)
    if path is None:
        return None
    return [path, "-v", language, "-s", str(speed_wpm)]


@dataclass
class _Queued:
    cue: Cue
    since: float


class Speaker:
    """Says cues with `command` (+ the text), or rings `bell`, from its own task."""

    def __init__(
        self,
        command: Sequence[str] | None,
        *,
        bell: Callable[[], None] | None = None,
        max_queue: int = MAX_QUEUE,
        stale_after_s: float = STALE_AFTER_S,
        say_timeout_s: float = SAY_TIMEOUT_S,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.command = list(command) if command else None
        self.bell = bell
        self.max_queue = max_queue
        self.stale_after_s = stale_after_s
        self.say_timeout_s = say_timeout_s
        self._now = now
        self._queue: deque[_Queued] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._speaking = False
        self._finished = False
        self.said: list[str] = []
        self.dropped_full = 0
        self.dropped_stale = 0
        self.dropped_superseded = 0

    async def consume(self, sub: Subscription, drain_s: float = DRAIN_S) -> None:
        worker = asyncio.create_task(self.work(), name="speech")
        try:
            async for event in sub:
                self.handle(event)
            if self._finished:
                await self.flush(drain_s)  # "Run complete" is worth a few seconds; no more
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    def handle(self, e: object) -> None:
        """Take one event; never waits."""
        if isinstance(e, Cue):
            self.offer(e)
        elif (isinstance(e, StateChanged) and e.state != RunState.RUNNING) or (
            isinstance(e, StepFinished) and e.skipped
        ):
            self._drop(_WARNINGS, stale=True)

    def offer(self, cue: Cue) -> None:
        self._finished = self._finished or cue.kind == CueKind.FINISH
        if self.bell is not None and self.command is None:
            self.bell()
        if self.command is None:
            return
        self._drop(_SUPERSEDES.get(cue.kind, frozenset()), stale=False)
        while len(self._queue) >= self.max_queue:
            self._queue.popleft()
            self.dropped_full += 1
        self._queue.append(_Queued(cue, self._now()))
        self._idle.clear()
        self._wake.set()

    @property
    def busy(self) -> bool:
        return self._speaking or bool(self._queue)

    async def flush(self, timeout_s: float) -> bool:
        """Wait (wall time, at most `timeout_s`) until everything queued was said or dropped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        return not self.busy

    async def work(self) -> None:
        while True:
            while not self._queue:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
            item = self._queue.popleft()
            if self._now() - item.since > self.stale_after_s:
                self.dropped_stale += 1
                continue
            self._speaking = True
            try:
                await self._say(speech(item.cue))
            finally:
                self._speaking = False

    async def _say(self, text: str) -> None:
        assert self.command is not None
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.command,
                text,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,  # audio-library chatter would tear the view
            )
        except OSError as exc:
            log.warning("cues: cannot run %s (%s): the bell and the banner only", ESPEAK, exc)
            self.command = None
            self._queue.clear()
            return
        try:
            await asyncio.wait_for(proc.wait(), self.say_timeout_s)
        except TimeoutError:
            log.warning("cues: speech took over %g s; cut short", self.say_timeout_s)
        finally:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await asyncio.shield(proc.wait())
        self.said.append(text)

    def _drop(self, kinds: frozenset[CueKind], *, stale: bool) -> None:
        kept = deque(q for q in self._queue if q.cue.kind not in kinds)
        gone = len(self._queue) - len(kept)
        if stale:
            self.dropped_stale += gone
        else:
            self.dropped_superseded += gone
        self._queue = kept
        if not self.busy:
            self._idle.set()
