"""How hard the property and fuzz tests search, decided by the hypothesis profile.

The `default` profile is sized for the whole suite on a loaded 2-core machine,
far inside the per-test timeout; `--hypothesis-profile=deep` searches at depth
(minutes). Hypothesis tests read their count from the profile; the seeded loops
of the byte fuzzers and the engine's state machine ask `sized` here.
"""

from __future__ import annotations

from hypothesis import settings

DEEP_EXAMPLES = 10_000
"""The deep profile's `max_examples` (registered in conftest.py)."""


def deep() -> bool:
    """The deep profile is loaded (`--hypothesis-profile=deep`)."""
    return settings().max_examples >= DEEP_EXAMPLES


def sized(default: int, at_depth: int) -> int:
    """`default` in the everyday run, `at_depth` in the deep profile."""
    return at_depth if deep() else default
