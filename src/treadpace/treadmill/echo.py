"""Our own Start, Stop and Pause, echoed back as Machine Status, are not the runner's hand.

Many machines notify the client that sent a command with the Machine Status it
causes (`04` after our Start, `02 01` after our Stop, `02 02` after our Pause), not
only the other clients as the spec has it (ftms.md §4.3). Taken at face value, our
own Stop at the end of a run reads as "stopped on the treadmill". `OwnCommands`
remembers what we sent and when, so that a status matching one of our commands
within `ECHO_WINDOW_S` is recognised as its echo (like the speed and incline echoes).
"""

from __future__ import annotations

import enum
from collections import deque
from typing import Final

ECHO_WINDOW_S: Final = 5.0
"""A status that repeats a command this recent is its echo (a slow console replays late)."""


class Motion(enum.Enum):
    START = "start"
    STOP = "stop"
    PAUSE = "pause"


class OwnCommands:
    """The recent Start/Stop/Pause commands we sent, to tell their echoes from console keys."""

    def __init__(self, window: float = ECHO_WINDOW_S) -> None:
        self._window = window
        self._sent: deque[tuple[float, Motion]] = deque(maxlen=8)

    def sent(self, what: Motion, t: float) -> None:
        """Record a command as it goes out (its echo may beat its response)."""
        self._sent.append((t, what))

    def is_echo(self, what: Motion, t: float) -> bool:
        return any(what is m and 0 <= t - sent <= self._window for sent, m in self._sent)

    def clear(self) -> None:
        self._sent.clear()
