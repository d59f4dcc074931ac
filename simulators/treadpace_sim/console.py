"""The simulated treadmill's console: its Start, Stop, speed and incline buttons.

A real treadmill has buttons the runner can always press; the read-only and
locked machines even wait for them. This gives the software treadmill the same
panel, as keys for treadpace's live view (`run --simulate`) and as the buttons
the unattended `ConsoleRunner` presses. One press moves the target by one step
of the console's own grid (0.1 mph on an mph console), as on the machine.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable

from treadpace_sim.treadmill import SimulatedTreadmill


class Button(enum.Enum):
    START = "start"
    STOP = "stop"
    SPEED_UP = "speed +"
    SPEED_DOWN = "speed -"
    INCLINE_UP = "incline +"
    INCLINE_DOWN = "incline -"


KEYS: dict[str, Button] = {
    "s": Button.START,
    "x": Button.STOP,
    "]": Button.SPEED_UP,
    "[": Button.SPEED_DOWN,
    "}": Button.INCLINE_UP,
    "{": Button.INCLINE_DOWN,
}
"""Chosen clear of treadpace's own keys (space, n, + - = _, q, y)."""

_INCLINE = frozenset({Button.INCLINE_UP, Button.INCLINE_DOWN})


class Console:
    """The buttons of one simulated machine."""

    def __init__(self, sim: SimulatedTreadmill) -> None:
        self.sim = sim

    @property
    def has_incline(self) -> bool:
        return self.sim.model.belt.has_incline

    @property
    def speed_step_kmh(self) -> float:
        """One press of speed +/-: the console's grid step (0.1 mph in km/h on mph consoles)."""
        return self.sim.model.belt.speed_increment_kmh

    @property
    def incline_step_percent(self) -> float:
        return self.sim.model.belt.incline_increment_percent

    def press(self, button: Button) -> None:
        sim = self.sim
        if button is Button.START:
            sim.press_start()
        elif button is Button.STOP:
            sim.press_stop()
        elif button is Button.SPEED_UP:
            sim.press_speed(self.speed_step_kmh)
        elif button is Button.SPEED_DOWN:
            sim.press_speed(-self.speed_step_kmh)
        elif self.has_incline:
            up = button is Button.INCLINE_UP
            sim.press_incline(self.incline_step_percent if up else -self.incline_step_percent)

    def bindings(self) -> dict[str, Callable[[], None]]:
        """Key -> press, for the live view's key handler (no incline keys without incline)."""
        return {
            key: functools.partial(self.press, button)
            for key, button in KEYS.items()
            if self.has_incline or button not in _INCLINE
        }

    def help(self) -> str:
        """The key help line's console part, e.g. "console: s start · x stop · [ ] speed"."""
        parts = ["s start", "x stop", "[ ] speed"]
        if self.has_incline:
            parts.append("{ } incline")
        return "console: " + " · ".join(parts)
