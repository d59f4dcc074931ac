"""The software treadmill on a clock: drives the pure server, delivers its messages.

`SimulatedTreadmill` owns an `FtmsServer` and ticks it on the injected `Clock`
(real, scaled or virtual): Treadmill Data at the model's rate, faults at their
time, the belt log once per second. Between ticks the belt is brought up to date
lazily before every write, read and console action (its integration is exact, so
ticking only at telemetry time costs nothing in accuracy).

Its GATT-ish surface (`connect`, `read`, `write`, `subscribe`, ...) is what the
in-process link (`treadpace.treadmill.sim.SimLink`) and the BlueZ front end sit on.
Each call takes an optional `client` id, so several centrals can share one machine.

Delivery follows ATT order: a write returns (the Write Response) before its `80`
response arrives; notifications and indications go out in order from one queue on
the event loop; an indication counts as confirmed once its callback has run, which
ends the client's procedure (until then another write gets ATT 0xFE).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import Callable, Iterable
from pathlib import Path

from ftms_sim.belt import Belt, BeltState
from ftms_sim.errors import AttError, LinkDown
from ftms_sim.faults import Fault
from ftms_sim.heart import StrapFault
from ftms_sim.model import TreadmillModel, load_model
from ftms_sim.server import INDICATE, NOTIFY, FtmsServer, Outgoing, op_name
from ftms_sim.simlog import SimLog
from ftms_sim.write_faults import WriteRefusals
from treadpace.clock import Clock
from treadpace.ftms import (
    CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
    MACHINE_STATUS,
    TRAINING_STATUS,
    TREADMILL_DATA,
)

log = logging.getLogger(__name__)

Callback = Callable[[bytes], None]
Observer = Callable[[float, dict[str, object]], None]

_STRAP_FAULTS = {
    "strap_off": StrapFault.OFF,
    "strap_stuck": StrapFault.STUCK,
    "strap_nonsense": StrapFault.NONSENSE,
}
_GARBAGE_TARGET = {
    "treadmill_data": TREADMILL_DATA,
    "machine_status": MACHINE_STATUS,
    "training_status": TRAINING_STATUS,
    "control_point": CONTROL_POINT,
}


class SimulatedTreadmill:
    """One simulated machine. `await start()` before use, `await close()` after."""

    def __init__(
        self,
        model: TreadmillModel | str,
        clock: Clock,
        *,
        faults: Iterable[Fault] | None = None,
        sim_log: SimLog | Path | str | None = None,
        observers: Iterable[Observer] = (),
        seed: int = 0,
    ) -> None:
        self.model = load_model(model) if isinstance(model, str) else model
        self.clock = clock
        self.server = FtmsServer(self.model)
        self._own_log = isinstance(sim_log, Path | str)
        self._log: SimLog | None = (
            SimLog(Path(sim_log)) if isinstance(sim_log, Path | str) else sim_log
        )
        self._observers: list[Observer] = list(observers)
        if self._log is not None:
            self._observers.append(self._log)
        self._rng = random.Random(seed)
        self._t0 = 0.0
        self._t_belt = 0.0
        self._started = False
        self._task: asyncio.Task[None] | None = None
        self._callbacks: dict[int, dict[str, Callback]] = {}
        self._drop_callbacks: dict[int, list[Callable[[], None]]] = {}
        self._queue: list[tuple[int, str, bytes, bool]] = []
        self._flush_handle: asyncio.Handle | None = None
        self._down_until = -math.inf
        self._gap_until = -math.inf
        self._silent_until = -math.inf
        self._belt_started_at: float | None = None
        self._last_belt_log = -math.inf
        self._pending_faults: list[Fault] = []
        self._belt_faults: list[Fault] = []
        self._timers: set[asyncio.Task[None]] = set()
        self._key_timer: asyncio.Task[None] | None = None
        self.refusals = WriteRefusals()
        """Armed ATT-level write failures (the `refuse_write` fault)."""
        for fault in (*self.model.faults, *(faults or ())):
            self.schedule(fault)

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def belt(self) -> Belt:
        """The belt, brought up to the clock's present (for assertions and front ends)."""
        if self._started:
            self._sync_belt()
        return self.server.belt

    @property
    def t(self) -> float:
        """Simulator seconds since `start()`."""
        return self.clock.now() - self._t0

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._t0 = self._t_belt = self.clock.now()
        self._emit({"event": "start", "model": self.model.name})
        self._task = asyncio.create_task(self._run(), name=f"ftms-sim-{self.model.name}")
        pending, self._pending_faults = self._pending_faults, []
        for fault in pending:
            self._arm(self._t0 + fault.at, fault)

    async def close(self) -> None:
        tasks = [t for t in (self._task, self._key_timer, *self._timers) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = self._key_timer = None
        self._timers.clear()
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._started:
            self._started = False
            self._sync_belt()
            if self._observers and self._last_belt_log < self.clock.now():
                self._log_belt()  # the final state, so a log always ends with the belt
            self._emit({"event": "stop"})
            self._project_wind_down()
        if self._log is not None and self._own_log:
            self._log.close()

    def _project_wind_down(self) -> None:
        """A belt still slowing down when the simulator closes keeps slowing on its own.

        A real treadmill outlives the program that drove it, so after the `stop` event the
        log ends with where the belt comes to rest and when (marked `"projected": true`).
        """
        b = self.server.belt
        if b.state not in (BeltState.STOPPING, BeltState.PAUSING):
            return
        remaining = b.next_transition_in() or 0.0
        b.advance(remaining)
        if not self._observers:
            return
        t = self.clock.now() - self._t0 + remaining
        record: dict[str, object] = {
            "event": "belt",
            "speed_kmh": round(b.speed_kmh, 2),
            "incline_percent": round(b.incline_percent, 1),
            "distance_m": round(b.distance_m, 1),
            "state": b.state.value,
            "target_speed_kmh": round(b.target_speed_kmh, 2),
            "heart_rate_bpm": round(b.heart_rate_bpm),
            "projected": True,
        }
        for observer in self._observers:
            observer(t, record)

    async def __aenter__(self) -> SimulatedTreadmill:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def add_observer(self, observer: Observer) -> None:
        self._observers.append(observer)

    # --- GATT surface ------------------------------------------------------------------

    def characteristics(self) -> dict[str, frozenset[str]]:
        return self.server.characteristics()

    def services(self) -> dict[str, list[str]]:
        """Service UUID -> characteristic UUIDs (FTMS, Device Information, Heart Rate)."""
        return self.server.services()

    def advertisement(self) -> tuple[str | None, list[str], dict[str, bytes]]:
        """(local name, service UUIDs, service data) the machine advertises."""
        return self.server.advertisement()

    @property
    def reachable(self) -> bool:
        """False while the link is down or the machine reboots (it does not advertise)."""
        return self.clock.now() >= self._down_until

    def is_connected(self, client: int = 0) -> bool:
        return client in self._callbacks

    def connect(self, client: int = 0) -> None:
        """Connect a central. Raises LinkDown while the machine is unreachable."""
        if not self.reachable:
            raise LinkDown(f"{self.model.name}: not advertising (link down)")
        if client in self._callbacks:
            return
        self._sync_belt()
        self.server.connect(client)
        self._callbacks[client] = {}
        self._emit({"event": "link", "action": "connect", "client": client})

    def disconnect(self, client: int = 0) -> None:
        """A requested disconnect: control is given up; no drop callbacks fire."""
        if client not in self._callbacks:
            return
        self._sync_belt()
        del self._callbacks[client]
        self._drop_callbacks.pop(client, None)
        self._deliver(self.server.disconnect(client))
        self._emit({"event": "link", "action": "disconnect", "client": client})

    def on_link_drop(self, callback: Callable[[], None], client: int = 0) -> None:
        """Called (synchronously) when the link drops without the client asking."""
        self._drop_callbacks.setdefault(client, []).append(callback)

    async def read(self, uuid: str, *, client: int = 0) -> bytes:
        self._require(client)
        self._sync_belt()
        return self.server.read(uuid)

    async def write(
        self, uuid: str, data: bytes, with_response: bool = True, *, client: int = 0
    ) -> None:
        """A Write Request (or Command). Raises AttError where the ATT layer would."""
        self._require(client)
        self._sync_belt()
        if self.server.silent and self.clock.now() >= self._silent_until:
            self.server.silent = False
        try:
            refused = self.refusals.take(bytes(data)) if uuid == CONTROL_POINT else None
            if refused is not None:
                raise refused
            result = self.server.write(client, uuid, bytes(data))
        except AttError as exc:
            self._emit(
                {"event": "command", "op": _op_name(data), "result": f"att_error_0x{exc.code:02x}"}
            )
            if with_response:
                raise
            return  # a Write Command has no response, so nobody hears the error
        self._emit(result.record)
        self._deliver(result.out)
        self._note_belt_start()

    def subscribe(self, uuid: str, callback: Callback, *, client: int = 0) -> None:
        """Register `callback` and write the CCCD (indicate where the property says so)."""
        self._require(client)
        props = self.server.characteristics().get(uuid)
        if props is None or not props & {"notify", "indicate"}:
            raise AttError(0x0A if props is None else 0x03, f"cannot subscribe to {uuid}")
        self._callbacks[client][uuid] = callback
        if self.model.notify_before_subscribe:
            # the machine was already notifying: the first packet beats the CCCD write
            self._sync_belt()
            for data in self._current(uuid):
                callback(data)
        self._deliver(
            self.server.set_cccd(client, uuid, INDICATE if "indicate" in props else NOTIFY)
        )

    def unsubscribe(self, uuid: str, *, client: int = 0) -> None:
        callbacks = self._callbacks.get(client)
        if callbacks is not None:
            callbacks.pop(uuid, None)
            self._deliver(self.server.set_cccd(client, uuid, 0))

    def _require(self, client: int) -> None:
        if client not in self._callbacks:
            raise LinkDown(f"{self.model.name}: not connected")

    def _current(self, uuid: str) -> list[bytes]:
        if uuid == TREADMILL_DATA:
            return self.server.telemetry()
        if uuid == TRAINING_STATUS:
            return [self.server.read(TRAINING_STATUS)]
        return []

    # --- console and faults -------------------------------------------------------------

    def press_start(self) -> None:
        self._console("press_start", self.server.press_start)

    def press_stop(self) -> None:
        self._console("press_stop", self.server.press_stop)

    def press_pause(self) -> None:
        self._console("press_pause", self.server.press_pause)

    def press_speed(self, delta_kmh: float) -> None:
        self._console("press_speed", lambda: self.server.press_speed(delta_kmh), delta=delta_kmh)

    def press_incline(self, delta_percent: float) -> None:
        self._console(
            "press_incline", lambda: self.server.press_incline(delta_percent), delta=delta_percent
        )

    def pull_safety_key(self, restore_after: float | None = None) -> None:
        self._console("pull_safety_key", self.server.pull_safety_key)
        if restore_after is not None:
            self._cancel_key_timer()
            self._key_timer = asyncio.create_task(self._key_back(restore_after))

    def insert_safety_key(self) -> None:
        self._cancel_key_timer()
        self._console("insert_safety_key", self.server.insert_safety_key)

    def _cancel_key_timer(self) -> None:
        if self._key_timer is not None and self._key_timer is not asyncio.current_task():
            self._key_timer.cancel()
        self._key_timer = None

    async def _key_back(self, delay: float) -> None:
        await self.clock.sleep(delay)
        self._key_timer = None
        self.insert_safety_key()

    def revoke_control(self) -> None:
        self._console("control_lost", self.server.revoke_control)

    def drop_link(self, down_for: float = 0.0) -> None:
        """The radio link is lost: every client is dropped and told so."""
        self._sync_belt()
        self._down_until = self.clock.now() + down_for
        self._emit({"event": "link", "action": "drop", "down_for": down_for})
        self._drop_all()

    def reboot(self, down_for: float = 5.0) -> None:
        """Power cycle: links drop, the belt stops dead, counters and control reset."""
        self._sync_belt()
        self._down_until = self.clock.now() + down_for
        self._emit({"event": "link", "action": "reboot", "down_for": down_for})
        self._drop_all()
        self.server.power_cycle()
        self._silent_until = -math.inf
        self._gap_until = -math.inf

    def control_point_silent(self, duration: float | None = None) -> None:
        """Control Point writes are accepted but neither acted on nor answered."""
        self.server.silent = True
        self._silent_until = math.inf if duration is None else self.clock.now() + duration

    def telemetry_gap(self, duration: float) -> None:
        self._gap_until = self.clock.now() + duration

    def odometer_jump(self, delta_m: float) -> None:
        """The reported Total Distance jumps by `delta_m` metres; the belt does not move."""
        self._sync_belt()
        self.server.odometer.jump(delta_m)

    def send_garbage(
        self, characteristic: str = "treadmill_data", data: bytes | None = None
    ) -> None:
        """A malformed notification, as a confused firmware might send."""
        if data is None:
            data = bytes(self._rng.randrange(256) for _ in range(self._rng.randrange(0, 20)))
        uuid = _GARBAGE_TARGET[characteristic]
        for client in self._callbacks:
            if uuid == CONTROL_POINT or self.server.wants(client, uuid):
                self._queue_one(client, uuid, data, False)

    def schedule(self, fault: Fault) -> None:
        """Add a fault; `at` counts from start() or, with since=belt_start, the first start."""
        if fault.since == "belt_start":
            if self._belt_started_at is None:
                self._belt_faults.append(fault)
            else:
                self._arm(self._belt_started_at + fault.at, fault)
        elif not self._started:
            self._pending_faults.append(fault)
        else:
            self._arm(self._t0 + fault.at, fault)

    def _arm(self, when: float, fault: Fault) -> None:
        task = asyncio.create_task(self._fault_at(when, fault))
        self._timers.add(task)
        task.add_done_callback(self._timers.discard)

    async def _fault_at(self, when: float, fault: Fault) -> None:
        delay = when - self.clock.now()
        if delay > 0:
            await self.clock.sleep(delay)
        self.apply(fault)

    def apply(self, fault: Fault) -> None:
        """Carry out one fault now."""
        a = fault.action
        self._emit({"event": "fault", **fault.to_json()})
        if a == "drop_link":
            self.drop_link(fault.duration or 0.0)
        elif a == "reboot":
            self.reboot(5.0 if fault.duration is None else fault.duration)
        elif a == "pull_safety_key":
            self.pull_safety_key(fault.duration)
        elif a == "insert_safety_key":
            self.insert_safety_key()
        elif a == "press_stop":
            self.press_stop()
        elif a == "press_pause":
            self.press_pause()
        elif a == "press_start":
            self.press_start()
        elif a == "press_speed":
            self.press_speed(fault.delta or 0.0)
        elif a == "press_incline":
            self.press_incline(fault.delta or 0.0)
        elif a == "control_point_silent":
            self.control_point_silent(fault.duration)
        elif a == "control_lost":
            self.revoke_control()
        elif a == "garbage":
            self.send_garbage(fault.characteristic, fault.data)
        elif a == "telemetry_gap":
            self.telemetry_gap(fault.duration or 0.0)
        elif a == "odometer_jump":
            self.odometer_jump(fault.delta or 0.0)
        elif a == "refuse_write":
            self.refusals.arm(fault.op, fault.count)
        elif a in _STRAP_FAULTS:
            self._sync_belt()
            value = round(fault.delta or 0.0)
            self.server.belt.heart.strap_fault(_STRAP_FAULTS[a], fault.duration or 0.0, value)

    def _console(self, action: str, fn: Callable[[], list[Outgoing]], **extra: object) -> None:
        self._sync_belt()
        out = fn()
        self._emit({"event": "console", "action": action, **extra, "effect": bool(out)})
        self._deliver(out)
        self._note_belt_start()

    def _drop_all(self) -> None:
        for client in list(self._callbacks):
            del self._callbacks[client]
            self._deliver(self.server.disconnect(client))
            for cb in self._drop_callbacks.pop(client, []):
                try:
                    cb()
                except Exception:  # a client's handler must not take the machine down
                    log.exception("link-drop callback failed")

    # --- time ---------------------------------------------------------------------------

    def _sync_belt(self) -> None:
        now = self.clock.now()
        dt = now - self._t_belt
        if dt > 0:
            self._t_belt = now
            out = self.server.tick(dt)
            if out:
                self._deliver(out)

    def _note_belt_start(self) -> None:
        if self._belt_started_at is None and self.server.belt.moving:
            self._belt_started_at = self.clock.now()
            faults, self._belt_faults = self._belt_faults, []
            for fault in faults:
                self._arm(self._belt_started_at + fault.at, fault)

    async def _run(self) -> None:
        clock = self.clock
        period = 1.0 / self.model.telemetry_rate_hz
        next_tel = self._t0 + period
        logging_belt = bool(self._observers)
        next_log = self._t0 + 1.0 if logging_belt else math.inf
        while True:
            now = clock.now()
            wake = min(next_tel, next_log)
            if wake > now:
                await clock.sleep(wake - now)
                now = clock.now()
            else:
                # Behind (a slow iteration, a huge time scale): yield all the same, so
                # the other tasks and the signal handlers run; missed periods are skipped.
                await asyncio.sleep(0)
            self._sync_belt()
            if now >= next_tel - 1e-9:
                self._send_telemetry(now)
                next_tel += period
                if next_tel <= now:
                    next_tel = now + period
            if now >= next_log - 1e-9:
                self._log_belt()
                next_log += 1.0
                if next_log <= now:
                    next_log = now + 1.0
            self._note_belt_start()

    def _send_telemetry(self, now: float) -> None:
        if not self._callbacks or now < self._gap_until:
            return
        if self.model.heart_rate_service:
            self._send_to_subscribers(HEART_RATE_MEASUREMENT, [self.server.heart_rate()])
        if not self.server.telemetry_due():
            return
        packets: list[bytes] | None = None
        direct = self._flush_handle is None  # nothing queued: no order to keep
        for client, callbacks in list(self._callbacks.items()):
            if self.server.wants(client, TREADMILL_DATA):
                if packets is None:
                    packets = self.server.telemetry()
                cb = callbacks.get(TREADMILL_DATA)
                for data in packets:
                    if not direct:
                        self._queue_one(client, TREADMILL_DATA, data, False)
                    elif cb is not None:
                        self._call(cb, data)

    def _send_to_subscribers(self, uuid: str, packets: list[bytes]) -> None:
        for client in self._callbacks:
            if self.server.wants(client, uuid):
                for data in packets:
                    self._queue_one(client, uuid, data, False)

    def _log_belt(self) -> None:
        self._last_belt_log = self.clock.now()
        b = self.server.belt
        self._emit(
            {
                "event": "belt",
                "speed_kmh": round(b.speed_kmh, 2),
                "incline_percent": round(b.incline_percent, 1),
                "distance_m": round(b.distance_m, 1),
                "state": b.state.value,
                "target_speed_kmh": round(b.target_speed_kmh, 2),
                "heart_rate_bpm": round(b.heart_rate_bpm),
            }
        )

    # --- delivery ---------------------------------------------------------------------

    def _deliver(self, out: list[Outgoing]) -> None:
        for msg in out:
            for client in self._callbacks:
                if msg.client is not None and msg.client != client:
                    continue
                if msg.exclude == client:
                    continue
                if msg.uuid != CONTROL_POINT and not self.server.wants(client, msg.uuid):
                    continue
                self._queue_one(client, msg.uuid, msg.data, msg.indicate)

    def _queue_one(self, client: int, uuid: str, data: bytes, indicate: bool) -> None:
        self._queue.append((client, uuid, data, indicate))
        if self._flush_handle is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # used outside an event loop (a synchronous test)
                self._flush()
                return
            self._flush_handle = loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        queue, self._queue = self._queue, []
        for client, uuid, data, indicate in queue:
            callbacks = self._callbacks.get(client)
            if callbacks is None:
                continue  # the link dropped meanwhile: the message is lost
            cb = callbacks.get(uuid)
            if cb is not None:
                self._call(cb, data)
            if indicate:
                self.server.indication_confirmed(client)

    @staticmethod
    def _call(cb: Callback, data: bytes) -> None:
        try:
            cb(data)
        except Exception:  # as a BLE stack would: the client's bug, not the machine's
            log.exception("notification callback failed")

    # --- observers ----------------------------------------------------------------------

    def _emit(self, record: dict[str, object]) -> None:
        if self._observers:
            t = self.clock.now() - self._t0
            for observer in self._observers:
                observer(t, record)

    @property
    def state(self) -> BeltState:
        return self.server.belt.state


def _op_name(data: bytes) -> str:
    return op_name(data[0]) if data else "empty"
