"""The engine's async driver: it performs what the pure core decides.

`Engine.run` connects, then feeds `core.EngineCore` its inputs and carries out
its actions. One task (the one running `run`) owns every write to the
treadmill: it performs one `Write`, hands the answer back, and sleeps on the
injected clock until the core's next wake-up, a write to make, or the end. A
reader task feeds the treadmill's updates to the core as they come; the
runner's commands and `abort` come from whoever calls them. Events the core
returns go to the hub at once. On every way out (the end of the plan, a
signal, a cancelled task, an error) `run` asks the core to finish, and when the
core asks for it, stops the belt with `treadmill.stop.stop_belt`, which waits
until the belt itself says it stands (safety rule 4).

Everything the run decides is in the core; what is here is the waiting, the
treadmill's exceptions turned into `Answer`s, and the tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from typing import TYPE_CHECKING

from treadpace.base.clock import Clock
from treadpace.base.notice_level import NoticeLevel
from treadpace.base.user_error import UserError
from treadpace.engine.causes import EndCause, GuidedCause
from treadpace.engine.config import EngineConfig
from treadpace.engine.core import EngineCore
from treadpace.engine.events import Command, Notice, RunFinished, RunState
from treadpace.engine.gate import CommandSource, Verdict
from treadpace.engine.hub import EventHub
from treadpace.engine.messages import (
    Abort,
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
    UpdatesEnded,
    WakeAt,
    Write,
    WriteOp,
    Written,
)
from treadpace.engine.setpoint import Grid
from treadpace.treadmill.port import ControlRefused, NotConnected, TreadmillError
from treadpace.treadmill.retry import is_transport_failure
from treadpace.treadmill.stop import BeltWatch, StopPolicy, stop_belt

if TYPE_CHECKING:
    from treadpace.engine.odometer import Odometer
    from treadpace.plans.steps import CompiledPlan, CompiledStep
    from treadpace.treadmill.port import Treadmill

log = logging.getLogger(__name__)

_DIRECTIVES = (Write, WakeAt, StopBelt, Done)
_SAME_INSTANT_S = 0.001
"""How far the clock moves before a wake-up the core already had at this instant."""


class Engine:
    def __init__(
        self,
        treadmill: Treadmill,
        plan: CompiledPlan,
        config: EngineConfig,
        clock: Clock,
        hub: EventHub,
    ) -> None:
        self.core = EngineCore(plan, config)
        self.treadmill = treadmill
        self.plan = plan
        self.config = config
        self.clock = clock
        self.hub = hub
        self._writes: deque[Write] = deque()
        self._wake_at = math.inf
        self._stop_wanted = False
        self._finished: RunFinished | None = None
        self._belt_watch = BeltWatch()
        self._reader_error: BaseException | None = None
        self._woken = False
        self._waiter: asyncio.Future[None] | None = None
        self._timer: asyncio.Task[None] | None = None
        self._timer_at = math.inf

    # --- what the run is doing (read from the core) ----------------------------------------

    @property
    def state(self) -> RunState:
        return self.core.state

    @property
    def guided(self) -> bool:
        return self.core.guided

    @property
    def guided_cause(self) -> GuidedCause | None:
        return self.core.guided_cause

    @property
    def index(self) -> int:
        return self.core.index

    @property
    def step(self) -> CompiledStep | None:
        return self.core.step

    @property
    def belt_left_running(self) -> bool:
        """The stop at the end was needed and could not be confirmed (exit 3)."""
        return self.core.belt_left_running

    @property
    def odometer(self) -> Odometer:
        return self.core.odometer

    @property
    def speed_grid(self) -> Grid:
        return self.core.policy.speed_grid

    def target_speed(self) -> float:
        """The speed the policy asks for now (clamped and on the machine's grid)."""
        return self.core.target_speed()

    # --- what the runner and the session ask --------------------------------------------------

    async def command(
        self,
        cmd: Command,
        value: float | None = None,
        source: CommandSource = CommandSource.LOCAL,
    ) -> Verdict:
        """A runner's request (keys, MQTT, the page). Never raises for an ill-timed command.

        The answer is the core's own verdict on it, decided as it was fed in."""
        self._feed(RunnerCommand(cmd, value, source))
        return Verdict(self.core.refusal)

    def abort(self, reason: str, cause: EndCause = EndCause.INTERRUPTED) -> None:
        """End the run (Ctrl+C, SIGTERM): the belt is stopped on the way out."""
        self._feed(Abort(reason, cause))
        self._poke()

    async def run(self) -> RunFinished:
        reader: asyncio.Task[None] | None = None
        failure = ""
        try:
            await self._prepare()
            reader = asyncio.create_task(self._read(), name="engine-reader")
            await self._main()
        except asyncio.CancelledError:
            failure = "cancelled"
            raise
        except UserError as exc:
            # Refused before anything moved (no Bluetooth here, a profile that does not
            # fit): the caller says why, once; the run's end only says it never began.
            failure = "not started" if self.core.state == RunState.IDLE else f"error: {exc}"
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

    # --- the core's inputs and actions ------------------------------------------------------

    def _feed(self, inp: Input) -> None:
        clock = self.clock
        actions = self.core.handle(
            inp, clock.now(), wall=clock.wall(), has_control=self.treadmill.has_control
        )
        poke = False
        for action in actions:
            if not isinstance(action, _DIRECTIVES):
                self.hub.publish(action)
                if isinstance(action, RunFinished):
                    self._finished = action
            elif isinstance(action, WakeAt):
                self._wake_at = action.t
                poke = True
            elif isinstance(action, Write):
                self._writes.append(action)
                poke = True
            elif isinstance(action, StopBelt):
                self._stop_wanted = True
                poke = True
            else:
                self.hub.close()
                poke = True
        if poke:
            self._poke()

    async def _prepare(self) -> None:
        tm = self.treadmill
        await tm.connect()
        self.config.check_fits(tm.speed_range, tm.incline_range)
        self._feed(Connected(tm.name, tm.speed_range, tm.incline_range, tm.controllable))
        while self._writes:  # Request Control, answered before the first update is read
            await self._perform(self._writes.popleft())

    async def _main(self) -> None:
        told_at = -math.inf
        while not (self._stop_wanted or self.core.done):
            if self._writes:
                await self._perform(self._writes.popleft())
                continue
            now = self.clock.now()
            delay = self._wake_at - now
            if delay <= 0 and now == told_at:
                # The core asks again for the instant it was just told of (a deadline a
                # rounding error ahead of it): let the clock move rather than spin on it,
                # which would hold a virtual clock still.
                delay = _SAME_INSTANT_S
            await self._wait(delay)
            if self._reader_error is not None:
                raise self._reader_error
            told_at = self.clock.now()
            self._feed(TimePassed())

    async def _perform(self, write: Write) -> None:
        """One write, its outcome told to the core as an `Answer`."""
        answer, detail = Answer.TAKEN, ""
        try:
            if not await self._send(write):
                answer = Answer.REFUSED
        except ControlRefused as exc:
            answer, detail = Answer.REFUSED, str(exc)
        except NotConnected as exc:
            answer, detail = Answer.NOT_CONNECTED, str(exc)
        except TreadmillError as exc:
            answer = Answer.NOT_SENT if is_transport_failure(exc) else Answer.UNKNOWN
            detail = str(exc)
        self._feed(Written(write.op, answer, detail))

    async def _send(self, write: Write) -> bool:
        tm, op, value = self.treadmill, write.op, write.value
        if op == WriteOp.CONTROL:
            return await tm.request_control()
        if op in (WriteOp.START, WriteOp.RESUME):
            await tm.start()
        elif op == WriteOp.PAUSE:
            await tm.pause()
        elif op == WriteOp.INCLINE:
            assert value is not None
            await tm.set_incline(value)
        else:
            assert value is not None
            await tm.set_speed(value)
        return True

    async def _read(self) -> None:
        try:
            async for update in self.treadmill.updates():
                self._belt_watch.observe(update)  # the final stop is judged on these
                if self._reader_error is None:
                    try:
                        self._feed(FromTreadmill(update))
                    except Exception as exc:  # a bug in the core must still end the run safely
                        self._reader_error = exc
                        self._poke()
                if self._stop_wanted:
                    self._poke()  # the stop waits on every update
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug below must still end the run safely
            self._reader_error = exc
        else:
            self._feed(UpdatesEnded())
        self._poke()

    async def _finish(self, failure: str) -> RunFinished:
        if not self.core.done:
            self._feed(Finish(failure))
        if self._stop_wanted and not self.core.done:
            self._feed(StopAnswered(await self._stop_belt()))
        assert self._finished is not None, "the core reports every run it ends"
        log.debug("run ended: %s (%s)", self._finished.state, self._finished.reason)
        return self._finished

    async def _stop_belt(self) -> bool:
        """Safety rule 4: stop the belt, retried until the treadmill reports it stopped."""
        try:
            return await stop_belt(
                self.treadmill,
                self.clock,
                self._belt_watch,
                self._wait,
                lambda what: self.hub.publish(Notice(self.clock.now(), NoticeLevel.ERROR, what)),
                StopPolicy(answer_s=self.config.stop_timeout_s),
            )
        except asyncio.CancelledError:
            return False
        finally:
            self._cancel_timer()

    # --- waiting -------------------------------------------------------------------------

    def _poke(self) -> None:
        """Wake the main loop (an input changed what it waits for, or the timer rang)."""
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
            self._timer = asyncio.create_task(self._alarm(delay), name="engine-alarm")
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
