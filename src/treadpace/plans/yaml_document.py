"""YAML documents that remember where each value came from, for one-line errors.

A plan or profile is parsed in two steps: PyYAML composes the node tree (which
carries line numbers), we build plain Python values from it while recording
the line of every key and list item, and pydantic validates the values. When
validation fails, the error's `loc` is looked up in that record so the message
can say `thirds.yaml:4: paces.first: expected ...`.

Two YAML 1.1 habits are switched off because they bite runners: `30:00` is a
base-60 integer (1800) to PyYAML, and we want the text; and `${VAR}` in a
string is expanded from the environment (for secrets in profiles). An unset
variable is an error, except inside a section that says `enabled: false`,
where it reads as empty: nothing there is used.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from treadpace.base.printable import printable
from treadpace.base.safe_yaml import PlainLoader, one_line, read_text, unmarked_problem
from treadpace.base.user_error import UserError

Loc = tuple[str | int, ...]


class FieldError(Exception):
    """A validation problem found outside pydantic's own checks, with its field path.

    Deliberately not a ValueError: raised inside a pydantic validator it passes
    through untouched, keeping the precise `loc` the validator knows.
    """

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


_Loader = PlainLoader

_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def dotted(loc: Iterable[str | int]) -> str:
    """`("segments", 2, "pace")` -> `segments[2].pace`; empty -> `(document)`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # A key is shown as written, escapes visible: it may be the typo to fix.
            out += ("." if out else "") + one_line(part)
    return out or "(document)"


@dataclass
class Document:
    """Plain values of one YAML file plus the line of every key and item (1-based)."""

    path: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest part of `loc` that exists in the file."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return self.lines.get((), 1)

    def error(self, loc: Loc, message: str) -> UserError:
        return UserError(printable(f"{self.path}:{self.line_of(loc)}: {dotted(loc)}: {message}"))


def _disabled(loader: _Loader, node: yaml.MappingNode) -> bool:
    """A section that says `enabled: false`: nothing in it is used."""
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == "enabled":
            return isinstance(value_node, yaml.ScalarNode) and (
                loader.construct_object(value_node) is False
            )
    return False


def _build(
    loader: _Loader,
    node: yaml.Node,
    loc: Loc,
    lines: dict[Loc, int],
    path: str,
    expand: bool,
    required: bool = True,
) -> Any:
    """Plain values of `node`; `required` False: an unset `${VAR}` reads as empty (a
    disabled section's `username: ${MQTT_USER}` must not stop a run that never uses it)."""
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        required = required and not _disabled(loader, node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise UserError(
                    printable(
                        f"{path}:{key_node.start_mark.line + 1}: {dotted(loc)}: "
                        "expected a plain key (text)"
                    )
                )
            if isinstance(key, bool | float):
                key = str(key).lower()
            if key in out:
                raise UserError(
                    printable(
                        f"{path}:{key_node.start_mark.line + 1}: {dotted((*loc, key))}: "
                        "expected each key once (this one is repeated)"
                    )
                )
            child = (*loc, key)
            lines[child] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, child, lines, path, expand, required)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = (*loc, i)
            lines[child] = item.start_mark.line + 1
            items.append(_build(loader, item, child, lines, path, expand, required))
        return items
    value = loader.construct_object(node, deep=True)
    if expand and isinstance(value, str) and "${" in value:
        value = _expand(value, path, node.start_mark.line + 1, loc, required)
    return value


def _expand(text: str, path: str, line: int, loc: Loc, required: bool = True) -> str:
    def sub(m: re.Match[str]) -> str:
        name, default = m[1], m[2]
        got = os.environ.get(name)
        if got is None:
            if default is not None:
                return default
            if not required:
                return ""
            raise UserError(
                printable(
                    f"{path}:{line}: {dotted(loc)}: expected environment variable {name} to be set"
                )
            )
        return got

    return _ENV_RE.sub(sub, text)


def parse_yaml(text: str, path: str, *, expand_env: bool = True) -> Document:
    """Parse one YAML document into plain values with line numbers; errors are UserErrors."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            lines: dict[Loc, int] = {}
            data = None if node is None else _build(loader, node, (), lines, path, expand_env)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "unreadable"
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in problem:
            # An unclosed quote or bracket: where it opened is what the runner must fix.
            mark = exc.context_mark
            problem = f"{exc.context}: {problem}"
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(problem.split())
        raise UserError(
            printable(f"{path}:{line}: (yaml): expected valid YAML ({problem})")
        ) from None
    except yaml.YAMLError as exc:
        line, problem = unmarked_problem(exc, text)
        raise UserError(
            printable(f"{path}:{line}: (yaml): expected valid YAML ({problem})")
        ) from None
    return Document(path=path, data=data, lines=lines)


def read_yaml(path: Path, what: str, *, expand_env: bool = True) -> Document:
    """Read and parse a file; a missing, unreadable, special or oversized file is a UserError."""
    return parse_yaml(read_text(path, what), str(path), expand_env=expand_env)


_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "path_type": "a file path",
}


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def clean_loc(data: Any, raw: Iterable[str | int], tags: frozenset[str]) -> Loc:
    """Drop pydantic's union tags from an error loc, keeping real keys.

    A tag is only dropped where the document has no key of that name, so a
    `repeat:` key and the `repeat` tag of the segment union can coexist.
    """
    out: list[str | int] = []
    cur = data
    for part in raw:
        in_list = isinstance(part, int) and isinstance(cur, list) and 0 <= part < len(cur)
        if in_list or (isinstance(cur, dict) and part in cur):
            out.append(part)
            cur = cur[part]
        elif isinstance(part, str) and part in tags:
            continue
        else:
            out.append(part)
            cur = None
    return tuple(out)


def describe_error(
    err: Mapping[str, Any], tags: frozenset[str], data: Any = None
) -> tuple[Loc, str]:
    """A pydantic error dict as (loc without union tags, "expected ..." message)."""
    loc = clean_loc(data, err["loc"], tags)
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = ctx.get("allowed")
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return loc, f"unknown key{hint}"
    if kind == "missing":
        return loc, "expected a value (this key is required)"
    if kind in _TYPE_WORDS:
        return loc, f"expected {_TYPE_WORDS[kind]}, got {_shown(value)}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": "above",
            "greater_than_equal": "at least",
            "less_than": "below",
            "less_than_equal": "at most",
        }[kind]
        bound = next(iter(ctx.values()), "?")
        return loc, f"expected a number {words} {bound}, got {_shown(value)}"
    msg = str(err.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if msg.startswith("Input should be "):
        msg = "expected " + msg.removeprefix("Input should be ")
    if not msg.startswith("expected"):
        msg = f"expected a valid value ({msg})"
    if kind == "literal_error" or kind == "enum":
        msg += f", got {_shown(value)}"
    return loc, msg
