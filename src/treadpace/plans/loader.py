"""Files in, validated objects out: `load_profile`, `load_plan`, `compile_plan`.

Every problem leaves as one `UserError` line, `file:line: field.path: expected
...`: YAML syntax (PyYAML's mark), schema problems (pydantic's `loc` looked up
in the document's line record), and broken plan rules found while compiling
(the plan remembers its lines for that).
"""

from __future__ import annotations

import os
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from treadpace.base.paths import config_home
from treadpace.base.printable import printable, printable_tree
from treadpace.base.user_error import UserError
from treadpace.plans.compile import build_steps, compiled
from treadpace.plans.models import (
    PLAN_KINDS,
    PLAN_MODELS,
    UNION_TAGS,
    Plan,
    RepeatItem,
    Segment,
)
from treadpace.plans.numbers import FILE_CONTEXT
from treadpace.plans.profile import Profile, default_profile
from treadpace.plans.steps import CompiledPlan
from treadpace.plans.yaml_document import (
    Document,
    FieldError,
    Loc,
    describe_error,
    dotted,
    read_yaml,
)

PROFILE_ENV = "TREADPACE_PROFILE"
_TAG_MODELS: dict[str, type[BaseModel]] = {"segment": Segment, "repeat": RepeatItem}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Optional, list, Annotated)."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        found: list[type[BaseModel]] = []
        for arg in typing.get_args(annotation):
            found.extend(_models_in(arg))
        return found
    return []


def _allowed_keys(root: type[BaseModel], data: Any, raw_loc: tuple[Any, ...]) -> list[str]:
    """The keys the mapping holding an unknown key accepts (walking model and data together)."""
    candidates: list[type[BaseModel]] = [root]
    cur = data
    after_index = False
    for part in raw_loc[:-1]:
        if isinstance(part, int) and isinstance(cur, list) and 0 <= part < len(cur):
            cur = cur[part]
            after_index = True
            continue
        # Right after a list index comes the union tag (before any key of the same name).
        if after_index and part in _TAG_MODELS:
            candidates = [_TAG_MODELS[part]]
            after_index = False
            continue
        after_index = False
        if not (isinstance(cur, dict) and part in cur):
            if part in _TAG_MODELS:
                candidates = [_TAG_MODELS[part]]
                continue
            if part in UNION_TAGS:
                continue
            return []
        cur = cur[part]
        nxt: list[type[BaseModel]] = []
        for model in candidates:
            # Models are built on first use (`defer_build`): one never validated on its own
            # (a repeat block) has its fields' forward references resolved only by a build.
            model.model_rebuild()
            for name, info in model.model_fields.items():
                if part in (name, info.alias):
                    nxt.extend(_models_in(info.annotation))
        if not nxt:
            return []
        candidates = nxt
    if len(candidates) != 1:
        return []
    candidates[0].model_rebuild()
    fields = candidates[0].model_fields
    return [info.alias or name for name, info in fields.items()]


def _validation_error(doc: Document, exc: ValidationError, root: type[BaseModel]) -> UserError:
    err = exc.errors()[0]
    loc, message = describe_error(err, UNION_TAGS, doc.data)
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(root, doc.data, tuple(err["loc"]))
        if root is Profile and loc == (loc[0],):
            # Friendly spellings are accepted; vdot is derived, never written.
            allowed = [k for k in allowed if k != "vdot"] + ["max_speed", "max_incline"]
        if allowed:
            message = f"unknown key; expected one of: {', '.join(sorted(allowed))}"
    return doc.error(loc, message)


def plan_from_document(doc: Document) -> Plan:
    data = printable_tree(doc.data)  # names from a file are data, never terminal control
    if not isinstance(data, dict):
        raise doc.error((), "expected a mapping with `kind:` and the plan's settings")
    kind = data.get("kind")
    if kind not in PLAN_KINDS:
        got = "nothing" if kind is None else repr(kind)
        raise doc.error(("kind",), f"expected one of: {', '.join(PLAN_KINDS)}; got {got}")
    model = PLAN_MODELS[kind]
    try:
        plan: Plan = model.model_validate(data, context=FILE_CONTEXT)  # type: ignore[assignment]
    except ValidationError as exc:
        raise _validation_error(doc, exc, model) from None
    except FieldError as exc:
        raise doc.error(exc.loc, exc.message) from None
    plan._lines = dict(doc.lines)
    plan._source = doc.path
    return plan


def load_plan(path: Path | str) -> Plan:
    """Read and validate a plan file (UserError with file:line on any problem)."""
    return plan_from_document(read_yaml(Path(path), "plan"))


def profile_from_document(doc: Document) -> Profile:
    # Shown strings lose any terminal control; the MQTT settings are checked as written.
    data = {} if doc.data is None else printable_tree(doc.data, keep=frozenset({"mqtt"}))
    if not isinstance(data, dict):
        raise doc.error((), "expected a mapping of profile settings (name:, units:, race:, ...)")
    try:
        return Profile.model_validate(data, context=FILE_CONTEXT)
    except ValidationError as exc:
        raise _validation_error(doc, exc, Profile) from None
    except FieldError as exc:
        raise doc.error(exc.loc, exc.message) from None


def load_profile(path: Path | str | None = None) -> Profile:
    """The runner's profile: `path`, else `$TREADPACE_PROFILE`, else
    `<config home>/profile.yaml`, else the built-in default (`is_default`)."""
    if path is None:
        env = os.environ.get(PROFILE_ENV, "").strip()
        if env:
            path = Path(env).expanduser()
        else:
            user = config_home() / "profile.yaml"
            if not user.is_file():
                return default_profile()
            path = user
    return profile_from_document(read_yaml(Path(path), "profile"))


def compile_plan(plan: Plan, profile: Profile, source: str = "") -> CompiledPlan:
    """The exact steps for this runner, or UserError naming the plan field at fault."""
    src = source or plan._source
    try:
        steps, notes = build_steps(plan, profile)
    except FieldError as exc:
        line = _line_of(plan._lines, exc.loc)
        where = f"{src or '<plan>'}:{line}" if line else (src or "<plan>")
        raise UserError(printable(f"{where}: {dotted(exc.loc)}: {exc.message}")) from None
    return compiled(plan, steps, notes, src)


def _line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    if loc and loc[0] not in ("segments",):
        # A defaulted field has no line of its own: point at `kind:`.
        return lines.get(("kind",), lines.get(()))
    return lines.get(())

