"""Journals for tests: a synthetic run recorded as the recorder writes it.

`record` plays a `SyntheticRun` through a real `Recorder` (cut short after some events
when asked, as a crash leaves it) and returns the journal; `recorded` returns the
events too (its finish dropped when asked); `write_journal` writes given events
line by line without the recorder (for events the recorder would clean). `DAY` is
a day in seconds, to spread runs over days.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from treadpace.engine.events import EngineEvent, RunFinished, RunStarted
from treadpace.record.codec import encode_event
from treadpace.record.recorder import Recorder, journal_name
from treadpace.record.synthetic import SyntheticRun, synthetic_events

DAY = 86_400.0


def record(directory: Path, run: SyntheticRun, *, crash_after: int | None = None) -> Path:
    events: list[EngineEvent] = synthetic_events(run)
    if crash_after is not None:
        events = list(filter(lambda e: not isinstance(e, RunFinished), events))[:crash_after]
    recorder = Recorder(directory)
    for event in events:
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def recorded(
    directory: Path, run: SyntheticRun, *, drop_finish: bool = False
) -> tuple[Path, list[Any]]:
    events = synthetic_events(run)
    if drop_finish:
        events = [e for e in events if not isinstance(e, RunFinished)]
    recorder = Recorder(directory)
    for event in events:
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    return recorder.path, events


def write_journal(directory: Path, events: list[EngineEvent]) -> Path:
    """A journal as the recorder writes it: from the run's header on, one event per line."""
    first = next(i for i, e in enumerate(events) if isinstance(e, RunStarted))
    header = events[first]
    assert isinstance(header, RunStarted)
    path = directory / journal_name(header.wall, header.plan_name)
    path.write_text("".join(encode_event(e) + "\n" for e in events[first:]), encoding="utf-8")
    return path
