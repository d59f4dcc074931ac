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
                 │  owns one run_core.RunCore: its core_state.CoreState record
                 │  (run state, start, hold, link, writes, countdown, ending),
                 │  and the cursor, plan clock, policy and odometer beside it
                 ├─ reactions.react     telemetry, machine events
                 ├─ commands.obey       keys, MQTT, web (through gate)
                 ├─ answers.answered    the answer to each write
                 └─ settling (here)     countdown, step ends, setpoints, the end

No class inherits another's state: every rule is a function over the run, chosen
by a table on the input's type (`_HANDLERS`, `reactions._REACTIONS`,
`answers._ANSWERS`). The flags a rule reads (asked to start, started by us, held
at the treadmill, link back, a write in flight, ending) are typed sub-states of
the one record, and the policy's fields are changed only by the policy's methods.

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
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.answers import answered, fix_units
from treadpace.engine.capped import capped_line
from treadpace.engine.causes import (
    NOT_CONFIRMED,
    Departure,
    EndCause,
    GuidedCause,
    PauseCause,
)
from treadpace.engine.commands import obey
from treadpace.engine.core_state import Countdown, EndPhase, Start
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
from treadpace.engine.reactions import react
from treadpace.engine.run_core import ACTIVE, MOVING_KMH, RunCore
from treadpace.engine.transitions import Trigger

if TYPE_CHECKING:
    from treadpace.engine.config import EngineConfig
    from treadpace.engine.gate import Refusal
    from treadpace.engine.odometer import Odometer
    from treadpace.engine.policy import SetpointPolicy
    from treadpace.engine.units_check import SpeedDistanceCheck
    from treadpace.plans.steps import CompiledPlan, CompiledStep

log = logging.getLogger(__name__)

_RUNNING = RunState.RUNNING
"""Looked at on every input: a name here is read faster than an enum's member (3.11)."""

STOPPING = "stopping the belt until the treadmill says it stands"
STOPPING_AFTER_SIGNAL = STOPPING + " (Ctrl+C again: leave now)"
"""Said only when a signal ended the run: the hint answers a Ctrl+C, never a plain end."""


class EngineCore:
    """The one entry: owns the run (`RunCore`, its `CoreState` record) and folds inputs in."""

    def __init__(self, plan: CompiledPlan, config: EngineConfig) -> None:
        self.run = RunCore(plan, config)
        self._wake = math.inf  # the last WakeAt said to the driver

    def handle(self, inp: Input, now: float, *, wall: float, has_control: bool) -> list[Action]:
        """Fold `inp` in at run time `now`; `has_control` is the treadmill port's word."""
        run = self.run
        run.now, run.wall, run.control = now, wall, has_control
        run.refusal = None
        out: list[Action] = []
        run.out = out
        if not run.st.done:
            _HANDLERS[type(inp)](run, inp)
            _settle(run)
        wake = _next_wake(run)
        if wake != self._wake:
            self._wake = wake
            out.append(WakeAt(wake))
        return out

    # --- what the driver, the hub and the tests read ---------------------------------------

    @property
    def done(self) -> bool:
        return self.run.st.done

    @property
    def belt_left_running(self) -> bool:
        """The stop at the end was needed and the belt never said it stood (exit 3)."""
        ending = self.run.st.ending
        return ending is not None and ending.belt_left_running

    @property
    def state(self) -> RunState:
        return self.run.state

    @property
    def guided(self) -> bool:
        return self.run.guided

    @property
    def guided_cause(self) -> GuidedCause | None:
        return self.run.guided_cause

    @property
    def pause_cause(self) -> PauseCause | None:
        return self.run.pause_cause

    @property
    def refusal(self) -> Refusal | None:
        return self.run.refusal

    @property
    def step(self) -> CompiledStep | None:
        return self.run.step

    @property
    def index(self) -> int:
        return self.run.index

    @property
    def policy(self) -> SetpointPolicy:
        return self.run.policy

    @property
    def odometer(self) -> Odometer:
        return self.run.odometer

    @property
    def units(self) -> SpeedDistanceCheck:
        return self.run.units

    def target_speed(self) -> float:
        return self.run.target_speed()

    def plan_now(self) -> float:
        return self.run.plan_now()


# --- inputs of the core's own -------------------------------------------------------------


def _connected(core: RunCore, c: Connected) -> None:
    core.controllable = c.controllable
    core.speeds = c.speeds
    core.odometer.max_kmh = c.speeds.max_kmh  # a faster change of the total is no distance
    core.units.max_kmh = c.speeds.max_kmh
    core.policy.fit(c.speeds, c.inclines)
    p, cfg = core.plan, core.config
    device = cfg.device or c.name
    core.emit(
        RunStarted(
            core.now, core.wall, p.name, p.kind, p.source,
            tuple(core.policy.as_commanded(s) for s in p.steps), cfg.imperial, device,
            cfg.simulated,
        )
    )  # fmt: skip
    _say_capped(core, c.speeds.max_kmh)
    if c.controllable:
        core.write(WriteOp.CONTROL)  # its answer makes the run READY
        return
    core.enter_guided(GuidedCause.READ_ONLY, "this treadmill is read-only")
    core.transition(Trigger.CONNECTED, "connected")


