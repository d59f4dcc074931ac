"""Pace, speed, duration and distance spellings a runner writes in YAML or on the command line.

Pure parsing: every function takes text and returns exact numbers, or raises
`ValueError` whose message starts with "expected" (the loaders prefix it with
file, line and field). A pace expression may name a training pace of the
profile (`easy`, `marathon - 0:30/mi`); resolving the name to a speed needs the
profile, so that happens in `PaceExpr.speed_kmh`.

Offsets are applied in the offset's own unit: `marathon - 0:30/mi` converts the
marathon pace to seconds per mile first, then subtracts 30 s (running.md §6.1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from treadpace.base.units import KMH_PER_MPH, METRES_PER_MILE

PaceUnit = Literal["km", "mi"]

PACE_NAMES = ("easy", "marathon", "threshold", "interval", "repetition", "steady")
"""The named training paces a profile sets; the profile resolves each to s/km."""

RACE_PACE_NAMES = ("mile", "5k", "10k", "half")
"""Race paces predicted from the profile's VDOT (marathon is a training pace already)."""

PACE_ALIASES = {"tempo": "threshold"}
"""Other words runners use for a named pace."""

PLAN_PACE_NAMES = (*PACE_NAMES, *RACE_PACE_NAMES, *PACE_ALIASES)
"""Every name a plan may use as a target."""

_PACE_HINT = '"5:30/km", "8:45/mi", "12 km/h", "7.5 mph", "easy" or "marathon - 0:30/mi"'

_CLOCK = r"(?:(?:\d+:)?\d{1,2}:\d{1,2}(?:\.\d+)?|\d+:\d{1,2}(?:\.\d+)?)"
_NUM = r"(?:\d+(?:\.\d+)?|\.\d+)"
_PER_UNIT = r"(km|kilometre|kilometer|k|mi|mile)"
_SPEED_UNIT = r"(km/h|kmh|kph|mph)"

_PACE_RE = re.compile(rf"^(?P<clock>{_CLOCK})\s*(?:/\s*{_PER_UNIT})?$", re.I)
_SPEED_RE = re.compile(rf"^(?P<num>{_NUM})\s*{_SPEED_UNIT}$", re.I)
_NAMED_RE = re.compile(
    r"^(?P<name>[a-z_]+|5k|10k)(?:\s*(?P<sign>[+-])\s*(?P<rest>.+))?$",
    re.I,
)
_PERCENT_RE = re.compile(rf"^(?P<pct>{_NUM})\s*%\s*(?:of\s+)?(?P<name>[a-z_]+|5k|10k)$", re.I)
_RANGE_RE = re.compile(
    rf"^(?P<a>{_CLOCK})\s*(?:/\s*(?P<ua>{_PER_UNIT[1:-1]}))?\s*-\s*(?P<b>{_CLOCK})"
    rf"\s*(?:/\s*(?P<unit>{_PER_UNIT[1:-1]}))?$",
    re.I,
)
_OFFSET_PACE_RE = re.compile(rf"^(?P<amount>{_CLOCK}|{_NUM}\s*s)\s*/\s*{_PER_UNIT}$", re.I)


def _unit(text: str) -> PaceUnit:
    return "mi" if text.lower() in ("mi", "mile") else "km"


def parse_clock(text: str) -> float:
    """`"m:ss"`, `"h:mm:ss"` (fractions of a second allowed) to seconds."""
    parts = text.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f'expected a time like "25:00" or "1:05:30", got "{text}"')
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f'expected a time like "25:00" or "1:05:30", got "{text}"') from None
    if any(n < 0 or not math.isfinite(n) for n in nums) or any(n >= 60 for n in nums[1:]):
        raise ValueError(f'expected a time like "25:00" or "1:05:30", got "{text}"')
    total = 0.0
    for n in nums:
        total = total * 60 + n
    return total


_DURATION_WORDS = re.compile(
    rf"^(?P<num>{_NUM})\s*(?P<unit>h|hr|hrs|hour|hours|min|mins|minute|minutes|m|s|sec|secs|second|seconds)$",
    re.I,
)


