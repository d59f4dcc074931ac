"""Reading a journal back, including one cut short by a crash or a power cut.

`read_journal` returns the header (`RunStarted`) and the events after it. A
torn last line (the process died mid-write) or any other unreadable line is
skipped and counted, never fatal: an interrupted run can still be exported.
Any bytes are read this way (`treadpace.record.codec` bounds nesting and
numbers and checks every field's type), so one damaged line costs that line
(a damaged plan step in the header costs that step's target), never the run.
Impossible times and lines out of order are repaired by
`treadpace.record.repair`. Only a file with no readable header, or one that
cannot say when the run was, is refused, as a `UserError`.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from treadpace.base.user_error import UserError
from treadpace.engine.events import EngineEvent, RunFinished, RunStarted, RunState, Tick
from treadpace.record.codec import DAMAGED_STEP_LABEL, JournalLineError, decode_event
from treadpace.record.repair import repair

JOURNAL_SUFFIX = ".jsonl"
"""A journal's file name ends so (`Recorder` names them; `history` lists them)."""

log = logging.getLogger(__name__)

_said_repaired: set[Path] = set()


class RunStatus(enum.StrEnum):
    """How a recorded run ended, as history, exports and advice go by it (and show it)."""

    FINISHED = "finished"
    ABORTED = "aborted"
    INTERRUPTED = "interrupted"
    """No final line: a crash, a kill, a power cut."""


@dataclass
class Journal:
    path: Path
    header: RunStarted
    events: list[EngineEvent] = field(default_factory=list)
    bad_lines: int = 0
    truncated: bool = False
    """The last line was cut short (the writer died mid-line)."""

    @property
    def id(self) -> str:
        return self.path.name.removesuffix(".jsonl")

    @property
    def finished(self) -> RunFinished | None:
        for event in reversed(self.events):
            if isinstance(event, RunFinished):
                return event
        return None

    @property
    def ticks(self) -> list[Tick]:
        return [e for e in self.events if isinstance(e, Tick)]

    @property
    def status(self) -> RunStatus:
        return run_status(self.finished)

    def wall_at(self, t: float) -> float:
        """Unix time of clock time `t` (events carry `t`; the header ties it to `wall`)."""
        return self.header.wall + (t - self.header.t)


def run_status(finished: RunFinished | None) -> RunStatus:
    if finished is None:
        return RunStatus.INTERRUPTED
    return RunStatus.FINISHED if finished.state == RunState.FINISHED else RunStatus.ABORTED


def _read_lines(path: Path, lines: Iterable[str]) -> Journal:
    """The header and every readable event; a torn last line (no newline after it) is
    counted apart from the damaged lines before it."""
    numbered = enumerate(lines, start=1)
    first = next(numbered, (1, ""))[1].removesuffix("\n")
    if not first.strip():
        raise UserError(f"{path}:1: not a treadpace journal (expected a run_started header)")
    try:
        header = decode_event(first)
    except JournalLineError as exc:
        raise UserError(f"{path}:1: not a treadpace journal header ({exc})") from None
    if not isinstance(header, RunStarted):
        raise UserError(f"{path}:1: not a treadpace journal (expected a run_started header)")
    journal = Journal(path=Path(path), header=header)
    for number, text in numbered:
        ended = text.endswith("\n")
        line = text[:-1] if ended else text
        if not line.strip():
            continue
        try:
            journal.events.append(decode_event(line, header.steps))
        except JournalLineError as exc:
            if not ended:  # only the last line can lack its newline
                journal.truncated = True
                log.info("%s:%d: torn last line skipped (interrupted run)", path, number)
            else:
                journal.bad_lines += 1
                log.warning("%s:%d: unreadable journal line skipped: %s", path, number, exc)
    return journal


def read_journal(path: Path) -> Journal:
    try:
        # Line by line, never the whole file at once: a 3-hour journal is 6 MB of text,
        # which its events would otherwise be read beside. `newline="\n"` splits where
        # the writer did; a byte that is not UTF-8 reads as U+FFFD.
        with open(path, encoding="utf-8", errors="replace", newline="\n") as lines:
            journal = _read_lines(path, lines)
    except FileNotFoundError:
        raise UserError(f"{path}: no such run journal") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    header = journal.header
    repaired = repair(journal.path, journal.header, journal.events)
    if repaired is None:
        raise UserError(
            f"{path}:1: damaged journal: the header's wall is not a time ({header.wall!r})"
            " and no line says when the run was"
        )
    journal.header, journal.events, notes = repaired
    unreadable = sum(1 for step in header.steps if step.pace_label == DAMAGED_STEP_LABEL)
    if unreadable:
        notes.append(f"{unreadable} plan step(s) unreadable (shown as free steps)")
    if notes and journal.path not in _said_repaired:
        # Said once per file and process: `export latest` reads it for the history too.
        _said_repaired.add(journal.path)
        log.warning("%s: damaged journal repaired: %s", path, "; ".join(notes))
    return journal
