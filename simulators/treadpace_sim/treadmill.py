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

The parts live next door: `delivery.py` (that queue), `ticker.py` (the telemetry
and belt-log loop), `fault_schedule.py` and `fault_actions.py` (when faults happen
and what they do), `observers.py` (who hears the log records).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import Callable, Iterable
from pathlib import Path

from treadpace.base.clock import Clock
from treadpace.ftms import (
    CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
    MACHINE_STATUS,
    TRAINING_STATUS,
    TREADMILL_DATA,
)
from treadpace.ftms.rsc import encode_rsc_measurement
from treadpace_sim.att_error import AttError, LinkDown
from treadpace_sim.belt import Belt, BeltState
from treadpace_sim.delivery import Callback, Delivery, call
from treadpace_sim.fault_actions import apply_fault
from treadpace_sim.fault_schedule import FaultSchedule
from treadpace_sim.faults import Fault
from treadpace_sim.ftms_server import INDICATE, NOTIFY, FtmsServer, Outgoing, op_name
from treadpace_sim.heart import StrapFault
from treadpace_sim.model import TreadmillModel, load_model
from treadpace_sim.observers import Observer, Observers, belt_record, project_wind_down
from treadpace_sim.runner_footpod import Footpod, FootpodFault
from treadpace_sim.simlog import SimLog
from treadpace_sim.ticker import run_ticks
from treadpace_sim.write_faults import WriteRefusals

log = logging.getLogger(__name__)

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
        self._observers = Observers(list(observers))
        if self._log is not None:
            self._observers.add(self._log)
        self._rng = random.Random(seed)
        self._t0 = 0.0
        self._t_belt = 0.0
        self._started = False
        self._task: asyncio.Task[None] | None = None
        self._delivery = Delivery(self.server)
        self._callbacks = self._delivery.callbacks
        self._drop_callbacks: dict[int, list[Callable[[], None]]] = {}
        self._down_until = -math.inf
        self._gap_until = -math.inf
        self._silent_until = -math.inf
        self._last_belt_log = -math.inf
        self._faults = FaultSchedule(clock, self.apply)
        self._key_timer: asyncio.Task[None] | None = None
        self.refusals = WriteRefusals()
        """Armed ATT-level write failures (the `refuse_write` fault)."""
        spec = self.model.footpod
        self.footpod: Footpod | None = Footpod(spec) if spec is not None else None
        """The runner's footpod, a device of its own that rides on this belt (or None)."""
        self._pod_callbacks: list[Callback] = []
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
        period = 1.0 / self.model.telemetry_rate_hz
        ticks = run_ticks(self.clock, self._t0, period, bool(self._observers), self._tick)
        self._task = asyncio.create_task(ticks, name=f"treadpace-sim-{self.model.name}")
        self._faults.started(self._t0)

    async def close(self) -> None:
        tasks = [t for t in (self._task, self._key_timer) if t is not None]
        for task in tasks:
            task.cancel()
        tasks += self._faults.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = self._key_timer = None
        self._delivery.cancel()
        if self._started:
            self._started = False
            self._sync_belt()
            if self._observers and self._last_belt_log < self.clock.now():
                self._log_belt()  # the final state, so a log always ends with the belt
            self._emit({"event": "stop"})
            project_wind_down(self.server.belt, self.clock.now() - self._t0, self._observers)
        if self._log is not None and self._own_log:
            self._log.close()

    async def __aenter__(self) -> SimulatedTreadmill:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

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
            back = self._key_back(restore_after)
            self._key_timer = asyncio.create_task(back, name="safety-key-back")

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
                self._delivery.queue_one(client, uuid, data, False)

    def strap_fault(self, fault: StrapFault, duration: float, bpm: int) -> None:
        """The heart-rate strap misbehaves for `duration` seconds (`bpm`: a nonsense value)."""
        self._sync_belt()
        self.server.belt.heart.strap_fault(fault, duration, bpm)

    def footpod_fault(self, fault: FootpodFault, duration: float) -> None:
        """The footpod goes quiet or reads nonsense for `duration` seconds."""
        if self.footpod is not None:
            self.footpod.misbehave(fault, duration)
            self._emit({"event": "fault", "action": f"footpod_{fault}", "duration": duration})

    def subscribe_footpod(self, callback: Callback) -> None:
        """RSC Measurement notifications from the runner's footpod (the model must have one)."""
        if self.footpod is None:
            raise AttError(0x0A, "this model has no footpod")
        self._pod_callbacks.append(callback)

    def unsubscribe_footpod(self, callback: Callback) -> None:
        if callback in self._pod_callbacks:
            self._pod_callbacks.remove(callback)

    def schedule(self, fault: Fault) -> None:
        """Add a fault; `at` counts from start() or, with since=belt_start, the first start."""
        self._faults.add(fault)

    def apply(self, fault: Fault) -> None:
        """Carry out one fault now."""
        self._emit({"event": "fault", **fault.to_json()})
        apply_fault(self, fault)

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
        if self.server.belt.moving:
            self._faults.belt_moving(self.clock.now())

    def _tick(self, now: float, telemetry_due: bool, log_due: bool) -> None:
        self._sync_belt()
        if telemetry_due:
            self._send_telemetry(now)
            self._send_footpod()
        if log_due:
            self._log_belt()
        self._note_belt_start()

    def _send_telemetry(self, now: float) -> None:
        if not self._callbacks or now < self._gap_until:
            return
        if self.model.heart_rate_service:
            self._delivery.to_subscribers(HEART_RATE_MEASUREMENT, [self.server.heart_rate()])
        if not self.server.telemetry_due():
            return
        packets: list[bytes] | None = None
        direct = self._delivery.idle  # nothing queued: no order to keep
        for client, callbacks in list(self._callbacks.items()):
            if self.server.wants(client, TREADMILL_DATA):
                if packets is None:
                    packets = self.server.telemetry()
                cb = callbacks.get(TREADMILL_DATA)
                for data in packets:
                    if not direct:
                        self._delivery.queue_one(client, TREADMILL_DATA, data, False)
                    elif cb is not None:
                        call(cb, data)

    def _send_footpod(self) -> None:
        pod = self.footpod
        if pod is None:
            return
        belt = self.server.belt
        pod.follow(self.t, belt.true_distance_m, belt.true_speed_kmh, belt.cadence_spm())
        reading = pod.measurement()
        if reading is None or not self._pod_callbacks:
            return
        data = encode_rsc_measurement(reading)
        for cb in list(self._pod_callbacks):
            call(cb, data)

    def _log_belt(self) -> None:
        self._last_belt_log = self.clock.now()
        self._emit(belt_record(self.server.belt))

    def _deliver(self, out: list[Outgoing]) -> None:
        self._delivery.deliver(out)

    # --- observers ----------------------------------------------------------------------

    def _emit(self, record: dict[str, object]) -> None:
        if self._observers:
            self._observers.emit(self.clock.now() - self._t0, record)

    @property
    def state(self) -> BeltState:
        return self.server.belt.state


def _op_name(data: bytes) -> str:
    return op_name(data[0]) if data else "empty"
