"""Reading hand-written YAML with one-line errors that name file, line and field.

The model and fault files are small and written by people, so every mistake must
come back as `file:line: field.path: expected ...` (a `UserError`), never a
traceback. PyYAML's node tree keeps line numbers; this walks it directly instead
of going through a schema library, which also keeps the import cheap.

The file is composed with `PlainLoader`, the loader plans and profiles use, so a
value means the same here as in a plan: `30:00` is text, not YAML 1.1's base-60
number, and a time field reads it as 30 minutes, exactly as a plan's duration.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from treadpace.errors import UserError
from treadpace.plans.paces import parse_clock, parse_duration
from treadpace.printable import printable
from treadpace.safe_yaml import PlainLoader, one_line, read_text, unmarked_problem

_WORDS = {"yes": True, "on": True, "no": False, "off": False}


def _seconds(value: object) -> object:
    """`value` in seconds if it is a duration text, else as it was (the caller judges)."""
    if not isinstance(value, str):
        return value
    try:
        # a clock time may be 0:00 (a fault at the start); words need a length
        return parse_clock(value) if ":" in value else parse_duration(value)
    except ValueError:
        return value


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


class YamlDoc:
    """A parsed file: the root node plus the name used in error messages."""

    def __init__(self, source: str, root: Node | None) -> None:
        self.source = source
        self.root = root

    @classmethod
    def load(cls, path: Path, what: str = "treadmill model") -> YamlDoc:
        text = read_text(path, what)
        try:
            root = yaml.compose(text, Loader=PlainLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = " ".join((exc.problem or "invalid YAML").split())
            raise UserError(printable(f"{path}{line}: expected valid YAML ({problem})")) from None
        except yaml.YAMLError as exc:
            number, problem = unmarked_problem(exc, text)
            raise UserError(
                printable(f"{path}:{number}: expected valid YAML ({problem})")
            ) from None
        return cls(str(path), root)

    def fail(self, node: Node | None, path: str, expected: str) -> UserError:
        where = f"{self.source}:{_line(node)}" if node is not None else self.source
        return UserError(printable(f"{where}: {one_line(path)}: expected {expected}"))

    def root_map(self) -> YamlMap:
        if not isinstance(self.root, MappingNode):
            raise self.fail(self.root, "(top level)", "a mapping of fields")
        return YamlMap(self, self.root, "")


class YamlMap:
    """One mapping node with typed getters; each getter marks its key as known."""

    def __init__(self, doc: YamlDoc, node: MappingNode, path: str) -> None:
        self.doc = doc
        self.node = node
        self.path = path
        self._items: dict[str, tuple[Node, Node]] = {}
        self._used: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise doc.fail(key_node, path or "(top level)", "plain field names")
            key = str(key_node.value)
            if key in self._items:
                raise doc.fail(key_node, self._sub(key), "each field only once")
            self._items[key] = (key_node, value_node)

    def _sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self._items

    def _scalar(self, key: str) -> tuple[Node, object] | None:
        self._used.add(key)
        item = self._items.get(key)
        if item is None:
            return None
        node = item[1]
        if not isinstance(node, ScalarNode):
            return node, None
        value = yaml.SafeLoader(b"").construct_object(node)
        return node, value

    def number(
        self,
        key: str,
        default: float | None = None,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        positive: bool = False,
        duration: bool = False,
    ) -> float:
        """A number; with `duration`, seconds, also written as a plan writes a duration."""
        got = self._scalar(key)
        path = self._sub(key)
        want = "a number"
        if positive:
            want = "a number > 0"
        elif minimum is not None and maximum is not None:
            want = f"a number from {minimum:g} to {maximum:g}"
        elif minimum is not None:
            want = f"a number >= {minimum:g}"
        if got is None:
            if default is None:
                raise self.doc.fail(self.node, path, f"{want} (field is missing)")
            return default
        node, value = got
        if duration:
            want += ' (seconds, or a duration like "30:00" or "30 min")'
            value = _seconds(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.doc.fail(node, path, want)
        out = float(value)
        if (
            out != out
            or (positive and out <= 0)
            or (minimum is not None and out < minimum)
            or (maximum is not None and out > maximum)
        ):
            raise self.doc.fail(node, path, want)
        return out

    def optional_number(
        self, key: str, *, positive: bool = False, duration: bool = False
    ) -> float | None:
        if key not in self._items:
            self._used.add(key)
            return None
        minimum = None if positive else 0.0
        return self.number(key, positive=positive, minimum=minimum, duration=duration)

    def integer(self, key: str, default: int, *, minimum: int, maximum: int) -> int:
        got = self._scalar(key)
        if got is None:
            return default
        node, value = got
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise self.doc.fail(node, self._sub(key), f"an integer from {minimum} to {maximum}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        got = self._scalar(key)
        if got is None:
            return default
        node, value = got
        if isinstance(value, str):
            # plans read these words as booleans too (pydantic's rule)
            value = _WORDS.get(value.lower(), value)
        if not isinstance(value, bool):
            raise self.doc.fail(node, self._sub(key), "true or false")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        got = self._scalar(key)
        if got is None:
            if default is None:
                raise self.doc.fail(self.node, self._sub(key), "a text value (field is missing)")
            return default
        node, value = got
        if value is None or isinstance(value, list | dict):
            raise self.doc.fail(node, self._sub(key), "a text value")
        return str(value)

    def choice(self, key: str, options: Sequence[str], default: str | None = None) -> str:
        got = self._scalar(key)
        want = "one of " + ", ".join(options)
        if got is None:
            if default is None:
                raise self.doc.fail(self.node, self._sub(key), f"{want} (field is missing)")
            return default
        node, value = got
        if not isinstance(value, str) or value not in options:
            raise self.doc.fail(node, self._sub(key), want)
        return value

    def mapping(self, key: str) -> YamlMap | None:
        self._used.add(key)
        item = self._items.get(key)
        if item is None:
            return None
        node = item[1]
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return None
        if not isinstance(node, MappingNode):
            raise self.doc.fail(node, self._sub(key), "a mapping of fields")
        return YamlMap(self.doc, node, self._sub(key))

    def sequence(self, key: str) -> list[Node] | None:
        self._used.add(key)
        item = self._items.get(key)
        if item is None:
            return None
        node = item[1]
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, SequenceNode):
            raise self.doc.fail(node, self._sub(key), "a list")
        return list(node.value)

    def text_list(self, key: str, options: Sequence[str], default: Sequence[str]) -> list[str]:
        nodes = self.sequence(key)
        if nodes is None:
            return list(default)
        out: list[str] = []
        for i, node in enumerate(nodes):
            value = node.value if isinstance(node, ScalarNode) else None
            if value not in options:
                raise self.doc.fail(node, f"{self._sub(key)}[{i}]", "one of " + ", ".join(options))
            out.append(str(value))
        return out

    def child(self, node: Node, path: str) -> YamlMap:
        if not isinstance(node, MappingNode):
            raise self.doc.fail(node, path, "a mapping of fields")
        return YamlMap(self.doc, node, path)

    def finish(self) -> None:
        """Reject fields nobody asked for (typos must not pass silently)."""
        for key, (key_node, _) in self._items.items():
            if key not in self._used:
                raise self.doc.fail(key_node, self._sub(key), "a known field (unknown field)")
