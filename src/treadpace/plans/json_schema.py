"""The JSON Schema of a plan file, for editors: generated from the models, then made as
strict as the loader and shaped so that an editor points at the key that is wrong.

pydantic's own schema is a `oneOf` of the kinds with an OpenAPI `discriminator`
that JSON Schema validators ignore, so one typo fails every branch and is
reported at the root as "not valid under any of the given schemas". Here the
kind is chosen with `if`/`then` on `kind` (and a segment from a repeat with
`if`/`then`/`else` on `repeat`), so only the branch the runner meant is checked
and an unknown key is named where it is. The rules the models check in code
(exactly one length, exactly one target, a ramp needs both ends, values that
may not be null) are written out as schema keywords.
"""

from __future__ import annotations

from typing import Any

from treadpace.plans.models import PLAN_KINDS, PLAN_MODELS

_NOT_NULL = {"duration", "distance", "pace", "speed", "from", "to", "finish", "target"}
"""Keys whose `null` the loader refuses ("expected a value"), though the model is Optional."""


def _drop_null(prop: dict[str, Any]) -> dict[str, Any]:
    options = prop.get("anyOf")
    if not isinstance(options, list):
        return prop
    kept = [o for o in options if o != {"type": "null"}]
    out = {k: v for k, v in prop.items() if k != "anyOf"}
    if len(kept) == 1:
        out.update(kept[0])
    else:
        out["anyOf"] = kept
    out.pop("default", None)
    return out


def _one_of_keys(*groups: list[str]) -> dict[str, Any]:
    return {"oneOf": [{"required": group} for group in groups]}


_TARGET_PAIRS = (
    ["pace", "speed"], ["pace", "from"], ["speed", "from"],
    ["target", "pace"], ["target", "speed"], ["target", "from"],
)  # fmt: skip
"""Two targets in one segment, which the loader refuses."""


def _is_true(key: str) -> dict[str, Any]:
    return {"required": [key], "properties": {key: {"const": True}}}


def _segment(defn: dict[str, Any]) -> None:
    # An open step may leave out its length, a free one its target (easy is its guide);
    # neither may be a ramp.
    defn["allOf"] = [
        {"anyOf": [_one_of_keys(["duration"], ["distance"]), _is_true("open")]},
        {"not": {"required": ["duration", "distance"]}},
        {
            "anyOf": [
                _one_of_keys(["pace"], ["speed"], ["from", "to"], ["target"]),
                _is_true("free"),
            ]
        },
        {"not": {"anyOf": [{"required": pair} for pair in _TARGET_PAIRS]}},
        {"not": {"required": ["from"], "anyOf": [_is_true("open"), _is_true("free")]}},
        {"not": {"required": ["target"], "anyOf": [_is_true("free")]}},
    ]
    defn["dependentRequired"] = {"from": ["to"], "to": ["from"]}


def _segment_items(node: Any) -> None:
    """Every list of segments: `repeat:` items are repeats, anything else a segment."""
    if isinstance(node, dict):
        items = node.get("items")
        if isinstance(items, dict) and "oneOf" in items:
            refs = {o.get("$ref", "") for o in items["oneOf"]}
            if refs == {"#/$defs/Segment", "#/$defs/RepeatItem"}:
                node["items"] = {
                    "if": {"type": "object", "required": ["repeat"]},
                    "then": {"$ref": "#/$defs/RepeatItem"},
                    "else": {"$ref": "#/$defs/Segment"},
                }
        for value in node.values():
            _segment_items(value)
    elif isinstance(node, list):
        for value in node:
            _segment_items(value)


def _tighten(defs: dict[str, Any]) -> None:
    for name, defn in defs.items():
        props: dict[str, Any] = defn.get("properties", {})
        for key in list(props):
            if key in _NOT_NULL:
                props[key] = _drop_null(props[key])
        if name == "Segment":
            _segment(defn)
        elif "duration" in props and "distance" in props:
            defn["not"] = {
                "required": ["duration", "distance"],
                "description": "either duration or distance, not both",
            }
    _segment_items(defs)


def plan_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a plan file."""
    from pydantic import TypeAdapter

    defs: dict[str, Any] = {}
    for model in PLAN_MODELS.values():
        schema = TypeAdapter(model).json_schema(mode="validation", ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
    _tighten(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "treadpace plan",
        "description": "A treadpace plan file (docs/plans.md). Pick a kind first.",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": list(PLAN_KINDS), "description": "What kind of run."}},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{PLAN_MODELS[kind].__name__}"},
            }
            for kind in PLAN_KINDS
        ],
        "$defs": defs,
    }
