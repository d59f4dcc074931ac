"""The first run on the page: `init`'s questions, checked as typed, the same profile written.

The page sends the answers as text; they become `init`'s `Answers` and the file
is built by `plans.setup.profile_text` and checked by `plans.setup.check`, the
one builder, so the page can never write a profile that `init` would not, or
that a run would refuse. Each answer is checked on its own as it is typed: a
profile with only that answer (and `init`'s defaults) goes through the same
check, so the error the page shows is the loader's own line for that field.

The page only ever creates a profile: one that exists is never replaced from a
browser (the runner edits it, or runs `treadpace init --force`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from treadpace.base.printable import printable
from treadpace.base.user_error import UserError
from treadpace.plans.init_answers import Answers, check, profile_text
from treadpace.plans.profile import Profile

TEXT_FIELDS = ("name", "max_speed", "max_incline")
INT_FIELDS = {"max_bpm": (81, 249), "rest_bpm": (21, 149), "age": (5, 110)}
FIELDS = ("units", "name", "race", *TEXT_FIELDS[1:], *INT_FIELDS, "remote_start")
WHERE = "profile"
MAX_TEXT = 64


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value).strip()[:MAX_TEXT] if value not in (None, "") else ""


def _one(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The fields of `Answers` that the answer `key` sets; UserError when it is no answer."""
    if key == "units":
        units = _text(data, "units") or "metric"
        if units not in ("metric", "imperial"):
            raise UserError("units: expected metric or imperial")
        return {"units": units}
    if key == "race":
        distance, time = _text(data, "race_distance"), _text(data, "race_time")
        if not distance and not time:
            return {}
        if not distance or not time:
            raise UserError("race: expected a distance (5k) and a time (24:10)")
        return {"race_distance": distance, "race_time": time}
    if key in INT_FIELDS:
        text = _text(data, key)
        if not text:
            return {}
        low, high = INT_FIELDS[key]
        if not text.isdigit() or not low <= int(text) <= high:
            raise UserError(f"{key}: expected a whole number from {low} to {high}")
        return {key: int(text)}
    if key == "remote_start":
        return {}
    text = _text(data, key)
    return {key: text} if text else {}


def _build(fields: dict[str, Any], remote_start: bool) -> tuple[str, Profile]:
    answers = dataclasses.replace(Answers(), **fields, allow_remote_start=remote_start)
    if not answers.race_distance and not answers.paces:
        answers.race_distance, answers.race_time = "5k", "25:00"  # init's own default
    text = profile_text(answers)
    return text, check(text, WHERE)


def field_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Each answer checked on its own (with the units), as the page shows it beside the field."""
    errors: dict[str, str] = {}
    try:
        units = _one(data, "units")
    except UserError as exc:
        return {"units": printable(str(exc))}
    for key in FIELDS[1:]:
        try:
            _build({**units, **_one(data, key)}, False)
        except UserError as exc:
            errors[key] = printable(str(exc))
    if not {"max_bpm", "rest_bpm", "age"} & errors.keys():
        try:  # the heart-rate figures also have to agree with each other
            hr = {k: v for key in INT_FIELDS for k, v in _one(data, key).items()}
            _build({**units, **hr}, False)
        except UserError as exc:
            errors["rest_bpm"] = printable(str(exc))
    return errors


def profile_of(data: Mapping[str, Any]) -> str:
    """The whole profile's text from every answer; UserError (one line) for the first bad one."""
    fields: dict[str, Any] = {}
    for key in FIELDS:
        fields.update(_one(data, key))
    text, _ = _build(fields, data.get("remote_start") is True)
    return text


def target(profile_path: Path | None) -> Path:
    """Where `init` writes: the profile `serve` was given, else where a run looks first."""
    from treadpace.base.paths import config_home
    from treadpace.plans.loader import PROFILE_ENV

    if profile_path is not None:
        return Path(profile_path).expanduser()
    env = os.environ.get(PROFILE_ENV, "").strip()
    return Path(env).expanduser() if env else config_home() / "profile.yaml"


def write_first(path: Path, text: str) -> None:
    """Create the profile; never replace one (UserError says so)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise UserError(f"{path}: a profile exists; edit it (a page never replaces one)") from None
    except OSError as exc:
        raise UserError(f"{path}: expected a writable place ({exc.strerror})") from None
