"""intervals.icu plain-text workouts, read (from the format's public description).

A step is a line starting with `-`: optional cue text, a length, a target.
Lengths: `10m` (m is minutes), `30s`, `1h30m`, `5'30"`, or a distance `1km`,
`400mtr`, `1mi`. Targets: an absolute pace or range (`5:00/km`,
`4:50-5:00/km`, `8:00/mi`), a percentage of threshold pace (`85% Pace`,
`80-85% Pace`, i.e. of its speed), a pace zone (`Z2 Pace`), a `ramp` between two
of those, or `freeride`. Pace zones map to the runner's named paces: Z1 easy,
Z2 steady, Z3 marathon, Z4 threshold, Z5 interval. A header line ending in
`Nx`, or a line `Nx` alone, repeats the steps below it until a blank line or
the next header. The steps under a `Warmup` or `Cooldown` header (the sections
the format itself knows) are a warm-up or cool-down; every other step is an
effort. Heart-rate, power and cadence targets and `press lap` steps are
refused by name.
"""

from __future__ import annotations

import re
from typing import Any

from treadpace.workouts.common import (
    Imported,
    WorkoutError,
    check_size,
    custom_plan,
    distance_field,
    duration_field,
)

ZONE_PACES = {1: "easy", 2: "steady", 3: "marathon", 4: "threshold", 5: "interval"}
_SECTION_ROLES = {"warmup": "warmup", "cooldown": "cooldown"}
"""Section headers intervals.icu itself reads as a warm-up or cool-down (any case, spaced or
hyphenated); any other header is only a name."""

_NUM = r"\d+(?:\.\d+)?"
_TIME = re.compile(
    rf"^(?:(?P<h>{_NUM})h)?(?:(?P<m>{_NUM})m)?(?:(?P<s>{_NUM})s)?$"
    rf"|^(?:(?P<am>{_NUM})')?(?:(?P<as>{_NUM})\")?$",
    re.I,
)
_DISTANCE = re.compile(rf"^(?P<n>{_NUM})(?P<u>km|mi|mtr)$", re.I)
_PACE = r"\d+:\d{2}(?:\.\d+)?"
_ABS = re.compile(rf"^(?P<a>{_PACE})(?:-(?P<b>{_PACE}))?/(?P<u>km|mi)(?:\s+pace)?$", re.I)
_PCT = re.compile(rf"^(?P<a>{_NUM})(?:-(?P<b>{_NUM}))?%\s*pace$", re.I)
_ZONE = re.compile(r"^z(?P<z>[1-5])\s*pace$", re.I)
_REPEAT = re.compile(r"(?:^|\s)(?P<n>\d+)\s*x$", re.I)
_REFUSED = (
    (re.compile(r"\b(?:hr|lthr)\b", re.I), "heart-rate targets are not supported"),
    (re.compile(r"\d\s*rpm\b", re.I), "cadence targets are not supported"),
    (
        re.compile(r"\d\s*w\b|\bftp\b|^z\d$|^\d+(?:-\d+)?%$", re.I),
        "power targets are not supported",
    ),
    (re.compile(r"\bpress\s+lap\b", re.I), "a step ended by the lap button is not supported"),
)


def _length(token: str, where: str) -> dict[str, str] | None:
    m = _DISTANCE.match(token)
    if m:
        unit = {"km": 1000.0, "mi": 1609.344, "mtr": 1.0}[m["u"].lower()]
        return distance_field(float(m["n"]) * unit, f"{where}: {token}")
    m = _TIME.match(token)
    if m and any(m.group(g) for g in ("h", "m", "s", "am", "as")):
        parts = {g: float(m.group(g) or 0) for g in ("h", "m", "s", "am", "as")}
        seconds = parts["h"] * 3600 + (parts["m"] + parts["am"]) * 60 + parts["s"] + parts["as"]
        if seconds > 0:
            return duration_field(seconds, f"{where}: {token}")
    return None


