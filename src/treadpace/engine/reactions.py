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

from treadpace.base.display import speed_change
from treadpace.base.frozen_record import frozen_record
from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.causes import EndCause, GuidedCause, PauseCause
from treadpace.engine.core_state import LINK_BACK, LINK_UP, LinkBack, LinkDown
from treadpace.engine.events import NoticeKind, RunState, Tick
from treadpace.engine.messages import WriteOp
from treadpace.engine.policy import ConsolePress
from treadpace.engine.run_core import ACTIVE, MOVING_KMH, RunCore, speed_text
from treadpace.engine.transitions import Trigger
from treadpace.engine.true_pace import Observation
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


def react(core: RunCore, u: TreadmillUpdate) -> None:
    handler = _REACTIONS.get(type(u))
    if handler is not None:  # the rest (echoes, training status) is the port's business
        handler(core, u)


def _stopped_at_treadmill(core: RunCore, u: BeltStoppedByUser) -> None:
    what = "paused" if u.paused else "stopped"
    if core.state == RunState.PAUSED and not core.st.ended:
        _held_at_treadmill(core)  # paused already: the plan stays paused as it is
        return
    if core.state not in (RunState.RUNNING, RunState.COUNTDOWN) or core.st.ended:
        return
    _held_at_treadmill(core)
    _pause(core, f"{what} on the treadmill", Trigger.STOPPED_AT_TREADMILL)
    core.notice(
        NoticeLevel.INFO,
        f"belt {what} on the treadmill: resume when ready",
        NoticeKind.STOPPED_AT_TREADMILL,
    )


def _safety_key(core: RunCore, _: SafetyKeyPulled) -> None:
    _held_at_treadmill(core)
    _pause(core, "safety key", Trigger.SAFETY_KEY)
    core.notice(
        NoticeLevel.WARNING,
        "safety key pulled: put it back, then resume",
        NoticeKind.STOPPED_AT_TREADMILL,
    )


def _held_at_treadmill(core: RunCore) -> None:
    """Only the runner standing there resumes now: a resume asked before it is void."""
    core.st.held_at_treadmill = True
    core.restart_watch.reset()  # the belt winds down now: it must be seen standing
    core.st.writes = core.st.writes.without_first(WriteOp.RESUME)


def _pause(core: RunCore, reason: str, trigger: Trigger) -> None:
    if core.state == RunState.COUNTDOWN:
        core.end(RunState.ABORTED, reason, EndCause.STOPPED_AT_TREADMILL)
    elif core.state == RunState.RUNNING:
        core.transition(trigger, reason)


def _started_at_treadmill(core: RunCore, _: BeltStartedByUser) -> None:
    if core.state == RunState.PAUSED and not core.link_down:
        _follow_console_start(core, "resumed on the treadmill")
    elif core.state == RunState.READY:
        core.st.start = core.st.start.asked()


def _follow_console_start(core: RunCore, reason: str) -> None:
    """The runner restarted the belt: follow, and re-apply the target."""
    core.policy.forget_sent()
    core.transition(Trigger.STARTED_ON_CONSOLE, reason)


def _watch_for_restart(core: RunCore, tel: Telemetry) -> None:
    """A paused run whose belt the runner stopped there: is it running again?"""
    held_there = core.st.held_at_treadmill or core.pause_cause in _STOPS_THERE
    if core.state != RunState.PAUSED or not held_there or core.link_down:
        return
    if core.st.ended:
        return  # the run has ended: a belt moving now is the runner's own
    if core.restart_watch.feed(tel.t, tel.speed_kmh, _top_kmh(core)):
        _follow_console_start(core, "belt restarted on the treadmill")


