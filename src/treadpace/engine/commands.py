"""What the engine core does with the runner's commands (keys, MQTT, the web page).

Every command passes `gate.start_refusal` first: a command from away from the
treadmill never sets a standing belt moving unless the profile allows it, and
never after a stop at the treadmill (safety rules 2 and 3). An ill-timed command
is no error: it changes nothing. A refused one is said as a notice and kept in
`refusal` for the driver to hand back to whoever sent it.
"""

from __future__ import annotations

import logging

from treadpace.engine.events import Command, RunState
from treadpace.engine.gate import Refusal, start_refusal
from treadpace.engine.messages import RunnerCommand, WriteOp
from treadpace.engine.outcome import EndCause
from treadpace.engine.run_state import ACTIVE, RunCore
from treadpace.engine.transitions import Trigger
from treadpace.notice_level import NoticeLevel

log = logging.getLogger(__name__)


class RunnerCommands(RunCore):
    refusal: Refusal | None = None
    """Why the command in the input just handled was refused (None: taken, or no command)."""

    def obey(self, c: RunnerCommand) -> None:
        refusal = start_refusal(
            c.cmd,
            self.state,
            c.source,
            remote_start_allowed=self.config.allow_remote_start,
            stopped_at_treadmill=self.stopped_at_treadmill,
        )
        if refusal is not None:
            log.info("%s command %s: %s", c.source.value, c.cmd.value, refusal.text)
            self.refuse(refusal)
            return
        cmd, state = c.cmd, self.state
        if cmd == Command.STOP:
            self.end(RunState.ABORTED, "stopped by the runner", EndCause.RUNNER_STOP)
        elif cmd == Command.START and state in (RunState.IDLE, RunState.READY):
            self.start_requested = True
        elif cmd in (Command.START, Command.RESUME) and state == RunState.PAUSED:
            self._resume()
        elif cmd == Command.PAUSE:
            self._pause_asked()
        elif cmd == Command.SKIP:
            if state in ACTIVE and self.step is not None:
                self.cursor.skip = True
        elif cmd in (Command.NUDGE_UP, Command.NUDGE_DOWN):
            self._nudge(cmd, c.value)
        elif cmd == Command.EXTEND:
            self._extend(c.value)

    def refuse(self, refusal: Refusal) -> None:
        self.refusal = refusal
        self.notice(NoticeLevel.WARNING, refusal.text)

    def _pause_asked(self) -> None:
        if self.state == RunState.COUNTDOWN:
            # The belt has not moved yet: back to waiting for a start.
            self.start_requested = False
            self.transition(Trigger.COUNTDOWN_STOPPED, "countdown stopped")
            self.notice(NoticeLevel.INFO, "countdown stopped: start again when ready")
        elif self.state == RunState.RUNNING:
            self.transition(Trigger.RUNNER_PAUSE, "paused by the runner")
            if not self.guided and self.control:
                self.ops.append(WriteOp.PAUSE)

    def _resume(self) -> None:
        if self.link_down_at is not None:
            self.refuse(Refusal.NOT_CONNECTED)
        elif self.guided or not self.control:
            self.transition(Trigger.RESUMED, "resumed by the runner")
        elif WriteOp.RESUME not in self.ops:
            self.ops.append(WriteOp.RESUME)

    def _nudge(self, cmd: Command, value: float | None) -> None:
        step = self.step
        if self.state not in ACTIVE or step is None:
            return
        size = value if value is not None else self.config.nudge_kmh
        if size is None:
            size = self.policy.speed_grid.increment
        self.policy.nudge(step, self.fraction(), size if cmd == Command.NUDGE_UP else -size)

    def _extend(self, value: float | None) -> None:
        step = self.step
        if self.state not in ACTIVE or step is None:
            return
        if value is None:
            cfg = self.config
            value = cfg.extend_time_s if step.kind == "time" else cfg.extend_distance_m
        self.cursor.extend(step, value)
