"""Reading a hand-written YAML file without letting the file decide how much we do.

Plans, profiles and the simulator's treadmill models and faults are all small
files a person wrote, so anything else is refused with one line before it can
hurt: a path that is not a regular file (a FIFO would block the read forever,
`/dev/zero` never ends), a file over `MAX_FILE_BYTES`, nesting deeper than
`MAX_DEPTH` (Python's recursion limit would end it with a traceback), an alias
inside the value it names, aliases that expand to more than `MAX_NODES`
values (a "billion laughs" file is a few hundred bytes and a gigabyte of
values), and `\ud800`-style escapes that decode to text nothing can encode.

This module sits beside `treadpace.base.user_error` at the bottom of the package so
the simulator can use it without importing the plans package or the engine.
The limits are checked while PyYAML composes the node tree: sizes are added
up per node, so an alias costs the size of what it names without expanding it.
`PlainLoader` is the loader every one of those files is read with, so `30:00`
or `on` means the same in each.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from treadpace.base.printable import printable
from treadpace.base.user_error import UserError

MAX_FILE_BYTES = 1_000_000
"""The largest file read (1 MB); real plans, profiles and models are a few kB."""
MAX_DEPTH = 64
"""The deepest nesting of lists and mappings; real files nest four or five levels."""
MAX_NODES = 100_000
"""The most values a document may hold once every alias is expanded."""

_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


_CONTROL = frozenset({"Cc", "Cf", "Zl", "Zp"})


def one_line(text: str) -> str:
    """`text` with control and format characters escaped (`\\n`, `\\x1b`, `\\u202e`).

    For a key named in an error: the runner must see the key as written (it may
    be the typo to fix), yet its newline or escape sequence must neither split
    the line nor drive the terminal. Whole messages go through `printable`.
    """
    if text.isprintable():
        return text
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in _CONTROL else c for c in text)


def read_text(path: Path, what: str) -> str:
    """The text of a regular file of at most `MAX_FILE_BYTES`, or a one-line UserError.

    The file is opened non-blocking and checked with fstat before any read, so
    a FIFO with no writer, a device or a directory is refused at once.
    """

    def fail(problem: str, line: str = "") -> UserError:
        return UserError(printable(f"{path}{line}: {problem}"))

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise fail(f"expected an existing {what} file (not found)") from None
    except IsADirectoryError:
        raise fail(f"expected a {what} file, got a directory") from None
    except OSError as exc:
        raise fail(f"expected a readable {what} file ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise fail(f"expected a {what} file, got a directory")
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise fail(f"expected a regular {what} file, got {kind}")
        data = _read_at_most(fd, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise fail(f"expected a readable {what} file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"expected a {what} file of at most 1 MB ({MAX_FILE_BYTES} bytes), got more")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise fail("(file): expected UTF-8 text", f":{line}") from None


def _read_at_most(fd: int, limit: int) -> bytes:
    # The size from fstat may be stale (a file still being written): read to the limit.
    chunks: list[bytes] = []
    got = 0
    while got < limit:
        chunk = os.read(fd, min(65536, limit - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def unmarked_problem(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    """Line and one-line problem of a YAML error without a mark (PyYAML's reader errors:
    NUL and other characters YAML forbids), whose own text spans lines."""
    if isinstance(exc, ReaderError):
        line = text.count("\n", 0, max(0, exc.position)) + 1
        char = exc.character
        code = ord(char) if isinstance(char, str) else int(char)
        return line, f"found character #x{code:04x}, which YAML does not allow"
    return 1, " ".join(str(exc).split())


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _joined_surrogates(text: str, mark: Any) -> str:
    """JSON-style `"\\ud83d\\ude00"` escapes as the one character they spell.

    PyYAML decodes each `\\u` escape on its own, leaving surrogates that no file,
    terminal or broker can take (every later encode would raise): a valid pair is
    joined, a lone one refused.
    """
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise YamlLimitError("found a lone surrogate escape such as \\ud800", mark) from None


class YamlLimitError(ComposerError):
    """A document over one of the limits; a MarkedYAMLError, so callers' YAML handling applies."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses deep nesting, self-reference and alias bombs while composing."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event: yaml.AliasEvent = self.peek_event()  # type: ignore[no-untyped-call]
            named = self.anchors.get(event.anchor)
            if named is not None and id(named) not in self._sizes:
                raise YamlLimitError(
                    f"found an alias inside the value it names (*{event.anchor} refers to itself)",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        if self._depth >= MAX_DEPTH:
            raise YamlLimitError(
                f"found more than {MAX_DEPTH} levels of nesting",
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]
            )
        self._depth += 1
        node = super().compose_node(parent, index)
        self._depth -= 1
        if node is None:
            return None
        size = 1
        if isinstance(node, ScalarNode) and not _encodable(node.value):
            node.value = _joined_surrogates(node.value, node.start_mark)
        if isinstance(node, SequenceNode):
            size += sum(self._sizes[id(item)] for item in node.value)
        elif isinstance(node, MappingNode):
            size += sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in node.value)
        if size > MAX_NODES:
            raise YamlLimitError(
                f"found more than {MAX_NODES} values once aliases are expanded",
                node.start_mark,
            )
        self._sizes[id(node)] = size
        return node


class PlainLoader(BoundedLoader):
    """BoundedLoader without base-60 numbers (`30:00` stays the string "30:00", which
    the duration parser reads as 30 minutes) and without YAML 1.1's yes/no/on/off
    booleans (a segment named `on` stays "on"). Plans, profiles and the simulator's
    models and faults all read through it, so a value means the same in each."""


PlainLoader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Only true/false are booleans: `name: on` or `name: no` stay text.
PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
        r"|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
