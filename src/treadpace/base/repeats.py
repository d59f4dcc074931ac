"""Identical notices within a window said once: "... (repeated N times)" instead of a flood.

A client pressing a refused button thousands of times makes the engine say the
same refusal thousands of times; every place that prints or logs notices (the
plain log, the terminal's notice board, the page, the page server's warnings)
passes them through a `RepeatFilter`: the first of a kind is shown, repeats
within `window_s` are only counted, and the next one shown after the window
carries the count. Pure: time is passed in, memory is bounded by `keep` keys.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

WINDOW_S = 10.0
"""Repeats closer than this to the last one shown are counted, not shown."""


@dataclass(slots=True)
class _Seen:
    shown_at: float
    held: int = 0


class RepeatFilter(Generic[K]):
    def __init__(self, window_s: float = WINDOW_S, keep: int = 64) -> None:
        self.window_s = window_s
        self.keep = keep
        self._seen: dict[K, _Seen] = {}

    def admit(self, key: K, now: float) -> int | None:
        """None: a repeat inside the window (held back). Otherwise show it; the number is
        how many repeats were held back since it was last shown."""
        seen = self._seen.get(key)
        if seen is not None and now - seen.shown_at < self.window_s:
            seen.held += 1
            return None
        held = seen.held if seen is not None else 0
        self._seen.pop(key, None)
        self._seen[key] = _Seen(now)
        if len(self._seen) > self.keep:  # the oldest shown goes first
            oldest = next(iter(self._seen))
            del self._seen[oldest]
        return held

    def held(self) -> list[tuple[K, int]]:
        """What is still held back (key, count), cleared: for a last line at the end."""
        out = [(key, s.held) for key, s in self._seen.items() if s.held]
        for s in self._seen.values():
            s.held = 0
        return out


def repeated(text: str, held: int) -> str:
    """`text`, with how many identical ones were held back before it."""
    return f"{text} (repeated {held} times)" if held else text