def _say_capped(core: RunCore, machine_max_kmh: float) -> None:
    """Before any countdown: the steps this treadmill (or the profile) runs capped."""
    line = capped_line(
        core.plan.steps,
        core.policy.speed_grid.maximum,
        machine_max_kmh=machine_max_kmh,
        imperial=core.config.imperial,
    )
    if line is not None:
        core.notice(NoticeLevel.WARNING, line)


def _abort(core: RunCore, a: Abort) -> None:
    core.end(RunState.ABORTED, a.reason, a.cause)


def _updates_ended(core: RunCore, u: UpdatesEnded) -> None:
    if u.error is not None:
        core.end(RunState.ABORTED, f"error: {u.error}", EndCause.FAILED)
    else:
        core.end(RunState.ABORTED, "the treadmill connection closed", EndCause.TREADMILL_LOST)


def _finish(core: RunCore, f: Finish) -> None:
    core.end(RunState.ABORTED, f.failure or "ended", EndCause.FAILED)
    st = core.st
    sent = st.writes.in_flight
    if sent is not None and sent.op in (WriteOp.START, WriteOp.RESUME):
        st.start = Start.OURS  # it went out and was never answered: it may have started
    st.writes = st.writes.answered()  # the driver is leaving: no answer is coming


def _stop_answered(core: RunCore, s: StopAnswered) -> None:
    if not s.confirmed:
        assert core.st.ending is not None
        core.st.ending = replace(core.st.ending, belt_left_running=True)
        log.error("the belt's stop was not confirmed")
        core.notice(NoticeLevel.ERROR, NOT_CONFIRMED)
    _report(core)


# --- settling ------------------------------------------------------------------------------


def _settle(core: RunCore) -> None:
    """Act on the run as it now stands: the countdown, step ends, setpoints, the end."""
    st = core.st
    if st.finishing:
        return
    if core.now >= core.link_deadline():
        core.end(RunState.ABORTED, "the treadmill did not come back", EndCause.TREADMILL_LOST)
    if st.writes.in_flight is not None:
        return  # its answer first
    if st.ending is None:
        if st.run != _RUNNING:  # (running: neither of the two below)
            if st.run == RunState.READY and st.start is Start.ASKED:
                _begin_countdown(core)
            if st.run == RunState.COUNTDOWN:
                _count(core)
        if st.run in ACTIVE and st.writes.in_flight is None:
            _advance(core)
            if st.ending is None:
                _apply(core)
    if st.ending is not None and st.writes.in_flight is None:
        _begin_finish(core)


def _begin_countdown(core: RunCore) -> None:
    core.st.start = core.st.start.unasked()
    if core.config.countdown_s <= 0:
        _start_belt(core)
        return
    core.transition(Trigger.COUNTDOWN_BEGUN, "starting")
    core.st.countdown = Countdown(core.config.countdown_s, core.now)


def _count(core: RunCore) -> None:
    count = core.st.countdown
    if count is None:
        return
    while count.next > 0 and core.now >= count.at - 1e-9:
        core.notice(NoticeLevel.INFO, f"starting in {count.next}", NoticeKind.COUNTDOWN)
        count = Countdown(count.next - 1, count.at + 1.0)
    core.st.countdown = count
    if count.next == 0 and core.now >= count.at - 1e-9:
        core.st.countdown = None
        _start_belt(core)


def _start_belt(core: RunCore) -> None:
    """The explicit start (countdown done, `--yes`, or an allowed remote start)."""
    if not core.guided:
        core.write(WriteOp.START)  # its answer begins the plan
        return
    core.notice(
        NoticeLevel.WARNING,
        f"guided mode: start the belt and set {core.start_text()}",
        NoticeKind.START_ON_CONSOLE,
    )
    core.belt_started()


def _advance(core: RunCore) -> None:
    """End every step whose boundary has been reached (several, if time jumped)."""
    cur = core.cursor
    while core.st.run in ACTIVE:
        step = cur.step
        crossing = cur.crossing(core.plan_now(), core.run_m())
        if crossing is None or step is None:
            return
        core.close_step(step, crossing.skipped, crossing.elapsed_s, crossing.distance_m)
        if core.cursor.last:
            core.cursor.past_end()
            core.end(RunState.FINISHED, "plan complete", EndCause.PLAN_COMPLETE)
            return
        core.begin_step(core.index + 1, crossing.next_t0, crossing.next_m0)


def _apply(core: RunCore) -> None:
    """The next write the run needs, if any: a queued op, then speed, then incline."""
    st = core.st
    while st.writes.queued and core.in_flight is None:
        op, st.writes = st.writes.popped()
        if op == WriteOp.UNIT_FIX:
            fix_units(core)
        elif op == WriteOp.PAUSE or core.state == RunState.PAUSED:
            core.write(op)  # a resume only while still paused
    if core.in_flight is not None:
        return
    frac = core.fraction()  # what follows changes neither the step nor where the run is
    _track_departures(core, frac)
    if core.st.run != _RUNNING or core.st.guided is not None or not core.control:
        return
    _judge_heart_rate(core, frac)
    pol = core.policy
    speed = core.target_speed(frac)
    pol.reclaim_speed()  # the belt was started again: its target is ours again
    if not pol.above_cap and speed != pol.sent_speed and pol.retry.wait(core.now) <= 0:
        core.write(WriteOp.SPEED, speed)  # (a press above the cap stands for its step)
    elif pol.incline_grid is not None and pol.incline_ok:
        incline = core.target_incline(frac)
        if incline != pol.sent_incline:
            core.write(WriteOp.INCLINE, incline)


