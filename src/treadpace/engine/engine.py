"""The workout engine: walks a compiled plan and drives the treadmill, safely.

One task (`run`) owns every write to the treadmill; a reader task folds the
treadmill's telemetry and machine events into the engine's state with plain
synchronous handlers and wakes the main loop. The loop checks step boundaries,
sends the setpoints the policy asks for (only when they change), and sleeps on
the injected clock until the next thing that can happen: a time step's end on
the plan clock, a distance step's predicted crossing, a ramp's next grid step.

Safety rules (DESIGN.md) enforced here: setpoints go through `Grid` (rule 1);
`start()` is sent only after an explicit START/RESUME command (rule 2); a runner
stop or the safety key pauses the plan and nothing is sent until the runner
resumes (rule 3); every exit path stops the belt treadpace started and closes
the event stream so the recording is saved (rule 4); a console speed change
becomes an offset or a hold for the rest of the step (rule 5).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from dataclasses import replace
from typing import TYPE_CHECKING

from treadpace.clock import Clock
from treadpace.display import pace, speed
from treadpace.engine.adjust import above_cap, nudge_hold, nudge_offset
from treadpace.engine.config import EngineConfig
from treadpace.engine.events import (
    Command,
    EventHub,
    Notice,
    NoticeKind,
    RunFinished,
    RunStarted,
    RunState,
    SetpointSent,
    StateChanged,
    StepFinished,
    StepStarted,
    StepSummary,
    Tick,
)
from treadpace.engine.gate import CommandSource, start_refusal
from treadpace.engine.hr_control import FAULT_TEXT, HrController
from treadpace.engine.hr_stats import HrStats
from treadpace.engine.odometer import Odometer
from treadpace.engine.outcome import (
    Departure,
    DepartureClock,
    EndCause,
    GuidedCause,
    PauseCause,
)
from treadpace.engine.setpoint import Grid, speed_grid
from treadpace.engine.units_check import (
    SpeedDistanceCheck,
    mismatch_message,
    wire_speed_at_most,
)
from treadpace.engine.watchdog import ObeyWatchdog, WriteRetry
from treadpace.treadmill.port import (
    BeltStartedByUser,
    BeltStoppedByUser,
    ControlLost,
    ControlRefused,
    ControlSilent,
    LinkLost,
    LinkRestored,
    MachineReset,
    NotConnected,
    SafetyKeyPulled,
    TargetInclineChanged,
    TargetSpeedChanged,
    Telemetry,
    TelemetryStale,
    TreadmillError,
    TreadmillUpdate,
)
from treadpace.treadmill.retry import is_transport_failure
from treadpace.treadmill.stop import NOT_CONFIRMED, BeltWatch, StopPolicy, stop_belt

if TYPE_CHECKING:
    from treadpace.plans.steps import CompiledPlan, CompiledStep
    from treadpace.treadmill.port import Treadmill

log = logging.getLogger(__name__)


def speed_text(kmh: float, imperial: bool) -> str:
    """ "10.9 km/h (5:30/km)" or "6.8 mph (8:50/mi)": a target as the runner reads it."""
    return f"{speed(kmh, imperial)} ({pace(kmh, imperial)})"


_ACTIVE = (RunState.RUNNING, RunState.PAUSED)
_MOVING_KMH = 0.05


class Engine:
    def __init__(
        self,
        treadmill: Treadmill,
        plan: CompiledPlan,
        config: EngineConfig,
        clock: Clock,
        hub: EventHub,
    ) -> None:
        if not plan.steps:
            raise ValueError("a plan needs at least one step")
        self.treadmill = treadmill
        self.plan = plan
        self.config = config
        self.clock = clock
        self.hub = hub
        self.state = RunState.IDLE
        self._state_reason = ""
        self.guided = False
        self.guided_cause: GuidedCause | None = None
        self._departures = DepartureClock()
        self._console_held = False  # a console speed replaces the plan's for this step
        self._above_cap = False  # that console speed is above the cap: no command this step
        self._woken = False
        self._waiter: asyncio.Future[None] | None = None
        self._timer: asyncio.Task[None] | None = None
        self._timer_at = math.inf
        self._ops: list[str] = []
        self._final: tuple[RunState, str] | None = None
        self._end_cause = EndCause.FAILED
        self._pause_cause: PauseCause | None = None
        self._start_requested = False
        self._stopped_at_treadmill = False  # console stop / safety key: only a local resume
        self._we_started = False
        self._belt_watch = BeltWatch()
        self.belt_left_running = False
        """Set when the stop at the end was needed and could not be confirmed (exit 3)."""
        self._reader_error: BaseException | None = None
        # limits, known after connect
        self._speed_grid = Grid(0.0, config.max_speed_kmh, 0.1, 100)
        self.hr_control = HrController(0.1)
        self.hr_stats = HrStats(config.hr_zones)
        self._incline_grid: Grid | None = None
        self._incline_ok = True
        # plan clock and distance
        self._plan_base = 0.0
        self._plan_anchor: float | None = None
        self.odometer = Odometer()
        self._units = SpeedDistanceCheck()
        self._speed_factor = 1.0  # true km/h per reported "km/h" (mph on the wire: 1.61)
        # step cursor
        self.index = -1
        self._step_t0 = 0.0  # plan time at the step's start
        self._step_m0 = 0.0  # run distance at the step's start
        self._extra = 0.0  # extension of the current step (s or m)
        self._offset = 0.0  # km/h added to the step's target (nudges, console change)
        self._hold: float | None = None  # km/h held for the rest of the step
        self._incline_adjust = 0.0
        self._skip = False
        self._done_time = 0.0  # planned seconds of finished steps (progress bar)
        self._total_time = plan.total_time_s
        self._summaries: list[StepSummary] = []
        # what the machine was told and reports
        self._sent_speed: float | None = None
        self._sent_incline: float | None = None
        self._recent_sent: list[float] = []
        self._resend_on_move = False
        self._watchdog = ObeyWatchdog(config.obey_timeout_s)
        self._speed_retry = WriteRetry()
        self._speed = 0.0
        self._incline: float | None = None
        self._hr: int | None = None
        self._energy: float | None = None
        self._steps_count: int | None = None
        self._link_down_at: float | None = None
        self._await_restore = False

    # --- public -------------------------------------------------------------------------

    @property
    def step(self) -> CompiledStep | None:
        if 0 <= self.index < len(self.plan.steps):
            return self.plan.steps[self.index]
        return None

    async def command(
        self,
        cmd: Command,
        value: float | None = None,
        source: CommandSource = CommandSource.LOCAL,
    ) -> None:
        """A runner's request (keys, MQTT). Never raises for an ill-timed command."""
        refusal = start_refusal(
            cmd,
            self.state,
            source,
            remote_start_allowed=self.config.allow_remote_start,
            stopped_at_treadmill=self._stopped_at_treadmill,
        )
        if refusal is not None:
            log.info("%s command %s: %s", source.value, cmd.value, refusal)  # and the notice
            self._notice("warning", refusal)
            return
        self._handle_command(cmd, value)
        self._poke()

    async def remote_command(self, cmd: Command, value: float | None = None) -> None:
        """A command from away from the treadmill (MQTT, a web page): see `gate`."""
        await self.command(cmd, value, CommandSource.REMOTE)

    def abort(self, reason: str, cause: EndCause = EndCause.INTERRUPTED) -> None:
        """End the run (Ctrl+C, SIGTERM): the belt is stopped on the way out."""
        self._end(RunState.ABORTED, reason, cause)
        self._poke()

    def _end(self, state: RunState, reason: str, cause: EndCause) -> None:
        """The first ending wins: its state, its words for people, its cause for code."""
        if self._final is None:
            self._final = (state, reason)
            self._end_cause = cause

    async def run(self) -> RunFinished:
        reader: asyncio.Task[None] | None = None
        failure = ""
        try:
            await self._prepare()
            reader = asyncio.create_task(self._read())
            await self._main()
        except asyncio.CancelledError:
            failure = "cancelled"
            raise
        except Exception as exc:
            failure = f"error: {exc}"
            raise
        finally:
            self._cancel_timer()
            finished = await self._finish(failure)
            if reader is not None:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader
        return finished

    # --- phases ------------------------------------------------------------------------

    async def _prepare(self) -> None:
        tm = self.treadmill
        await tm.connect()
        self.config.check_fits(tm.speed_range, tm.incline_range)
        self.hub.publish(
            RunStarted(
                t=self.clock.now(),
                wall=self.clock.wall(),
                plan_name=self.plan.name,
                plan_kind=self.plan.kind,
                plan_source=self.plan.source,
                steps=self.plan.steps,
                imperial=self.config.imperial,
                device=self.config.device or tm.name,
            )
        )
        sr = tm.speed_range
        self.odometer.max_kmh = sr.max_kmh  # a faster change of the total is no distance
        self._units.max_kmh = sr.max_kmh
        self._speed_grid = speed_grid(
            sr.min_kmh, sr.max_kmh, sr.increment_kmh, self.config.max_speed_kmh
        )
        self._watchdog.tolerance_kmh = self._speed_grid.increment / 2
        ir = tm.incline_range
        if ir is not None:
            self._incline_grid = Grid.build(
                ir.min_percent,
                ir.max_percent,
                ir.increment_percent,
                self.config.max_incline_percent,
                10,
            )
        if not tm.controllable:
            self._enter_guided(GuidedCause.READ_ONLY, "this treadmill is read-only")
        else:
            try:
                granted = await tm.request_control()
            except TreadmillError as exc:  # retried below us; no answer is not a refusal
                log.info("request control failed: %s", exc)
                self._enter_guided(
                    GuidedCause.CONTROL_UNREACHABLE,
                    f"could not ask the treadmill for control ({exc})",
                )
            else:
                if not granted:
                    self._enter_guided(GuidedCause.CONTROL_REFUSED, "the treadmill refused control")
        self._set_state(RunState.READY, "connected")

    async def _main(self) -> None:
        counted = False
        while not counted:
            while not self._start_requested:
                if self._final is not None:
                    return
                await self._wait(self._link_deadline())
                self._check_link_timeout()
            counted = await self._countdown()
            if self._final is not None:
                return
        await self._start_belt()
        if self._final is not None:
            return
        self._set_state(RunState.RUNNING, "started")
        self._begin_step(0, self._plan_now(), self._run_m())
        while True:
            self._advance()
            if self._final is not None:
                return
            await self._apply()
            if self._final is not None:
                return
            await self._wait(self._next_deadline())
            self._check_link_timeout()
            if self._reader_error is not None:
                raise self._reader_error

    async def _countdown(self) -> bool:
        """3-2-1 before the belt starts; False when a pause stopped it (see PAUSE)."""
        if self.config.countdown_s <= 0:
            return True
        self._set_state(RunState.COUNTDOWN, "starting")
        for i in range(self.config.countdown_s, 0, -1):
            self._notice("info", f"starting in {i}", NoticeKind.COUNTDOWN)
            end = self.clock.now() + 1.0
            while self._final is None and self.clock.now() < end - 1e-9:
                await self._wait(end - self.clock.now())
                if self.state != RunState.COUNTDOWN:
                    return False
            if self._final is not None:
                return False
        return True

    async def _start_belt(self) -> None:
        """The explicit start (countdown done, `--yes`, or an allowed remote start)."""
        if self.guided:
            self._notice(
                "warning",
                f"guided mode: start the belt and set {self._start_text()}",
                NoticeKind.START_ON_CONSOLE,
            )
            return
        try:
            await self.treadmill.start()
            self._we_started = True
        except ControlRefused as exc:
            self._enter_guided(GuidedCause.START_REFUSED, str(exc))
            self._notice(
                "warning",
                f"start the belt on the console and set {self._start_text()}",
                NoticeKind.START_ON_CONSOLE,
            )
        except NotConnected as exc:
            self._end(RunState.ABORTED, f"treadmill not connected: {exc}", EndCause.TREADMILL_LOST)

    async def _finish(self, failure: str) -> RunFinished:
        now = self.clock.now()
        self._end(RunState.ABORTED, failure or "ended", EndCause.FAILED)
        assert self._final is not None
        state, reason = self._final
        if state == RunState.FINISHED and self.guided_cause == GuidedCause.CONTROL_SILENT:
            reason = "plan ended with the treadmill not answering commands"  # not complete
        self._set_counting(False)  # the plan ends now, not when the stop is answered
        if self._we_started or (self.treadmill.has_control and self._speed > _MOVING_KMH):
            await self._stop_belt()
        step = self.step
        if step is not None and self.state in _ACTIVE:
            self._close_step(
                step,
                skipped=False,
                elapsed=self._plan_now() - self._step_t0,
                distance=self._run_m() - self._step_m0,
            )
            self.index = len(self.plan.steps)
        self._set_state(state, reason)
        plan_end, dep = self._plan_now(), self._departures
        finished = RunFinished(
            t=self.clock.now(),
            wall=self.clock.wall(),
            state=state,
            reason=reason,
            distance_m=max(0.0, self._run_m()),
            elapsed_s=plan_end,
            steps=tuple(self._summaries),
            guided_s=dep.seconds(Departure.GUIDED, plan_end),
            capped_s=dep.seconds(Departure.CAPPED, plan_end),
            held_s=dep.seconds(Departure.HELD, plan_end),
            guided_cause=self.guided_cause,
            end_cause=self._end_cause,
            hr_zone_s=tuple(self.hr_stats.zone_s) if self.hr_stats.bounds else (),
        )
        self.hub.publish(finished)
        self.hub.close()
        log.debug("run ended at %.1f: %s (%s)", now, state, reason)
        return finished

    async def _stop_belt(self) -> None:
        """Safety rule 4: stop the belt, retried until the treadmill reports it stopped."""
        self._notice(
            "info", "stopping the belt until the treadmill says it stands (Ctrl+C again: leave now)"
        )
        try:
            confirmed = await stop_belt(
                self.treadmill,
                self.clock,
                self._belt_watch,
                self._wait,
                lambda what: self._notice("error", what),
                StopPolicy(answer_s=self.config.stop_timeout_s),
            )
        except asyncio.CancelledError:
            confirmed = False
        finally:
            self._cancel_timer()
        if not confirmed:
            self.belt_left_running = True
            log.error("the belt's stop was not confirmed")
            self._notice("error", NOT_CONFIRMED)

    # --- waiting -------------------------------------------------------------------------

    def _poke(self) -> None:
        """Wake the main loop (from a handler, a command or the timer)."""
        self._woken = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self, delay: float) -> None:
        """Sleep until poked or `delay` clock seconds pass.

        One timer task is kept while its deadline stays put (a time step's end does
        not move between telemetry packets), so the hot path creates no task.
        """
        if self._woken:
            self._woken = False
            return
        if delay <= 0:
            await asyncio.sleep(0)
            return
        at = self.clock.now() + delay
        if math.isinf(delay):
            self._cancel_timer()
        elif self._timer is None or self._timer.done() or abs(at - self._timer_at) > 1e-4:
            self._cancel_timer()
            self._timer_at = at
            self._timer = asyncio.ensure_future(self._alarm(delay))
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        try:
            await waiter
        finally:
            self._waiter = None
        self._woken = False

    async def _alarm(self, delay: float) -> None:
        await self.clock.sleep(delay)
        self._timer_at = math.inf
        self._poke()

    def _cancel_timer(self) -> None:
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()
        self._timer = None
        self._timer_at = math.inf

    def _link_deadline(self) -> float:
        if self._link_down_at is None:
            return math.inf
        return self._link_down_at + self.config.link_timeout_s - self.clock.now()

    def _check_link_timeout(self) -> None:
        if self._link_down_at is not None and self._link_deadline() <= 0:
            self.abort("the treadmill did not come back", EndCause.TREADMILL_LOST)

    def _next_deadline(self) -> float:
        best = self._link_deadline()
        step = self.step
        if step is None or self.state != RunState.RUNNING or self._plan_anchor is None:
            return best
        now = self.clock.now()
        end = step.amount + self._extra
        if step.open:
            pass  # ends on a skip, which wakes the engine itself
        elif step.kind == "time":
            best = min(best, self._step_t0 + end - self._plan_now())
        else:
            best = min(best, self.odometer.time_to(self._step_m0 + end, now))
        if step.is_ramp and self._hold is None and not self.guided:
            best = min(best, self._ramp_deadline(step, now))
        retry = self._speed_retry.wait(now)
        if retry > 0:
            best = min(best, retry)
        return max(0.0, best)

    def _ramp_deadline(self, step: CompiledStep, now: float) -> float:
        v0 = step.speed_kmh
        v1 = step.end_speed_kmh if step.end_speed_kmh is not None else v0
        value = step.target_at(self._fraction(step)) + self._offset
        if v1 > v0:
            thr = self._speed_grid.threshold_above(value) + 1e-6
            if thr <= value or thr - self._offset > v1:
                return math.inf
        else:
            thr = self._speed_grid.threshold_below(value) - 1e-6
            if thr >= value or thr - self._offset < v1:
                return math.inf
        f = (thr - self._offset - v0) / (v1 - v0)
        if step.kind == "time":
            return self._step_t0 + f * step.amount - self._plan_now()
        return self.odometer.time_to(self._step_m0 + f * step.amount, now)

    # --- clocks ---------------------------------------------------------------------------

    def _plan_now(self) -> float:
        if self._plan_anchor is None:
            return self._plan_base
        return self._plan_base + self.clock.now() - self._plan_anchor

    def _run_m(self) -> float:
        return self.odometer.run_at(self.clock.now())

    def _set_counting(self, counting: bool) -> None:
        now = self.clock.now()
        if counting and self._plan_anchor is None:
            self._plan_anchor = now
        elif not counting and self._plan_anchor is not None:
            self._plan_base += now - self._plan_anchor
            self._plan_anchor = None
        self.odometer.set_counting(counting, now)

    def _update_counting(self) -> None:
        running = self.state == RunState.RUNNING
        if self.guided:
            running = running and self._speed > _MOVING_KMH
        self._set_counting(running)

    def _fraction(self, step: CompiledStep) -> float:
        if step.kind == "time":
            done = self._plan_now() - self._step_t0
        else:
            done = self._run_m() - self._step_m0
        return min(1.0, max(0.0, done / step.amount))

    # --- steps ----------------------------------------------------------------------------

    def _begin_step(self, index: int, t0: float, m0: float) -> None:
        # A free step keeps the speed the belt was asked for at the end of the last one.
        keep = self.target_speed() if index > 0 and self.step is not None else None
        self.index = index
        self._step_t0 = t0
        self._step_m0 = m0
        self._extra = 0.0
        self._offset = 0.0
        self._hold = None
        self._incline_adjust = 0.0
        self._skip = False
        self._console_held = False
        self._above_cap = False
        step = self.plan.steps[index]
        if step.free and keep is not None:
            self._hold = keep
        self.hr_control.increment = self._speed_grid.increment
        self.hr_control.begin(step.hr, self.clock.now())
        self.hub.publish(StepStarted(self.clock.now(), index, step, len(self.plan.steps)))
        how = [
            "set your own speed on the console" if step.free else "",
            "skip it (n) when you are done" if step.open else "",
        ]
        if any(how):
            text = " and ".join(h for h in how if h)
            self._notice("info", f"{step.name}: {text}", NoticeKind.STEP_HOW)
        if self.guided:
            self._notice("info", f"{step.name}: set {self._target_text()}", NoticeKind.STEP_TARGET)

    def _advance(self) -> None:
        """End every step whose boundary has been reached (several, if time jumped)."""
        while self.state in _ACTIVE:
            step = self.step
            if step is None:
                return
            end = step.amount + self._extra
            plan_now = self._plan_now()
            run_m = self._run_m()
            if self._skip:
                self._close_step(step, True, plan_now - self._step_t0, run_m - self._step_m0)
                next_t0, next_m0 = plan_now, run_m
            elif step.open:
                return
            elif step.kind == "time" and plan_now >= self._step_t0 + end - 1e-9:
                next_t0 = self._step_t0 + end
                self._close_step(step, False, end, run_m - self._step_m0)
                next_m0 = run_m
            elif step.kind == "distance" and run_m >= self._step_m0 + end - 1e-6:
                next_m0 = self._step_m0 + end
                self._close_step(step, False, plan_now - self._step_t0, end)
                next_t0 = plan_now
            else:
                return
            if self.index + 1 >= len(self.plan.steps):
                self.index = len(self.plan.steps)
                self._end(RunState.FINISHED, "plan complete", EndCause.PLAN_COMPLETE)
                return
            self._begin_step(self.index + 1, next_t0, next_m0)

    def _close_step(
        self, step: CompiledStep, skipped: bool, elapsed: float, distance: float
    ) -> None:
        t = self.clock.now()
        self.hub.publish(StepFinished(t, self.index, step, elapsed, distance, skipped))
        self._done_time += step.planned_time_s
        avg_hr, max_hr = self.hr_stats.close_step()
        self._summaries.append(
            StepSummary(
                index=self.index,
                name=step.name,
                target_speed_kmh=step.mean_speed_kmh,
                avg_speed_kmh=distance / elapsed * 3.6 if elapsed > 0 else 0.0,
                distance_m=distance,
                elapsed_s=elapsed,
                skipped=skipped,
                hr_held_s=self.hr_control.held_s if step.hr is not None else 0.0,
                avg_hr_bpm=avg_hr,
                max_hr_bpm=max_hr,
            )
        )

    # --- setpoints ---------------------------------------------------------------------------

    def _exact_target(self) -> float:
        step = self.step
        if step is None:
            return 0.0
        if self._hold is not None:
            return self._hold
        plan = step.target_at(self._fraction(step)) + self._offset
        return plan if self._console_held else self.hr_control.limit(plan)

    def target_speed(self) -> float:
        """The speed the policy asks for now (clamped and on the machine's grid)."""
        f = self._speed_factor  # true km/h per wire "km/h": 1 unless the unit check found one
        return self._speed_grid.quantise(self._exact_target() / f) * f

    def target_incline(self) -> float:
        step = self.step
        wanted = step.incline_at(self._fraction(step)) if step else 0.0
        wanted += self.config.incline_offset_percent
        wanted += self._incline_adjust
        if self._incline_grid is None:
            return 0.0
        return self._incline_grid.quantise(wanted)

    def _target_text(self) -> str:
        return speed_text(self.target_speed(), self.config.imperial)

    def _start_text(self) -> str:
        """Step 1's target: the belt starts before the first step begins."""
        first = self.plan.steps[0]
        return speed_text(self._speed_grid.quantise(first.target_at(0.0)), self.config.imperial)

    async def _apply(self) -> None:
        while self._ops:
            op = self._ops.pop(0)
            await self._do_op(op)
        self._track_departures()
        if self.state != RunState.RUNNING or self.guided or not self.treadmill.has_control:
            return
        self._judge_heart_rate()
        speed = self.target_speed()
        if self._above_cap and self._sent_speed is None:
            self._above_cap = False  # the belt was started again: its target is ours again
        if self._above_cap:
            pass  # the runner's press above the cap stands until the step ends
        elif speed != self._sent_speed and self._speed_retry.wait(self.clock.now()) <= 0:
            await self._send_speed(speed)
        if self._incline_grid is not None and self._incline_ok and not self.guided:
            incline = self.target_incline()
            if incline != self._sent_incline:
                await self._send_incline(incline)

    def _judge_heart_rate(self) -> None:
        """A step with a heart-rate rule: let the controller judge (a console change wins)."""
        step = self.step
        if step is None or step.hr is None or self._console_held or self._hold is not None:
            return
        plan = step.target_at(self._fraction(step)) + self._offset
        change = self.hr_control.update(self.clock.now(), plan)
        if change is None:
            return
        if change.fault is None:
            self._notice("info", "heart rate is back: heart-rate control again", NoticeKind.HR)
        else:
            self._notice(
                "warning",
                f"{FAULT_TEXT[change.fault]}: {step.name} runs its pace target, never faster",
                NoticeKind.HR_FALLBACK,
            )

    def _track_departures(self) -> None:
        """Capped: the plan asks for more than may be commanded; held: a console speed."""
        live = self.state == RunState.RUNNING and not self.guided and self.step is not None
        grid, now = self._speed_grid, self._plan_now()
        capped = live and self._exact_target() > grid.maximum + grid.increment / 2
        self._departures.set(Departure.CAPPED, capped, now)
        self._departures.set(Departure.HELD, live and self._console_held, now)

    async def _do_op(self, op: str) -> None:
        tm = self.treadmill
        if op == "pause":
            try:
                await tm.pause()
            except TreadmillError as exc:
                self._notice("warning", f"pause: {exc}")
        elif op == "unit_mismatch":
            await self._on_unit_mismatch()
        elif op == "resume":
            if self.state != RunState.PAUSED:
                return
            try:
                await tm.start()
            except ControlRefused as exc:
                self._notice(
                    "warning",
                    f"{exc} (still stopping, or the safety key is out): resume again when ready",
                )
                return
            except TreadmillError as exc:
                self._notice("warning", f"resume: {exc}")
                return
            self._we_started = True
            self._sent_speed = None
            self._sent_incline = None
            self._set_state(RunState.RUNNING, "resumed by the runner")

    async def _on_unit_mismatch(self) -> None:
        """The belt runs faster than it reports: bring it to the plan's speed, then guide."""
        m = self._units.decided
        if m is None:
            return
        sent: float | None = None
        if self.state == RunState.RUNNING and not self.guided and self.treadmill.has_control:
            want = min(self._exact_target(), self.config.max_speed_kmh)  # true km/h
            wire = wire_speed_at_most(self._speed_grid, want, m.factor)
            try:
                await self.treadmill.set_speed(wire)
                sent = wire * m.factor
            except TreadmillError as exc:
                log.warning("set speed after a unit mismatch: %s", exc)
        # From here on the runner is shown true km/h: the grid stays the wire's own (an
        # mph belt whose wire says 3.8 "km/h" tops out at 6.12 km/h), the cap becomes
        # the profile's maximum in wire numbers, and `target_speed` converts.
        sr = self.treadmill.speed_range
        self._speed_grid = Grid.build(
            sr.min_kmh, sr.max_kmh, sr.increment_kmh, self.config.max_speed_kmh / m.factor, 100
        )
        self._notice("error", mismatch_message(m, self._speed, sent))
        self._enter_guided(GuidedCause.UNIT_MISMATCH, "speed unit mismatch")

    async def _send_speed(self, speed: float) -> None:
        try:
            await self.treadmill.set_speed(speed)
        except ControlRefused as exc:
            if self._speed <= _MOVING_KMH:
                # Some machines take targets only while the belt moves (ftms.md Q3).
                self._sent_speed = speed
                self._resend_on_move = True
                return
            self._enter_guided(GuidedCause.SPEED_REFUSED, str(exc))
            return
        except TreadmillError as exc:
            if is_transport_failure(exc):
                # Refused at the ATT level: not sent, so tried again after a backoff.
                log.warning("set speed %.2f refused: %s", speed, exc)
                if not self._speed_retry.refused(self.clock.now()):
                    tries = self._speed_retry.refusals + 1
                    self._enter_guided(GuidedCause.SPEED_REFUSED, f"{exc} ({tries} times)")
                return
            # Unknown outcome (timeout) or link down: never replay blindly.
            log.warning("set speed %.2f: %s", speed, exc)
            self._sent_speed = speed
            self._watchdog.expect(speed, self.clock.now())  # it may have been taken
            return
        self._speed_retry.accepted()
        self._watchdog.expect(speed, self.clock.now())
        self._sent_speed = speed
        self._recent_sent = [*self._recent_sent[-2:], speed]
        self.odometer.retarget(speed)
        self.hub.publish(SetpointSent(self.clock.now(), speed, None, self._reason()))

    async def _send_incline(self, incline: float) -> None:
        try:
            await self.treadmill.set_incline(incline)
        except ControlRefused as exc:
            self._incline_ok = False
            self._notice("warning", f"{exc}: set the incline on the console")
            return
        except TreadmillError as exc:
            log.warning("set incline %.1f: %s", incline, exc)
            self._sent_incline = incline
            return
        self._sent_incline = incline
        self.hub.publish(SetpointSent(self.clock.now(), None, incline, self._reason()))

    def _reason(self) -> str:
        step = self.step
        return step.name if step is not None else ""

    # --- state -----------------------------------------------------------------------------

    def _set_state(self, state: RunState, reason: str, pause: PauseCause | None = None) -> None:
        if state == self.state:
            return
        previous, self.state = self.state, state
        self._state_reason = reason
        self._pause_cause = pause if state == RunState.PAUSED else None
        if state == RunState.RUNNING:
            self._stopped_at_treadmill = False
        self._update_counting()
        self.hub.publish(StateChanged(self.clock.now(), state, previous, reason))

    def _notice(self, level: str, message: str, kind: NoticeKind = NoticeKind.GENERAL) -> None:
        self.hub.publish(Notice(self.clock.now(), level, message, kind))

    def _enter_guided(self, cause: GuidedCause, why: str) -> None:
        if self.guided:
            return
        self.guided = True
        self.guided_cause = cause
        self._departures.set(Departure.GUIDED, True, self._plan_now())
        self.hub.publish(
            Notice(
                self.clock.now(),
                "warning",
                f"{why}: guided mode - set the speed on the console; treadpace follows the belt",
                NoticeKind.GUIDED,
                guided=cause,
            )
        )
        self._update_counting()

    def _pause(self, reason: str, cause: PauseCause) -> None:
        if self.state in (RunState.RUNNING, RunState.COUNTDOWN):
            if self.state == RunState.COUNTDOWN:
                self.abort(reason, EndCause.STOPPED_AT_TREADMILL)
                return
            self._set_state(RunState.PAUSED, reason, cause)

    # --- commands --------------------------------------------------------------------------

    def _handle_command(self, cmd: Command, value: float | None) -> None:
        state = self.state
        if cmd == Command.STOP:
            self.abort("stopped by the runner", EndCause.RUNNER_STOP)
        elif cmd == Command.START:
            if state in (RunState.IDLE, RunState.READY):
                self._start_requested = True
            elif state == RunState.PAUSED:
                self._resume()
        elif cmd == Command.RESUME:
            if state == RunState.PAUSED:
                self._resume()
        elif cmd == Command.PAUSE:
            if state == RunState.COUNTDOWN:
                # The belt has not moved yet: back to waiting for a start.
                self._start_requested = False
                self._set_state(RunState.READY, "countdown stopped")
                self._notice("info", "countdown stopped: start again when ready")
            elif state == RunState.RUNNING:
                self._set_state(RunState.PAUSED, "paused by the runner", PauseCause.RUNNER)
                if not self.guided and self.treadmill.has_control:
                    self._ops.append("pause")
        elif cmd == Command.SKIP:
            if state in _ACTIVE and self.step is not None:
                self._skip = True
        elif cmd in (Command.NUDGE_UP, Command.NUDGE_DOWN):
            nudged = self.step
            if state in _ACTIVE and nudged is not None:
                size = value if value is not None else self.config.nudge_kmh
                if size is None:
                    size = self._speed_grid.increment
                delta = size if cmd == Command.NUDGE_UP else -size
                grid = self._speed_grid
                self._above_cap = False  # the runner asks treadpace: commanded, within the cap
                if self._hold is not None:
                    self._hold = nudge_hold(self._hold, delta, grid)
                else:
                    plan_kmh = nudged.target_at(self._fraction(nudged))
                    self._offset = nudge_offset(self._offset, delta, plan_kmh, grid)
        elif cmd == Command.EXTEND:
            step = self.step
            if state in _ACTIVE and step is not None:
                if value is None:
                    value = (
                        self.config.extend_time_s
                        if step.kind == "time"
                        else self.config.extend_distance_m
                    )
                self._extra = max(-step.amount * 0.99, self._extra + value)

    def _resume(self) -> None:
        if self._link_down_at is not None:
            self._notice("warning", "the treadmill is not connected yet")
            return
        if self.guided or not self.treadmill.has_control:
            self._set_state(RunState.RUNNING, "resumed by the runner")
        elif "resume" not in self._ops:
            self._ops.append("resume")

    # --- what the treadmill says -------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for update in self.treadmill.updates():
                self._on_update(update)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug below must still end the run safely
            self._reader_error = exc
        else:
            if self._final is None:
                self.abort("the treadmill connection closed", EndCause.TREADMILL_LOST)
        self._poke()

    def _on_update(self, u: TreadmillUpdate) -> None:
        self._belt_watch.observe(u)
        if isinstance(u, Telemetry):
            self._on_telemetry(u)
        elif isinstance(u, BeltStoppedByUser):
            what = "paused" if u.paused else "stopped"
            if self.state in (RunState.RUNNING, RunState.COUNTDOWN) and self._final is None:
                self._stopped_at_treadmill = True
                self._pause(f"{what} on the treadmill", PauseCause.AT_TREADMILL)
                self._notice(
                    "info",
                    f"belt {what} on the treadmill: resume when ready",
                    NoticeKind.STOPPED_AT_TREADMILL,
                )
        elif isinstance(u, SafetyKeyPulled):
            self._stopped_at_treadmill = True
            self._pause("safety key", PauseCause.SAFETY_KEY)
            self._notice(
                "warning",
                "safety key pulled: put it back, then resume",
                NoticeKind.STOPPED_AT_TREADMILL,
            )
        elif isinstance(u, BeltStartedByUser):
            if self.state == RunState.PAUSED and self._link_down_at is None:
                # The runner restarted the belt: follow, and re-apply the target.
                self._sent_speed = None
                self._sent_incline = None
                self._set_state(RunState.RUNNING, "resumed on the treadmill")
            elif self.state == RunState.READY:
                self._start_requested = True
        elif isinstance(u, TargetSpeedChanged):
            self._on_console_speed(u.speed_kmh)
        elif isinstance(u, TargetInclineChanged):
            self._on_console_incline(u.incline_percent)
        elif isinstance(u, ControlLost | MachineReset):
            self._enter_guided(GuidedCause.CONTROL_LOST, "control of the treadmill was lost")
        elif isinstance(u, ControlSilent):
            if self._final is None:  # the plan's targets go nowhere: the runner sets them
                self._enter_guided(
                    GuidedCause.CONTROL_SILENT, f"the treadmill stopped answering ({u.op})"
                )
        elif isinstance(u, TelemetryStale):
            # Time steps go on; a distance step waits for fresh data (the odometer does
            # not extrapolate past a few seconds).
            if self.state in _ACTIVE:
                self._notice(
                    "warning",
                    "no data from the treadmill for a few seconds",
                    NoticeKind.STALE_DATA,
                )
        elif isinstance(u, LinkLost):
            self._link_down_at = self.clock.now()
            if self.state == RunState.RUNNING:
                self._set_state(RunState.PAUSED, "link lost", PauseCause.LINK_LOST)
            self._notice(
                "warning",
                "treadmill link lost: waiting for it to come back",
                NoticeKind.LINK_LOST,
            )
        elif isinstance(u, LinkRestored):
            self._link_down_at = None
            if self.state == RunState.PAUSED and self._paused_by_link():
                self._await_restore = True
            if self.treadmill.controllable and not self.treadmill.has_control:
                self._enter_guided(
                    GuidedCause.CONTROL_NOT_REGAINED, "control was not regained after the reconnect"
                )
        self._poke()

    def _paused_by_link(self) -> bool:
        return self._pause_cause == PauseCause.LINK_LOST

    def _on_console_speed(self, speed: float) -> None:
        half = self._speed_grid.increment / 2
        if self._recent_sent and abs(speed - self._recent_sent[-1]) < half:
            # Our latest command echoed; a press back to an older target is the runner's
            # (the treadmill port already drops echoes by their age).
            return
        if self.state != RunState.RUNNING or self.step is None:
            return
        if self.guided:
            return  # setting the shown target on the console is following it, not changing it
        # The belt is moving to the runner's speed now: that is what it must follow.
        self._watchdog.expect(speed, self.clock.now())
        if self.config.manual_change == "hold" or self.step.free:
            self._hold = speed  # a free step's speed is the runner's: a press is the new one
            how = "held for the rest of the step"
        else:
            self._offset = speed - (self.step.target_at(self._fraction(self.step)))
            how = f"offset {self._offset:+.2f} km/h for the rest of the step"
        self._sent_speed = self.target_speed()
        self._recent_sent = [*self._recent_sent[-2:], speed]
        self._console_held = True
        self._above_cap = above_cap(speed, self._speed_grid)
        if self._above_cap:
            # What the machine is set to, so the next step's target (within the cap) goes out.
            self._sent_speed = speed
            imperial = self.config.imperial
            self._notice(
                "warning",
                f"console speed {speed_text(speed, imperial)} is above your maximum "
                f"{speed_text(self._speed_grid.quantise(speed), imperial)}: left as it is "
                "for this step; the next step returns to the plan within your maximum",
                NoticeKind.ABOVE_CAP,
            )
            return
        self._notice("info", f"console speed change respected: {how}", NoticeKind.CONSOLE_CHANGE)

    def _on_console_incline(self, incline: float) -> None:
        grid = self._incline_grid
        if grid is None or self.step is None:
            return
        if (
            self._sent_incline is not None
            and abs(incline - self._sent_incline) < grid.increment / 2
        ):
            return  # our own command echoed
        self._incline_adjust += incline - self.target_incline()
        self._sent_incline = incline

    def _on_telemetry(self, tel: Telemetry) -> None:
        mismatch = self._units.feed(tel.t, tel.speed_kmh, tel.distance_m)
        if mismatch is not None:
            self._speed_factor = mismatch.factor
            self._ops.append("unit_mismatch")
        if self._speed_factor != 1.0:
            tel = replace(tel, speed_kmh=tel.speed_kmh * self._speed_factor)
        moving_before = self._speed > _MOVING_KMH
        self._speed = tel.speed_kmh
        if tel.incline_percent is not None:
            self._incline = tel.incline_percent
        if tel.heart_rate_bpm is not None:
            self._hr = tel.heart_rate_bpm
        self.hr_control.feed(self.clock.now(), tel.heart_rate_bpm)
        counting = self.state == RunState.RUNNING and self._final is None
        self.hr_stats.feed(self.clock.now(), tel.heart_rate_bpm, counting)
        if tel.energy_kcal is not None:
            self._energy = tel.energy_kcal
        if tel.steps is not None:
            self._steps_count = tel.steps
        target = None if self.guided else self._sent_speed
        self.odometer.update(tel.t, tel.speed_kmh, tel.distance_m, target)
        moving = tel.speed_kmh > _MOVING_KMH
        if self.guided and moving != moving_before:
            self._update_counting()
        self._check_speed_obeyed(tel)
        if self._resend_on_move and moving:
            self._resend_on_move = False
            self._sent_speed = None
        if self._await_restore:
            self._await_restore = False
            if moving:
                self._sent_speed = None
                self._set_state(RunState.RUNNING, "link restored")
            else:
                self._notice(
                    "info",
                    "link restored, belt stopped: resume when ready",
                    NoticeKind.STOPPED_AT_TREADMILL,
                )
        if self.state in _ACTIVE and self._final is None:  # not the wind-down after the end
            self.hub.publish(self._tick(tel))

    def _check_speed_obeyed(self, tel: Telemetry) -> None:
        """Some firmware accepts speed commands and ignores them (ftms.md Q4): go guided."""
        ignored = self._watchdog.ignored(tel.t, tel.speed_kmh)
        if ignored and not self.guided and self.state == RunState.RUNNING:
            self._enter_guided(
                GuidedCause.SPEED_IGNORED,
                "the treadmill accepts speed commands but does not act on them",
            )

    def _tick(self, tel: Telemetry) -> Tick:
        step = self.step
        plan_now = self._plan_now()
        run_m = self._run_m()
        step_t = plan_now - self._step_t0
        step_m = run_m - self._step_m0
        if step is None:
            remaining = 0.0
            progress = 1.0
            name = ""
            target_incline = 0.0
        else:
            end = step.amount + self._extra
            remaining = end - (step_t if step.kind == "time" else step_m)
            done = step_t if step.kind == "time" else step_m
            part = min(1.0, max(0.0, done / end)) * step.planned_time_s
            total = self._total_time
            progress = min(1.0, (self._done_time + part) / total) if total > 0 else 0.0
            name = step.name
            target_incline = self.target_incline()
        return Tick(
            t=tel.t,
            wall=self.clock.wall(),
            state=self.state,
            step_index=self.index,
            step_name=name,
            speed_kmh=tel.speed_kmh,
            target_speed_kmh=self.target_speed() if step is not None else 0.0,
            incline_percent=self._incline,
            target_incline_percent=target_incline,
            heart_rate_bpm=self._hr,
            distance_m=max(0.0, run_m),
            elapsed_s=plan_now,
            step_elapsed_s=step_t,
            step_distance_m=step_m,
            step_remaining=max(0.0, remaining),
            progress=progress,
            energy_kcal=self._energy,
            steps_count=self._steps_count,
            hr_zone=self.hr_stats.zone(tel.heart_rate_bpm),
        )
