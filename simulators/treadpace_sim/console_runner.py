"""A runner standing at the simulated console, for unattended runs (`run --simulate --yes`).

Guided mode leaves the belt to the runner: on a read-only or locked machine
nothing moves until someone presses Start, and the speed is whatever the
console is set to. With no terminal there is no one to do that, so this stands
in for the person: it is told what the screen asks (start the belt, this
target speed, the run is over) and acts only through the console's buttons,
a few presses a second, as a person holding a button would. treadpace itself
never presses them; this is the machine's side of the room.
"""

from __future__ import annotations

from treadpace.base.clock import Clock
from treadpace_sim.belt import BeltState
from treadpace_sim.console import Button, Console
from treadpace_sim.treadmill import SimulatedTreadmill

_STILL = frozenset({BeltState.IDLE, BeltState.PAUSED, BeltState.STOPPED})


class ConsoleRunner:
    """Presses Start when asked, steps the speed toward the target shown, Stop at the end."""

    def __init__(
        self,
        sim: SimulatedTreadmill,
        clock: Clock,
        *,
        press_every_s: float = 0.25,
        start_retry_s: float = 2.0,
    ) -> None:
        self.console = Console(sim)
        self.sim = sim
        self.clock = clock
        self.press_every_s = press_every_s
        self.start_retry_s = start_retry_s
        self.presses: list[tuple[float, Button]] = []
        """What was pressed and when (simulator seconds), for the log and for tests."""
        self._start_wanted = False
        self._next_start = 0.0
        self._target: float | None = None
        self._over = False
        self._end_of_range: tuple[float, float] | None = None
        """(target, belt target) at which a press changed nothing: the console's limit."""

    # --- what the screen says -----------------------------------------------------------

    def asked_to_start(self) -> None:
        """The screen asks for the belt to be started on the console."""
        self._start_wanted = True

    def show_target(self, kmh: float | None) -> None:
        """The speed the screen asks the runner to set (None: leave the belt alone)."""
        self._target = kmh

    def run_over(self, stop_the_belt: bool) -> None:
        """The run has ended; with `stop_the_belt` a moving belt is stopped on the console."""
        self._over = True
        if stop_the_belt and self.sim.belt.state not in _STILL:
            self._press(Button.STOP)

    # --- the person at the console ------------------------------------------------------

    async def run(self) -> None:
        """Act until `run_over` (cancel to stop early)."""
        while not self._over:
            await self.clock.sleep(self.press_every_s)
            if not self._over:
                self.step()

    def step(self) -> None:
        """One look at the console, and at most one press."""
        belt = self.sim.belt
        if self._start_wanted:
            if belt.state not in _STILL:
                self._start_wanted = False  # it runs: asked and done
            elif self.sim.t >= self._next_start:
                self._next_start = self.sim.t + self.start_retry_s
                self._press(Button.START)
                return
        if self._target is None or not belt.moving:
            return
        before = belt.target_speed_kmh
        gap = self._target - before
        if abs(gap) <= self.console.speed_step_kmh / 2 + 1e-9:
            return
        if self._end_of_range == (self._target, before):
            return  # the machine goes no further that way; wait for another target
        self._press(Button.SPEED_UP if gap > 0 else Button.SPEED_DOWN)
        if self.sim.belt.target_speed_kmh == before:
            self._end_of_range = (self._target, before)

    def _press(self, button: Button) -> None:
        self.presses.append((self.sim.t, button))
        self.console.press(button)
