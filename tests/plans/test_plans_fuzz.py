"""Structure-aware fuzzing of plan and profile files: the loader holds whatever YAML it gets.

Hypothesis writes YAML text (not Python objects) with the real keys of every
plan kind, segment, repeat block and profile section, and hostile values: every
YAML type (ints in any base, floats including .nan/.inf/1e308/-0.0, booleans,
nulls, timestamps, binary, sets, tags), text that almost parses as a pace or a
length, anchors and aliases (including aliases inside their own anchor and
alias chains that expand exponentially), merge keys, duplicate keys and deep
nesting. Whatever comes in, the loader either returns a valid object or raises
the project's one-line `UserError` naming the file; and whatever it accepts
compiles to steps of finite, positive lengths and speeds within every limit.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from treadpace.base.topic_prefix import prefix_problem
from treadpace.base.user_error import UserError
from treadpace.plans import compile_plan, default_profile
from treadpace.plans.loader import plan_from_document, profile_from_document
from treadpace.plans.models import PLAN_KINDS, PLAN_MODELS, RepeatBlock, Segment
from treadpace.plans.numbers import MAX_DISTANCE_M, MAX_DURATION_S, MAX_STEPS
from treadpace.plans.profile import (
    HeartRateSettings,
    MqttSettings,
    Profile,
    RaceResult,
    RecordingSettings,
    TreadmillSettings,
)
from treadpace.plans.steps import CompiledPlan
from treadpace.plans.yaml_document import parse_yaml

SOURCE = "fuzz.yaml"


def keys_of(model: type[BaseModel]) -> list[str]:
    return sorted(info.alias or name for name, info in model.model_fields.items())


PLAN_KEYS = sorted({k for m in PLAN_MODELS.values() for k in keys_of(m)} - {"kind"})
SEGMENT_KEYS = keys_of(Segment)
REPEAT_KEYS = keys_of(RepeatBlock)
PROFILE_KEYS = sorted(set(keys_of(Profile)) | {"max_speed", "max_incline"})
PROFILE_SECTIONS: dict[str, list[str]] = {
    "race": keys_of(RaceResult),
    "heart_rate": keys_of(HeartRateSettings),
    "treadmill": keys_of(TreadmillSettings),
    "recording": keys_of(RecordingSettings),
    "mqtt": keys_of(MqttSettings),
    "paces": ["easy", "marathon", "threshold", "interval", "repetition", "steady", "tempo"],
}

# Plain scalars that are safe inside flow collections, one per YAML type and edge.
PLAIN = [
    "0",
    "1",
    "3",
    "-5",
    "30",
    "100",
    "101",
    "65536",
    "0x1F",
    "0o17",
    "017",
    "0b101",
    "1_000",
    "99999999999999999999",
    "0.0",
    "-0.0",
    "30.0",
    "-30.0",
    "0.5",
    "1.5",
    "1e308",
    "-1e308",
    "1e-308",
    "1e400",
    ".nan",
    ".NaN",
    ".inf",
    "-.inf",
    "+.inf",
    "true",
    "false",
    "True",
    "yes",
    "no",
    "on",
    "off",
    "null",
    "~",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "easy",
    "steady",
    "marathon",
    "threshold",
    "interval",
    "repetition",
    "tempo",
    "5k",
    "10k",
    "half",
    "marathon",
    "mile",
    "metric",
    "imperial",
    "offset",
    "hold",
    "karvonen",
    "percent_max",
    "fit",
    "tcx",
    "csv",
    "generic",
    "30:00",
    "1:05:00",
    "0:00",
    "-1:00",
]
QUOTED = [
    "30:00",
    "1:05:00",
    "45 min",
    "90 s",
    "1 h",
    "0 s",
    "0:00",
    "-30:00",
    "99999999:00",
    "24:00:01",
    "1e308 s",
    "nan min",
    "inf h",
    "30",
    "30.0",
    " 30:00 ",
    "30:60",
    "::",
    "5 km",
    "5k",
    "400 m",
    "3 mi",
    "0 km",
    "-5 km",
    "300.001 km",
    "99999999999 km",
    "1e308 km",
    "nan km",
    "half",
    "marathon",
    "5:30/km",
    "8:45/mi",
    "6:30",
    "0:00/km",
    "0:01/km",
    "99:59/km",
    "12 km/h",
    "7.5 mph",
    "0 km/h",
    "-12 km/h",
    "1e308 km/h",
    "nan km/h",
    "40.1 km/h",
    "marathon - 0:30/mi",
    "easy + 5 s/km",
    "threshold - 99:00/km",
    "easy + 0.5 km/h",
    "interval - 1e308 s/km",
    "95% threshold",
    "1e308% threshold",
    "nan% easy",
    "5:10-5:20/km",
    "5:20-5:10/km",
    "0:30/mi",
    "15 s/km",
    "-0:30/mi",
    "1e308 s/km",
    "2%",
    "-2%",
    "nan%",
    "inf%",
    "1e308%",
    "41%",
    "${HOME}",
    "${UNSET_FUZZ_VAR}",
    "${UNSET_FUZZ_VAR:-fallback}",
    "$SYS/x",
    "a/+/b",
    "#",
    "tread\u0000pace",
    "\u202e",
    "\x1b]0;title\x07",
    "line\nbreak",
    "",
]
VALID_RACES = [
    '{distance: 5k, time: "25:00"}',
    '{distance: half, time: "1:55:03"}',
    "{distance: 10 km, time: '48:00'}",
]
_PACES = ["easy", "steady", "marathon", "threshold", "'5:30/km'", "'easy + 0:10/km'"]
PLAUSIBLE: dict[str, list[str]] = {
    "duration": ["'30:00'", "'45 min'", "'1:00:00'", "'90 s'", "'23:59:59'"],
    "distance": ["5 km", "3 mi", "'400 m'", "half", "'299 km'"],
    "every": ["'5:00'", "'2 min'"],
    "finish": ["'10:00'", "'1 km'"],
    "split": ["0.5", "0.4"],
    "times": ["2", "3", "100"],
    "intervals": ["3", "30"],
    "progressive_miles": ["1", "3"],
    "progressive_km": ["2", "5"],
    "incline": ["0", "1.5", "'2%'", "{from: 1%, to: 3%}"],
    "incline_each": ["0.5", "'1%'"],
    "step": ["'0:10/mi'", "'5 s/km'"],
    "faster_each": ["'5 s/km'"],
    "speed": ["'10 km/h'", "'6 mph'"],
    "name": ["warm", "'Hill day'"],
    "max_speed": ["'16 km/h'", "12", "'10 mph'"],
    "max_incline": ["10", "'12%'"],
    "units": ["metric", "imperial"],
    "base_topic": ["treadpace", "home/treadmill"],
    "port": ["1883", "8883"],
    **{key: _PACES for key in ("pace", "first", "second", "third", "start", "from", "to")},
    **{key: _PACES for key in ("warmup", "cooldown", "finish_pace", "easy", "marathon")},
}
TAGGED = [
    "!!str 30",
    "!!int 30",
    "!!float .nan",
    "!!float 30",
    "!!bool true",
    "!!null ''",
    "!!binary aGVsbG8=",
    "!!timestamp 2001-12-14",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/name:os.system ''",
    "!!python/object/apply:os.getcwd []",
    "!custom x",
    "!!map {a: 1}",
    "!!seq [1]",
]


def scalar() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(PLAIN),
        st.sampled_from(QUOTED).map(json.dumps),
        st.sampled_from(QUOTED).map(lambda s: "'" + s.replace("'", "''").replace("\n", " ") + "'"),
        st.sampled_from(TAGGED),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.text(max_size=12).map(json.dumps),
    )


class Writer:
    """Renders drawn structures as flow YAML, adding anchors and aliases as it goes."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.done: list[str] = []  # anchors whose node is complete
        self.open: list[str] = []  # anchors being written (an alias here is a self-reference)
        self.count = 0

    def maybe_alias(self) -> str | None:
        pool = self.done + self.open
        if pool and self.draw(st.integers(0, 9)) == 0:
            name = self.draw(st.sampled_from(pool))
            return f"*{name}"
        return None

    def anchor(self) -> str | None:
        if self.draw(st.integers(0, 7)) == 0:
            self.count += 1
            return f"a{self.count}"
        return None

    def value(self, keys: list[str], depth: int, key: str = "") -> str:
        alias = self.maybe_alias()
        if alias is not None:
            return alias
        if key in PLAUSIBLE and self.draw(st.booleans()):
            # A sensible value now and then lets documents get past the schema to compile.
            return self.draw(st.sampled_from(PLAUSIBLE[key]))
        choice = self.draw(st.integers(0, 9)) if depth < 4 else 0
        if choice <= 5:
            return self.draw(scalar())
        name = self.anchor()
        if name is not None:
            self.open.append(name)
        if choice <= 7:
            body = self.mapping(keys, depth + 1)
        else:
            items = self.draw(st.integers(0, 3))
            body = "[" + ", ".join(self.value(keys, depth + 1) for _ in range(items)) + "]"
        if name is None:
            return body
        self.open.remove(name)
        self.done.append(name)
        return f"&{name} {body}"

    def mapping(self, keys: list[str], depth: int) -> str:
        n = self.draw(st.integers(0, 4))
        parts = []
        for _ in range(n):
            key = self.draw(st.sampled_from([*keys, "<<", "unknown", "1", "~", "[a]"]))
            parts.append(f"{key}: {self.value(keys, depth, key)}")
        return "{" + ", ".join(parts) + "}"

    def laughs(self) -> str:
        """An alias chain: each anchor a list of ten aliases of the one before."""
        levels = self.draw(st.integers(1, 7))
        self.count += 1
        base = f"l{self.count}"
        lines = [f'{base}0: &{base}0 "lol"']
        for i in range(1, levels + 1):
            lines.append(f"{base}{i}: &{base}{i} [" + ", ".join([f"*{base}{i - 1}"] * 10) + "]")
        return "\n".join(lines)

    def segments(self, depth: int) -> str:
        items = []
        for _ in range(self.draw(st.integers(0, 3))):
            alias = self.maybe_alias()
            if alias is not None:
                items.append(alias)
            elif depth < 3 and self.draw(st.integers(0, 4)) == 0:
                block = self.entries(REPEAT_KEYS, depth + 1, nested={"segments"})
                items.append("{repeat: {" + block + "}}")
            else:
                items.append("{" + self.entries(SEGMENT_KEYS, depth + 1) + "}")
        return "[" + ", ".join(items) + "]"

    def entries(self, keys: list[str], depth: int, nested: set[str] | None = None) -> str:
        chosen = self.draw(st.lists(st.sampled_from(keys), max_size=5))
        parts = []
        for key in chosen:
            if nested and key in nested and self.draw(st.booleans()):
                parts.append(f"{key}: {self.segments(depth)}")
            else:
                parts.append(f"{key}: {self.value(keys, depth, key)}")
        return ", ".join(parts)


