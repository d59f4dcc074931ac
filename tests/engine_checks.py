"""The safety rules as checks on what the engine core does, input by input.

`SafetyChecks` plays the driver's side of the core's contract (one write at a
time, answered before the next; nothing written once the final stop is asked
for) and remembers what the rules need: which starts the runner allowed, whether
the belt was stopped at the treadmill, what may have moved the belt, the
console speed that stands. `feed` hands one input to the core and checks every
action that comes back, raising `RuleViolation` with the rule's number (0: the
core's own contract: the transition table, one write at a time), so a test that
takes a guard out of the engine can tell which rule was caught.
The state machine that drives it with random inputs is `engine_rules.EngineRules`.
"""

from __future__ import annotations

import math

from tests.engine_world import World, on_incline_grid, on_speed_grid
from treadpace.base.units import KMH_PER_MPH
from treadpace.engine.causes import EndCause
from treadpace.engine.core import EngineCore
from treadpace.engine.events import (
    Command,
    Notice,
    NoticeKind,
    RunFinished,
    RunState,
    StateChanged,
    StepFinished,
    StepStarted,
)
from treadpace.engine.gate import CommandSource
from treadpace.engine.messages import (
    Action,
    Answer,
    Connected,
    Done,
    Finish,
    FromTreadmill,
    Input,
    RunnerCommand,
    StopAnswered,
    StopBelt,
    TimePassed,
    WakeAt,
    Write,
    WriteOp,
    Written,
)
from treadpace.engine.transitions import TRANSITIONS
from treadpace.treadmill.port import (
    BeltStartedByUser,
    BeltStoppedByUser,
    ControlLost,
    MachineReset,
    SafetyKeyPulled,
    TargetSpeedChanged,
    Telemetry,
    TreadmillUpdate,
)

EPS = 1e-9
ROWS = frozenset((before, after) for (before, _), after in TRANSITIONS.items())
MOVING = (WriteOp.START, WriteOp.RESUME, WriteOp.SPEED, WriteOp.INCLINE, WriteOp.UNIT_FIX)
"""Writes that set the belt moving or change what it does."""
ANSWERS = (Answer.TAKEN,) * 5 + tuple(Answer)[1:]
ABORT_CAUSES = tuple(c for c in EndCause if c != EndCause.PLAN_COMPLETE)
"""An abort is any end but the plan's own: only the core completes a plan."""


class RuleViolation(AssertionError):
    """A safety rule (or the core's contract, rule 0) broken by what the core did."""

    def __init__(self, rule: int, message: str) -> None:
        super().__init__(f"rule {rule}: {message}")
        self.rule = rule