def _one(text: str, where: str) -> tuple[str, str | None]:
    """A target as (start pace, end pace or None for a range's middle) in plan spelling."""
    m = _ABS.match(text)
    if m:
        unit = m["u"].lower()
        if m["b"]:
            return f"{m['a']}/{unit}", f"{m['b']}/{unit}"
        return f"{m['a']}/{unit}", None
    m = _PCT.match(text)
    if m:
        return f"{m['a']}% threshold", (f"{m['b']}% threshold" if m["b"] else None)
    m = _ZONE.match(text)
    if m:
        return ZONE_PACES[int(m["z"])], None
    raise WorkoutError(
        f"{where}: expected a target like 5:00/km, 4:50-5:00/km, 85% Pace or Z2 Pace, got {text!r}"
    )


def _target(text: str, where: str, notes: list[str]) -> dict[str, str | bool]:
    for pattern, why in _REFUSED:
        if pattern.search(text):
            raise WorkoutError(f"{where}: {text!r}: {why}")
    if not text:
        raise WorkoutError(f"{where}: expected a target after the length (a pace, % Pace, Z2 Pace)")
    if text.lower() == "freeride":  # the runner's own pace: a free step
        return {"free": True}
    ramp = re.match(r"^ramp\s+(.*)$", text, re.I)
    start, end = _one(ramp[1] if ramp else text, where)
    if ramp:
        if end is None:
            raise WorkoutError(
                f"{where}: expected a ramp between two targets, like ramp 60-80% Pace"
            )
        return {"from": start, "to": end}
    if end is None:
        return {"pace": start}
    if start.endswith("threshold"):
        middle = (float(start.split("%")[0]) + float(end.split("%")[0])) / 2
        return {"pace": f"{middle:g}% threshold"}
    fast = start.partition("/")[0]
    return {"pace": f"{fast}-{end}"}


def _role(header: str | None) -> dict[str, str]:
    """The role a section header gives its steps: only the format's Warmup and Cooldown."""
    key = re.sub(r"[\s-]", "", header or "").lower()
    return {"role": _SECTION_ROLES[key]} if key in _SECTION_ROLES else {}


def _step(line: str, number: int, header: str | None, notes: list[str]) -> dict[str, Any]:
    where = f"line {number}"
    words = line.lstrip("-").strip().split()
    for i, word in enumerate(words):
        length = _length(word, where)
        if length is not None:
            cue = " ".join(words[:i]).strip()
            target = _target(" ".join(words[i + 1 :]).strip(), where, notes)
            name = cue or header or f"step {number}"
            return {"name": name, **length, **target, **_role(header)}
    raise WorkoutError(f"{where}: expected a length like 10m, 30s, 1km or 400mtr, got {line!r}")


def read_icu(data: bytes, name: str) -> Imported:
    check_size(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkoutError("(file): expected UTF-8 text (an intervals.icu workout)") from None
    segments: list[Any] = []
    notes: list[str] = []
    block: list[Any] | None = None
    header: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            block = None
            continue
        if line.startswith("-"):
            step = _step(line, number, header, notes)
            (block if block is not None else segments).append(step)
            continue
        repeat = _REPEAT.search(line)
        header = line[: repeat.start()].strip() if repeat else line
        header = header or None
        block = None
        if repeat:
            digits = repeat["n"]
            # Read only when short: 4,301 digits and more are an error in int() itself.
            if len(digits) > 3 or not 1 <= int(digits) <= 100:
                shown = digits if len(digits) <= 6 else f"{digits[:6]}..."
                raise WorkoutError(f"line {number}: expected 1x to 100x, got {shown}x")
            times = int(digits)
            block = []
            segments.append({"repeat": {"times": times, "segments": block}})
    for item in segments:
        if "repeat" in item and not item["repeat"]["segments"]:
            raise WorkoutError("a repeat (Nx) with no steps under it: expected - lines after it")
    title = name.rsplit(".", 1)[0]
    return Imported(custom_plan(title, f"Imported from {name} (intervals.icu)", segments), notes)
