"""JSON Schema for the text a plan's values are written in, as strict as the parsers.

Each spelling `paces.py` accepts (paces, offsets, percentages, ranges, speeds,
durations, distances, inclines) has a pattern here that an editor can check as
the runner types. Patterns are ECMA-262 regular expressions (what JSON Schema
uses), so there is no case-insensitive flag: each letter is written `[kK]`.
Named paces are also listed as an `enum`, which is what gives completion.
Values a pattern cannot judge (a length over 24 hours, a pace faster than the
runner's interval) are left to the loader, which is the last word.
"""

from __future__ import annotations

from typing import Any

from treadpace.plans.paces import PLAN_PACE_NAMES


def _ci(words: str) -> str:
    """`km|mi` -> `[kK][mM]|[mM][iI]`: case-insensitive without a flag."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in words)


_S = r"\s*"
_CLOCK = r"(?:(?:\d+:)?\d{1,2}:\d{1,2}(?:\.\d+)?|\d+:\d{1,2}(?:\.\d+)?)"
_NUM = r"(?:\d+(?:\.\d+)?|\.\d+)"
_PER = "(?:" + _ci("km|kilometre|kilometer|k|mi|mile") + ")"
_SPEED_UNIT = "(?:" + _ci("km/h|kmh|kph|mph") + ")"
_NAME = "(?:" + "|".join(_ci(n) for n in PLAN_PACE_NAMES) + ")"
_NOT_ZERO = r"(?![\s:.]*0[\s0:.]*(?:[A-Za-z/]+\s*)?$)"
"""Refuses a length or speed that is all zeros ("0:00", "0 km"); the parsers do too."""

_TIME_WORDS = _ci("hours|hour|hrs|hr|h|minutes|minute|mins|min|m|seconds|second|secs|sec|s")
_DISTANCE_WORDS = _ci("kilometres|kilometers|km|k|metres|meters|miles|mile|mi|m")
_DISTANCE_NAMES = _ci("half marathon|half-marathon|marathon|half|hm|mile")

DURATION_PATTERN = rf"^{_NOT_ZERO}{_S}(?:{_NUM}{_S}(?:{_TIME_WORDS})|{_CLOCK}){_S}$"
DISTANCE_PATTERN = rf"^{_NOT_ZERO}{_S}(?:{_NUM}{_S}(?:{_DISTANCE_WORDS})|{_DISTANCE_NAMES}){_S}$"
SPEED_PATTERN = rf"^{_NOT_ZERO}{_S}{_NUM}{_S}{_SPEED_UNIT}{_S}$"
PACE_CHANGE_PATTERN = rf"^{_NOT_ZERO}{_S}(?:{_CLOCK}|{_NUM}{_S}[sS]){_S}/{_S}{_PER}{_S}$"
_OFFSET = rf"(?:{_S}[+-]{_S}(?:(?:{_CLOCK}|{_NUM}{_S}[sS]){_S}/{_S}{_PER}|{_NUM}{_S}{_SPEED_UNIT}))"
_ABSOLUTE = rf"{_CLOCK}(?:{_S}/{_S}{_PER})?"
PACE_PATTERN = (
    rf"^{_NOT_ZERO}{_S}(?:{_ABSOLUTE}"
    rf"|{_NUM}{_S}{_SPEED_UNIT}"
    rf"|{_NAME}{_OFFSET}?"
    rf"|{_NUM}{_S}%{_S}(?:{_ci('of')}\s+)?{_NAME}"
    rf"|{_ABSOLUTE}{_S}-{_S}{_ABSOLUTE}){_S}$"
)
PERCENT_TEXT_PATTERN = rf"^{_S}[+-]?{_NUM}{_S}%?{_S}$"

MAX_INCLINE = 40.0
"""A profile's incline limit is at most 40 %, so no plan may ask for more."""

DURATION: dict[str, Any] = {
    "type": "string",
    "pattern": DURATION_PATTERN,
    "examples": ["30:00", "1:05:00", "45 min"],
}
DISTANCE: dict[str, Any] = {
    "type": "string",
    "pattern": DISTANCE_PATTERN,
    "examples": ["5 km", "3 mi", "400 m", "half"],
}
PACE: dict[str, Any] = {
    "anyOf": [
        {"enum": list(PLAN_PACE_NAMES)},
        {"type": "string", "pattern": PACE_PATTERN},
    ],
    "examples": ["easy", "marathon - 0:30/mi", "95% threshold", "5:10-5:20/km", "12 km/h"],
}
SPEED: dict[str, Any] = {
    "type": "string",
    "pattern": SPEED_PATTERN,
    "examples": ["12 km/h", "7.5 mph"],
}
PACE_CHANGE: dict[str, Any] = {
    "type": "string",
    "pattern": PACE_CHANGE_PATTERN,
    "examples": ["0:30/mi", "15 s/km"],
}
PERCENT: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "minimum": -MAX_INCLINE, "maximum": MAX_INCLINE},
        {"type": "string", "pattern": PERCENT_TEXT_PATTERN},
    ],
    "examples": [0, 1.5, "2%"],
}
TIME_OR_DISTANCE: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": DURATION_PATTERN},
        {"type": "string", "pattern": DISTANCE_PATTERN},
    ],
    "examples": ["10:00", "1 mi", "2 km"],
}
INCLINE: dict[str, Any] = {
    "anyOf": [
        *PERCENT["anyOf"],
        {
            "type": "object",
            "properties": {"from": PERCENT, "to": PERCENT},
            "required": ["from", "to"],
            "additionalProperties": False,
        },
    ],
    "examples": [0, 1.5, "2%", {"from": "1%", "to": "6%"}],
}
