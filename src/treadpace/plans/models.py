"""The plan file: pydantic models for each `kind`, as a runner writes them in YAML.

Lengths and paces are parsed here (text -> exact numbers or pace expressions);
turning named paces into speeds needs the runner's profile and happens in
`compile.py`. Defaults follow running.md §6: 30-minute time-based runs, easy ->
steady for the negative split, easy/marathon/threshold thirds, a 10:00
threshold fast finish, and one easy mile either side of each-mile-faster.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PrivateAttr,
    StrictBool,
    Tag,
    WithJsonSchema,
    model_validator,
)

import treadpace.plans.schema_values as schema_values
from treadpace.plans.hr import HrCap, HrTarget
from treadpace.plans.numbers import (
    MAX_DISTANCE_M,
    MAX_DURATION_S,
    Number,
    Whole,
    length,
)
from treadpace.plans.paces import (
    PaceExpr,
    PaceStep,
    format_clock,
    parse_distance,
    parse_duration,
    parse_pace,
    parse_pace_step,
    parse_percent,
    parse_speed,
)
from treadpace.plans.shapes import Incline, Length, TimeOrDistance
from treadpace.plans.steps import StepRole
from treadpace.plans.yaml_document import FieldError, Loc

PLAN_KINDS = (
    "negative-split",
    "each-mile-faster",
    "each-km-faster",
    "each-interval-faster",
    "thirds",
    "fast-finish",
    "steady",
    "custom",
)
PROGRESSION_KINDS = frozenset(
    {"negative-split", "thirds", "fast-finish", "each-mile-faster", "each-km-faster"}
    | {"each-interval-faster"}
)
"""The article's progression runs and their km/interval variants: quality workouts, which
the history counts and the coach spaces out."""


def _keep(parser: Any) -> Any:
    """Parse text, but let already-parsed values (from code) through unchanged."""

    def run(value: Any) -> Any:
        if isinstance(value, PaceExpr | PaceStep):
            return value
        return parser(value)

    return run


def _km(metres: float) -> str:
    return f"{metres / 1000:g} km"


Seconds = Annotated[
    float,
    BeforeValidator(length(parse_duration, "duration", MAX_DURATION_S, format_clock)),
    WithJsonSchema(schema_values.DURATION),
]
"""A duration written `"30:00"`, `"1:05:00"` or `"30 min"`; seconds once parsed."""

Metres = Annotated[
    float,
    BeforeValidator(length(parse_distance, "distance", MAX_DISTANCE_M, _km)),
    WithJsonSchema(schema_values.DISTANCE),
]
"""A distance written `"5 km"`, `"3 mi"`, `"400 m"`; metres once parsed."""

Pace = Annotated[
    PaceExpr,
    BeforeValidator(_keep(parse_pace)),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(schema_values.PACE),
]
"""A pace expression: absolute, or a named training pace with an optional offset."""

Speed = Annotated[
    PaceExpr,
    BeforeValidator(_keep(lambda v: _speed_only(v))),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(schema_values.SPEED),
]

PaceChange = Annotated[
    PaceStep,
    BeforeValidator(_keep(parse_pace_step)),
    PlainSerializer(lambda s: s.text, return_type=str),
    WithJsonSchema(schema_values.PACE_CHANGE),
]

Percent = Annotated[
    float,
    BeforeValidator(parse_percent),
    WithJsonSchema(schema_values.PERCENT),
]


def _speed_only(value: Any) -> PaceExpr:
    return PaceExpr(text=" ".join(str(value).split()), kmh=parse_speed(value))


_FORBID = ConfigDict(
    extra="forbid",
    arbitrary_types_allowed=True,
    populate_by_name=True,
    # Each model's validator is built when first used, not on import: a command that reads
    # one kind of plan (or none) does not pay for building every kind's.
    defer_build=True,
)


class _PlanBase(BaseModel):
    model_config = _FORBID

    name: str | None = Field(
        default=None, description="Title shown to the runner (default: the kind, e.g. Thirds)."
    )
    description: str | None = Field(default=None, description="Free text, shown by `plan show`.")
    incline: Percent = Field(default=0.0, description="Incline in percent for every step.")
    hr_cap: HrCap | None = Field(
        default=None, description="Heart-rate cap for every step: bpm, or a zone (z3)."
    )
    safe_progression: bool = Field(
        default=False,
        description="Each faster step rises only while heart rate is under hr_cap.",
    )

    _lines: dict[Loc, int] = PrivateAttr(default_factory=dict)
    """Line of each field in the file it came from (for compile errors)."""
    _source: str = PrivateAttr(default="")


_EXAMPLE = {"duration": '"30:00" or "30 min"', "distance": '"5 km" or "3 mi"'}


def _one_length(data: Any, *, default_duration: bool = True) -> Any:
    """Exactly one of duration/distance; the default duration when neither is given."""
    if isinstance(data, dict):
        for key in ("duration", "distance"):
            if key in data and data[key] is None:
                raise FieldError((key,), f"expected a {key} like {_EXAMPLE[key]}, got nothing")
    if isinstance(data, dict) and "duration" in data and "distance" in data:
        raise FieldError(("distance",), "expected either duration or distance, not both")
    if isinstance(data, dict) and default_duration and "distance" not in data:
        data = {"duration": "30:00", **data}
    return data


class _Lengthed(_PlanBase):
    duration: Seconds | None = Field(
        default=None,
        description='Total time, e.g. "30:00" (default 30:00 unless distance is given).',
    )
    distance: Metres | None = Field(
        default=None, description='Total distance, e.g. "6 mi" or "10 km".'
    )

    @model_validator(mode="before")
    @classmethod
    def _length(cls, data: Any) -> Any:
        return _one_length(data)


class NegativeSplitPlan(_Lengthed):
    """Two parts; the second strictly faster than the first."""

    kind: Literal["negative-split"]
    first: Pace = Field(default=parse_pace("easy"), description="Pace of the first part.")
    second: Pace = Field(default=parse_pace("steady"), description="Pace of the second part.")
    split: Number = Field(default=0.5, gt=0.0, lt=1.0, description="Fraction of the first part.")


class ThirdsPlan(_Lengthed):
    """Three equal parts: easy, steady tempo, hard but not all-out."""

    kind: Literal["thirds"]
    first: Pace = Field(default=parse_pace("easy"))
    second: Pace = Field(default=parse_pace("marathon"))
    third: Pace = Field(default=parse_pace("threshold"))


class SteadyPlan(_Lengthed):
    """One pace throughout."""

    kind: Literal["steady"]
    pace: Pace = Field(default=parse_pace("steady"))


class FastFinishPlan(_Lengthed):
    """Mostly easy, the last 5-15 minutes faster."""

    kind: Literal["fast-finish"]
    finish: TimeOrDistance = Field(
        default=Length("time", 600.0, "10:00"),
        description='Length of the fast finish: 5:00-15:00, or a distance ("1 mi") taking that.',
    )
    pace: Pace = Field(default=parse_pace("easy"), description="Pace before the finish.")
    finish_pace: Pace = Field(default=parse_pace("threshold"))


class EachMileFasterPlan(_PlanBase):
    """An easy mile, a mile at marathon pace, each further mile faster, an easy mile."""

    kind: Literal["each-mile-faster"]
    progressive_miles: Whole = Field(
        default=3, ge=1, le=20, description="Miles getting faster (n)."
    )
    start: Pace = Field(
        default=parse_pace("marathon"), description="Pace of the first progressive mile."
    )
    step: PaceChange = Field(
        default=parse_pace_step("0:30/mi"), description="How much faster each mile."
    )
    warmup: Pace | None = Field(
        default=parse_pace("easy"), description="Warm-up mile (null: none)."
    )
    cooldown: Pace | None = Field(
        default=parse_pace("easy"), description="Cool-down mile (null: none)."
    )


class _Progressive(_PlanBase):
    start: Pace = Field(default=parse_pace("marathon"), description="Pace of the first fast part.")
    warmup: Pace | None = Field(default=parse_pace("easy"), description="Warm-up (null: none).")
    cooldown: Pace | None = Field(default=parse_pace("easy"), description="Cool-down (null: none).")


class EachKmFasterPlan(_Progressive):
    """Each mile faster by the kilometre: an easy km, kms each `step` faster, an easy km."""

    kind: Literal["each-km-faster"]
    progressive_km: Whole = Field(default=5, ge=1, le=30, description="Kilometres getting faster.")
    step: PaceChange = Field(
        default=parse_pace_step("0:15/km"), description="How much faster each kilometre."
    )


class EachIntervalFasterPlan(_Progressive):
    """Each mile faster by the clock: every `every` minutes the pace gets `step` faster."""

    kind: Literal["each-interval-faster"]
    every: Seconds = Field(default=300.0, description='Length of each part, e.g. "5:00".')
    intervals: Whole = Field(default=4, ge=1, le=30, description="Parts getting faster.")
    step: PaceChange = Field(
        default=parse_pace_step("0:10/km"), description="How much faster each part."
    )


class Segment(BaseModel):
    """One piece of a custom plan: a length and a target (pace, speed or ramp)."""

    model_config = _FORBID

    name: str | None = None
    duration: Seconds | None = None
    distance: Metres | None = None
    pace: Pace | None = None
    speed: Speed | None = None
    from_: Pace | None = Field(default=None, alias="from", description="Ramp start pace.")
    to: Pace | None = Field(default=None, description="Ramp end pace.")
    incline: Incline | None = Field(default=None, description="Percent, or {from: 1%, to: 6%}.")
    faster_each: PaceChange | None = Field(
        default=None, description="Inside a repeat: this much faster each round."
    )
    incline_each: Percent | None = Field(
        default=None, description="Inside a repeat: this much steeper each round."
    )
    open: StrictBool = Field(
        default=False,
        description="Ends when the runner skips it; its length (default 5:00) is only planned.",
    )
    free: StrictBool = Field(
        default=False,
        description="Sets no speed: the runner sets it on the console (a pace is a guide).",
    )
    hr_cap: HrCap | None = Field(
        default=None, description="Heart-rate cap for this segment (over the plan's)."
    )
    target: HrTarget | None = Field(
        default=None, description="Steer speed to a heart rate: {hr: z2, min: ..., max: ...}."
    )
    role: StepRole = Field(
        default=StepRole.ACTIVE,
        description="warmup, active, recovery or cooldown: how exports mark it (not the name).",
    )

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if set(data) - _SEGMENT_KEYS:
            return data  # let pydantic name the unknown key first: it is the likelier typo
        # ValueError, not FieldError: pydantic prefixes the segment's own position.
        for key in ("duration", "distance", "pace", "speed", "from", "to", "target"):
            if key in data and data[key] is None:
                raise ValueError(f"expected a value for {key}, got nothing")
        if "duration" in data and "distance" in data:
            raise ValueError("expected either duration or distance, not both")
        if "duration" not in data and "distance" not in data and data.get("open") is not True:
            raise ValueError("expected a duration or a distance (or open: true)")
        targets = [k for k in ("pace", "speed", "from", "target") if k in data]
        if ("to" in data) != ("from" in data):
            raise ValueError('expected both "from" and "to" (a ramp goes from one pace to another)')
        if len(targets) > 1:
            raise ValueError("expected one target: pace, speed, a from/to ramp or target: {hr}")
        if not targets and data.get("free") is not True:
            raise ValueError(
                "expected a target: pace, speed, a from/to ramp, target: {hr}, or free: true"
            )
        if "from" in data and (data.get("open") is True or data.get("free") is True):
            raise ValueError("expected a pace or a speed: a ramp needs a set length and speed")
        if "target" in data and data.get("free") is True:
            raise ValueError("expected target: {hr} or free: true, not both (free sets no speed)")
        return data


_SEGMENT_KEYS = frozenset(
    {
        "name",
        "duration",
        "distance",
        "pace",
        "speed",
        "from",
        "to",
        "incline",
        "faster_each",
        "incline_each",
        "open",
        "free",
        "hr_cap",
        "target",
        "role",
    }
)


class RepeatBlock(BaseModel):
    model_config = _FORBID

    times: Whole = Field(ge=1, le=100, description="How many times to run the segments.")
    segments: list[SegmentItem] = Field(min_length=1)
    faster_each: PaceChange | None = Field(
        default=None, description='Each round this much faster, e.g. "0:10/km".'
    )
    incline_each: Percent | None = Field(
        default=None, description="Each round this much steeper, in percent."
    )


class RepeatItem(BaseModel):
    """`- repeat: {times: 4, segments: [...]}` inside a custom plan's segments."""

    model_config = _FORBID

    repeat: RepeatBlock


