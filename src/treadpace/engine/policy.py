"""The setpoint policy: what speed and incline to ask for, and what the machine was told.

For the current step it holds the runner's changes (a nudge offset, a console
speed kept as an offset or held, an incline adjustment, a press above the cap
left alone) and turns the plan's target into a command on the machine's own grid
under the runner's cap (safety rule 1). It also remembers what was sent, so a
setpoint goes out only when it changes and our own echo is not taken for a
console press, and it owns the "obeyed?" watchdog and the retry of a refused
write. Pure: every call that depends on time is given `now`.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from treadpace.base.frozen_record import frozen_record
from treadpace.engine.belt_lag import BeltLag
from treadpace.engine.hr_control import HrController
from treadpace.engine.runner_changes import above_cap, nudge_hold, nudge_offset
from treadpace.engine.setpoint import Grid, speed_grid
from treadpace.engine.true_pace import TruePace
from treadpace.engine.watchdog import ObeyWatchdog, WriteRetry
from treadpace.plans.steps import CompiledStep

if TYPE_CHECKING:
    from treadpace.engine.config import EngineConfig
    from treadpace.ftms import InclinationRange, SpeedRange


class ConsolePress(enum.Enum):
    """What a console speed change turned out to be."""

    ECHO = enum.auto()
    """Our own latest command, echoed: nothing changes."""
    OFFSET = enum.auto()
    """Kept as an offset from the plan for the rest of the step."""
    HOLD = enum.auto()
    """Held for the rest of the step."""
    ABOVE_CAP = enum.auto()
    """Above the runner's maximum: left alone for this step, no command."""


