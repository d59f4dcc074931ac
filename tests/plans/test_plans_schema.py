"""The plan JSON Schema is as strict as the loader, and points at the key that is wrong."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.plan_schema import SCHEMA, VALIDATOR, errors
from tests.where import ROOT
from treadpace.base.user_error import UserError
from treadpace.plans.loader import plan_from_document
from treadpace.plans.paces import PLAN_PACE_NAMES, parse_distance, parse_duration, parse_pace
from treadpace.plans.yaml_document import parse_yaml

BAD = ROOT / "tests" / "data" / "plans" / "bad"

NEVER_REACH_A_SCHEMA = {
    "billion-laughs.plan.yaml": "refused while reading the YAML (aliases)",
    "deep-nesting.plan.yaml": "refused while reading the YAML (nesting)",
    "duplicate-key.plan.yaml": "refused while reading the YAML; JSON has no duplicate keys",
    "unclosed-quote.plan.yaml": "not YAML",
    "yaml-syntax.plan.yaml": "not YAML",
}
SCHEMA_CANNOT_TELL = {
    "finish-longer-than-run.plan.yaml": "compares two values (finish against duration)",
    "finish-too-short.plan.yaml": "5:00-15:00 is judged at the finish pace, from the profile",
    "first-too-fast.plan.yaml": "needs the runner's paces (profile)",
    "second-not-faster.plan.yaml": "needs the runner's paces (profile)",
    "thirds-slower.plan.yaml": "needs the runner's paces (profile)",
    "past-interval.plan.yaml": "needs the runner's paces (profile)",
    "incline-too-steep.plan.yaml": "needs the runner's max incline (profile)",
    "huge-distance-text.plan.yaml": "a size limit on a length written as text",
    "huge-duration-text.plan.yaml": "a size limit on a length written as text",
    "repeat-explosion.plan.yaml": "counted once repeats are expanded",
    "repeat-too-long.plan.yaml": "counted once repeats are expanded",
    "split-nan.plan.yaml": "JSON has no NaN, so JSON Schema has no way to refuse it",
    "hr-target-max-slower.plan.yaml": "needs the runner's paces (profile)",
    "safe-progression-no-cap.plan.yaml": "a rule between two fields, judged at compile",
    "hr-target-reversed.plan.yaml": "compares the two numbers of a range written as text",
    "hr-target-settle.plan.yaml": "a size limit on a length written as text",
    "safe-progression-steady.plan.yaml": "a rule between two fields, judged at compile",
}


def test_the_schema_is_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def _doc_plans() -> list[str]:
    text = (ROOT / "docs" / "plans.md").read_text()
    return [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "kind:" in b]


@pytest.mark.parametrize(
    "text",
    [p.read_text() for p in sorted((ROOT / "configs" / "plans").glob("*.yaml"))] + _doc_plans(),
)
def test_every_shipped_and_documented_plan_validates(text: str) -> None:
    data = parse_yaml(text, "plan").data
    assert errors(data) == []


@pytest.mark.parametrize("path", sorted(BAD.glob("*.plan.yaml")), ids=lambda p: p.name)
def test_what_the_loader_refuses_the_schema_refuses_or_we_say_why(path: Path) -> None:
    try:
        doc = parse_yaml(path.read_text(), str(path))
    except UserError:
        assert path.name in NEVER_REACH_A_SCHEMA
        return
    assert path.name not in NEVER_REACH_A_SCHEMA
    if path.name in SCHEMA_CANNOT_TELL:
        # Listed, so the schema accepts it; the loader still refuses it at compile.
        assert errors(doc.data) == []
        return
    with pytest.raises(UserError):
        plan_from_document(doc)  # (the loader refuses it without a profile)
    assert errors(doc.data), f"{path.name}: the schema accepts what the loader refuses"


def test_what_the_issue_named_is_refused() -> None:
    assert errors({"kind": "thirds", "duration": "30:00", "distance": "5 km"})
    assert errors({"kind": "custom", "segments": [{"pace": "easy"}]})
    assert errors({"kind": "thirds", "incline": "abc"})
    assert errors({"kind": "tempo"})
    assert errors({"kind": "thirds", "first": "tempo"}) == []  # tempo is a pace now


def test_a_typo_is_reported_at_the_key_not_at_the_root() -> None:
    err = jsonschema.exceptions.best_match(
        VALIDATOR.iter_errors({"kind": "thirds", "durtion": "30:00"})
    )
    assert err is not None and "'durtion' was unexpected" in err.message
    nested = {
        "kind": "custom",
        "segments": [{"duration": "5:00", "pace": "easy"}, {"duration": "5:00", "pase": "easy"}],
    }
    err = jsonschema.exceptions.best_match(VALIDATOR.iter_errors(nested))
    assert err is not None and list(err.absolute_path) == ["segments", 1]
    assert "'pase' was unexpected" in err.message
    pace = jsonschema.exceptions.best_match(
        VALIDATOR.iter_errors({"kind": "thirds", "first": "eazy"})
    )
    assert pace is not None and list(pace.absolute_path) == ["first"]


def test_named_paces_are_enumerated_for_completion() -> None:
    first = SCHEMA["$defs"]["ThirdsPlan"]["properties"]["first"]
    enums = [o["enum"] for o in first["anyOf"] if "enum" in o]
    assert enums == [list(PLAN_PACE_NAMES)]
    assert {"tempo", "10k", "half"} <= set(PLAN_PACE_NAMES)


PACES = [
    "easy", "Easy", "marathon - 0:30/mi", "threshold + 5 s/km", "easy + 0.5 km/h", "10k + 0:10/km",
    "95% threshold", "90 % of tempo", "5:10-5:20/km", "8:00-8:20", "5:30/km", "8:45/mi", "6:30",
    "12 km/h", "7.5 mph", "fastish", "marathon - 30", "0:00/km", "12", "5:30/furlong", "km/h",
    "5:10 - 5:20 /km", "tempo", "half", "5k - 5 s/km", "% easy", "",
]  # fmt: skip
DURATIONS = [
    "30:00",
    "1:05:00",
    "45 min",
    "90 s",
    "1 h",
    "0:00",
    "30",
    "30 furlongs",
    "1:5",
    "-5 min",
]
DISTANCES = ["5 km", "5k", "400 m", "3 mi", "half", "marathon", "0 km", "-5 km", "5", "5 leagues"]


def _schema_accepts(schema: dict[str, Any], value: str) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(value))


def _loader_accepts(parse: Any, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("value", PACES)
def test_pace_spellings_the_schema_and_the_loader_agree(value: str) -> None:
    pace = SCHEMA["$defs"]["ThirdsPlan"]["properties"]["first"]
    assert _schema_accepts(pace, value) == _loader_accepts(parse_pace, value)


@pytest.mark.parametrize("value", DURATIONS)
def test_duration_spellings_agree(value: str) -> None:
    duration = SCHEMA["$defs"]["SteadyPlan"]["properties"]["duration"]
    assert _schema_accepts(duration, value) == _loader_accepts(parse_duration, value)


@pytest.mark.parametrize("value", DISTANCES)
def test_distance_spellings_agree(value: str) -> None:
    distance = SCHEMA["$defs"]["SteadyPlan"]["properties"]["distance"]
    assert _schema_accepts(distance, value) == _loader_accepts(parse_distance, value)