def document(draw: st.DrawFn, w: Writer, top: list[tuple[str, str]]) -> str:
    lines = [f"{key}: {value}" for key, value in top]
    if draw(st.integers(0, 9)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), w.laughs())
    if draw(st.integers(0, 14)) == 0:
        depth = draw(st.integers(1, 120))
        lines.append("deep: " + "[" * depth + "]" * depth)
    prefix = draw(st.sampled_from(["", "", "", "---\n", "%YAML 1.1\n---\n", "--- !!map\n"]))
    suffix = draw(st.sampled_from(["", "", "", "", "", "", "\n...\n", "\n---\nkind: steady\n"]))
    return prefix + "\n".join(lines) + "\n" + suffix


@st.composite
def plan_text(draw: st.DrawFn) -> str:
    w = Writer(draw)
    kind = draw(st.sampled_from(PLAN_KINDS) if draw(st.integers(0, 4)) else scalar())
    top: list[tuple[str, str]] = [("kind", kind)] if draw(st.integers(0, 9)) else []
    keys = draw(st.lists(st.sampled_from([*PLAN_KEYS, "segments"]), unique=True, max_size=6))
    if draw(st.integers(0, 9)) == 0:
        keys.append(draw(st.sampled_from([*keys, "kind"])))  # a repeated key
    for key in keys:
        if key == "segments" and draw(st.booleans()):
            top.append((key, w.segments(0)))
        else:
            top.append((key, w.value(SEGMENT_KEYS, 0, key)))
    return document(draw, w, top)


