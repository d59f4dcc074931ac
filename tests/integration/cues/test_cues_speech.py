"""Saying cues: a real espeak-ng renders one to a WAV, and the speech worker's queue.

The worker is driven with a stand-in speaker: a real subprocess (a tiny Python
script) that records the text it was asked to say, then holds until the test
lets it go, so what waits in the queue while a cue is being said is decided by
the test, not by timing.
"""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import struct
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from treadpace.cues import wiring
from treadpace.cues.speech import Speaker, espeak_command
from treadpace.cues.text import speech
from treadpace.engine.events import Cue, CueChange, CueKind, RunState, StateChanged
from treadpace.plans.cue_settings import CuesSettings

SPEAK = """\
import pathlib, sys, time
pathlib.Path(sys.argv[1]).open("a").write(sys.argv[-1] + "\\n")
go = pathlib.Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
"""
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def change(name: str) -> Cue:
    return Cue(0.0, CueKind.CHANGE, CueChange.FASTER, step_name=name, step_amount=60.0,
               speed_kmh=10.0)  # fmt: skip


def warning(seconds: int) -> Cue:
    kind = CueKind.UPCOMING if seconds > 3 else CueKind.COUNTDOWN
    return Cue(0.0, kind, CueChange.FASTER, seconds=seconds, speed_kmh=11.4)


class Stage:
    """The stand-in speaker: what it said, and the gate it waits at."""

    def __init__(self, tmp_path: Path) -> None:
        self.script = tmp_path / "speak.py"
        self.script.write_text(SPEAK)
        self.record = tmp_path / "said.txt"
        self.go = tmp_path / "go"
        self.command = [sys.executable, str(self.script), str(self.record), str(self.go)]

    def said(self) -> list[str]:
        return self.record.read_text().splitlines() if self.record.exists() else []

    async def speaking(self, count: int) -> None:
        """Wait (on the subprocess, bounded) until it has started saying `count` cues."""
        for _ in range(1000):
            if len(self.said()) >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the speaker never said {count} cues: {self.said()}")

    def release(self) -> None:
        self.go.touch()


async def test_a_full_queue_drops_its_oldest_cue(tmp_path: Path) -> None:
    stage = Stage(tmp_path)
    speaker = Speaker(stage.command, max_queue=2)
    worker = asyncio.create_task(speaker.work())
    speaker.offer(change("a"))
    await stage.speaking(1)
    for name in "bcd":  # while "a" is being said
        speaker.offer(change(name))
    assert speaker.dropped_full == 1
    stage.release()
    assert await speaker.flush(10.0)
    worker.cancel()
    assert stage.said() == [speech(change(n)) for n in "acd"]


async def test_a_cue_that_waited_too_long_is_dropped_unsaid(tmp_path: Path) -> None:
    stage = Stage(tmp_path)
    now = [0.0]
    speaker = Speaker(stage.command, stale_after_s=4.0, now=lambda: now[0])
    worker = asyncio.create_task(speaker.work())
    speaker.offer(change("a"))
    await stage.speaking(1)
    speaker.offer(change("late"))
    now[0] += 5.0  # "a" took 5 s to say
    speaker.offer(change("fresh"))
    stage.release()
    assert await speaker.flush(10.0)
    worker.cancel()
    assert stage.said() == [speech(change("a")), speech(change("fresh"))]
    assert speaker.dropped_stale == 1


async def test_a_newer_cue_supersedes_waiting_warnings_and_a_pause_drops_them(
    tmp_path: Path,
) -> None:
    stage = Stage(tmp_path)
    speaker = Speaker(stage.command)
    worker = asyncio.create_task(speaker.work())
    speaker.offer(change("a"))
    await stage.speaking(1)
    for s in (10, 3, 2):
        speaker.offer(warning(s))  # each makes the one before it pointless
    stage.release()
    assert await speaker.flush(10.0)
    assert stage.said() == [speech(change("a")), "2"]
    stage.go.unlink()
    speaker.offer(change("b"))
    await stage.speaking(3)
    speaker.offer(warning(10))
    speaker.handle(StateChanged(0.0, RunState.PAUSED, RunState.RUNNING))
    stage.release()
    assert await speaker.flush(10.0)
    worker.cancel()
    assert stage.said()[2:] == [speech(change("b"))]


async def test_taking_a_cue_never_waits_and_the_queue_stays_bounded(tmp_path: Path) -> None:
    stage = Stage(tmp_path)
    speaker = Speaker(stage.command, max_queue=3)
    worker = asyncio.create_task(speaker.work())
    speaker.offer(change("first"))
    await stage.speaking(1)
    for i in range(500):
        speaker.handle(change(f"c{i}"))  # synchronous: the engine's side never awaits
    assert speaker.dropped_full == 497
    stage.release()
    assert await speaker.flush(10.0)
    worker.cancel()
    assert stage.said()[1:] == [speech(change(f"c{i}")) for i in (497, 498, 499)]


async def test_a_speaker_that_cannot_run_falls_back_quietly(tmp_path: Path) -> None:
    speaker = Speaker([str(tmp_path / "no-such-program")])
    worker = asyncio.create_task(speaker.work())
    speaker.offer(change("a"))
    assert await speaker.flush(10.0)
    worker.cancel()
    assert speaker.command is None and speaker.said == []
    rings: list[int] = []
    bell = Speaker(None, bell=lambda: rings.append(1))
    bell.offer(change("a"))
    bell.offer(warning(3))
    assert len(rings) == 2


def test_quiet_the_virtual_clock_and_a_missing_espeak(monkeypatch: pytest.MonkeyPatch) -> None:
    on = CuesSettings()
    assert wiring.speaker(on, quiet=True, silent_clock=False, terminal=True) is None
    assert wiring.speaker(on, quiet=False, silent_clock=True, terminal=True) is None
    monkeypatch.setenv("PATH", "")
    assert espeak_command("en") is None
    bell_only = wiring.speaker(on, quiet=False, silent_clock=False, terminal=True)
    assert bell_only is not None and bell_only.command is None and bell_only.bell is not None
    assert wiring.speaker(on, quiet=False, silent_clock=False, terminal=False) is None


def loudness(path: Path) -> tuple[float, float]:
    """(seconds, RMS of the 16-bit samples) of a WAV file."""
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        seconds = w.getnframes() / w.getframerate()
        frames = w.readframes(w.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    return seconds, math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def test_espeak_ng_renders_a_cue_to_a_non_silent_wav(tmp_path: Path) -> None:
    command = espeak_command("en")
    if command is None:
        if IN_CI:
            pytest.fail("CI needs espeak-ng installed (see .ci/run)")
        pytest.skip("espeak-ng is not installed")
    assert shutil.which("espeak-ng") is not None
    out = tmp_path / "cue.wav"
    text = speech(Cue(0.0, CueKind.UPCOMING, CueChange.FASTER, seconds=10, speed_kmh=11.4))
    subprocess.run([*command, "-w", str(out), text], check=True, timeout=30)
    seconds, level = loudness(out)
    assert seconds > 1.0 and level > 500.0
    silent = tmp_path / "silent.wav"
    subprocess.run([*command, "-w", str(silent), " "], check=True, timeout=30)
    assert loudness(silent)[1] < 50.0  # the threshold tells speech from silence
