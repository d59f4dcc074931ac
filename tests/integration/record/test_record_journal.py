"""The run journal: what the recorder writes from an event stream, and that it survives crashes."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import re
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.where import ROOT
from treadpace.base.notice_level import NoticeLevel
from treadpace.base.user_error import UserError
from treadpace.engine.events import (
    EngineEvent,
    Notice,
    RunFinished,
    RunStarted,
    RunState,
    SetpointSent,
    StateChanged,
    StepFinished,
    StepStarted,
    Tick,
)
from treadpace.engine.hub import EventHub
from treadpace.record import export_run
from treadpace.record.activity import build_activity
from treadpace.record.codec import decode_event, encode_event
from treadpace.record.journal import RunStatus, read_journal
from treadpace.record.recorder import NothingRecorded, Recorder, journal_name, slugify
from treadpace.record.synthetic import SyntheticRun, synthetic_events


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def record(directory: Path, events: Sequence[EngineEvent]) -> tuple[Path, Recorder]:
    hub = EventHub()
    sub = hub.subscribe()
    recorder = Recorder(directory)
    task = asyncio.create_task(recorder.consume(sub))
    for event in events:
        hub.publish(event)
    hub.close()
    return await task, recorder


async def test_journal_holds_header_steps_states_notices_and_finish(tmp_path: Path) -> None:
    events = synthetic_events(SyntheticRun(pause_at_s=60))
    events.insert(10, Notice(t=4.0, level=NoticeLevel.INFO, message="guided mode"))
    events.insert(11, SetpointSent(t=4.0, speed_kmh=9.0, incline_percent=0.0, reason="step"))
    path, _ = await record(tmp_path, events)

    assert path.parent == tmp_path
    assert path.name == "2026-01-01T07-30-03-synthetic-progression.jsonl"  # the belt start
    rows = lines_of(path)
    header = rows[0]
    assert header["type"] == "run_started"
    assert header["plan_name"] == "Synthetic progression"
    assert [s["name"] for s in header["steps"]] == ["warm-up", "steady", "fast finish"]
    types = [r["type"] for r in rows]
    assert types[-1] == "run_finished"
    assert types.count("step_started") == 3 and types.count("step_finished") == 3
    assert "notice" in types and "setpoint" in types
    # The StateChanged published before RunStarted is kept, right after the header.
    assert rows[1] == {
        "type": "state",
        "t": 0.0,
        "state": "ready",
        "previous": "idle",
        "reason": "",
    }
    assert {"paused", "running", "finished"} <= {r["state"] for r in rows if r["type"] == "state"}

    journal = read_journal(path)
    assert journal.status is RunStatus.FINISHED and journal.status.value == "finished"
    assert not journal.truncated and journal.bad_lines == 0
    # Reading gives back the very events, bar the thinned-out telemetry.
    # (up to the journal's rounding: milliseconds, millimetres).
    kept = [encode_event(e) for e in events if not isinstance(e, (Tick, RunStarted))]
    assert [encode_event(e) for e in journal.events if not isinstance(e, Tick)] == kept
    assert journal.header == events[1]


async def test_telemetry_is_kept_at_most_once_per_second(tmp_path: Path) -> None:
    events = synthetic_events(SyntheticRun(hz=10.0))
    ticks_in = [e for e in events if isinstance(e, Tick)]
    path, _ = await record(tmp_path, events)
    ticks = [r for r in lines_of(path) if r["type"] == "tick"]
    seconds = [int(r["wall"]) for r in ticks]
    assert len(seconds) == len(set(seconds))  # never two in one second
    span = int(ticks_in[-1].wall) - int(ticks_in[0].wall) + 1
    assert len(ticks) == span  # and none of the seconds is missing
    assert len(ticks) < len(ticks_in) / 9


def test_every_line_reaches_the_os_at_once(tmp_path: Path) -> None:
    """A crash of this process loses nothing already handled: no user-space buffering."""
    recorder = Recorder(tmp_path, fsync=lambda fd: None)
    try:
        for n, event in enumerate(synthetic_events()[:40]):
            recorder.handle(event)
            if recorder.path is not None:
                on_disk = recorder.path.read_text()
                assert on_disk.endswith("\n")
                assert on_disk.count("\n") == recorder.lines_written, n
    finally:
        recorder.close()  # the run is cut short, so nothing else closes the journal


def test_fsync_interval_bounds_what_a_power_cut_can_lose(tmp_path: Path) -> None:
    now = [100.0]
    synced_at: list[float] = []
    recorder = Recorder(
        tmp_path,
        fsync_interval=5.0,
        monotonic=lambda: now[0],
        fsync=lambda fd: synced_at.append(now[0]),
    )
    written_at: list[float] = []
    for event in synthetic_events(SyntheticRun(hz=4.0)):
        now[0] = 100.0 + event.t  # real time runs with the run
        before = recorder.lines_written
        recorder.handle(event)
        if recorder.lines_written > before:
            written_at.append(now[0])
    # Not more often than every interval (the final sync at the finish aside) ...
    gaps = [b - a for a, b in itertools.pairwise(synced_at[:-1])]
    assert gaps and min(gaps) >= 5.0
    # ... and every written line reached the disk within 10 s of being written.
    for t in written_at:
        assert any(t <= s <= t + 10.0 for s in synced_at), t
    assert synced_at[-1] == written_at[-1]  # closed with a sync at RunFinished
    with pytest.raises(ValueError):
        Recorder(tmp_path, fsync_interval=30.0)


async def test_cancelled_recording_is_closed_and_readable(tmp_path: Path) -> None:
    hub = EventHub()
    sub = hub.subscribe()
    synced: list[int] = []
    recorder = Recorder(tmp_path, fsync=synced.append)
    task = asyncio.create_task(recorder.consume(sub))
    events = [e for e in synthetic_events() if not isinstance(e, RunFinished)][:200]
    for event in events:
        hub.publish(event)
    while not sub._queue.empty():  # noqa: ASYNC110 - let the recorder drain the queue
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert recorder.path is not None and synced
    journal = read_journal(recorder.path)
    assert journal.status == "interrupted"
    assert len(journal.events) + 1 == recorder.lines_written


async def test_stream_without_a_start_records_nothing(tmp_path: Path) -> None:
    with pytest.raises(NothingRecorded):
        await record(tmp_path, [StateChanged(0.0, RunState.READY, RunState.IDLE)])
    # Connected, counted down, then given up before the belt moved: no journal either.
    abandoned = [
        *synthetic_events()[:3],
        Notice(t=1.0, level=NoticeLevel.INFO, message="starting in 2"),
        StateChanged(2.0, RunState.ABORTED, RunState.COUNTDOWN, "stopped by the runner"),
        RunFinished(
            t=2.0,
            wall=0.0,
            state=RunState.ABORTED,
            reason="x",
            distance_m=0.0,
            elapsed_s=0.0,
            steps=(),
        ),
    ]
    with pytest.raises(NothingRecorded, match="before the belt started"):
        await record(tmp_path, abandoned)
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240


async def test_unwritable_directory_does_not_break_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    hub = EventHub()
    recorder = Recorder(blocker / "runs")
    sub = hub.subscribe()
    task = asyncio.create_task(recorder.consume(sub))
    for event in synthetic_events()[:50]:
        hub.publish(event)
    hub.close()
    with pytest.raises(NothingRecorded, match="cannot create"):
        await task
    assert recorder.failed


async def test_second_run_in_the_same_second_gets_its_own_file(tmp_path: Path) -> None:
    first, _ = await record(tmp_path, synthetic_events(SyntheticRun(stop_after_s=5)))
    second, _ = await record(tmp_path, synthetic_events(SyntheticRun(stop_after_s=5)))
    assert first != second and first.exists() and second.exists()
    assert second.name.endswith("-2.jsonl")


async def test_runs_sharing_a_second_count_on_one_suffix(tmp_path: Path) -> None:
    # Each clash used to add a suffix to the last name (-2-3-4-...) until the name
    # was too long for the file system and runs were no longer recorded.
    events = synthetic_events(SyntheticRun(stop_after_s=2))
    paths = [(await record(tmp_path, events))[0] for _ in range(6)]
    base = paths[0].name.removesuffix(".jsonl")
    assert [p.name for p in paths] == [f"{base}.jsonl"] + [f"{base}-{n}.jsonl" for n in range(2, 7)]
    assert all(read_journal(p).finished is not None for p in paths)


@pytest.mark.parametrize(
    ("written", "read"),
    [("info", NoticeLevel.INFO), ("error", NoticeLevel.ERROR), ("shouting", NoticeLevel.WARNING)],
)
def test_a_notice_level_reads_back_as_its_enum_and_is_written_as_before(
    written: str, read: NoticeLevel
) -> None:
    line = json.dumps({"type": "notice", "t": 1.0, "level": written, "message": "m"})
    notice = decode_event(line)
    assert isinstance(notice, Notice) and notice.level is read
    # Its journal line is the one older versions wrote and read.
    assert json.loads(encode_event(notice))["level"] == read.value


def test_names_are_safe_and_sortable() -> None:
    assert slugify("Négatif split: 10 × 1 km!") == "negatif-split-10-1-km"
    assert slugify("???") == "run"
    assert journal_name(0.0, "A") == "1970-01-01T00-00-00-a.jsonl"


def test_torn_last_line_at_any_byte_still_reads_and_exports(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "runs")
    events = [e for e in synthetic_events() if not isinstance(e, RunFinished)][:80]
    for event in events:
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    data = recorder.path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    complete = read_journal(recorder.path)
    for cut in range(last_start + 1, len(data) - 1):
        torn = tmp_path / "torn.jsonl"
        torn.write_bytes(data[:cut])
        journal = read_journal(torn)
        assert journal.truncated
        assert journal.events == complete.events[:-1]
        assert journal.status == "interrupted"
    paths = export_run(torn, ["fit", "tcx", "csv"], out_dir=tmp_path / "out")
    assert [p.suffix for p in paths] == [".fit", ".tcx", ".csv"]
    assert all(p.stat().st_size > 200 for p in paths)


def test_garbage_in_the_middle_is_skipped_and_counted(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    for event in synthetic_events(SyntheticRun(stop_after_s=30)):
        recorder.handle(event)
    assert recorder.path is not None
    lines = recorder.path.read_text().splitlines(keepends=True)
    lines.insert(5, '{"type":"tick","t":"oops"}\n')
    lines.insert(7, "\x00\x00 not json\n")
    lines.insert(9, '{"type":"from_the_future","x":1}\n')
    tick = next(line for line in lines if line.startswith('{"type":"tick"'))
    lines.insert(11, re.sub(r'"speed_kmh":[0-9.]+', '"speed_kmh":"fast"', tick))
    lines.insert(12, re.sub(r'"state":"\w+"', '"state":"dancing"', tick))
    lines.insert(13, re.sub(r'"heart_rate_bpm":\d+', '"heart_rate_bpm":true', tick))
    recorder.path.write_text("".join(lines))
    journal = read_journal(recorder.path)
    assert journal.bad_lines == 6
    assert journal.status == "aborted"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not a treadpace journal"),
        ('{"type":"tick"}\n', "not a treadpace journal"),
        ("hello\n", "not a treadpace journal header"),
    ],
)
def test_not_a_journal_is_a_one_line_user_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(content)
    with pytest.raises(UserError, match=message) as info:
        read_journal(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    with pytest.raises(UserError, match="no such run journal"):
        read_journal(tmp_path / "missing.jsonl")


def test_killed_writer_leaves_an_exportable_journal(tmp_path: Path) -> None:
    """SIGKILL the process while a run is being recorded: everything written is there."""
    child = textwrap.dedent(
        """
        import asyncio, sys
        from pathlib import Path
        from treadpace.engine.events import RunFinished
        from treadpace.engine.hub import EventHub
        from treadpace.record.recorder import Recorder
        from treadpace.record.synthetic import SyntheticRun, synthetic_events

        async def main():
            hub = EventHub()
            sub = hub.subscribe()
            recorder = Recorder(Path(sys.argv[1]))
            task = asyncio.create_task(recorder.consume(sub))
            events = [e for e in synthetic_events(SyntheticRun(pause_at_s=50))]
            for event in events[: len(events) // 2]:
                hub.publish(event)
            while not sub._queue.empty():
                await asyncio.sleep(0)
            print(recorder.path, recorder.lines_written, flush=True)
            await asyncio.Event().wait()

        asyncio.run(main())
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with subprocess.Popen(
        [sys.executable, "-c", child, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        try:
            assert proc.stdout is not None
            path_text, written = proc.stdout.readline().split()
        finally:
            proc.kill()
    assert proc.returncode == -9
    journal = read_journal(Path(path_text))
    assert journal.status == "interrupted"
    assert len(journal.events) + 1 == int(written)
    activity = build_activity(journal)
    assert activity.distance_m > 0 and activity.laps
    assert activity.laps[-1].closed is False  # the step in progress at the kill
    fit = export_run(Path(path_text), ["fit"])[0]
    assert fit.exists() and fit.stat().st_size > 500


def test_interrupted_run_totals_come_from_the_last_telemetry(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    events = [e for e in synthetic_events() if not isinstance(e, RunFinished)]
    cut = next(i for i, e in enumerate(events) if isinstance(e, StepStarted) and e.index == 1) + 30
    for event in events[:cut]:
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    activity = build_activity(read_journal(recorder.path))
    last_tick = read_journal(recorder.path).ticks[-1]
    last_sent = [e for e in events[:cut] if isinstance(e, Tick)][-1]
    assert activity.status == "interrupted"
    assert last_tick == last_sent or last_tick.t == last_sent.t  # the last reading is kept
    assert activity.distance_m == pytest.approx(last_tick.distance_m, abs=1e-3)
    assert activity.timer_s == pytest.approx(last_tick.elapsed_s, abs=1e-3)
    assert len(activity.laps) == 2
    first_done = next(e for e in events if isinstance(e, StepFinished))
    assert activity.laps[0].distance_m == pytest.approx(first_done.distance_m, abs=1e-3)
    assert activity.laps[1].distance_m == pytest.approx(last_tick.step_distance_m, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(
    speed=st.floats(0, 30, allow_nan=False),
    distance=st.floats(0, 100_000, allow_nan=False),
    hr=st.one_of(st.none(), st.integers(30, 230)),
    incline=st.one_of(st.none(), st.floats(-5, 20, allow_nan=False)),
    state=st.sampled_from(list(RunState)),
)
def test_tick_round_trips_through_a_journal_line(
    speed: float, distance: float, hr: int | None, incline: float | None, state: RunState
) -> None:
    tick = Tick(
        t=12.25,
        wall=1_767_225_612.25,
        state=state,
        step_index=1,
        step_name="mile 2 — faster",
        speed_kmh=speed,
        target_speed_kmh=10.0,
        incline_percent=incline,
        target_incline_percent=1.0,
        heart_rate_bpm=hr,
        distance_m=distance,
        elapsed_s=9.0,
        step_elapsed_s=3.0,
        step_distance_m=8.0,
        step_remaining=100.0,
        progress=0.5,
    )
    back = decode_event(encode_event(tick))
    assert isinstance(back, Tick)
    assert back.state == state and back.heart_rate_bpm == hr and back.step_name == tick.step_name
    assert back.speed_kmh == pytest.approx(speed, abs=5e-4)
    assert back.distance_m == pytest.approx(distance, abs=5e-4)
    assert (back.incline_percent is None) == (incline is None)


def test_random_garbage_lines_are_skipped_never_fatal(tmp_path: Path) -> None:
    rng = random.Random(8)
    header = encode_event(synthetic_events()[1])
    lines = [header]
    valid = [encode_event(e) for e in synthetic_events(SyntheticRun(stop_after_s=20))[2:]]
    for _ in range(3000):
        kind = rng.random()
        if kind < 0.3:
            lines.append(rng.choice(valid))
        elif kind < 0.6:
            line = rng.choice(valid)
            cut = rng.randrange(len(line))
            lines.append(line[:cut] + line[cut + 1 :])  # one character lost
        else:
            lines.append(os.urandom(rng.randrange(1, 80)).decode("latin-1").replace("\n", " "))
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    journal = read_journal(path)
    assert journal.bad_lines + len(journal.events) == len(lines) - 1 - sum(
        1 for line in lines[1:] if not line.strip()
    )
    build_activity(journal)  # whatever survived still makes an activity


def test_a_notice_keeps_its_kind_through_the_journal() -> None:
    from treadpace.engine.events import Notice, NoticeKind
    from treadpace.record.codec import decode_event, encode_event

    stale = Notice(12.5, NoticeLevel.WARNING, "no data", NoticeKind.STALE_DATA)
    back = decode_event(encode_event(stale))
    assert back == stale and isinstance(back, Notice) and type(back.kind) is NoticeKind
    line = json.dumps({"type": "notice", "t": 1.0, "level": "info", "message": "hi"})
    old = decode_event(line)
    assert old == Notice(1.0, NoticeLevel.INFO, "hi", NoticeKind.GENERAL)