@st.composite
def profile_text(draw: st.DrawFn) -> str:
    w = Writer(draw)
    top: list[tuple[str, str]] = []
    keys = draw(st.lists(st.sampled_from(PROFILE_KEYS), unique=True, max_size=6))
    if not {"race", "paces"} & set(keys) and draw(st.booleans()):
        top.append(("race", draw(st.sampled_from(VALID_RACES))))
    if keys and draw(st.integers(0, 9)) == 0:
        keys.append(draw(st.sampled_from(keys)))  # a repeated key
    for key in keys:
        section = PROFILE_SECTIONS.get(key)
        if section is not None and draw(st.integers(0, 3)):
            top.append((key, "{" + w.entries(section, 1) + "}"))
        else:
            top.append((key, w.value(PROFILE_KEYS, 0, key)))
    return document(draw, w, top)


def assert_one_line(exc: UserError) -> None:
    message = str(exc)
    assert "\n" not in message and "Traceback" not in message, message
    assert message.startswith(SOURCE), message


def assert_sane(compiled: CompiledPlan, profile: Profile) -> None:
    assert 1 <= len(compiled.steps) <= MAX_STEPS
    totals = {"time": 0.0, "distance": 0.0}
    for step in compiled.steps:
        limit = MAX_DURATION_S if step.kind == "time" else MAX_DISTANCE_M
        assert math.isfinite(step.amount) and 0 < step.amount <= limit, step
        totals[step.kind] += step.amount
        for kmh in (step.speed_kmh, step.end_speed_kmh):
            if kmh is not None:
                assert math.isfinite(kmh) and 0 < kmh <= profile.max_speed_kmh + 1e-9, step
        assert math.isfinite(step.incline_percent), step
        assert abs(step.incline_percent) <= profile.max_incline_percent + 1e-9, step
    assert totals["time"] <= MAX_DURATION_S + 1e-6 and totals["distance"] <= MAX_DISTANCE_M + 1e-6


