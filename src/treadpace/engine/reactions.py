"""What the engine core does with what the treadmill says: telemetry and machine events.

One handler per update type, chosen by a table on the type (never by text). A
stop at the treadmill or the safety key pauses the plan and marks the belt as
stopped there, so only the runner standing at it resumes (safety rule 3); a
console speed press becomes the runner's for the rest of the step (rule 5); a
lost link pauses the plan and a restored one resumes it only once the belt is
seen moving, with every target sent afresh rather than replayed. A Start on the
console resumes the plan: said by the machine (`04`), or seen in the telemetry of
a belt that stood after a stop at the treadmill, the safety key or a lost link and
then runs again (`belt_restart`), since a read-only or rebooted machine never says it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from treadpace.display import speed_change
from treadpace.engine.events import NoticeKind, RunState, Tick
from treadpace.engine.messages import WriteOp
from treadpace.engine.outcome import EndCause, GuidedCause, PauseCause
from treadpace.engine.policy import ConsolePress
from treadpace.engine.run_state import ACTIVE, MOVING_KMH, RunCore, speed_text
from treadpace.engine.transitions import Trigger
from treadpace.engine.true_pace import Observation
from treadpace.notice_level import NoticeLevel
from treadpace.treadmill.port import (
    BeltStartedByUser,
    BeltStoppedByUser,
    ControlLost,
    ControlSilent,
    LinkLost,
    LinkRestored,
    MachineReset,
    PodState,
    SafetyKeyPulled,
    TargetInclineChanged,
    TargetSpeedChanged,
    Telemetry,
    TelemetryStale,
    TreadmillUpdate,
)

log = logging.getLogger(__name__)


class TreadmillReactions(RunCore):
    def react(self, u: TreadmillUpdate) -> None:
        handler = _REACTIONS.get(type(u))
        if handler is not None:  # the rest (echoes, training status) is the port's business
            handler(self, u)

    def _stopped_at_treadmill(self, u: BeltStoppedByUser) -> None:
        what = "paused" if u.paused else "stopped"
        if self.state == RunState.PAUSED and self.final is None:
            self._held_at_treadmill()  # paused already: the plan stays paused as it is
            return
        if self.state not in (RunState.RUNNING, RunState.COUNTDOWN) or self.final is not None:
            return
        self._held_at_treadmill()
        self._pause(f"{what} on the treadmill", Trigger.STOPPED_AT_TREADMILL)
        self.notice(
            NoticeLevel.INFO,
            f"belt {what} on the treadmill: resume when ready",
            NoticeKind.STOPPED_AT_TREADMILL,
        )

    def _safety_key(self, _: SafetyKeyPulled) -> None:
        self._held_at_treadmill()
        self._pause("safety key", Trigger.SAFETY_KEY)
        self.notice(
            NoticeLevel.WARNING,
            "safety key pulled: put it back, then resume",
            NoticeKind.STOPPED_AT_TREADMILL,
        )

    def _held_at_treadmill(self) -> None:
        """Only the runner standing there resumes now: a resume asked before it is void."""
        self.stopped_at_treadmill = True
        self.restart_watch.reset()  # the belt winds down now: it must be seen standing
        if WriteOp.RESUME in self.ops:
            self.ops.remove(WriteOp.RESUME)

    def _pause(self, reason: str, trigger: Trigger) -> None:
        if self.state == RunState.COUNTDOWN:
            self.end(RunState.ABORTED, reason, EndCause.STOPPED_AT_TREADMILL)
        elif self.state == RunState.RUNNING:
            self.transition(trigger, reason)

    def _started_at_treadmill(self, _: BeltStartedByUser) -> None:
        if self.state == RunState.PAUSED and self.link_down_at is None:
            self._follow_console_start("resumed on the treadmill")
        elif self.state == RunState.READY:
            self.start_requested = True

    def _follow_console_start(self, reason: str) -> None:
        """The runner restarted the belt: follow, and re-apply the target."""
        self.policy.forget_sent()
        self.transition(Trigger.STARTED_ON_CONSOLE, reason)

    def _watch_for_restart(self, tel: Telemetry) -> None:
        """A paused run whose belt the runner stopped there: is it running again?"""
        held_there = self.stopped_at_treadmill or self.pause_cause in _STOPS_THERE
        if self.state != RunState.PAUSED or not held_there or self.link_down_at is not None:
            return
        if self.final is not None:
            return  # the run has ended: a belt moving now is the runner's own
        if self.restart_watch.feed(tel.t, tel.speed_kmh, self._top_kmh()):
            self._follow_console_start("belt restarted on the treadmill")

    def _console_speed(self, u: TargetSpeedChanged) -> None:
        # Our latest command echoed; a press back to an older target is the runner's
        # (the treadmill port already drops echoes by their age).
        step = self.step
        if self.policy.is_echo(u.speed_kmh) or self.state != RunState.RUNNING or step is None:
            return
        if self.guided:
            return  # setting the shown target on the console is following it, not changing it
        press = self.policy.console_speed(u.speed_kmh, step, self.fraction(), self.now)
        if press == ConsolePress.ABOVE_CAP:
            imperial = self.config.imperial
            capped = self.policy.speed_grid.quantise(u.speed_kmh)
            self.notice(
                NoticeLevel.WARNING,
                f"console speed {speed_text(u.speed_kmh, imperial)} is above your maximum "
                f"{speed_text(capped, imperial)}: left as it is "
                "for this step; the next step returns to the plan within your maximum",
                NoticeKind.ABOVE_CAP,
            )
            return
        if press == ConsolePress.HOLD:
            how = "held for the rest of the step"
        else:
            shown = self.policy.offset_shown(step, self.fraction())
            how = f"offset {speed_change(shown, self.config.imperial)} for the rest of the step"
        self.notice(
            NoticeLevel.INFO, f"console speed change respected: {how}", NoticeKind.CONSOLE_CHANGE
        )

    def _console_incline(self, u: TargetInclineChanged) -> None:
        step = self.step
        if step is not None:
            self.policy.console_incline(u.incline_percent, step, self.fraction())

    def _control_lost(self, _: ControlLost | MachineReset) -> None:
        self.enter_guided(GuidedCause.CONTROL_LOST, "control of the treadmill was lost")

    def _control_silent(self, u: ControlSilent) -> None:
        if self.final is None:  # the plan's targets go nowhere: the runner sets them
            self.enter_guided(
                GuidedCause.CONTROL_SILENT, f"the treadmill stopped answering ({u.op})"
            )

    def _stale(self, _: TelemetryStale) -> None:
        # Time steps go on; a distance step waits for fresh data (the odometer does
        # not extrapolate past a few seconds).
        if self.state in ACTIVE:
            self.notice(
                NoticeLevel.WARNING,
                "no data from the treadmill for a few seconds",
                NoticeKind.STALE_DATA,
            )

    def _link_lost(self, _: LinkLost) -> None:
        self.link_down_at = self.now
        if self.state == RunState.RUNNING:
            self.transition(Trigger.LINK_LOST, "link lost")
        self.notice(
            NoticeLevel.WARNING,
            "treadmill link lost: waiting for it to come back",
            NoticeKind.LINK_LOST,
        )

    def _link_restored(self, _: LinkRestored) -> None:
        self.link_down_at = None
        if self.state == RunState.PAUSED and self.pause_cause == PauseCause.LINK_LOST:
            self.await_restore = True
        if self.controllable and not self.control:
            self.enter_guided(
                GuidedCause.CONTROL_NOT_REGAINED, "control was not regained after the reconnect"
            )

    # --- telemetry -----------------------------------------------------------------------

    def _telemetry(self, tel: Telemetry) -> None:
        mismatch = self.units.feed(tel.t, tel.speed_kmh, tel.distance_m)
        if mismatch is not None:
            self.policy.factor = mismatch.factor  # true km/h from now on; the fix follows
            self.ops.append(WriteOp.UNIT_FIX)
        if self.policy.factor != 1.0:
            tel = replace(tel, speed_kmh=tel.speed_kmh * self.policy.factor)
        moving_before = self.speed > MOVING_KMH
        self._read(tel)
        target = None if self.guided else self.policy.sent_speed
        self.odometer.update(tel.t, tel.speed_kmh, tel.distance_m, target)
        moving = tel.speed_kmh > MOVING_KMH
        if self.guided and moving != moving_before:
            self.update_counting()
        self._check_obeyed(tel)
        self._observe_true_pace(tel)
        policy = self.policy
        policy.lag.feed(tel.t, tel.speed_kmh, policy.sent_speed, policy.speed_grid.increment)
        if moving:
            self.policy.belt_moving()
        if self.await_restore and tel.speed_kmh <= self._top_kmh():
            self._after_restore(moving)  # (a value no belt runs at decides nothing)
        self._watch_for_restart(tel)
        if self.state in ACTIVE and self.final is None:  # not the wind-down after the end
            self.emit(self._tick(tel))

    def _read(self, tel: Telemetry) -> None:
        self.speed = tel.speed_kmh
        if tel.incline_percent is not None:
            self.incline = tel.incline_percent
        if tel.heart_rate_bpm is not None:
            self.heart_rate = tel.heart_rate_bpm
        self.policy.hr.feed(self.now, tel.heart_rate_bpm)
        counting = self.state == RunState.RUNNING and self.final is None
        self.hr_stats.feed(self.now, tel.heart_rate_bpm, counting)
        if tel.energy_kcal is not None:
            self.energy = tel.energy_kcal
        if tel.steps is not None:
            self.steps_count = tel.steps

    def _after_restore(self, moving: bool) -> None:
        self.await_restore = False
        if moving and not self.stopped_at_treadmill:
            self.policy.sent_speed = None
            self.transition(Trigger.LINK_BACK_MOVING, "link restored")
        else:
            self.notice(
                NoticeLevel.INFO,
                "link restored, belt stopped: resume when ready",
                NoticeKind.STOPPED_AT_TREADMILL,
            )

    def _top_kmh(self) -> float:
        """The machine's top speed in true km/h, as the telemetry is read."""
        return self.speeds.max_kmh * self.policy.factor

    def _check_obeyed(self, tel: Telemetry) -> None:
        """Some firmware accepts speed commands and ignores them (ftms.md Q4): go guided."""
        ignored = self.policy.watchdog.ignored(tel.t, tel.speed_kmh)
        if ignored and not self.guided and self.state == RunState.RUNNING:
            self.enter_guided(
                GuidedCause.SPEED_IGNORED,
                "the treadmill accepts speed commands but does not act on them",
            )

    def _observe_true_pace(self, tel: Telemetry) -> None:
        step, policy = self.step, self.policy
        true = policy.true
        was = true.pod
        steady = (
            self.state == RunState.RUNNING
            and step is not None
            and not step.is_ramp
            and not policy.runners_speed
            and not self.guided
        )
        true.observe(
            Observation(
                t=tel.t,
                belt_kmh=tel.speed_kmh,
                incline_percent=self.incline or 0.0,
                pod=tel.footpod,
                pod_kmh=tel.footpod_kmh,
                sent_kmh=policy.sent_speed,
                steady=steady,
                run_m=max(0.0, self.run_m()),
            )
        )
        if true.pod != was and was is not PodState.NONE:
            self.notice(NoticeLevel.INFO, _POD_NEWS[true.pod], NoticeKind.FOOTPOD)

    def _tick(self, tel: Telemetry) -> Tick:
        step = self.step
        plan_now, run_m = self.plan_now(), self.run_m()
        cur = self.cursor
        step_t, step_m = plan_now - cur.t0, run_m - cur.m0
        return Tick(
            t=tel.t,
            wall=self.wall,
            state=self.state,
            step_index=self.index,
            step_name=step.name if step is not None else "",
            speed_kmh=tel.speed_kmh,
            target_speed_kmh=self.target_speed() if step is not None else 0.0,
            incline_percent=self.incline,
            target_incline_percent=self.target_incline() if step is not None else 0.0,
            heart_rate_bpm=self.heart_rate,
            distance_m=max(0.0, run_m),
            elapsed_s=plan_now,
            step_elapsed_s=step_t,
            step_distance_m=step_m,
            step_remaining=cur.remaining(step, plan_now, run_m) if step is not None else 0.0,
            progress=cur.progress(step, plan_now, run_m) if step is not None else 1.0,
            energy_kcal=self.energy,
            steps_count=self.steps_count,
            hr_zone=self.hr_stats.zone(tel.heart_rate_bpm),
            true_speed_kmh=self.policy.true.speed_kmh,
            true_distance_m=self.policy.true.distance_m if self.policy.true.known else None,
            footpod_kmh=self.policy.true.pod_kmh,
            lead_s=lead[1] if (lead := self.lead()) is not None else 0.0,
        )


