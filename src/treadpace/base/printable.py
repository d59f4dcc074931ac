"""Text from files made safe to show: names are data, never terminal control.

A plan name, a step name, a device name or a journal line is written by
someone else: `"\\x1b]0;pwned\\x07"` would retitle the terminal, `"\\x1b[31m"`
colour everything after it, and a newline followed by `[   0:00] finished`
forge a log line. `printable` is the one function that removes all of it:
whole escape sequences (CSI `ESC [ ... final`, OSC/DCS/APC/PM/SOS strings up
to BEL or `ESC \\`, two-byte `ESC x`), then every remaining control character
(C0, DEL, C1) and the bidirectional overrides that make text read in another
order than it is stored. Tabs and line breaks become one space, so words
stay apart and a name stays on one line.

It is applied where plan and profile strings are loaded
(`printable_tree`, on the parsed YAML) and again at each terminal boundary
for strings that come from journals or devices (live view, plain log lines,
summary, history, report, error lines).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# ESC-introduced sequences, and their 8-bit C1 forms (CSI 0x9b, OSC 0x9d, ...).
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI: parameters, intermediates, final byte
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # strings
    r"|\x1b[ -/]*[0-~]?"  # two-byte escapes (ESC c, ESC 7, ESC ( B, ...)
)
_BREAKS = re.compile(r"[\t\n\r\v\f\x85\u2028\u2029]+")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _shown(char: str) -> bool:
    return unicodedata.category(char) != "Cc" and char not in _BIDI


def printable(text: str) -> str:
    """`text` without escape sequences or control characters; line breaks become spaces."""
    if text.isprintable():
        return text  # the common case, and `isprintable` is fast
    text = _BREAKS.sub(" ", _SEQUENCE.sub("", text))
    return "".join(char for char in text if _shown(char))


def printable_tree(data: Any, keep: frozenset[str] = frozenset()) -> Any:
    """Parsed YAML with `printable` applied to every string value (keys are field names).

    Top-level sections named in `keep` are left as written: values that are
    not shown but used (an MQTT topic or password) are validated, never
    silently changed. A node shared through YAML aliases is converted once and
    stays shared, so the walk costs the document's size, never its expansion.
    """
    done: dict[int, Any] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return printable(node)
        if not isinstance(node, dict | list):
            return node
        if id(node) in done:
            return done[id(node)]
        if isinstance(node, dict):
            mapping: dict[Any, Any] = {}
            done[id(node)] = mapping
            for key, value in node.items():
                mapping[key] = walk(value)
            return mapping
        sequence: list[Any] = []
        done[id(node)] = sequence
        sequence.extend(walk(value) for value in node)
        return sequence

    if isinstance(data, dict) and keep:
        return {key: value if key in keep else walk(value) for key, value in data.items()}
    return walk(data)