def assert_valid_profile(profile: Profile) -> None:
    assert math.isfinite(profile.max_speed_kmh) and 0 < profile.max_speed_kmh <= 40
    assert math.isfinite(profile.max_incline_percent) and 0 <= profile.max_incline_percent <= 40
    for name, s_per_km in profile.paces.named().items():
        assert math.isfinite(s_per_km) and s_per_km > 0, name
    hr = profile.heart_rate
    for bpm in (hr.max_bpm, hr.rest_bpm):
        assert bpm is None or (math.isfinite(bpm) and not isinstance(bpm, bool))
    assert not isinstance(profile.mqtt.port, bool) and 1 <= profile.mqtt.port <= 65535
    assert prefix_problem(profile.mqtt.base_topic) is None
    assert prefix_problem(profile.mqtt.discovery_prefix) is None
    assert math.isfinite(profile.treadmill.incline_offset_percent)


FUZZ = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


@FUZZ
@given(plan_text())
def test_plan_files_load_and_compile_or_fail_in_one_line(text: str) -> None:
    profile = default_profile()
    try:
        compiled = compile_plan(plan_from_document(parse_yaml(text, SOURCE)), profile, SOURCE)
    except UserError as exc:
        assert_one_line(exc)
    else:
        assert_sane(compiled, profile)


@FUZZ
@given(profile_text())
def test_profile_files_load_or_fail_in_one_line(text: str) -> None:
    try:
        profile = profile_from_document(parse_yaml(text, SOURCE))
    except UserError as exc:
        assert_one_line(exc)
        return
    assert_valid_profile(profile)
    plan = plan_from_document(parse_yaml("kind: thirds\n", SOURCE))
    try:
        compiled = compile_plan(plan, profile, SOURCE)
    except UserError as exc:
        assert_one_line(exc)
    else:
        assert_sane(compiled, profile)


def _accepted(what: str, text: str) -> bool:
    try:
        doc = parse_yaml(text, SOURCE)
        if what == "plan":
            compile_plan(plan_from_document(doc), default_profile())
        else:
            profile_from_document(doc)
    except UserError:
        return False
    return True


@pytest.mark.parametrize("what", ["plan", "profile"])
def test_the_generators_also_write_files_that_are_accepted(what: str) -> None:
    """Not all errors: the fuzz reaches compiling and the checks on accepted files."""
    strategy = plan_text() if what == "plan" else profile_text()
    found = find(
        strategy,
        lambda text: _accepted(what, text),
        settings=settings(max_examples=2000, database=None, deadline=None),
    )
    assert _accepted(what, found)