def _console_speed(core: RunCore, u: TargetSpeedChanged) -> None:
    # Our latest command echoed; a press back to an older target is the runner's
    # (the treadmill port already drops echoes by their age).
    step = core.step
    if core.policy.is_echo(u.speed_kmh) or core.state != RunState.RUNNING or step is None:
        return
    if core.guided:
        return  # setting the shown target on the console is following it, not changing it
    press = core.policy.console_speed(u.speed_kmh, step, core.fraction(), core.now)
    if press == ConsolePress.ABOVE_CAP:
        imperial = core.config.imperial
        capped = core.policy.speed_grid.quantise(u.speed_kmh)
        core.notice(
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
        shown = core.policy.offset_shown(step, core.fraction())
        how = f"offset {speed_change(shown, core.config.imperial)} for the rest of the step"
    core.notice(
        NoticeLevel.INFO, f"console speed change respected: {how}", NoticeKind.CONSOLE_CHANGE
    )


def _console_incline(core: RunCore, u: TargetInclineChanged) -> None:
    step = core.step
    if step is not None:
        core.policy.console_incline(u.incline_percent, step, core.fraction())


def _control_lost(core: RunCore, _: ControlLost | MachineReset) -> None:
    core.enter_guided(GuidedCause.CONTROL_LOST, "control of the treadmill was lost")


def _control_silent(core: RunCore, u: ControlSilent) -> None:
    if not core.st.ended:  # the plan's targets go nowhere: the runner sets them
        core.enter_guided(GuidedCause.CONTROL_SILENT, f"the treadmill stopped answering ({u.op})")


def _stale(core: RunCore, _: TelemetryStale) -> None:
    # Time steps go on; a distance step waits for fresh data (the odometer does
    # not extrapolate past a few seconds).
    if core.state in ACTIVE:
        core.notice(
            NoticeLevel.WARNING,
            "no data from the treadmill for a few seconds",
            NoticeKind.STALE_DATA,
        )


def _link_lost(core: RunCore, _: LinkLost) -> None:
    core.st.link = LinkDown(core.now)
    if core.state == RunState.RUNNING:
        core.transition(Trigger.LINK_LOST, "link lost")
    core.notice(
        NoticeLevel.WARNING,
        "treadmill link lost: waiting for it to come back",
        NoticeKind.LINK_LOST,
    )


def _link_restored(core: RunCore, _: LinkRestored) -> None:
    paused_by_it = core.state == RunState.PAUSED and core.pause_cause == PauseCause.LINK_LOST
    core.st.link = LINK_BACK if paused_by_it else LINK_UP
    if core.controllable and not core.control:
        core.enter_guided(
            GuidedCause.CONTROL_NOT_REGAINED, "control was not regained after the reconnect"
        )


# --- telemetry -----------------------------------------------------------------------


def _telemetry(core: RunCore, tel: Telemetry) -> None:
    mismatch = core.units.feed(tel.t, tel.speed_kmh, tel.distance_m)
    if mismatch is not None:
        core.policy.unit_found(mismatch.factor)  # true km/h from now on; the fix follows
        core.st.writes = core.st.writes.queue(WriteOp.UNIT_FIX)
    if core.policy.factor != 1.0:
        tel = replace(tel, speed_kmh=tel.speed_kmh * core.policy.factor)
    moving_before = core.speed > MOVING_KMH
    _read(core, tel)
    target = None if core.guided else core.policy.sent_speed
    core.odometer.update(tel.t, tel.speed_kmh, tel.distance_m, target)
    moving = tel.speed_kmh > MOVING_KMH
    if core.guided and moving != moving_before:
        core.update_counting()
    _check_obeyed(core, tel)
    _observe_true_pace(core, tel)
    policy = core.policy
    policy.lag.feed(tel.t, tel.speed_kmh, policy.sent_speed, policy.speed_grid.increment)
    if moving:
        core.policy.belt_moving()
    if isinstance(core.st.link, LinkBack) and tel.speed_kmh <= _top_kmh(core):
        _after_restore(core, moving)  # (a value no belt runs at decides nothing)
    _watch_for_restart(core, tel)
    if core.state in ACTIVE and not core.st.ended:  # not the wind-down after the end
        core.emit(_tick(core, tel))


def _read(core: RunCore, tel: Telemetry) -> None:
    core.speed = tel.speed_kmh
    if tel.incline_percent is not None:
        core.incline = tel.incline_percent
    if tel.heart_rate_bpm is not None:
        core.heart_rate = tel.heart_rate_bpm
    core.policy.hr.feed(core.now, tel.heart_rate_bpm)
    counting = core.state == RunState.RUNNING and not core.st.ended
    core.hr_stats.feed(core.now, tel.heart_rate_bpm, counting)
    if tel.energy_kcal is not None:
        core.energy = tel.energy_kcal
    if tel.steps is not None:
        core.steps_count = tel.steps


def _after_restore(core: RunCore, moving: bool) -> None:
    core.st.link = LINK_UP
    if moving and not core.st.held_at_treadmill:
        core.policy.link_restored()
        core.transition(Trigger.LINK_BACK_MOVING, "link restored")
    else:
        core.notice(
            NoticeLevel.INFO,
            "link restored, belt stopped: resume when ready",
            NoticeKind.STOPPED_AT_TREADMILL,
        )


def _top_kmh(core: RunCore) -> float:
    """The machine's top speed in true km/h, as the telemetry is read."""
    return core.speeds.max_kmh * core.policy.factor


def _check_obeyed(core: RunCore, tel: Telemetry) -> None:
    """Some firmware accepts speed commands and ignores them (ftms.md Q4): go guided."""
    ignored = core.policy.watchdog.ignored(tel.t, tel.speed_kmh)
    if ignored and not core.guided and core.state == RunState.RUNNING:
        core.enter_guided(
            GuidedCause.SPEED_IGNORED,
            "the treadmill accepts speed commands but does not act on them",
        )


def _observe_true_pace(core: RunCore, tel: Telemetry) -> None:
    step, policy = core.cursor.step, core.policy
    true = policy.true
    was = true.pod
    steady = (
        core.st.run == RunState.RUNNING
        and step is not None
        and not step.is_ramp
        and not policy.runners_speed
        and core.st.guided is None
    )
    run_m = core.odometer.run_at(core.now)
    # t, belt_kmh, incline_percent, pod, pod_kmh, sent_kmh, steady, run_m (one a packet:
    # made by position, the cheapest way to make a tuple)
    true.observe(
        Observation(
            tel.t,
            tel.speed_kmh,
            core.incline or 0.0,
            tel.footpod,
            tel.footpod_kmh,
            policy.sent_speed,
            steady,
            run_m if run_m > 0.0 else 0.0,
        )
    )
    if true.pod != was and was is not PodState.NONE:
        core.notice(NoticeLevel.INFO, _POD_NEWS[true.pod], NoticeKind.FOOTPOD)


def _tick(core: RunCore, tel: Telemetry) -> Tick:
    """The live picture, made from one dict (base/frozen_record.py): one for every packet."""
    cur = core.cursor
    step = cur.step
    now = core.now
    plan_now, run_m = core.clock.at(now), core.odometer.run_at(now)
    true = core.policy.true
    lead = core.lead()
    frac = cur.fraction(step, plan_now, run_m) if step is not None else 0.0
    return frozen_record(
        Tick,
        {
            "t": tel.t,
            "wall": core.wall,
            "state": core.st.run,
            "step_index": cur.index,
            "step_name": step.name if step is not None else "",
            "speed_kmh": tel.speed_kmh,
            "target_speed_kmh": core.target_speed(frac) if step is not None else 0.0,
            "incline_percent": core.incline,
            "target_incline_percent": core.target_incline(frac) if step is not None else 0.0,
            "heart_rate_bpm": core.heart_rate,
            "distance_m": max(0.0, run_m),
            "elapsed_s": plan_now,
            "step_elapsed_s": plan_now - cur.t0,
            "step_distance_m": run_m - cur.m0,
            "step_remaining": cur.remaining(step, plan_now, run_m) if step is not None else 0.0,
            "progress": cur.progress(step, plan_now, run_m) if step is not None else 1.0,
            "energy_kcal": core.energy,
            "steps_count": core.steps_count,
            "hr_zone": core.hr_stats.zone(tel.heart_rate_bpm),
            "true_speed_kmh": true.speed_kmh,
            "true_distance_m": true.distance_m if true.known else None,
            "footpod_kmh": true.pod_kmh,
            "lead_s": lead[1] if lead is not None else 0.0,
        },
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

_REACTIONS: dict[type, Callable[[RunCore, Any], None]] = {
    Telemetry: _telemetry,
    BeltStoppedByUser: _stopped_at_treadmill,
    SafetyKeyPulled: _safety_key,
    BeltStartedByUser: _started_at_treadmill,
    TargetSpeedChanged: _console_speed,
    TargetInclineChanged: _console_incline,
    ControlLost: _control_lost,
    MachineReset: _control_lost,
    ControlSilent: _control_silent,
    TelemetryStale: _stale,
    LinkLost: _link_lost,
    LinkRestored: _link_restored,
}