class SetpointPolicy:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.speed_grid = Grid(0.0, config.max_speed_kmh, 0.1, 100)
        self.incline_grid: Grid | None = None
        self.incline_ok = True  # False once the machine refused an incline command
        self.factor = 1.0  # true km/h per reported "km/h" (mph on the wire: 1.61)
        self.hr = HrController(0.1)
        self.watchdog = ObeyWatchdog(config.obey_timeout_s)
        self.retry = WriteRetry()
        self.true = TruePace(config.true_pace)
        self.lag = BeltLag()
        # the runner's changes, for the current step
        self.offset = 0.0  # km/h added to the step's target (nudges, console change)
        self.hold: float | None = None  # km/h held for the rest of the step
        self.incline_adjust = 0.0
        self.console_held = False  # a console speed replaces the plan's for this step
        self.above_cap = False  # that console speed is above the cap: no command this step
        # what the machine was told
        self.sent_speed: float | None = None
        self.sent_incline: float | None = None
        self.recent_sent: list[float] = []
        self.resend_on_move = False

    def fit(self, speeds: SpeedRange, inclines: InclinationRange | None) -> None:
        """The machine's limits, known after connecting."""
        cfg = self.config
        self.speed_grid = speed_grid(
            speeds.min_kmh, speeds.max_kmh, speeds.increment_kmh, cfg.max_speed_kmh
        )
        self.watchdog.tolerance_kmh = self.speed_grid.increment / 2
        self.true.increment_kmh = self.speed_grid.increment
        if inclines is not None:
            self.incline_grid = Grid.build(
                inclines.min_percent,
                inclines.max_percent,
                inclines.increment_percent,
                cfg.max_incline_percent,
                10,
            )

    def refit_for_units(self, speeds: SpeedRange, factor: float) -> None:
        """The wire's unit is not km/h: keep its grid, the cap in wire numbers."""
        self.factor = factor
        self.speed_grid = Grid.build(
            speeds.min_kmh,
            speeds.max_kmh,
            speeds.increment_kmh,
            self.config.max_speed_kmh / factor,
            100,
        )

    def begin_step(self, step: CompiledStep, keep: float | None, now: float) -> None:
        """A new step: the runner's changes end; a free step keeps the last speed."""
        self.offset = 0.0
        self.hold = keep if step.free and keep is not None else None
        self.incline_adjust = 0.0
        self.console_held = False
        self.above_cap = False
        self.hr.increment = self.speed_grid.increment
        self.hr.begin(step.hr, now)
        self.true.step_began()

    def forget_sent(self) -> None:
        """The belt was started again: send the targets afresh."""
        self.sent_speed = None
        self.sent_incline = None

    def link_restored(self) -> None:
        """The link is back with the belt moving: the speed goes out afresh, never replayed."""
        self.sent_speed = None

    def unit_found(self, factor: float) -> None:
        """The wire's speeds are not km/h: true km/h is `factor` times what it reports."""
        self.factor = factor

    def reclaim_speed(self) -> None:
        """A press above the cap stands for its step, until the belt is started again."""
        if self.above_cap and self.sent_speed is None:
            self.above_cap = False

    # --- targets ---------------------------------------------------------------------

    def exact(self, step: CompiledStep | None, fraction: float) -> float:
        """The speed wanted before the grid: plan, offset, hold, heart-rate limit."""
        if step is None:
            return 0.0
        if self.hold is not None:
            return self.hold
        plan = step.target_at(fraction) + self.offset
        return plan if self.console_held else self.hr.limit(plan)

    @property
    def runners_speed(self) -> bool:
        """The step runs at a speed the runner set (a hold or a console press): never corrected."""
        return self.hold is not None or self.console_held

    def speed(self, step: CompiledStep | None, fraction: float) -> float:
        """The speed to command now (clamped and on the machine's grid).

        With a calibration the plan's speed is the runner's *true* speed: the belt is
        asked for the speed that gives it, and a command whose true speed would pass
        the runner's cap steps down the grid until it does not (safety rule 1 holds in
        true km/h as well as in the machine's own units, which the grid caps).
        """
        exact = self.exact(step, fraction)
        if self.runners_speed or step is None:
            return self.on_grid(exact)
        if self.true.identity:  # the belt's speed is the runner's: no incline to weigh
            return self._for_true(exact, 0.0)
        return self._for_true(exact, self.incline(step, fraction))

    def planned(self, step: CompiledStep) -> float:
        """The command `step` starts with, before any change of the runner's (a lead's target)."""
        return self._for_true(step.target_at(0.0), self._planned_incline(step))

    def _for_true(self, exact: float, incline: float) -> float:
        """The command for a true `exact` km/h: on the grid, under both caps."""
        f, grid, true = self.factor, self.speed_grid, self.true
        cap = self.config.max_speed_kmh + 1e-9
        if true.identity:  # true km/h is the belt's: the same steps, without the curve
            wire = grid.quantise(exact / f)
            while wire * f > cap and wire > grid.minimum + 1e-9:
                wire = grid.quantise(wire - grid.increment)
            return wire * f
        wire = grid.quantise(true.setpoint(exact, incline) / f)
        while true.true_kmh(wire * f, incline) > cap and wire > grid.minimum + 1e-9:
            wire = grid.quantise(wire - grid.increment)
        return wire * f

    def _planned_incline(self, step: CompiledStep) -> float:
        if self.incline_grid is None:
            return 0.0
        return self.incline_grid.quantise(step.incline_at(0.0) + self.config.incline_offset_percent)

    def on_grid(self, kmh: float) -> float:
        """`kmh` as the machine would be told it: under the cap, on its grid."""
        f = self.factor
        return self.speed_grid.quantise(kmh / f) * f

    def as_commanded(self, step: CompiledStep) -> CompiledStep:
        """`step` with the speeds the machine is told (what every screen shows).

        Made for every step of the plan as the run starts: a copy of the step's fields
        (base/frozen_record.py) costs a tenth of `dataclasses.replace`, so a plan of
        10,000 steps does not start with a twentieth of a second of copying.
        """
        end = step.end_speed_kmh
        return frozen_record(
            CompiledStep,
            {
                **vars(step),
                "speed_kmh": self.on_grid(step.speed_kmh),
                "end_speed_kmh": None if end is None else self.on_grid(end),
            },
        )

    def offset_shown(self, step: CompiledStep, fraction: float) -> float:
        """The runner's offset as the machine runs it: commanded now minus the plan's."""
        plan = step.target_at(fraction)
        return self.on_grid(plan + self.offset) - self.on_grid(plan)

    def incline(self, step: CompiledStep | None, fraction: float) -> float:
        wanted = step.incline_at(fraction) if step else 0.0
        wanted += self.config.incline_offset_percent + self.incline_adjust
        if self.incline_grid is None:
            return 0.0
        return self.incline_grid.quantise(wanted)

    def capped(self, step: CompiledStep | None, fraction: float) -> bool:
        grid = self.speed_grid
        return self.exact(step, fraction) > grid.maximum + grid.increment / 2

    # --- the runner's changes ----------------------------------------------------------

    def nudge(self, step: CompiledStep, fraction: float, delta: float) -> None:
        """`+`/`-`: commanded by treadpace, so within the cap and on the grid."""
        self.above_cap = False
        if self.hold is not None:
            self.hold = nudge_hold(self.hold, delta, self.speed_grid)
        else:
            plan_kmh = step.target_at(fraction)
            self.offset = nudge_offset(self.offset, delta, plan_kmh, self.speed_grid)

    def console_speed(
        self, speed: float, step: CompiledStep, fraction: float, now: float
    ) -> ConsolePress:
        """A console press while the plan runs: the runner's speed wins for the step."""
        self.watchdog.expect(speed, now)  # the belt is moving to the runner's speed now
        self.true.console_press(now)
        if self.config.manual_change == "hold" or step.free:
            self.hold = speed  # a free step's speed is the runner's: a press is the new one
            press = ConsolePress.HOLD
        else:
            self.offset = speed - step.target_at(fraction)
            press = ConsolePress.OFFSET
        self.sent_speed = self.speed(step, fraction)
        self.recent_sent = [*self.recent_sent[-2:], speed]
        self.console_held = True
        self.above_cap = above_cap(speed, self.speed_grid)
        if self.above_cap:
            # What the machine is set to, so the next step's target (within the cap) goes out.
            self.sent_speed = speed
            return ConsolePress.ABOVE_CAP
        return press

    def is_echo(self, speed: float) -> bool:
        """Our latest command echoed back (a press back to an older target is the runner's)."""
        half = self.speed_grid.increment / 2
        return bool(self.recent_sent) and abs(speed - self.recent_sent[-1]) < half

    def console_incline(self, incline: float, step: CompiledStep, fraction: float) -> None:
        grid = self.incline_grid
        if grid is None:
            return
        if self.sent_incline is not None and abs(incline - self.sent_incline) < grid.increment / 2:
            return  # our own command echoed
        self.incline_adjust += incline - self.incline(step, fraction)
        self.sent_incline = incline

    # --- what became of a command ------------------------------------------------------

    def incline_refused(self) -> None:
        """The machine refused an incline: the runner sets it from now on."""
        self.incline_ok = False

    def incline_sent(self, percent: float) -> None:
        """Taken, or perhaps taken: either way it is not sent again."""
        self.sent_incline = percent

    def speed_taken(self, kmh: float, now: float) -> None:
        self.retry.accepted()
        self.watchdog.expect(kmh, now)
        self.sent_speed = kmh
        self.recent_sent = [*self.recent_sent[-2:], kmh]

    def speed_uncertain(self, kmh: float, now: float) -> None:
        """No answer, or the link went down: it may have been taken; never replayed blindly."""
        self.sent_speed = kmh
        self.watchdog.expect(kmh, now)

    def speed_refused_standing(self, kmh: float) -> None:
        """Some machines take targets only while the belt moves (ftms.md Q3): send on move."""
        self.sent_speed = kmh
        self.resend_on_move = True

    def belt_moving(self) -> None:
        if self.resend_on_move:
            self.resend_on_move = False
            self.sent_speed = None