def parse_duration(value: object) -> float:
    """A length of time: `"30:00"`, `"1:05:00"`, `"30 min"`, `"45 s"`, `"1 h"` -> seconds (> 0).

    A bare number is refused: "30" could be seconds or minutes, and a runner
    should never get the one they did not mean.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'expected a duration like "30:00" or "30 min", got {value!r}')
    text = value.strip()
    m = _DURATION_WORDS.match(text)
    if m:
        factor = {"h": 3600.0, "m": 60.0, "s": 1.0}[m["unit"][0].lower()]
        if m["unit"].lower().startswith("mi") or m["unit"].lower() == "m":
            factor = 60.0
        seconds = float(m["num"]) * factor
    elif ":" in text:
        seconds = parse_clock(text)
    else:
        raise ValueError(f'expected a duration like "30:00" or "30 min", got "{text}"')
    if seconds <= 0:
        raise ValueError(f'expected a duration longer than zero, got "{text}"')
    return seconds


_DISTANCE_NAMES: dict[str, float] = {
    "marathon": 42195.0,
    "half": 21097.5,
    "half marathon": 21097.5,
    "half-marathon": 21097.5,
    "hm": 21097.5,
    "mile": METRES_PER_MILE,
}
_DISTANCE_RE = re.compile(
    rf"^(?P<num>{_NUM})\s*(?P<unit>km|k|m|mi|mile|miles|metres|meters|kilometres|kilometers)$",
    re.I,
)


def parse_distance(value: object) -> float:
    """A distance: `"5 km"`, `"5k"`, `"400 m"`, `"3 mi"`, `"half"`, `"marathon"` -> metres (> 0)."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'expected a distance like "5 km", "3 mi" or "400 m", got {value!r}')
    text = value.strip()
    key = text.lower()
    if key in _DISTANCE_NAMES:
        return _DISTANCE_NAMES[key]
    m = _DISTANCE_RE.match(text)
    if not m:
        raise ValueError(f'expected a distance like "5 km", "3 mi" or "400 m", got "{text}"')
    num = float(m["num"])
    unit = m["unit"].lower()
    if unit in ("km", "k", "kilometres", "kilometers"):
        metres = num * 1000.0
    elif unit in ("mi", "mile", "miles"):
        metres = num * METRES_PER_MILE
    else:
        metres = num
    if metres <= 0:
        raise ValueError(f'expected a distance longer than zero, got "{text}"')
    return metres


def parse_speed(value: object) -> float:
    """A speed with its unit: `"12 km/h"`, `"7.5 mph"` -> km/h (> 0)."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'expected a speed like "12 km/h" or "7.5 mph", got {value!r}')
    m = _SPEED_RE.match(value.strip())
    if not m:
        raise ValueError(f'expected a speed like "12 km/h" or "7.5 mph", got "{value}"')
    num = float(m["num"])
    if num <= 0:
        raise ValueError(f'expected a speed above zero, got "{value}"')
    return num * KMH_PER_MPH if m[2].lower() == "mph" else num


def parse_percent(value: object) -> float:
    """An incline: a number or `"1.5%"` / `"1.5 %"` -> percent."""
    if isinstance(value, bool):
        raise ValueError(f'expected an incline in percent like 1.5 or "1.5%", got {value!r}')
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite incline in percent, got {value!r}")
        return float(value)
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return number
    raise ValueError(f'expected an incline in percent like 1.5 or "1.5%", got {value!r}')


def s_per_unit(s_per_km: float, unit: PaceUnit) -> float:
    return s_per_km * (METRES_PER_MILE / 1000.0) if unit == "mi" else s_per_km


def to_s_per_km(seconds: float, unit: PaceUnit) -> float:
    return seconds / (METRES_PER_MILE / 1000.0) if unit == "mi" else seconds


def format_clock(seconds: float, decimals: int = 0) -> str:
    """`m:ss` (or `h:mm:ss`), with `decimals` digits of the second when asked."""
    scale = 10**decimals
    total = round(seconds * scale) / scale
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    width = 2 if decimals == 0 else 3 + decimals
    sec = f"{s:0{width}.{decimals}f}"
    return f"{int(h)}:{int(m):02d}:{sec}" if h else f"{int(m)}:{sec}"


@dataclass(frozen=True)
class PaceExpr:
    """A parsed pace: an absolute speed, or a named training pace with an optional offset.

    Exactly one of `kmh` (absolute) and `name` is set. `offset_s` is seconds per
    `offset_unit` added to the named pace (negative = faster); `offset_kmh` is a
    speed added instead (`marathon + 0.5 km/h`). A bare clock (`"6:30"`) keeps
    `bare_s` and takes the runner's unit when resolved.
    """

    text: str
    kmh: float | None = None
    name: str | None = None
    offset_s: float = 0.0
    offset_unit: PaceUnit = "km"
    offset_kmh: float = 0.0
    bare_s: float | None = None
    percent: float = 100.0
    """`95% threshold`: this percentage of the named pace's speed (95 % is slower)."""

    def speed_kmh(self, paces: Mapping[str, float], imperial: bool) -> float:
        """Exact speed in km/h, given the runner's named paces in s/km.

        Raises ValueError ("expected ...") when an offset makes the pace
        impossible (zero or negative).
        """
        if self.kmh is not None:
            return self.kmh
        if self.bare_s is not None:
            unit: PaceUnit = "mi" if imperial else "km"
            return 3600.0 / to_s_per_km(self.bare_s, unit)
        assert self.name is not None
        if self.name not in paces:
            raise ValueError(
                f'expected a race: in the profile for "{self.text}" '
                f"({self.name} pace is predicted from the race's VDOT)"
            )
        base_s_km = paces[self.name]
        if self.percent != 100.0:
            return 3600.0 / base_s_km * self.percent / 100.0
        if self.offset_kmh:
            kmh = 3600.0 / base_s_km + self.offset_kmh
            if kmh <= 0:
                raise ValueError(f'expected "{self.text}" to be a speed above zero')
            return kmh
        s = s_per_unit(base_s_km, self.offset_unit) + self.offset_s
        if s <= 0:
            raise ValueError(f'expected "{self.text}" to leave a pace above zero')
        return 3600.0 / to_s_per_km(s, self.offset_unit)

    def __str__(self) -> str:
        return self.text


