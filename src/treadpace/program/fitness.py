"""Has the runner's fitness changed since the program was built? Pure.

Two signs, each said when it moves the program's future weeks:

- The profile's paces changed (a new race result, or paces written by hand): the program's
  plans name their paces (`easy`, `threshold`), so every future workout runs at the new
  ones; `paces_changed` says by how much.
- Heart rate at the same speed: steady running of 10 minutes or more, in the last two weeks
  against the six weeks before. A lower heart rate at the same speed is a fitter runner
  (aerobic decoupling, the same idea read across runs). Around easy speeds heart rate
  rises roughly `BPM_PER_KMH` per km/h, so a drop of d bpm is worth d / `BPM_PER_KMH` km/h;
  half of that is taken, at most `MAX_OFFSET_S` s/km, and only for a drop or rise of
  `MIN_DRIFT_BPM` or more, seen in two runs or more on each side.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from treadpace.program.workout_plans import pace

BPM_PER_KMH = 9.0
MIN_DRIFT_BPM = 5.0
MAX_OFFSET_S = 10.0
SAME_SPEED_KMH = 0.3
RECENT_DAYS = 14
BEFORE_DAYS = 56
MIN_STEP_S = 600.0
_NAMED = re.compile(r"^(easy|steady|marathon|threshold)(?: [-+] \d+ s/km)?$")
_PACE_KEYS = ("first", "second", "third", "pace", "finish_pace", "start", "warmup", "cooldown")


@dataclass(frozen=True)
class Effort:
    """One steady stretch of a run: its day, speed and average heart rate."""

    day: dt.date
    speed_kmh: float
    hr_bpm: float


def hr_offset(efforts: Sequence[Effort], today: dt.date) -> tuple[float, str] | None:
    """(seconds per km faster, why) from heart-rate drift at the same speed, or None."""
    recent = [e for e in efforts if 0 <= (today - e.day).days < RECENT_DAYS]
    before = [e for e in efforts if RECENT_DAYS <= (today - e.day).days < BEFORE_DAYS]
    drops: list[tuple[float, float]] = []
    for speed in sorted({round(e.speed_kmh, 1) for e in recent}):
        now = [e.hr_bpm for e in recent if abs(e.speed_kmh - speed) <= SAME_SPEED_KMH]
        then = [e.hr_bpm for e in before if abs(e.speed_kmh - speed) <= SAME_SPEED_KMH]
        if len(now) >= 2 and len(then) >= 2:
            drops.append((speed, sum(then) / len(then) - sum(now) / len(now)))
    if not drops:
        return None
    speed, drop = max(drops, key=lambda d: abs(d[1]))
    if abs(drop) < MIN_DRIFT_BPM:
        return None
    gained = drop / BPM_PER_KMH / 2
    offset = 3600 / speed - 3600 / max(1.0, speed + gained)
    offset = max(-MAX_OFFSET_S, min(MAX_OFFSET_S, offset))
    word = "lower" if drop > 0 else "higher"
    return offset, (
        f"heart rate at {speed:.1f} km/h is {abs(drop):.0f} bpm {word} than in the weeks "
        f"before: future paces {abs(round(offset))} s/km {'faster' if offset > 0 else 'easier'}"
    )


def with_offset(plan: Mapping[str, Any], offset_s: float) -> dict[str, Any]:
    """`plan` with each plain named pace (`easy`, `easy - 3 s/km`) moved to `offset_s`."""

    def moved(value: Any) -> Any:
        if isinstance(value, str) and (m := _NAMED.match(value)):
            return pace(m[1], offset_s)
        return value

    out = {k: moved(v) if k in _PACE_KEYS else v for k, v in plan.items()}
    if isinstance(out.get("segments"), list):
        out["segments"] = [
            {**s, "pace": moved(s.get("pace"))} if isinstance(s, dict) and "pace" in s else s
            for s in out["segments"]
        ]
    return out


def paces_changed(before: Mapping[str, float], now: Mapping[str, float]) -> str | None:
    """What changed between two sets of named paces (s/km), when any moved a second or more."""
    moved = [
        f"{name} {_mmss(before[name])} -> {_mmss(now[name])}/km"
        for name in ("easy", "marathon", "threshold")
        if name in before and name in now and abs(before[name] - now[name]) >= 1.0
    ]
    if not moved:
        return None
    return "the profile's paces changed (" + ", ".join(moved) + "): future weeks use the new ones"


def _mmss(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
