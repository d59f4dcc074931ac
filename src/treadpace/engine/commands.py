"""What the engine core does with the runner's commands (keys, MQTT, the web page).

Every command passes `gate.start_refusal` first: a command from away from the
treadmill never sets a standing belt moving unless the profile allows it, and
never after a stop at the treadmill (safety rules 2 and 3). An ill-timed command
is no error: it changes nothing. A refused one is said as a notice and kept in
`refusal` for the driver to hand back to whoever sent it.
"""

from __future__ import annotations

import logging

from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.causes import EndCause
from treadpace.engine.events import Command, RunState
from treadpace.engine.gate import Refusal, start_refusal
from treadpace.engine.messages import RunnerCommand, WriteOp
from treadpace.engine.run_core import ACTIVE, RunCore
from treadpace.engine.transitions import Trigger

log = logging.getLogger(__name__)


def obey(core: RunCore, c: RunnerCommand) -> None:
    refusal = start_refusal(
        c.cmd,
        core.state,
        c.source,
        remote_start_allowed=core.config.allow_remote_start,
        stopped_at_treadmill=core.st.held_at_treadmill,
    )
    if refusal is not None:
        log.info("%s command %s: %s", c.source.value, c.cmd.value, refusal.text)
        refuse(core, refusal)
        return
    cmd, state = c.cmd, core.state
    if cmd == Command.STOP:
        core.end(RunState.ABORTED, "stopped by the runner", EndCause.RUNNER_STOP)
    elif cmd == Command.START and state in (RunState.IDLE, RunState.READY):
        core.st.start = core.st.start.asked()
    elif cmd in (Command.START, Command.RESUME) and state == RunState.PAUSED:
        _resume(core)
    elif cmd == Command.PAUSE:
        _pause_asked(core)
    elif cmd == Command.SKIP:
        if state in ACTIVE and core.step is not None:
            core.cursor.skip = True
    elif cmd in (Command.NUDGE_UP, Command.NUDGE_DOWN):
        _nudge(core, cmd, c.value)
    elif cmd == Command.EXTEND:
        _extend(core, c.value)


def refuse(core: RunCore, refusal: Refusal) -> None:
    core.refusal = refusal
    core.notice(NoticeLevel.WARNING, refusal.text)


def _pause_asked(core: RunCore) -> None:
    if core.state == RunState.COUNTDOWN:
        # The belt has not moved yet: back to waiting for a start.
        core.st.start = core.st.start.unasked()
        core.transition(Trigger.COUNTDOWN_STOPPED, "countdown stopped")
        core.notice(NoticeLevel.INFO, "countdown stopped: start again when ready")
    elif core.state == RunState.RUNNING:
        core.transition(Trigger.RUNNER_PAUSE, "paused by the runner")
        if not core.guided and core.control:
            core.st.writes = core.st.writes.queue(WriteOp.PAUSE)


def _resume(core: RunCore) -> None:
    if core.link_down:
        refuse(core, Refusal.NOT_CONNECTED)
    elif core.guided or not core.control:
        core.transition(Trigger.RESUMED, "resumed by the runner")
    elif WriteOp.RESUME not in core.st.writes.queued:
        core.st.writes = core.st.writes.queue(WriteOp.RESUME)


def _nudge(core: RunCore, cmd: Command, value: float | None) -> None:
    step = core.step
    if core.state not in ACTIVE or step is None:
        return
    size = value if value is not None else core.config.nudge_kmh
    if size is None:
        size = core.policy.speed_grid.increment
    core.policy.nudge(step, core.fraction(), size if cmd == Command.NUDGE_UP else -size)


def _extend(core: RunCore, value: float | None) -> None:
    step = core.step
    if core.state not in ACTIVE or step is None:
        return
    if value is None:
        cfg = core.config
        value = cfg.extend_time_s if step.kind == "time" else cfg.extend_distance_m
    core.cursor.extend(step, value)
