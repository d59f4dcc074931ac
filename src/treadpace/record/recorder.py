"""The live sink that saves a run as it happens: an append-only JSON-lines journal.

A run that is not saved did not happen, so the journal is written while the
belt moves rather than at the end:

- every line is handed to the OS as soon as it is written (a crash of this
  process loses nothing already written);
- the file is fsync'd whenever `fsync_interval` seconds of real time have
  passed since the last sync (default 5 s), so a power cut loses at most that
  much of the run (the budget is 10 s); a virtual-clock test run therefore
  costs no fsync but the final one;
- telemetry (`Tick`) is kept at most once per wall-clock second (the last
  reading of that second, held back until the second is over, so a crash
  costs at most one more second), the other events all, so an hour costs
  about 4000 short writes: far below 1 % CPU.

The journal is created when the belt starts (a run abandoned during the
countdown leaves nothing behind) and named from that moment, on the events'
clock (`RunStarted.wall`, which may be virtual):
`<YYYY-MM-DDTHH-MM-SS>-<plan-slug>.jsonl`, UTC, so names sort in time order
across time-zone and daylight-saving changes; runs starting in the same second
get `-2`, `-3`, ... after that name.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from treadpace.engine.events import (
    EngineEvent,
    RunFinished,
    RunStarted,
    RunState,
    StateChanged,
    Tick,
)
from treadpace.engine.hub import Subscription
from treadpace.record.codec import encode_event
from treadpace.record.journal import JOURNAL_SUFFIX

log = logging.getLogger(__name__)

_MAX_SAME_SECOND = 10_000


class NothingRecorded(RuntimeError):
    """The event stream ended before a run started: there is no journal to return."""


def slugify(text: str, limit: int = 40) -> str:
    """A file-name-safe form of a plan name: lowercase ASCII words joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "run"


def journal_name(wall: float, plan_name: str) -> str:
    stamp = datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H-%M-%S")
    return f"{stamp}-{slugify(plan_name)}{JOURNAL_SUFFIX}"


def _create_journal(directory: Path, name: str) -> tuple[Path, IO[str]]:
    """Create `name` in `directory`, or `<stem>-2`, `-3`, ... when runs share a second.

    One counter on the base name (never `-2-3-4`, which grows until the name is
    too long for the file system), and exclusive creation, so two runs never share
    a file even when they start together.
    """
    stem = name.removesuffix(JOURNAL_SUFFIX)
    for n in range(1, _MAX_SAME_SECOND + 1):
        path = directory / (name if n == 1 else f"{stem}-{n}{JOURNAL_SUFFIX}")
        with contextlib.suppress(FileExistsError):
            # Line-buffered text: each newline hands the line to the OS at once.
            return path, path.open("x", encoding="utf-8", buffering=1)
    raise FileExistsError(f"{_MAX_SAME_SECOND} journals already named {stem}")


def _fsync_directory(directory: Path) -> None:
    # The new file's directory entry must reach the disk too, or a power cut
    # can lose the whole file however often its content was synced.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Recorder:
    """Consume one run's events from a `Subscription` into a journal in `directory`."""

    def __init__(
        self,
        directory: Path,
        *,
        fsync_interval: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        fsync: Callable[[int], None] = os.fsync,
    ) -> None:
        if not 0 < fsync_interval <= 10:
            raise ValueError("fsync_interval must be in (0, 10] seconds")
        self.directory = Path(directory)
        self.fsync_interval = fsync_interval
        self._monotonic = monotonic
        self._fsync = fsync
        self.path: Path | None = None
        self._file: IO[str] | None = None
        self._header: RunStarted | None = None
        self._early: list[EngineEvent] = []
        self._last_tick_second: int | None = None
        self._pending: Tick | None = None
        self._last_sync = 0.0
        self._dirty = False
        self.lines_written = 0
        self.syncs = 0
        self.failed = False

    async def consume(self, sub: Subscription) -> Path:
        """Write events until the stream ends; return the journal's path.

        Raises `NothingRecorded` when the stream ends before the belt started.
        Cancellation (Ctrl+C) and errors still leave a synced, readable journal.
        """
        try:
            async for event in sub:
                self.handle(event)
        finally:
            self.close()
        if self.path is None:
            if self.failed:
                raise NothingRecorded(f"{self.directory}: cannot create the run journal")
            raise NothingRecorded("the run ended before the belt started: nothing recorded")
        return self.path

    def handle(self, event: EngineEvent) -> None:
        """Record one event (synchronous: the consume loop's body, usable on its own)."""
        if self._file is None:
            if self.path is None and not self.failed:
                self._before_start(event)
            return
        if isinstance(event, RunStarted):
            log.warning("a second RunStarted in one recording was ignored")
            return
        if isinstance(event, Tick):
            # Keep the latest telemetry of each wall-clock second: it is written when
            # the next second starts or another event arrives, so the journal holds
            # the last reading before every step change, pause and finish.
            second = math.floor(event.wall)
            if self._pending is not None and math.floor(self._pending.wall) != second:
                self._write_pending()
            if second != self._last_tick_second:
                self._pending = event
            return
        self._write_pending()
        self._write(event)
        if isinstance(event, RunFinished):
            self.close()

    def _before_start(self, event: EngineEvent) -> None:
        # The engine announces a run when it connects; the journal is created when
        # the belt starts, so a run given up before its start leaves no file.
        if isinstance(event, RunStarted):
            if self._header is None:
                self._header = event
            return
        if isinstance(event, RunFinished):
            return
        started = (isinstance(event, StateChanged) and event.state == RunState.RUNNING) or (
            isinstance(event, Tick) and event.state == RunState.RUNNING
        )
        if not started or self._header is None:
            if not isinstance(event, Tick):
                self._early.append(event)
            return
        header = self._header
        self._open(header, header.wall + (event.t - header.t))
        early, self._early = self._early, []
        for e in early:
            self._write(e)
        self.handle(event)

    def _open(self, started: RunStarted, belt_start_wall: float) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path, self._file = _create_journal(
                self.directory, journal_name(belt_start_wall, started.plan_name)
            )
        except OSError as exc:
            log.error(
                "cannot create a journal in %s: %s (this run is not recorded)", self.directory, exc
            )
            self.failed = True
            self.path = None
            return
        self.path = path
        self._last_sync = self._monotonic()
        self._write(started)
        self._sync()
        _fsync_directory(path.parent)

    def _write(self, event: EngineEvent) -> None:
        if self._file is None:
            return
        try:
            self._file.write(encode_event(event) + "\n")
        except OSError as exc:
            log.error("journal write failed: %s (recording stops, the run goes on)", exc)
            self.failed = True
            self._abandon()
            return
        self.lines_written += 1
        self._dirty = True
        if self._monotonic() - self._last_sync >= self.fsync_interval:
            self._sync()

    def _write_pending(self) -> None:
        tick, self._pending = self._pending, None
        if tick is not None:
            self._last_tick_second = math.floor(tick.wall)
            self._write(tick)

    def _sync(self) -> None:
        if self._file is None:
            return
        try:
            self._file.flush()
            self._fsync(self._file.fileno())
        except OSError as exc:
            log.warning("journal fsync failed: %s", exc)
        self.syncs += 1
        self._dirty = False
        self._last_sync = self._monotonic()

    def _abandon(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()

    def close(self) -> None:
        """Flush, fsync and close (idempotent)."""
        if self._file is None:
            return
        self._write_pending()
        if self._dirty:
            self._sync()
        self._abandon()
