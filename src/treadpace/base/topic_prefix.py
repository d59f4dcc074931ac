"""What an MQTT topic prefix from the profile may be, checked in one place.

The profile validates `mqtt.base_topic` and `mqtt.discovery_prefix` when it is
loaded (so the runner gets `profile.yaml:LINE: mqtt.base_topic: expected ...`
before any run), and the bridge checks the same rule for settings built in code.
The profile must not import the MQTT package, so the rule lives down here.

Every topic the bridge publishes starts with one of these prefixes, so a prefix
must be a valid topic name (MQTT 3.1.1 §4.7): no wildcards `+`/`#`, no NUL, not
starting with `$` (reserved for the broker's own topics such as `$SYS`), and
short enough that the longest topic built from it fits the protocol's 65,535
bytes. A discovery topic holds both prefixes (the node id comes from the base
topic), so each gets a little under half.
"""

from __future__ import annotations

MAX_TOPIC_BYTES = 65_535
"""MQTT encodes a topic's UTF-8 length in two bytes."""
MAX_PREFIX_BYTES = 32_000
"""Either prefix; both plus the longest suffix the bridge adds stay within MAX_TOPIC_BYTES."""


def prefix_problem(value: str) -> str | None:
    """None for a usable prefix, else what was expected ("expected ..."), for one-line errors."""
    prefix = value.strip().strip("/")
    if not prefix:
        return "expected a topic prefix such as treadpace, got nothing"
    if any(c in prefix for c in "+#\0"):
        return f"expected a topic prefix without wildcards (+, #) or NUL, got {prefix!r}"
    if prefix.startswith("$"):
        return f"expected a topic prefix not starting with $ (the broker's own), got {prefix!r}"
    try:
        size = len(prefix.encode("utf-8"))
    except UnicodeEncodeError:
        return "expected a topic prefix of valid text, got a lone surrogate escape"
    if size > MAX_PREFIX_BYTES:
        return f"expected a topic prefix of at most {MAX_PREFIX_BYTES} bytes, got {size}"
    return None
