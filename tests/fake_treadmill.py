"""A small pure-Python treadmill for engine tests (tests/engine/test_fake_treadmill.py checks it).

`FakeTreadmill` implements the `Treadmill` port without FTMS bytes: a belt that
ramps at a fixed acceleration, telemetry once a second on the injected clock
(distance truncated to whole metres, as FTMS carries it), and console/fault
actions. Every command is logged with its clock time and the exact belt
distance at that moment, so tests can measure where a step change landed.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass

from treadpace.base.clock import Clock
from treadpace.ftms import InclinationRange, SpeedRange
from treadpace.treadmill.port import (
    BeltStartedByUser,
    BeltStoppedByUser,
    ControlLost,
    ControlRefused,
    LinkLost,
    LinkRestored,
    NotConnected,
    SafetyKeyPulled,
    TargetSpeedChanged,
    Telemetry,
    TreadmillUpdate,
)

_INCLINE = InclinationRange(0.0, 12.0, 1.0)


@dataclass
class Cmd:
    t: float
    op: str
    value: float | None
    distance_m: float
    speed_kmh: float


class FakeTreadmill:
    def __init__(
        self,
        clock: Clock,
        *,
        speed_range: SpeedRange | None = None,
        incline_range: InclinationRange | None = _INCLINE,
        accel: float = 0.5,
        decel: float = 0.6,
        controllable: bool = True,
        grant: bool = True,
        rate_hz: float = 1.0,
        targets_while_stopped: bool = True,
    ) -> None:
        self.clock = clock
        self._speed_range = speed_range or SpeedRange(0.8, 20.0, 0.1)
        self._incline_range = incline_range
        self.accel, self.decel = accel, decel
        self._controllable = controllable
        self._grant = grant
        self.period = 1.0 / rate_hz
        self.targets_while_stopped = targets_while_stopped
        self.has_control_ = False
        self.connected = False
        self.running = False  # belt commanded to move
        self.speed = 0.0
        self.target = 0.0
        self.incline = 0.0
        self.distance = 0.0
        self._t = 0.0
        self.key_in = True
        self.commands: list[Cmd] = []
        self.queue: asyncio.Queue[TreadmillUpdate | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.link_up = True
        self.events: list[tuple[float, str]] = []

    # --- physics ----------------------------------------------------------------------
    def sync(self) -> None:
        now = self.clock.now()
        dt = now - self._t
        self._t = now
        if dt <= 0:
            return
        goal = self.target if self.running else 0.0
        v0 = self.speed
        rate = self.accel if goal > v0 else self.decel
        if not self.key_in:
            rate = 2.0
        tr = abs(goal - v0) / rate
        if dt <= tr:
            v1 = v0 + math.copysign(rate * dt, goal - v0)
            self.distance += (v0 + v1) / 2 * dt / 3.6
        else:
            self.distance += ((v0 + goal) / 2 * tr + goal * (dt - tr)) / 3.6
            v1 = goal
        self.speed = v1

    def _log(self, op: str, value: float | None) -> None:
        self.sync()
        self.commands.append(Cmd(self.clock.now(), op, value, self.distance, self.speed))

    async def _telemetry(self) -> None:
        while True:
            await self.clock.sleep(self.period)
            self.sync()
            if self.link_up:
                self.queue.put_nowait(
                    Telemetry(
                        t=self.clock.now(),
                        speed_kmh=round(self.speed, 2),
                        incline_percent=self.incline,
                        distance_m=float(int(self.distance)),
                        heart_rate_bpm=120,
                    )
                )

    # --- port -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return "fake"

    @property
    def features(self) -> None:
        return None

    @property
    def speed_range(self) -> SpeedRange:
        return self._speed_range

    @property
    def incline_range(self) -> InclinationRange | None:
        return self._incline_range

    @property
    def has_control(self) -> bool:
        return self.has_control_

    @property
    def controllable(self) -> bool:
        return self._controllable

    async def connect(self) -> None:
        self.connected = True
        self._t = self.clock.now()
        self._task = asyncio.create_task(self._telemetry())

    async def disconnect(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self.queue.put_nowait(None)

    async def request_control(self) -> bool:
        self._log("request_control", None)
        self.has_control_ = self._grant
        return self._grant

    def _check(self, op: str) -> None:
        if not self.link_up:
            raise NotConnected("link down")
        if not self.has_control_:
            raise ControlRefused(op, "control not permitted")

    async def start(self) -> None:
        self._check("start")
        if not self.key_in:
            self._log("start_refused", None)
            raise ControlRefused("start", "operation failed")
        self._log("start", None)
        self.running = True
        if self.target <= 0:
            self.target = self._speed_range.min_kmh

    async def stop(self) -> None:
        self._check("stop")
        self._log("stop", None)
        self.running = False

    async def pause(self) -> None:
        self._check("pause")
        self._log("pause", None)
        self.running = False

    async def set_speed(self, kmh: float) -> None:
        self._check("set_speed")
        if not self.targets_while_stopped and self.speed <= 0:
            self._log("speed_refused", kmh)
            raise ControlRefused("set target speed", "control not permitted")
        self._log("set_speed", kmh)
        self.target = kmh

    async def set_incline(self, percent: float) -> None:
        self._check("set_incline")
        self._log("set_incline", percent)
        self.incline = percent

    async def updates(self) -> AsyncIterator[TreadmillUpdate]:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            yield item

    # --- console and faults -------------------------------------------------------------
    def _emit(self, update: TreadmillUpdate, what: str) -> None:
        self.sync()
        self.events.append((self.clock.now(), what))
        self.queue.put_nowait(update)

    def press_stop(self) -> None:
        self.sync()
        self.running = False
        self._emit(BeltStoppedByUser(self.clock.now(), paused=False), "press_stop")

    def press_start(self) -> None:
        self.sync()
        self.running = True
        self._emit(BeltStartedByUser(self.clock.now()), "press_start")

    def press_speed(self, delta: float) -> None:
        self.sync()
        self.target = round(self.target + delta, 2)
        self._emit(TargetSpeedChanged(self.clock.now(), self.target), "press_speed")

    def pull_safety_key(self) -> None:
        self.sync()
        self.key_in = False
        self.running = False
        self._emit(SafetyKeyPulled(self.clock.now()), "safety_key")

    def revoke_control(self) -> None:
        self.has_control_ = False
        self._emit(ControlLost(self.clock.now()), "control_lost")

    def drop_link(self) -> None:
        self.link_up = False
        self._emit(LinkLost(self.clock.now()), "link_lost")

    def restore_link(self) -> None:
        self.link_up = True
        self._emit(LinkRestored(self.clock.now()), "link_restored")
