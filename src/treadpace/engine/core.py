"""The engine's decisions as pure code: an input and `now` in, actions out.

`EngineCore.handle(input, now, wall=..., has_control=...)` folds one input
(`engine.messages`) into the run, then settles it: the countdown, the ends of
steps, the next setpoint, the end of the run. It returns what to do: at most
one write to the treadmill at a time (its `Written` answer comes back before
the next), the final confirmed stop, events for the hub, and when to be woken.
It holds no clock, no task and no socket; `engine.engine.Engine` is the async
driver that performs the actions and feeds the inputs. Every change of state is
a row of `engine.transitions.TRANSITIONS`.

    inputs ──> EngineCore.handle ──> [Write | StopBelt | WakeAt | Done | event, ...]
                 ├─ reactions.TreadmillReactions   telemetry, machine events
                 ├─ commands.RunnerCommands        keys, MQTT, web (through gate)
                 ├─ answers.WriteAnswers           the answer to each write
                 └─ run_state.RunCore              state, cursor, plan clock, policy

Safety rules (DESIGN.md) enforced in the core: setpoints go through the
policy's grid under the cap (rule 1); Start is written only after an explicit
START or RESUME that passed the gate (rule 2); a stop at the treadmill or the
safety key pauses the plan and nothing is written until the runner resumes
(rule 3); every end asks for the confirmed stop of a belt that treadpace
started, or that moves while treadpace has control, before the run is reported
(rule 4); a console speed becomes an offset or a hold for the rest of the step
(rule 5). A lost link pauses the plan, and nothing is replayed when it is back.
Rule 6 (only the configured device) is the Bluetooth layer's: the core never
chooses a treadmill.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from treadpace.engine.answers import answered, fix_units
from treadpace.engine.capped import capped_line
from treadpace.engine.commands import obey
from treadpace.engine.deadlines import step_wake
from treadpace.engine.events import NoticeKind, RunFinished, RunStarted, RunState
from treadpace.engine.hr_control import FAULT_TEXT
from treadpace.engine.messages import (
    Abort,
    Action,
    Connected,
    Done,
    Finish,
    FromTreadmill,
    Input,
    RunnerCommand,
    StopAnswered,
    StopBelt,
    TimePassed,
    UpdatesEnded,
    WakeAt,
    WriteOp,
    Written,
)
from treadpace.engine.outcome import NOT_CONFIRMED, Departure, EndCause, GuidedCause
from treadpace.engine.reactions import react
from treadpace.engine.run_state import ACTIVE, MOVING_KMH, RunCore
from treadpace.engine.transitions import Trigger
from treadpace.notice_level import NoticeLevel

if TYPE_CHECKING:
    from treadpace.engine.config import EngineConfig
    from treadpace.plans.steps import CompiledPlan

log = logging.getLogger(__name__)

STOPPING = "stopping the belt until the treadmill says it stands"
STOPPING_AFTER_SIGNAL = STOPPING + " (Ctrl+C again: leave now)"
"""Said only when a signal ended the run: the hint answers a Ctrl+C, never a plain end."""


class EngineCore(RunCore):
    def __init__(self, plan: CompiledPlan, config: EngineConfig) -> None:
        super().__init__(plan, config)
        self.belt_left_running = False
        """The stop at the end was needed and the belt never said it stood (exit 3)."""
        self._finishing = False
        self._done = False
        self._count_next = 0  # the countdown's next number, and when it is due
        self._count_at = math.inf
        self._wake = math.inf

    def handle(self, inp: Input, now: float, *, wall: float, has_control: bool) -> list[Action]:
        """Fold `inp` in at run time `now`; `has_control` is the treadmill port's word."""
        self.now, self.wall, self.control = now, wall, has_control
        self.refusal = None
        out: list[Action] = []
        self.out = out
        if not self._done:
            _HANDLERS[type(inp)](self, inp)
            self._settle()
        wake = self._next_wake()
        if wake != self._wake:
            self._wake = wake
            out.append(WakeAt(wake))
        return out

    @property
    def done(self) -> bool:
        return self._done

    # --- inputs of the core's own -------------------------------------------------------------

    def _connected(self, c: Connected) -> None:
        self.controllable = c.controllable
        self.speeds = c.speeds
        self.odometer.max_kmh = c.speeds.max_kmh  # a faster change of the total is no distance
        self.units.max_kmh = c.speeds.max_kmh
        self.policy.fit(c.speeds, c.inclines)
        p, cfg = self.plan, self.config
        device = cfg.device or c.name
        self.emit(
            RunStarted(
                self.now, self.wall, p.name, p.kind, p.source,
                tuple(self.policy.as_commanded(s) for s in p.steps), cfg.imperial, device,
                cfg.simulated,
            )
        )  # fmt: skip
        self._say_capped(c.speeds.max_kmh)
        if c.controllable:
            self.write(WriteOp.CONTROL)  # its answer makes the run READY
            return
        self.enter_guided(GuidedCause.READ_ONLY, "this treadmill is read-only")
        self.transition(Trigger.CONNECTED, "connected")

    def _say_capped(self, machine_max_kmh: float) -> None:
        """Before any countdown: the steps this treadmill (or the profile) runs capped."""
        line = capped_line(
            self.plan.steps,
            self.policy.speed_grid.maximum,
            machine_max_kmh=machine_max_kmh,
            imperial=self.config.imperial,
        )
        if line is not None:
            self.notice(NoticeLevel.WARNING, line)

    def _abort(self, a: Abort) -> None:
        self.end(RunState.ABORTED, a.reason, a.cause)

    def _updates_ended(self, u: UpdatesEnded) -> None:
        if u.error is not None:
            self.end(RunState.ABORTED, f"error: {u.error}", EndCause.FAILED)
        else:
            self.end(RunState.ABORTED, "the treadmill connection closed", EndCause.TREADMILL_LOST)

    def _finish(self, f: Finish) -> None:
        self.end(RunState.ABORTED, f.failure or "ended", EndCause.FAILED)
        sent = self.in_flight
        if sent is not None and sent.op in (WriteOp.START, WriteOp.RESUME):
            self.we_started = True  # it went out and was never answered: it may have started
        self.in_flight = None  # the driver is leaving: no answer is coming

    def _stop_answered(self, s: StopAnswered) -> None:
        if not s.confirmed:
            self.belt_left_running = True
            log.error("the belt's stop was not confirmed")
            self.notice(NoticeLevel.ERROR, NOT_CONFIRMED)
        self._report()

    # --- settling ------------------------------------------------------------------------------

    def _settle(self) -> None:
        """Act on the run as it now stands: the countdown, step ends, setpoints, the end."""
        if self._finishing:
            return
        if self.now >= self.link_deadline():
            self.end(RunState.ABORTED, "the treadmill did not come back", EndCause.TREADMILL_LOST)
        if self.in_flight is not None:
            return  # its answer first
        if self.final is None:
            if self.state == RunState.READY and self.start_requested:
                self._begin_countdown()
            if self.state == RunState.COUNTDOWN:
                self._count()
            if self.state in ACTIVE and self.in_flight is None:
                self._advance()
                if self.final is None:
                    self._apply()
        if self.final is not None and self.in_flight is None:
            self._begin_finish()

    def _begin_countdown(self) -> None:
        self.start_requested = False
        if self.config.countdown_s <= 0:
            self._start_belt()
            return
        self.transition(Trigger.COUNTDOWN_BEGUN, "starting")
        self._count_next, self._count_at = self.config.countdown_s, self.now

    def _count(self) -> None:
        while self._count_next > 0 and self.now >= self._count_at - 1e-9:
            self.notice(NoticeLevel.INFO, f"starting in {self._count_next}", NoticeKind.COUNTDOWN)
            self._count_next -= 1
            self._count_at += 1.0
        if self._count_next == 0 and self.now >= self._count_at - 1e-9:
            self._count_at = math.inf
            self._start_belt()

    def _start_belt(self) -> None:
        """The explicit start (countdown done, `--yes`, or an allowed remote start)."""
        if not self.guided:
            self.write(WriteOp.START)  # its answer begins the plan
            return
        self.notice(
            NoticeLevel.WARNING,
            f"guided mode: start the belt and set {self.start_text()}",
            NoticeKind.START_ON_CONSOLE,
        )
        self.belt_started()

    def _advance(self) -> None:
        """End every step whose boundary has been reached (several, if time jumped)."""
        while self.state in ACTIVE:
            step = self.step
            crossing = self.cursor.crossing(self.plan_now(), self.run_m())
            if crossing is None or step is None:
                return
            self.close_step(step, crossing.skipped, crossing.elapsed_s, crossing.distance_m)
            if self.cursor.last:
                self.cursor.past_end()
                self.end(RunState.FINISHED, "plan complete", EndCause.PLAN_COMPLETE)
                return
            self.begin_step(self.index + 1, crossing.next_t0, crossing.next_m0)

    def _apply(self) -> None:
        """The next write the run needs, if any: a queued op, then speed, then incline."""
        while self.ops and self.in_flight is None:
            op = self.ops.pop(0)
            if op == WriteOp.UNIT_FIX:
                fix_units(self)
            elif op == WriteOp.PAUSE or self.state == RunState.PAUSED:
                self.write(op)  # a resume only while still paused
        if self.in_flight is not None:
            return
        self._track_departures()
        if self.state != RunState.RUNNING or self.guided or not self.control:
            return
        self._judge_heart_rate()
        pol = self.policy
        speed = self.target_speed()
        pol.reclaim_speed()  # the belt was started again: its target is ours again
        if not pol.above_cap and speed != pol.sent_speed and pol.retry.wait(self.now) <= 0:
            self.write(WriteOp.SPEED, speed)  # (a press above the cap stands for its step)
        elif pol.incline_grid is not None and pol.incline_ok:
            incline = self.target_incline()
            if incline != pol.sent_incline:
                self.write(WriteOp.INCLINE, incline)

    def _track_departures(self) -> None:
        """Capped: the plan asks for more than may be commanded; held: a console speed."""
        live = self.state == RunState.RUNNING and not self.guided and self.step is not None
        now = self.plan_now()
        capped = live and self.policy.capped(self.step, self.fraction())
        self.departures.set(Departure.CAPPED, capped, now)
        self.departures.set(Departure.HELD, live and self.policy.console_held, now)

    def _judge_heart_rate(self) -> None:
        """A step with a heart-rate rule: let the controller judge (a console change wins)."""
        step, pol = self.step, self.policy
        if step is None or step.hr is None or pol.console_held or pol.hold is not None:
            return
        change = pol.hr.update(self.now, step.target_at(self.fraction()) + pol.offset)
        if change is None:
            return
        if change.fault is None:
            self.notice(
                NoticeLevel.INFO, "heart rate is back: heart-rate control again", NoticeKind.HR
            )
        else:
            self.notice(
                NoticeLevel.WARNING,
                f"{FAULT_TEXT[change.fault]}: {step.name} runs its pace target, never faster",
                NoticeKind.HR_FALLBACK,
            )

    # --- the end -------------------------------------------------------------------------------

    def _begin_finish(self) -> None:
        self._finishing = True
        self.set_counting(False)  # the plan ends now, not when the stop is answered
        if self.we_started or (self.control and self.speed > MOVING_KMH):
            signal = self.end_cause == EndCause.INTERRUPTED
            self.notice(NoticeLevel.INFO, STOPPING_AFTER_SIGNAL if signal else STOPPING)
            self.out.append(StopBelt())  # its answer reports the run
        else:
            self._report()

    def _report(self) -> None:
        assert self.final is not None
        state, reason = self.final
        if state == RunState.FINISHED and self.guided_cause == GuidedCause.CONTROL_SILENT:
            reason = "plan ended with the treadmill not answering commands"  # not complete
        step = self.step
        if step is not None and self.state in ACTIVE:
            cur = self.cursor
            self.close_step(step, False, self.plan_now() - cur.t0, self.run_m() - cur.m0)
            cur.past_end()
        trigger = Trigger.PLAN_COMPLETE if state == RunState.FINISHED else Trigger.ENDED
        self.transition(trigger, reason)
        self.emit(self._finished(state, reason))
        self._done = True
        self.out.append(Done())

    def _finished(self, state: RunState, reason: str) -> RunFinished:
        plan_end, dep = self.plan_now(), self.departures
        return RunFinished(
            t=self.now,
            wall=self.wall,
            state=state,
            reason=reason,
            distance_m=max(0.0, self.run_m()),
            elapsed_s=plan_end,
            steps=tuple(self.cursor.summaries),
            guided_s=dep.seconds(Departure.GUIDED, plan_end),
            capped_s=dep.seconds(Departure.CAPPED, plan_end),
            held_s=dep.seconds(Departure.HELD, plan_end),
            guided_cause=self.guided_cause,
            end_cause=self.end_cause,
            hr_zone_s=tuple(self.hr_stats.zone_s) if self.hr_stats.bounds else (),
            true_distance_m=self.policy.true.distance_m if self.policy.true.known else None,
        )

    # --- waking --------------------------------------------------------------------------------

    def _next_wake(self) -> float:
        if self._finishing or self.in_flight is not None:
            return math.inf  # an answer comes first
        best = self.link_deadline()
        if self.state == RunState.COUNTDOWN:
            return min(best, self._count_at)
        step = self.step
        if step is None or self.state != RunState.RUNNING or not self.clock.counting:
            return best
        return min(best, step_wake(self, step))


def _time(_core: EngineCore, _: TimePassed) -> None:
    """Nothing to fold in: settling looks at the time."""


_HANDLERS: dict[type, Callable[[EngineCore, Any], None]] = {
    Connected: EngineCore._connected,
    FromTreadmill: lambda core, f: react(core, f.update),
    RunnerCommand: obey,
    Written: answered,
    TimePassed: _time,
    Abort: EngineCore._abort,
    UpdatesEnded: EngineCore._updates_ended,
    Finish: EngineCore._finish,
    StopAnswered: EngineCore._stop_answered,
}
"""Which rule folds in which input: the input's type decides, never a field's text."""
