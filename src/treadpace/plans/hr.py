"""Heart rate in plan files: `hr_cap`, HR-target segments and safe progression.

A plan names heart rate as the runner thinks of it: a bpm (`hr_cap: 160`), a
zone of the profile (`hr_cap: z3`, the top of zone 3), or for a target a range
(`target: {hr: 140-150}` or `{hr: z2}`, the whole zone). Parsing here checks the
spelling; `resolve_*` turns it into bpm against the profile's zones when the plan
is compiled, and returns the engine's `HrRule`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

import treadpace.plans.schema_values as schema_values
from treadpace.plans.hr_rule import (
    DEFAULT_DEAD_BAND_BPM,
    DEFAULT_SETTLE_S,
    DEFAULT_SLEW_KMH_MIN,
    HrRule,
)
from treadpace.plans.numbers import Number
from treadpace.plans.paces import PaceExpr, parse_duration, parse_pace
from treadpace.plans.yaml_document import FieldError, Loc


class _ZoneBounds(Protocol):
    def bounds(self) -> tuple[int, ...] | None: ...


class Profile(Protocol):
    """What resolving a zone needs of the runner's profile.

    A protocol rather than `treadpace.plans.profile.Profile`: the profile module
    imports the plan models, which import this one.
    """

    @property
    def heart_rate(self) -> _ZoneBounds: ...


MIN_BPM = 60
MAX_BPM = 230
_ZONE = re.compile(r"^z([1-5])$", re.IGNORECASE)
_BPM = re.compile(r"^(\d{2,3})(?:\s*bpm)?$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{2,3})\s*-\s*(\d{2,3})(?:\s*bpm)?$", re.IGNORECASE)
_CAP_HINT = "a heart rate like 160 or a zone like z3"
_TARGET_HINT = "a heart rate like 145, a range like 140-150 or a zone like z2"


def _bpm(text: str, hint: str) -> int:
    value = int(text)
    if not MIN_BPM <= value <= MAX_BPM:
        raise ValueError(f"expected {hint} ({MIN_BPM}-{MAX_BPM} bpm), got {value}")
    return value


def parse_hr_cap(value: Any) -> str:
    """`160`, `"160 bpm"` or `z3` -> the canonical text ("160" or "z3")."""
    if isinstance(value, bool):
        raise ValueError(f"expected {_CAP_HINT}, got {value!r}")
    if isinstance(value, int | float) and float(value).is_integer():
        return str(_bpm(str(int(value)), _CAP_HINT))
    text = str(value).strip() if isinstance(value, str) else ""
    if m := _ZONE.match(text):
        return f"z{m.group(1)}"
    if m := _BPM.match(text):
        return str(_bpm(m.group(1), _CAP_HINT))
    raise ValueError(f"expected {_CAP_HINT}, got {value!r}")


def parse_hr_target(value: Any) -> str:
    """`145`, `"140-150"` or `z2` -> canonical text ("145-145", "140-150", "z2")."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        bpm = parse_hr_cap(value)
        return f"{bpm}-{bpm}"
    text = str(value).strip() if isinstance(value, str) else ""
    if m := _RANGE.match(text):
        lo, hi = _bpm(m.group(1), _TARGET_HINT), _bpm(m.group(2), _TARGET_HINT)
        if hi < lo:
            raise ValueError(f"expected a range from low to high, got {text!r}")
        return f"{lo}-{hi}"
    try:
        cap = parse_hr_cap(value)
    except ValueError:
        raise ValueError(f"expected {_TARGET_HINT}, got {value!r}") from None
    return cap if cap.startswith("z") else f"{cap}-{cap}"


HrCap = Annotated[
    str,
    BeforeValidator(parse_hr_cap),
    WithJsonSchema(
        {
            "description": "bpm, or a zone of the profile (z1-z5)",
            "oneOf": [
                {"type": "integer", "minimum": MIN_BPM, "maximum": MAX_BPM},
                {"type": "string", "pattern": r"^\s*([zZ][1-5]|\d{2,3}\s*(bpm)?)\s*$"},
            ],
        }
    ),
]
"""A heart-rate cap as written: bpm, or a zone of the profile (its top)."""