def parse_pace(value: object) -> PaceExpr:
    """Parse one of `"5:30/km"`, `"8:45/mi"`, `"12 km/h"`, `"7.5 mph"`, `easy`,
    `marathon - 0:30/mi`, `threshold + 5 s/km`, `easy + 0.5 km/h`, or a bare `"6:30"`."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"expected a pace like {_PACE_HINT}, got {value!r}")
    text = " ".join(value.split())
    if not text:
        raise ValueError(f"expected a pace like {_PACE_HINT}, got an empty string")
    m = _PACE_RE.match(text)
    if m:
        seconds = parse_clock(m["clock"])
        if seconds <= 0:
            raise ValueError(f'expected a pace slower than 0:00, got "{text}"')
        if m.lastindex and m.lastindex >= 2 and m[2]:
            unit = _unit(m[2])
            return PaceExpr(text=text, kmh=3600.0 / to_s_per_km(seconds, unit))
        return PaceExpr(text=text, bare_s=seconds)
    try:
        return PaceExpr(text=text, kmh=parse_speed(text))
    except ValueError:
        pass
    special = _range_or_percent(text)
    if special is not None:
        return special
    m = _NAMED_RE.match(text)
    if m and m["name"].lower() in PLAN_PACE_NAMES:
        name = m["name"].lower()
        name = PACE_ALIASES.get(name, name)
        if not m["sign"]:
            return PaceExpr(text=text, name=name)
        sign = -1.0 if m["sign"] == "-" else 1.0
        rest = m["rest"].strip()
        off = _OFFSET_PACE_RE.match(rest)
        if off:
            amount = off["amount"]
            secs = (
                parse_clock(amount)
                if ":" in amount
                else float(amount.lower().removesuffix("s").strip())
            )
            return PaceExpr(text=text, name=name, offset_s=sign * secs, offset_unit=_unit(off[2]))
        try:
            delta = parse_speed(rest)
        except ValueError:
            raise ValueError(
                f'expected an offset like "{name} - 0:30/mi", "{name} + 5 s/km" '
                f'or "{name} + 0.5 km/h", got "{text}"'
            ) from None
        return PaceExpr(text=text, name=name, offset_kmh=sign * delta)
    if m:
        raise ValueError(
            f"expected a pace name ({', '.join(PLAN_PACE_NAMES)}) or a pace like {_PACE_HINT}, "
            f'got "{text}"'
        )
    raise ValueError(f'expected a pace like {_PACE_HINT}, got "{text}"')


def _range_or_percent(text: str) -> PaceExpr | None:
    """`5:10-5:20/km` (the middle pace; the text keeps the range) or `95% threshold`."""
    m = _RANGE_RE.match(text)
    if m:
        if m["ua"] and m["unit"] and _unit(m["ua"]) != _unit(m["unit"]):
            raise ValueError(f'expected one unit in a pace range, got "{text}"')
        unit_text = m["unit"] or m["ua"]
        a, b = parse_clock(m["a"]), parse_clock(m["b"])
        if not 0 < a < b:
            raise ValueError(
                f'expected a pace range from the faster to the slower pace, like "5:10-5:20/km", '
                f'got "{text}"'
            )
        middle = (a + b) / 2.0
        if unit_text is None:
            return PaceExpr(text=text, bare_s=middle)
        return PaceExpr(text=text, kmh=3600.0 / to_s_per_km(middle, _unit(unit_text)))
    m = _PERCENT_RE.match(text)
    if m:
        name = PACE_ALIASES.get(m["name"].lower(), m["name"].lower())
        pct = float(m["pct"])
        if name not in PLAN_PACE_NAMES:
            raise ValueError(f'expected a pace name after the percentage, got "{text}"')
        if not 50.0 <= pct <= 150.0:
            raise ValueError(f'expected a percentage between 50 and 150, got "{text}"')
        return PaceExpr(text=text, name=name, percent=pct)
    return None


@dataclass(frozen=True)
class PaceStep:
    """A change of pace per unit, e.g. `0:30/mi` (each mile faster's step)."""

    text: str
    seconds: float
    unit: PaceUnit


def parse_pace_step(value: object) -> PaceStep:
    """`"0:30/mi"`, `"30 s/mi"`, `"0:15/km"` -> seconds per unit (> 0)."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'expected a pace change like "0:30/mi" or "15 s/km", got {value!r}')
    text = " ".join(value.split())
    m = _OFFSET_PACE_RE.match(text)
    if not m:
        raise ValueError(f'expected a pace change like "0:30/mi" or "15 s/km", got "{text}"')
    amount = m["amount"]
    secs = parse_clock(amount) if ":" in amount else float(amount.lower().removesuffix("s"))
    if secs <= 0:
        raise ValueError(f'expected a pace change above zero, got "{text}"')
    return PaceStep(text=text, seconds=secs, unit=_unit(m[2]))