def _track_departures(core: RunCore, frac: float) -> None:
    """Capped: the plan asks for more than may be commanded; held: a console speed."""
    step = core.cursor.step
    live = core.st.run == _RUNNING and core.st.guided is None and step is not None
    now = core.plan_now()
    capped = live and core.policy.capped(step, frac)
    core.departures.set(Departure.CAPPED, capped, now)
    core.departures.set(Departure.HELD, live and core.policy.console_held, now)


def _judge_heart_rate(core: RunCore, frac: float) -> None:
    """A step with a heart-rate rule: let the controller judge (a console change wins)."""
    step, pol = core.cursor.step, core.policy
    if step is None or step.hr is None or pol.console_held or pol.hold is not None:
        return
    change = pol.hr.update(core.now, step.target_at(frac) + pol.offset)
    if change is None:
        return
    if change.fault is None:
        core.notice(NoticeLevel.INFO, "heart rate is back: heart-rate control again", NoticeKind.HR)
    else:
        core.notice(
            NoticeLevel.WARNING,
            f"{FAULT_TEXT[change.fault]}: {step.name} runs its pace target, never faster",
            NoticeKind.HR_FALLBACK,
        )


# --- the end -------------------------------------------------------------------------------


def _begin_finish(core: RunCore) -> None:
    ending = core.st.ending
    assert ending is not None
    core.st.ending = replace(ending, phase=EndPhase.STOPPING)
    core.set_counting(False)  # the plan ends now, not when the stop is answered
    if core.st.start is Start.OURS or (core.control and core.speed > MOVING_KMH):
        signal = ending.cause == EndCause.INTERRUPTED
        core.notice(NoticeLevel.INFO, STOPPING_AFTER_SIGNAL if signal else STOPPING)
        core.out.append(StopBelt())  # its answer reports the run
    else:
        _report(core)


def _report(core: RunCore) -> None:
    ending = core.st.ending
    assert ending is not None
    state, reason = ending.state, ending.reason
    if state == RunState.FINISHED and core.guided_cause == GuidedCause.CONTROL_SILENT:
        reason = "plan ended with the treadmill not answering commands"  # not complete
    step = core.step
    if step is not None and core.state in ACTIVE:
        cur = core.cursor
        core.close_step(step, False, core.plan_now() - cur.t0, core.run_m() - cur.m0)
        cur.past_end()
    trigger = Trigger.PLAN_COMPLETE if state == RunState.FINISHED else Trigger.ENDED
    core.transition(trigger, reason)
    core.emit(_finished(core, state, reason, ending.cause))
    core.st.ending = replace(ending, phase=EndPhase.DONE)
    core.out.append(Done())


def _finished(core: RunCore, state: RunState, reason: str, cause: EndCause) -> RunFinished:
    plan_end, dep = core.plan_now(), core.departures
    return RunFinished(
        t=core.now,
        wall=core.wall,
        state=state,
        reason=reason,
        distance_m=max(0.0, core.run_m()),
        elapsed_s=plan_end,
        steps=tuple(core.cursor.summaries),
        guided_s=dep.seconds(Departure.GUIDED, plan_end),
        capped_s=dep.seconds(Departure.CAPPED, plan_end),
        held_s=dep.seconds(Departure.HELD, plan_end),
        guided_cause=core.guided_cause,
        end_cause=cause,
        hr_zone_s=tuple(core.hr_stats.zone_s) if core.hr_stats.bounds else (),
        true_distance_m=core.policy.true.distance_m if core.policy.true.known else None,
    )


# --- waking --------------------------------------------------------------------------------


def _next_wake(core: RunCore) -> float:
    st = core.st
    if st.finishing or st.writes.in_flight is not None:
        return math.inf  # an answer comes first
    best = core.link_deadline()
    if st.run != _RUNNING:
        if st.run == RunState.COUNTDOWN:
            count = st.countdown
            return best if count is None else min(best, count.at)
        return best
    step = core.cursor.step
    if step is None or not core.clock.counting:
        return best
    return min(best, step_wake(core, step))


def _time(_core: RunCore, _: TimePassed) -> None:
    """Nothing to fold in: settling looks at the time."""


_HANDLERS: dict[type, Callable[[RunCore, Any], None]] = {
    Connected: _connected,
    FromTreadmill: lambda core, f: react(core, f.update),
    RunnerCommand: obey,
    Written: answered,
    TimePassed: _time,
    Abort: _abort,
    UpdatesEnded: _updates_ended,
    Finish: _finish,
    StopAnswered: _stop_answered,
}
"""Which rule folds in which input: the input's type decides, never a field's text."""
