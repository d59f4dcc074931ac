"""A damaged journal made readable: impossible times repaired, lines put back in time order.

The journal is written in order by one process, but a file can still be
damaged afterwards (a disk error, an edit, a sync tool merging two copies): a
header whose `wall` is 1e300 or NaN, telemetry stamped in another century,
lines shuffled. Left in, such a value makes `datetime`, the FIT encoder or the
report chart fail with a traceback, and one such file would break `history`
for every run. Here, once, when a journal is read:

- the header's clock time `t` must be a number and its `wall` a time FIT can
  store (1990 to 2100); otherwise `wall` is taken from the first telemetry
  line with a usable one, else from the journal's file name (the belt's start);
- an event whose `t` is not a number or lies more than `MAX_SPAN_S` from the
  header's is dropped (no run is that long);
- a `wall` (telemetry, finish) that is not a number or lies more than
  `MAX_SPAN_S` from what the header and its `t` say is replaced by the latter;
- lines out of time order (by more than `ORDER_SLACK_S`) are put back in order
  (stable, and at one instant a step finishes before the next starts, and the
  run finishes last).

What was repaired is said in one warning line naming the file.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime
from pathlib import Path

from treadpace.engine.events import (
    EngineEvent,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    Tick,
)

MIN_WALL = 631_065_600.0
"""1990-01-01T00:00:00Z: FIT counts seconds from 1989-12-31."""
MAX_WALL = 4_102_444_800.0
"""2100-01-01T00:00:00Z: well inside FIT's 32-bit seconds."""
MAX_SPAN_S = 2 * 86_400.0
"""No run lasts two days: a time further from the start than this is damage."""
ORDER_SLACK_S = 5.0
"""Events from different parts of the engine reach the journal a few milliseconds out of
order (telemetry just after a setpoint stamped later): that is the journal as the engine
saw it, left as it is. A line further back in time than this is damage."""

_STAMP_FORMAT = "%Y-%m-%dT%H-%M-%S"
_STAMP_LENGTH = 19


def plausible_wall(wall: float) -> bool:
    """A Unix time a run can have started at, and that every export format can store."""
    return math.isfinite(wall) and MIN_WALL <= wall <= MAX_WALL


def sound_header(header: RunStarted) -> bool:
    return math.isfinite(header.t) and plausible_wall(header.wall)


def _rank(event: EngineEvent) -> int:
    # At one instant: a step finishes, then the next starts, and the run's finish comes last.
    if isinstance(event, StepFinished):
        return 0
    if isinstance(event, StepStarted):
        return 2
    if isinstance(event, RunFinished):
        return 3
    return 1


def _wall_from_name(path: Path) -> float | None:
    try:
        stamp = datetime.strptime(path.name[:_STAMP_LENGTH], _STAMP_FORMAT)
    except ValueError:
        return None
    wall = stamp.replace(tzinfo=UTC).timestamp()
    return wall if plausible_wall(wall) else None


def _repaired_header(
    path: Path, header: RunStarted, events: list[EngineEvent]
) -> RunStarted | None:
    """A header with a usable `t` and `wall`, or None when nothing says when the run was."""
    t = header.t
    if not math.isfinite(t):
        t = next((e.t for e in events if math.isfinite(e.t)), 0.0)
    wall = header.wall
    if not plausible_wall(wall):
        found = next(
            (
                e.wall - (e.t - t)
                for e in events
                if isinstance(e, Tick | RunFinished)
                and math.isfinite(e.t)
                and plausible_wall(e.wall - (e.t - t))
            ),
            None,
        )
        if found is None:
            found = _wall_from_name(path)
        if found is None:
            return None
        wall = found
    return dataclasses.replace(header, t=t, wall=wall)


def repair(
    path: Path, header: RunStarted, events: list[EngineEvent]
) -> tuple[RunStarted, list[EngineEvent], list[str]] | None:
    """(header, events, what was repaired), or None when the run's time cannot be known."""
    notes: list[str] = []
    if not sound_header(header):
        fixed = _repaired_header(path, header, events)
        if fixed is None:
            return None
        when = datetime.fromtimestamp(fixed.wall, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        notes.append(f"header wall {header.wall!r} is not a time (taken as {when})")
        header = fixed
    kept: list[EngineEvent] = []
    dropped = rewalled = 0
    for event in events:
        if not (math.isfinite(event.t) and abs(event.t - header.t) <= MAX_SPAN_S):
            dropped += 1
            continue
        if isinstance(event, Tick | RunFinished):
            expected = header.wall + (event.t - header.t)
            if not (math.isfinite(event.wall) and abs(event.wall - expected) <= MAX_SPAN_S):
                event = dataclasses.replace(event, wall=expected)
                rewalled += 1
        kept.append(event)
    if dropped:
        notes.append(f"{dropped} line(s) with an impossible time dropped")
    if rewalled:
        notes.append(f"{rewalled} impossible wall time(s) replaced")
    latest = -math.inf
    disorder = 0
    for event in kept:
        if event.t < latest - ORDER_SLACK_S:
            disorder += 1
        latest = max(latest, event.t)
    if disorder:
        kept.sort(key=lambda e: (e.t, _rank(e)))
        notes.append(f"{disorder} line(s) out of time order put back in order")
    return header, kept, notes
