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

from treadpace.engine.events import NoticeKind, RunState, SetpointSent
from treadpace.engine.messages import Answer, WriteOp, Written
from treadpace.engine.outcome import EndCause, GuidedCause
from treadpace.engine.run_state import MOVING_KMH, RunCore
from treadpace.engine.transitions import Trigger
from treadpace.engine.units_check import mismatch_message, wire_speed_at_most
from treadpace.notice_level import NoticeLevel

log = logging.getLogger(__name__)


class WriteAnswers(RunCore):
    def answered(self, w: Written) -> None:
        sent = self.in_flight
        if sent is None or sent.op != w.op:
            log.warning("an answer to %s that was not asked for", w.op)
            return
        self.in_flight = None
        _ANSWERS[w.op](self, sent.value, w.answer, w.detail)

    def _speed_answered(self, kmh: float | None, answer: Answer, detail: str) -> None:
        assert kmh is not None
        pol = self.policy
        if answer == Answer.TAKEN:
            pol.speed_taken(kmh, self.now)
            self.odometer.retarget(kmh)
            self.emit(SetpointSent(self.now, kmh, None, self.step_name()))
        elif answer == Answer.REFUSED:
            if self.speed <= MOVING_KMH:
                pol.speed_refused_standing(kmh)
            else:
                self.enter_guided(GuidedCause.SPEED_REFUSED, detail)
        elif answer == Answer.NOT_SENT:
            log.warning("set speed %.2f refused: %s", kmh, detail)  # tried again after a pause
            if not pol.retry.refused(self.now):
                tries = pol.retry.refusals + 1
                self.enter_guided(GuidedCause.SPEED_REFUSED, f"{detail} ({tries} times)")
        else:
            log.warning("set speed %.2f: %s", kmh, detail)
            pol.speed_uncertain(kmh, self.now)

    def _incline_answered(self, percent: float | None, answer: Answer, detail: str) -> None:
        assert percent is not None
        if answer == Answer.REFUSED:
            self.policy.incline_ok = False
            self.notice(NoticeLevel.WARNING, f"{detail}: set the incline on the console")
            return
        self.policy.sent_incline = percent
        if answer == Answer.TAKEN:
            self.emit(SetpointSent(self.now, None, percent, self.step_name()))
        else:
            log.warning("set incline %.1f: %s", percent, detail)

    def _start_answered(self, _: float | None, answer: Answer, detail: str) -> None:
        if answer == Answer.TAKEN:
            self.we_started = True
        elif answer == Answer.REFUSED:
            self.enter_guided(GuidedCause.START_REFUSED, detail)
            self.notice(
                NoticeLevel.WARNING,
                f"start the belt on the console and set {self.start_text()}",
                NoticeKind.START_ON_CONSOLE,
            )
        elif answer == Answer.NOT_CONNECTED:
            self.end(
                RunState.ABORTED, f"treadmill not connected: {detail}", EndCause.TREADMILL_LOST
            )
            return
        else:
            self.we_started = answer == Answer.UNKNOWN  # it may have started: stop it
            self.end(RunState.ABORTED, f"error: start: {detail}", EndCause.FAILED)
            return
        if self.final is None:
            self.belt_started()

    def _resume_answered(self, _: float | None, answer: Answer, detail: str) -> None:
        if answer == Answer.TAKEN:
            self.we_started = True
            self.policy.forget_sent()
            self.transition(Trigger.RESUMED, "resumed by the runner")
        elif answer == Answer.REFUSED:
            self.notice(
                NoticeLevel.WARNING,
                f"{detail} (still stopping, or the safety key is out): resume again when ready",
            )
        else:
            self.notice(NoticeLevel.WARNING, f"resume: {detail}")

    def _pause_answered(self, _: float | None, answer: Answer, detail: str) -> None:
        if answer != Answer.TAKEN:
            self.notice(NoticeLevel.WARNING, f"pause: {detail}")

    def _control_answered(self, _: float | None, answer: Answer, detail: str) -> None:
        if answer == Answer.REFUSED:
            self.enter_guided(GuidedCause.CONTROL_REFUSED, "the treadmill refused control")
        elif answer != Answer.TAKEN:
            log.info("request control failed: %s", detail)  # retried below us
            self.enter_guided(
                GuidedCause.CONTROL_UNREACHABLE,
                f"could not ask the treadmill for control ({detail})",
            )
        self.transition(Trigger.CONNECTED, "connected")

    # --- the belt runs faster than it reports ----------------------------------------------

    def fix_units(self) -> None:
        """Bring the belt to the plan's speed in true km/h, then guide the runner."""
        m = self.units.decided
        if m is None:
            return
        if self.state == RunState.RUNNING and not self.guided and self.control:
            cap = self.config.max_speed_kmh
            want = min(self.policy.exact(self.step, self.fraction()), cap)
            wire = wire_speed_at_most(self.policy.speed_grid, want, m.factor)
            if wire * m.factor <= cap + 1e-9:  # even its slowest may be above the cap: no
                self.write(WriteOp.UNIT_FIX, wire)
                return
        self._units_fixed(None)

    def _unit_fix_answered(self, wire: float | None, answer: Answer, detail: str) -> None:
        assert wire is not None and self.units.decided is not None
        if answer != Answer.TAKEN:
            log.warning("set speed after a unit mismatch: %s", detail)
        sent = wire * self.units.decided.factor if answer == Answer.TAKEN else None
        self._units_fixed(sent)

    def _units_fixed(self, sent: float | None) -> None:
        # From here on the runner is shown true km/h: the grid stays the wire's own (an
        # mph belt whose wire says 3.8 "km/h" tops out at 6.12 km/h), the cap becomes
        # the profile's maximum in wire numbers, and the policy converts.
        m = self.units.decided
        assert m is not None
        self.policy.refit_for_units(self.speeds, m.factor)
        self.notice(NoticeLevel.ERROR, mismatch_message(m, self.speed, sent, self.config.imperial))
        self.enter_guided(GuidedCause.UNIT_MISMATCH, "speed unit mismatch")


_ANSWERS: dict[WriteOp, Callable[[WriteAnswers, float | None, Answer, str], None]] = {
    WriteOp.SPEED: WriteAnswers._speed_answered,
    WriteOp.INCLINE: WriteAnswers._incline_answered,
    WriteOp.START: WriteAnswers._start_answered,
    WriteOp.RESUME: WriteAnswers._resume_answered,
    WriteOp.PAUSE: WriteAnswers._pause_answered,
    WriteOp.CONTROL: WriteAnswers._control_answered,
    WriteOp.UNIT_FIX: WriteAnswers._unit_fix_answered,
}
"""Which rule reads the answer to which write."""