_POD_NEWS = {
    PodState.LIVE: "footpod back: true pace from the footpod again",
    PodState.LOST: "footpod silent: true pace from the calibration until it is back",
    PodState.NONSENSE: "footpod reads nonsense: ignored, true pace from the calibration",
    PodState.NONE: "no footpod",
}

_STOPS_THERE = (PauseCause.AT_TREADMILL, PauseCause.SAFETY_KEY, PauseCause.LINK_LOST)
"""Pauses the runner may end by starting the belt on the console. (Not a pause asked of
treadpace: the runner who asked it resumes it there.)"""

_REACTIONS: dict[type, Callable[[TreadmillReactions, Any], None]] = {
    Telemetry: TreadmillReactions._telemetry,
    BeltStoppedByUser: TreadmillReactions._stopped_at_treadmill,
    SafetyKeyPulled: TreadmillReactions._safety_key,
    BeltStartedByUser: TreadmillReactions._started_at_treadmill,
    TargetSpeedChanged: TreadmillReactions._console_speed,
    TargetInclineChanged: TreadmillReactions._console_incline,
    ControlLost: TreadmillReactions._control_lost,
    MachineReset: TreadmillReactions._control_lost,
    ControlSilent: TreadmillReactions._control_silent,
    TelemetryStale: TreadmillReactions._stale,
    LinkLost: TreadmillReactions._link_lost,
    LinkRestored: TreadmillReactions._link_restored,
}
