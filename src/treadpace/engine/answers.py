"""What the engine core does with the answer to each of its writes.

A definite answer is acted on: a refused Start or speed means guided mode, a
refused incline means the runner sets the incline. A write that never reached
the machine (an ATT error) is tried again after a pause on the run's clock, and
only repeated refusals mean guided mode. A write with no answer may have been
taken: it is never replayed blindly, and the "obeyed?" watchdog judges it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.causes import EndCause, GuidedCause
from treadpace.engine.core_state import Start
from treadpace.engine.events import NoticeKind, RunState, SetpointSent
from treadpace.engine.messages import Answer, WriteOp, Written
from treadpace.engine.run_core import MOVING_KMH, RunCore
from treadpace.engine.transitions import Trigger
from treadpace.engine.units_check import mismatch_message, wire_speed_at_most

log = logging.getLogger(__name__)


def answered(core: RunCore, w: Written) -> None:
    sent = core.in_flight
    if sent is None or sent.op != w.op:
        log.warning("an answer to %s that was not asked for", w.op)
        return
    core.st.writes = core.st.writes.answered()
    _ANSWERS[w.op](core, sent.value, w.answer, w.detail)


def _speed_answered(core: RunCore, kmh: float | None, answer: Answer, detail: str) -> None:
    assert kmh is not None
    pol = core.policy
    if answer == Answer.TAKEN:
        pol.speed_taken(kmh, core.now)
        core.odometer.retarget(kmh)
        core.emit(SetpointSent(core.now, kmh, None, core.step_name()))
    elif answer == Answer.REFUSED:
        if core.speed <= MOVING_KMH:
            pol.speed_refused_standing(kmh)
        else:
            core.enter_guided(GuidedCause.SPEED_REFUSED, detail)
    elif answer == Answer.NOT_SENT:
        log.warning("set speed %.2f refused: %s", kmh, detail)  # tried again after a pause
        if not pol.retry.refused(core.now):
            tries = pol.retry.refusals + 1
            core.enter_guided(GuidedCause.SPEED_REFUSED, f"{detail} ({tries} times)")
    else:
        log.warning("set speed %.2f: %s", kmh, detail)
        pol.speed_uncertain(kmh, core.now)


def _incline_answered(core: RunCore, percent: float | None, answer: Answer, detail: str) -> None:
    assert percent is not None
    if answer == Answer.REFUSED:
        core.policy.incline_refused()
        core.notice(NoticeLevel.WARNING, f"{detail}: set the incline on the console")
        return
    core.policy.incline_sent(percent)
    if answer == Answer.TAKEN:
        core.emit(SetpointSent(core.now, None, percent, core.step_name()))
    else:
        log.warning("set incline %.1f: %s", percent, detail)


def _start_answered(core: RunCore, _: float | None, answer: Answer, detail: str) -> None:
    if answer == Answer.TAKEN:
        core.st.start = Start.OURS
    elif answer == Answer.REFUSED:
        core.enter_guided(GuidedCause.START_REFUSED, detail)
        core.notice(
            NoticeLevel.WARNING,
            f"start the belt on the console and set {core.start_text()}",
            NoticeKind.START_ON_CONSOLE,
        )
    elif answer == Answer.NOT_CONNECTED:
        core.end(RunState.ABORTED, f"treadmill not connected: {detail}", EndCause.TREADMILL_LOST)
        return
    else:
        if answer == Answer.UNKNOWN:
            core.st.start = Start.OURS  # it may have started: stop it
        core.end(RunState.ABORTED, f"error: start: {detail}", EndCause.FAILED)
        return
    if not core.st.ended:
        core.belt_started()


def _resume_answered(core: RunCore, _: float | None, answer: Answer, detail: str) -> None:
    if answer == Answer.TAKEN:
        core.st.start = Start.OURS
        core.policy.forget_sent()
        core.transition(Trigger.RESUMED, "resumed by the runner")
    elif answer == Answer.REFUSED:
        core.notice(
            NoticeLevel.WARNING,
            f"{detail} (still stopping, or the safety key is out): resume again when ready",
        )
    else:
        core.notice(NoticeLevel.WARNING, f"resume: {detail}")


def _pause_answered(core: RunCore, _: float | None, answer: Answer, detail: str) -> None:
    if answer != Answer.TAKEN:
        core.notice(NoticeLevel.WARNING, f"pause: {detail}")


def _control_answered(core: RunCore, _: float | None, answer: Answer, detail: str) -> None:
    if answer == Answer.REFUSED:
        core.enter_guided(GuidedCause.CONTROL_REFUSED, "the treadmill refused control")
    elif answer != Answer.TAKEN:
        log.info("request control failed: %s", detail)  # retried below us
        core.enter_guided(
            GuidedCause.CONTROL_UNREACHABLE,
            f"could not ask the treadmill for control ({detail})",
        )
    core.transition(Trigger.CONNECTED, "connected")


# --- the belt runs faster than it reports ----------------------------------------------


def fix_units(core: RunCore) -> None:
    """Bring the belt to the plan's speed in true km/h, then guide the runner."""
    m = core.units.decided
    if m is None:
        return
    if core.state == RunState.RUNNING and not core.guided and core.control:
        cap = core.config.max_speed_kmh
        want = min(core.policy.exact(core.step, core.fraction()), cap)
        wire = wire_speed_at_most(core.policy.speed_grid, want, m.factor)
        if wire * m.factor <= cap + 1e-9:  # even its slowest may be above the cap: no
            core.write(WriteOp.UNIT_FIX, wire)
            return
    _units_fixed(core, None)


def _unit_fix_answered(core: RunCore, wire: float | None, answer: Answer, detail: str) -> None:
    assert wire is not None and core.units.decided is not None
    if answer != Answer.TAKEN:
        log.warning("set speed after a unit mismatch: %s", detail)
    sent = wire * core.units.decided.factor if answer == Answer.TAKEN else None
    _units_fixed(core, sent)


def _units_fixed(core: RunCore, sent: float | None) -> None:
    # From here on the runner is shown true km/h: the grid stays the wire's own (an
    # mph belt whose wire says 3.8 "km/h" tops out at 6.12 km/h), the cap becomes
    # the profile's maximum in wire numbers, and the policy converts.
    m = core.units.decided
    assert m is not None
    core.policy.refit_for_units(core.speeds, m.factor)
    core.notice(NoticeLevel.ERROR, mismatch_message(m, core.speed, sent, core.config.imperial))
    core.enter_guided(GuidedCause.UNIT_MISMATCH, "speed unit mismatch")


_ANSWERS: dict[WriteOp, Callable[[RunCore, float | None, Answer, str], None]] = {
    WriteOp.SPEED: _speed_answered,
    WriteOp.INCLINE: _incline_answered,
    WriteOp.START: _start_answered,
    WriteOp.RESUME: _resume_answered,
    WriteOp.PAUSE: _pause_answered,
    WriteOp.CONTROL: _control_answered,
    WriteOp.UNIT_FIX: _unit_fix_answered,
}
"""Which rule reads the answer to which write."""