class SafetyChecks:
    def __init__(self, world: World) -> None:
        self.world = world
        self.core = EngineCore(world.plan, world.config)
        self.now = 0.0
        self.control = False
        self.wake = math.inf
        self.pending: Write | None = None
        # the world's belt: what the machine does with what it was told
        self.moving = False
        self.belt_kmh = 0.0
        self.machine_m = 0.0
        # what the run has said (from its events)
        self.state = RunState.IDLE
        self.guided = False
        self.step_index = -1
        self.closed: set[int] = set()
        self.finished: RunFinished | None = None
        self.done = False
        self.stop_asked = False
        self.finish_fed = False
        # the rules' memories
        self.start_allowed = False  # rule 2: an explicit start not yet used
        self.resume_allowed = False
        self.stopped_there = False  # rule 3: a stop at the treadmill not yet resumed from
        self.maybe_started = False  # rule 4: a start that may have moved the belt
        self.last_sent: float | None = None  # rule 5: the core's idea of "our own speed"
        self.press: float | None = None  # rule 5: the console speed that stands
        self.broken = False
        self.feed(Connected("machine", world.speeds, world.inclines, world.controllable))

    def require(self, rule: int, ok: bool, message: str) -> None:
        if not ok:
            self.broken = True  # the way out is not checked again on top of it
            raise RuleViolation(rule, message)

    # --- the core's side: every action checked ----------------------------------------------

    def feed(self, inp: Input) -> None:
        actions = self.core.handle(inp, self.now, wall=1.7e9 + self.now, has_control=self.control)
        done_before = self.done
        for i, action in enumerate(actions):
            self.require(
                4,
                not done_before and (not self.done or _trailing_wake(actions[i:])),
                f"{action} after the run was reported done",
            )
            self.check(action)

    def check(self, action: Action) -> None:
        if isinstance(action, Write):
            self.check_write(action)
        elif isinstance(action, WakeAt):
            self.wake = action.t
        elif isinstance(action, StopBelt):
            self.require(4, self.finished is None, "StopBelt after RunFinished")
            self.stop_asked = True
        elif isinstance(action, Done):
            self.require(4, self.finished is not None, "Done before RunFinished")
            self.done = True
        elif isinstance(action, RunFinished):
            self.check_finished(action)
        elif isinstance(action, StateChanged):
            self.require(
                0,
                action.previous == self.state and (action.previous, action.state) in ROWS,
                f"{action.previous} -> {action.state} (was {self.state}) is not in TRANSITIONS",
            )
            self.state_changed(action.previous, action.state)
        elif isinstance(action, StepStarted):
            self.step_index = action.index
            self.press = None
        elif isinstance(action, StepFinished):
            self.closed.add(action.index)
        elif isinstance(action, Notice) and action.kind == NoticeKind.GUIDED:
            self.guided = True

    def state_changed(self, before: RunState, after: RunState) -> None:
        self.state = after
        if before == RunState.COUNTDOWN and after == RunState.READY:
            self.start_allowed = False  # the countdown was stopped: a new start is needed
        if before == RunState.PAUSED:
            self.resume_allowed = False  # a resume belongs to the pause it was asked in
        if after == RunState.RUNNING:
            self.require(  # (once the final stop is asked for, nothing more is written)
                3,
                before != RunState.PAUSED or not self.stopped_there or self.stop_asked,
                "the run resumed after a stop at the treadmill that nobody there undid",
            )
            self.stopped_there = False

    def check_write(self, w: Write) -> None:
        self.require(0, self.pending is None, f"{w} while {self.pending} is unanswered")
        self.require(4, not self.stop_asked, f"{w} after the final stop was asked for")
        self.pending = w
        if w.op in MOVING:
            self.require(
                3, not self.stopped_there, f"{w} after a stop at the treadmill, not resumed"
            )
        if w.op == WriteOp.START:
            self.require(2, self.start_allowed, f"{w} without an explicit start")
            self.start_allowed = False
        elif w.op == WriteOp.RESUME:
            self.require(2, self.resume_allowed, f"{w} without a resume that passed the gate")
            self.resume_allowed = False
        elif w.op == WriteOp.SPEED:
            self.check_speed(w)
        elif w.op == WriteOp.INCLINE:
            self.check_incline(w)
        elif w.op == WriteOp.UNIT_FIX:
            self.check_unit_fix(w)

    def check_speed(self, w: Write) -> None:
        world, kmh = self.world, w.value
        assert kmh is not None
        self.require(
            1,
            world.speeds.min_kmh - EPS <= kmh <= world.speed_top + EPS,
            f"speed {kmh} outside {world.speeds.min_kmh}..{world.speed_top} "
            f"(cap {world.config.max_speed_kmh}, machine {world.speeds})",
        )
        self.require(
            1, on_speed_grid(kmh, world.speeds), f"speed {kmh} off the grid {world.speeds}"
        )
        if self.press is not None:
            top, step = world.speed_top, world.speed_step
            wanted = min(max(self.press, world.speeds.min_kmh), top)
            near = abs(kmh - wanted) <= step / 2 + 0.006
            # Clamped: the grid's highest point under a cap that may itself be off the grid.
            clamped = self.press >= top and kmh >= top - step - 0.006
            self.require(
                5,
                near or clamped,
                f"speed {kmh} fights the console's {self.press} (nearest allowed {wanted})",
            )

    def check_incline(self, w: Write) -> None:
        world, percent = self.world, w.value
        assert percent is not None and world.inclines is not None
        low = world.inclines.min_percent
        self.require(
            1,
            low - EPS <= percent <= world.incline_top + EPS,
            f"incline {percent} outside {low}..{world.incline_top}",
        )
        self.require(1, on_incline_grid(percent, world.inclines), f"incline {percent} off the grid")

    def check_unit_fix(self, w: Write) -> None:
        decided = self.core.units.decided
        assert w.value is not None and decided is not None
        true_kmh = w.value * decided.factor
        cap = self.world.config.max_speed_kmh
        self.require(1, true_kmh <= cap + EPS, f"unit fix {w.value} is {true_kmh} km/h > cap {cap}")
        self.require(1, on_speed_grid(w.value, self.world.speeds), f"unit fix {w.value} off grid")

    def check_finished(self, f: RunFinished) -> None:
        self.require(4, self.finished is None, "a second RunFinished")
        self.finished = f
        self.require(
            4,
            self.stop_asked or not self.maybe_started,
            f"RunFinished ({f.reason}) without a stop, after a start that may have moved the belt",
        )
        if f.end_cause == EndCause.PLAN_COMPLETE:
            steps = set(range(len(self.world.plan.steps)))
            self.require(
                4, self.closed >= steps, f"plan complete with only steps {self.closed} closed"
            )

    # --- the driver's side ------------------------------------------------------------------

    def answer(self, answer: Answer) -> None:
        """The write in flight is answered (nothing happens when none is)."""
        w = self.pending
        if w is None:
            return
        self.pending = None
        started = w.op in (WriteOp.START, WriteOp.RESUME)
        if started and answer in (Answer.TAKEN, Answer.UNKNOWN):
            self.maybe_started = True
            self.moving = True
        if started and answer == Answer.TAKEN:
            # Written while allowed (checked then) and taken: a stop there since is undone.
            self.stopped_there = False
        if answer == Answer.TAKEN:
            if w.op == WriteOp.CONTROL:
                self.control = True
            elif w.op == WriteOp.SPEED and w.value is not None:
                self.belt_kmh = self.last_sent = w.value
            elif w.op == WriteOp.UNIT_FIX and w.value is not None:
                self.belt_kmh = w.value
            elif w.op == WriteOp.PAUSE:
                self.moving = False
        self.feed(Written(w.op, answer, "" if answer == Answer.TAKEN else "no"))

    def wake_up(self) -> None:
        self.now = max(self.now, self.wake) if self.wake < math.inf else self.now
        self.feed(TimePassed())

    def time_passes(self, dt: float) -> None:
        self.now += dt
        self.feed(TimePassed())

    def leave(self) -> None:
        """The driver leaves (the plan ended, a signal, an error): Finish, once."""
        if self.finish_fed:
            return
        self.finish_fed = True
        if self.pending is not None and self.pending.op in (WriteOp.START, WriteOp.RESUME):
            self.maybe_started = True  # cancelled on its way out: it may have been taken
        self.pending = None  # no answer is coming
        self.feed(Finish(""))

    def stop_answered(self, confirmed: bool) -> None:
        """The final stop's answer, as the driver gives it: after Finish."""
        if not self.stop_asked or self.done:
            return
        self.leave()
        if self.done:
            return
        self.feed(StopAnswered(confirmed))
        self.require(
            4,
            self.core.belt_left_running == (not confirmed),
            f"stop confirmed={confirmed} but belt_left_running={self.core.belt_left_running}",
        )

    def end_of_run(self) -> None:
        """Whatever the run was doing, the driver's way out reports it (rule 4)."""
        if self.broken:
            return
        self.leave()
        self.stop_answered(True)
        self.require(4, self.finished is not None and self.done, "the driver left: no RunFinished")

    # --- the runner and the treadmill -------------------------------------------------------

    def command(self, cmd: Command, source: CommandSource, value: float | None) -> None:
        passes_gate = source == CommandSource.LOCAL or self.world.config.allow_remote_start
        starts = cmd in (Command.START, Command.RESUME)
        if cmd == Command.START and self.state in (RunState.IDLE, RunState.READY) and passes_gate:
            self.start_allowed = True
        if starts and self.state == RunState.PAUSED and passes_gate:
            self.resume_allowed = True
        if starts and self.state == RunState.PAUSED and source == CommandSource.LOCAL:
            self.stopped_there = False  # the runner at the treadmill resumes
        if cmd in (Command.NUDGE_UP, Command.NUDGE_DOWN):
            self.press = None  # the runner's own change replaces the console's
        self.feed(RunnerCommand(cmd, value, source))

    def telemetry(self, dt: float) -> None:
        """`dt` seconds of the belt doing what it was told, then one record of it."""
        self.now += dt
        kmh = self.belt_kmh if self.moving else 0.0
        factor = KMH_PER_MPH if self.world.mph_liar else 1.0
        self.machine_m += kmh * factor * dt / 3.6
        metres = float(int(self.machine_m))
        self.feed(FromTreadmill(Telemetry(self.now, kmh, None, metres, heart_rate_bpm=140)))

    def treadmill(self, u: TreadmillUpdate) -> None:
        """A machine event: what it means for the rules' memories, then to the core."""
        if isinstance(u, BeltStoppedByUser | SafetyKeyPulled):
            if self.state in (RunState.RUNNING, RunState.PAUSED):
                self.stopped_there = True
            self.moving = False
        elif isinstance(u, BeltStartedByUser):
            if self.state == RunState.READY:
                self.start_allowed = True
            self.stopped_there = False  # the runner restarted the belt standing at it
            self.moving = True
        elif isinstance(u, TargetSpeedChanged):
            self.console_speed(u.speed_kmh)
        elif isinstance(u, ControlLost | MachineReset):
            self.control = False
        self.feed(FromTreadmill(u))

    def console_restart(self) -> None:
        """The runner starts the belt on a console that says nothing (no `04`)."""
        self.stopped_there = False  # the runner at the treadmill resumes
        self.moving = True
        self.belt_kmh = max(self.belt_kmh, self.world.speeds.min_kmh, 1.0)

    def console_speed(self, kmh: float) -> None:
        step_n, half = self.step_index, self.world.speed_step / 2
        ours = self.last_sent is not None and abs(kmh - self.last_sent) < half
        if self.state == RunState.RUNNING and not self.guided and step_n >= 0 and not ours:
            self.last_sent = kmh
            step = self.world.plan.steps[step_n]
            constant = self.world.config.manual_change == "hold" or step.free or not step.is_ramp
            self.press = kmh if constant else None
        self.belt_kmh = kmh


def _trailing_wake(actions: list[Action]) -> bool:
    """After Done, only the core's last word on waking may follow (nothing to wake for)."""
    return all(isinstance(a, WakeAt) and a.t == math.inf for a in actions)