def _segment_tag(value: Any) -> str:
    if isinstance(value, dict) and "repeat" in value:
        return "repeat"
    if isinstance(value, RepeatItem):
        return "repeat"
    return "segment"


SegmentItem = Annotated[
    Annotated[Segment, Tag("segment")] | Annotated[RepeatItem, Tag("repeat")],
    Discriminator(_segment_tag),
]
"""RepeatBlock's and RepeatItem's fields name it before it is defined: their builds (on
first use, see `_FORBID`) resolve it."""


class CustomPlan(_PlanBase):
    """Any list of segments and repeat blocks."""

    kind: Literal["custom"]
    segments: list[SegmentItem] = Field(min_length=1)


Plan = (
    NegativeSplitPlan
    | EachMileFasterPlan
    | EachKmFasterPlan
    | EachIntervalFasterPlan
    | ThirdsPlan
    | FastFinishPlan
    | SteadyPlan
    | CustomPlan
)

PLAN_MODELS: dict[str, type[BaseModel]] = {
    "negative-split": NegativeSplitPlan,
    "each-mile-faster": EachMileFasterPlan,
    "each-km-faster": EachKmFasterPlan,
    "each-interval-faster": EachIntervalFasterPlan,
    "thirds": ThirdsPlan,
    "fast-finish": FastFinishPlan,
    "steady": SteadyPlan,
    "custom": CustomPlan,
}

UNION_TAGS = frozenset({"segment", "repeat", *PLAN_KINDS})
"""Discriminator tags pydantic puts in error locations; not part of the field path."""