def _pace(value: Any) -> PaceExpr:
    return value if isinstance(value, PaceExpr) else parse_pace(value)


def _settle(value: Any) -> float:
    seconds = value if isinstance(value, float) else parse_duration(value)
    if not 20.0 <= seconds <= 300.0:
        raise ValueError(f"expected a settle time from 20 s to 5:00, got {seconds:g} s")
    return seconds


class HrTarget(BaseModel):
    """`target: {hr: z2, min: "7:00/km", max: "5:45/km"}`: speed steered by heart rate."""

    # Built when a plan first uses it, as the plan models are (plans/models.py).
    model_config = ConfigDict(defer_build=True, extra="forbid", arbitrary_types_allowed=True)

    hr: Annotated[
        str,
        BeforeValidator(parse_hr_target),
        WithJsonSchema(
            {
                "oneOf": [
                    {"type": "integer", "minimum": MIN_BPM, "maximum": MAX_BPM},
                    {
                        "type": "string",
                        "pattern": r"^\s*([zZ][1-5]|\d{2,3}(\s*-\s*\d{2,3})?\s*(bpm)?)\s*$",
                    },
                ]
            }
        ),
    ] = Field(description="bpm (145), a range (140-150) or a zone of the profile (z2).")
    min: Annotated[PaceExpr, BeforeValidator(_pace), WithJsonSchema(schema_values.PACE)] = Field(
        description="Slowest pace or speed allowed (also the fallback without heart rate)."
    )
    max: Annotated[PaceExpr, BeforeValidator(_pace), WithJsonSchema(schema_values.PACE)] = Field(
        description="Fastest pace or speed allowed."
    )
    dead_band: Number = Field(
        default=DEFAULT_DEAD_BAND_BPM, ge=0, le=20, description="bpm either side left alone."
    )
    slew: Number = Field(
        default=DEFAULT_SLEW_KMH_MIN, ge=0.1, le=3.0, description="Fastest change, km/h/min."
    )
    settle: Annotated[float, BeforeValidator(_settle), WithJsonSchema(schema_values.DURATION)] = (
        Field(default=DEFAULT_SETTLE_S, description='Wait after each change, "20 s" to "5:00".')
    )


def _zone(profile: Profile, zone: int, loc: Loc) -> tuple[int, int]:
    bounds = profile.heart_rate.bounds()
    if bounds is None:
        raise FieldError(
            loc,
            f"expected heart_rate max_bpm (or age) in the profile to use zone z{zone}",
        )
    return bounds[zone - 1], bounds[zone]


def resolve_cap(text: str, profile: Profile, loc: Loc, hold_back: bool) -> HrRule:
    """A cap rule from `hr_cap` text (a zone's cap is its top)."""
    if m := _ZONE.match(text):
        _, top = _zone(profile, int(m.group(1)), loc)
        label = f"{text} ({top} bpm)"
    else:
        top, label = int(text), f"{text} bpm"
    return HrRule("cap", float(top), float(top), hold_back=hold_back, label=label)


def resolve_target(
    target: HrTarget, low_kmh: float, high_kmh: float, profile: Profile, loc: Loc
) -> HrRule:
    """A target rule; the speeds are `min`/`max` already turned into km/h."""
    if high_kmh < low_kmh:
        raise FieldError(
            (*loc, "max"), "expected max at least as fast as min (max is the fastest allowed)"
        )
    if m := _ZONE.match(target.hr):
        lo, hi = _zone(profile, int(m.group(1)), (*loc, "hr"))
        label = f"{target.hr} ({lo}-{hi} bpm)"
    else:
        a, b = target.hr.split("-")
        lo, hi = int(a), int(b)
        label = f"{lo} bpm" if lo == hi else f"{lo}-{hi} bpm"
    return HrRule(
        "target",
        float(lo),
        float(hi),
        min_kmh=low_kmh,
        max_kmh=high_kmh,
        dead_band_bpm=float(target.dead_band),
        slew_kmh_min=float(target.slew),
        settle_s=target.settle,
        label=label,
    )
