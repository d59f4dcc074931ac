"""Damaged journals made on purpose, seeded, and everything that reads one run over them.

Shared by tests/integration/record/test_record_fuzz.py (a few thousand, in every run of
the suite) and benchmarks/input_fuzz.py (100,000 and more, on demand), so that both make the same
damage and hold the readers to the same rule: a journal comes out as a run (possibly
repaired, lines skipped) or as one `UserError` for the whole file, never as another
exception.

The damage is what disks, editors and sync tools do (bytes flipped, lines cut, lost,
doubled or swapped) and what a hostile or foreign file holds (a field of another type,
an object for a tag, 100,000 nested brackets, a 401- or 4,301-digit integer, NaN, a
lone surrogate), applied one to three times to a journal recorded from a synthetic run.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from treadpace.base.user_error import UserError
from treadpace.plans.steps import CompiledStep, StepRole
from treadpace.record.activity import build_activity
from treadpace.record.export import FORMATS
from treadpace.record.journal import read_journal
from treadpace.record.recorder import Recorder
from treadpace.record.run_report import headline, step_rows, text_chart
from treadpace.record.runs import summarize
from treadpace.record.synthetic import SyntheticRun, synthetic_events

SEED_STEPS = (
    CompiledStep("warm-up", "time", 40.0, 9.0, pace_label="easy", role=StepRole.WARMUP),
    CompiledStep("steady", "distance", 150.0, 11.0, incline_percent=1.0, pace_label="marathon"),
    CompiledStep("fast finish", "time", 30.0, 12.0, end_speed_kmh=13.5, pace_label="tempo"),
)
SEED_RUNS = (
    SyntheticRun(steps=SEED_STEPS, hz=0.5),
    SyntheticRun(
        steps=SEED_STEPS, hz=0.5, pause_at_s=20, pause_s=10, stop_after_s=70, imperial=True,
        zones=(100, 120, 140, 155, 170, 190),
    ),
)  # fmt: skip
"""Short runs (few telemetry lines): the damage, not the telemetry, is what is read."""

HOSTILE: tuple[Any, ...] = (
    {"a": 1}, [1, [2]], [], {}, "", "x" * 300, None, True, False, 0, -1, 3, 2**63,
    -(2**63), 1e308, -1e308, 5e-324, float("nan"), float("inf"), float("-inf"),
    10**400, -(10**400), "run_started", "tick", "finished", "running", "\ud800",
    "a\x00b\x1b[2J", [{"name": "x"}], {"type": "tick"},
)  # fmt: skip
HOSTILE_LINES: tuple[str, ...] = (
    "[" * 100_000,
    "{" * 20 + "}" * 20,
    "9" * 401,
    '{"type":"tick","t":' + "9" * 4301 + "}",
    '{"type":{"a":1}}',
    '{"type":["tick"],"t":1}',
    "null",
    '"run_started"',
    "",
    "\x00" * 40,
    '{"type":"run_started","plan_name":"' + "x" * 40 + "[" * 40,  # an unterminated string
)


def seed_journals(directory: Path) -> list[bytes]:
    """The bytes of each seed run's journal, recorded into `directory`."""
    out = []
    for run in SEED_RUNS:
        recorder = Recorder(directory)
        for event in synthetic_events(run):
            recorder.handle(event)
        recorder.close()
        assert recorder.path is not None
        out.append(recorder.path.read_bytes())
    return out


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into a parsed line (object keys and list indices), nested too."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return found
    for key, inner in items:
        found.append((*prefix, key))
        found.extend(_paths(inner, (*prefix, key)))
    return found


def _field(rng: random.Random, lines: list[bytes]) -> None:
    """A value somewhere in one line (nested ones too) replaced, or its key removed."""
    i = rng.randrange(len(lines))
    try:
        record = json.loads(lines[i])
    except (ValueError, RecursionError):
        return
    paths = _paths(record)
    if not paths:
        return
    *parents, key = rng.choice(paths)
    holder = record
    for parent in parents:
        holder = holder[parent]
    if isinstance(holder, dict) and rng.random() < 0.2:
        del holder[key]
    else:
        holder[key] = rng.choice(HOSTILE)
    lines[i] = json.dumps(record, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


def _bytes(rng: random.Random, lines: list[bytes]) -> None:
    i = rng.randrange(len(lines))
    line = bytearray(lines[i])
    for _ in range(rng.randint(1, 4)):
        if line:
            line[rng.randrange(len(line))] = rng.randrange(256)
    lines[i] = bytes(line)


def _line(rng: random.Random, lines: list[bytes]) -> None:
    i = rng.randrange(len(lines))
    what = rng.randrange(4)
    if what == 0 and len(lines) > 1:
        del lines[i]
    elif what == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif what == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines.insert(i, rng.choice(HOSTILE_LINES).encode())


def _cut(rng: random.Random, lines: list[bytes]) -> None:
    i = rng.randrange(len(lines))
    lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    del lines[i + 1 :]


_MUTATIONS: tuple[Callable[[random.Random, list[bytes]], None], ...] = (
    _field, _field, _field, _bytes, _line, _line, _cut,
)  # fmt: skip


def mutate(rng: random.Random, journal: bytes) -> bytes:
    """`journal` with one to three kinds of damage; the header is hit one time in four."""
    lines = journal.split(b"\n")[:-1]
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.25:
            head = [lines[0]]
            rng.choice(_MUTATIONS)(rng, head)
            lines[:1] = head[:1] if head else [b""]
        else:
            rng.choice(_MUTATIONS)(rng, lines)
    ending = b"\n" if rng.random() < 0.8 else b""
    return b"\n".join(lines) + ending


def read_every_way(path: Path, *, exports: bool) -> str:
    """What `history`, `export`, `report` and the page read of one journal; "run" or "refused".

    Anything but a run or one `UserError` for the whole file propagates: the fuzz's failure.
    """
    summarize_or_refuse(path)
    try:
        journal = read_journal(path)
    except UserError as exc:
        text = str(exc)
        assert "\n" not in text and str(path) in text, text
        return "refused"
    activity = build_activity(journal)
    for imperial in (False, True):
        headline(activity, imperial)
        step_rows(activity, imperial)
        text_chart(activity, imperial)
    if exports:
        for export in FORMATS.values():
            export(activity, io.BytesIO())
    return "run"


def summarize_or_refuse(path: Path) -> None:
    """`summarize` (what `history` and the page list) gives a summary, None or a UserError."""
    try:
        summarize(path)
    except UserError as exc:
        assert "\n" not in str(exc), str(exc)
