"""The run the engine core owns, and the few primitive ways it changes.

`RunCore` holds what the run knows: its state record (`core_state.CoreState`:
the run state, guided mode, the start, the hold at the treadmill, the link, the
writes, the countdown, the ending), the step cursor, the plan clock, the
setpoint policy, the odometer and the belt's latest readings. Its methods are
the small changes every rule is made of: a transition through the table, an
end, guided mode, a write, a notice, the start and close of a step. The rules
are functions over it, one module for each kind of input: what the treadmill
says (`reactions`), what the runner asks (`commands`), how a write was answered
(`answers`); `core.EngineCore` owns the one `RunCore` and is the one entry.
Nothing inherits from it. Pure: `now` and `wall` are set by `EngineCore.handle`
for each input.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from treadpace.base.display import target
from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.belt_restart import STANDING_KMH, BeltRestartWatch
from treadpace.engine.causes import Departure, DepartureClock, EndCause, GuidedCause, PauseCause
from treadpace.engine.config import EngineConfig
from treadpace.engine.core_state import CoreState, Ending, LinkDown
from treadpace.engine.cursor import StepCursor
from treadpace.engine.events import (
    EngineEvent,
    Notice,
    NoticeKind,
    RunState,
    StateChanged,
    StepFinished,
    StepStarted,
    StepSummary,
)
from treadpace.engine.gate import Refusal
from treadpace.engine.hr_stats import HrStats
from treadpace.engine.messages import Action, Write, WriteOp
from treadpace.engine.odometer import Odometer
from treadpace.engine.plan_clock import PlanClock
from treadpace.engine.policy import SetpointPolicy
from treadpace.engine.transitions import PAUSE_CAUSE, Trigger, next_state
from treadpace.engine.units_check import SpeedDistanceCheck
from treadpace.ftms import SpeedRange

if TYPE_CHECKING:
    from treadpace.plans.steps import CompiledPlan, CompiledStep

log = logging.getLogger(__name__)

ACTIVE = (RunState.RUNNING, RunState.PAUSED)
MOVING_KMH = STANDING_KMH  # above it the belt moves


def speed_text(kmh: float, imperial: bool) -> str:
    """ "10.9 km/h (5:30/km)" or "6.8 mph (8:50/mi)": a target as the runner reads it."""
    return target(kmh, imperial)


class RunCore:
    def __init__(self, plan: CompiledPlan, config: EngineConfig) -> None:
        if not plan.steps:
            raise ValueError("a plan needs at least one step")
        self.plan = plan
        self.config = config
        self.st = CoreState()
        """The run's state and the facts that qualify it: the one record the rules change."""
        self.cursor = StepCursor(plan)
        self.clock = PlanClock()
        self.policy = SetpointPolicy(config)
        self.odometer = Odometer()
        self.units = SpeedDistanceCheck()
        self.hr_stats = HrStats(config.hr_zones)
        self.departures = DepartureClock()
        self.speeds = SpeedRange(0.0, config.max_speed_kmh, 0.1)
        self.controllable = False
        # the belt's latest readings (true km/h)
        self.speed = 0.0
        self.incline: float | None = None
        self.heart_rate: int | None = None
        self.energy: float | None = None
        self.steps_count: int | None = None
        self.restart_watch = BeltRestartWatch()  # a console Start seen only in the telemetry
        # set by `handle` for each input
        self.now = 0.0
        self.wall = 0.0
        self.control = False
        self.out: list[Action] = []
        self.refusal: Refusal | None = None
        """Why the command in the input just handled was refused (None: taken, or no command)."""

    # --- reading the run -----------------------------------------------------------------

    @property
    def state(self) -> RunState:
        return self.st.run

    @property
    def guided(self) -> bool:
        return self.st.guided is not None

    @property
    def guided_cause(self) -> GuidedCause | None:
        return self.st.guided

    @property
    def pause_cause(self) -> PauseCause | None:
        return self.st.pause_cause

    @property
    def in_flight(self) -> Write | None:
        return self.st.writes.in_flight

    @property
    def link_down(self) -> bool:
        return isinstance(self.st.link, LinkDown)

    @property
    def step(self) -> CompiledStep | None:
        return self.cursor.step

    @property
    def index(self) -> int:
        return self.cursor.index

    def plan_now(self) -> float:
        return self.clock.at(self.now)

    def run_m(self) -> float:
        return self.odometer.run_at(self.now)

    def fraction(self) -> float:
        cur = self.cursor
        step = cur.step
        if step is None:
            return 0.0
        now = self.now
        return cur.fraction(step, self.clock.at(now), self.odometer.run_at(now))

    def target_speed(self, fraction: float | None = None) -> float:
        """The speed the policy asks for now (clamped and on the machine's grid).

        Within the lead before a change (engine/belt_lag.py) that is already the next
        step's speed, so the belt's ramp is shared by the steps either side of it.
        `fraction` is the step's `fraction()` now, when the caller has it already.
        """
        if self.config.true_pace.lead:
            lead = self.lead()
            if lead is not None and self.seconds_to_end() <= lead[1] + 1e-9:
                return self.policy.planned(lead[0])
        if fraction is None:
            fraction = self.fraction()
        return self.policy.speed(self.cursor.step, fraction)

    def lead(self) -> tuple[CompiledStep, float] | None:
        """The next step, and how long before this one's end its speed is asked for.

        None where the change must not come early: no next step (never anticipating the
        end), a stop or pause (not running), the runner's own speed (a hold or a console
        press), guided mode, an open step (it ends when the runner says), a free next
        step, heart-rate control on either side, or a belt whose lag is not yet known.
        """
        step, policy = self.step, self.policy
        nxt_i = self.index + 1
        if (
            not self.config.true_pace.lead
            or step is None
            or step.open
            or step.hr is not None
            or self.state != RunState.RUNNING
            or self.guided
            or self.st.ended
            or policy.runners_speed
            or nxt_i >= len(self.plan.steps)
        ):
            return None
        nxt = self.plan.steps[nxt_i]
        if nxt.free or nxt.hr is not None:
            return None
        lead = policy.lag.lead_s(policy.speed(step, 1.0), policy.planned(nxt))
        return (nxt, lead) if lead > 0 else None

    def seconds_to_end(self) -> float:
        """Plan seconds left in the step (a distance step's at the belt's speed; inf standing)."""
        step = self.step
        if step is None:
            return math.inf
        left = self.cursor.remaining(step, self.plan_now(), self.run_m())
        if step.kind == "time":
            return left
        ms = self.speed / 3.6
        return left / ms if ms > 0.5 else math.inf

    def target_incline(self, fraction: float | None = None) -> float:
        if fraction is None:
            fraction = self.fraction()
        return self.policy.incline(self.cursor.step, fraction)

    def link_deadline(self) -> float:
        link = self.st.link
        if not isinstance(link, LinkDown):
            return math.inf
        return link.since + self.config.link_timeout_s

    # --- changing it ---------------------------------------------------------------------

    def transition(self, trigger: Trigger, reason: str) -> None:
        """The only way the run's state changes: a row of `transitions.TRANSITIONS`."""
        state = next_state(self.state, trigger)
        if state is None:
            log.debug("%s in %s: no change", trigger, self.state)
            return
        st = self.st
        previous, st.run = st.run, state
        st.pause_cause = PAUSE_CAUSE.get(trigger) if state == RunState.PAUSED else None
        if state == RunState.PAUSED:
            self.restart_watch.reset()
        if state == RunState.RUNNING:
            st.held_at_treadmill = False
        if previous == RunState.PAUSED:
            # A queued resume belonged to that pause, not to a later one; a queued pause
            # would stop the belt the runner has just started again.
            st.writes = st.writes.without(WriteOp.RESUME, WriteOp.PAUSE)
        self.update_counting()
        self.emit(StateChanged(self.now, state, previous, reason))

    def end(self, state: RunState, reason: str, cause: EndCause) -> None:
        """The first ending wins: its state, its words for people, its cause for code."""
        if self.st.ending is None:
            self.st.ending = Ending(state, reason, cause)

    def update_counting(self) -> None:
        running = self.state == RunState.RUNNING
        if self.guided:
            running = running and self.speed > MOVING_KMH
        self.set_counting(running)

    def set_counting(self, counting: bool) -> None:
        self.clock.set_counting(counting, self.now)
        self.odometer.set_counting(counting, self.now)

    def enter_guided(self, cause: GuidedCause, why: str) -> None:
        """treadpace stops commanding speed; the runner sets it and the plan follows the belt."""
        if self.guided:
            return
        self.st.guided = cause
        self.departures.set(Departure.GUIDED, True, self.plan_now())
        self.emit(
            Notice(
                self.now,
                NoticeLevel.WARNING,
                f"{why}: guided mode - set the speed on the console; treadpace follows the belt",
                NoticeKind.GUIDED,
                guided=cause,
            )
        )
        self.update_counting()

    def write(self, op: WriteOp, value: float | None = None) -> None:
        """One command to the treadmill; nothing else is written until it is answered."""
        write = Write(op, value)
        self.st.writes = self.st.writes.sent(write)
        self.out.append(write)

    def emit(self, event: EngineEvent) -> None:
        self.out.append(event)

    def notice(
        self, level: NoticeLevel, message: str, kind: NoticeKind = NoticeKind.GENERAL
    ) -> None:
        self.out.append(Notice(self.now, level, message, kind))

    # --- steps ---------------------------------------------------------------------------

    def belt_started(self) -> None:
        self.transition(Trigger.BELT_STARTED, "started")
        self.begin_step(0, self.plan_now(), self.run_m())

    def begin_step(self, index: int, t0: float, m0: float) -> None:
        # A free step keeps the speed the belt was asked for at the end of the last one.
        keep = self.target_speed() if index > 0 and self.step is not None else None
        step = self.cursor.begin(index, t0, m0)
        self.policy.begin_step(step, keep, self.now)
        # Screens show the step as the machine runs it: one speed, one pace everywhere.
        shown = self.policy.as_commanded(step)
        self.emit(StepStarted(self.now, index, shown, len(self.plan.steps)))
        how = [
            "set your own speed on the console" if step.free else "",
            "skip it (n) when you are done" if step.open else "",
        ]
        if any(how):
            text = " and ".join(h for h in how if h)
            self.notice(NoticeLevel.INFO, f"{step.name}: {text}", NoticeKind.STEP_HOW)
        if self.guided:
            self.notice(
                NoticeLevel.INFO, f"{step.name}: set {self.target_text()}", NoticeKind.STEP_TARGET
            )

    def close_step(self, step: CompiledStep, skipped: bool, elapsed: float, dist: float) -> None:
        self.emit(StepFinished(self.now, self.index, step, elapsed, dist, skipped))
        avg_hr, max_hr = self.hr_stats.close_step()
        hr = self.policy.hr
        ran = self.policy.true.step_distance(dist)  # the runner's, when true pace is known
        summary = StepSummary(
            index=self.index,
            name=step.name,
            target_speed_kmh=self.policy.as_commanded(step).mean_speed_kmh,
            avg_speed_kmh=ran / elapsed * 3.6 if elapsed > 0 else 0.0,
            distance_m=ran,
            elapsed_s=elapsed,
            skipped=skipped,
            hr_held_s=hr.held_s if step.hr is not None else 0.0,
            avg_hr_bpm=avg_hr,
            max_hr_bpm=max_hr,
        )
        self.cursor.record(step, summary)

    # --- words -----------------------------------------------------------------------------

    def step_name(self) -> str:
        step = self.step
        return step.name if step is not None else ""

    def target_text(self) -> str:
        return speed_text(self.target_speed(), self.config.imperial)

    def start_text(self) -> str:
        """Step 1's target: the belt starts before the first step begins."""
        first = self.policy.speed_grid.quantise(self.plan.steps[0].target_at(0.0))
        return speed_text(first, self.config.imperial)
