"""`FtmsTreadmill`: the one implementation of the `Treadmill` port, over any `GattLink`.

Everything that can be tested without a radio lives here and in the modules it
wires together, not in the bleak link:
- `capabilities.py` reads and sanity-checks the machine's ranges;
- `session.py` holds control: Request Control, re-requests, commands through
  `control.ControlChannel` (one procedure at a time, responses by notify or
  indicate, duplicates and strays ignored, a clock-based timeout);
- `status.py` turns Machine Status into `MachineEvent`s without mistaking the echo
  of our own command (`echo.py`), or a belt winding down, for a runner pressing keys;
- `heart_fusion.py` picks the runner's heart rate from the machine or a strap;
- `lifecycle.py` reconnects a lost link and reports silent telemetry.
This class merges split Treadmill Data records, decides what each answer means for
the belt, and queues the updates.

`80 07 04` to a Start means "already running" when the belt moves or the console
reported a start (ftms.md §4.3; with the safety key out it is a refusal); a motion
command that timed out is never replayed (Q13). Heart rate from a strap on a second
link: `attach_heart_rate(source)` takes any async iterable of bpm values (or call
`feed_heart_rate(bpm)` from the strap's own callback).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable

from treadpace.base.backoff import Retrying
from treadpace.base.clock import Clock, real_seconds
from treadpace.base.frozen_record import frozen_record
from treadpace.ftms import (
    CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
    MACHINE_STATUS,
    TRAINING_STATUS,
    TREADMILL_DATA,
    Feature,
    FtmsDecodeError,
    InclinationRange,
    ResultCode,
    SetTargetInclination,
    SetTargetSpeed,
    SpeedRange,
    StartOrResume,
    StopControl,
    StopOrPause,
    TreadmillDataMerger,
    decode_machine_status,
    decode_training_status,
    decode_treadmill_data,
)
from treadpace.treadmill.capabilities import FALLBACK_SPEED_RANGE, read_capabilities
from treadpace.treadmill.control_procedures import result_name
from treadpace.treadmill.control_session import ControlSession
from treadpace.treadmill.footpod import FootpodFusion, FootpodReading
from treadpace.treadmill.heart_fusion import HeartRateFusion
from treadpace.treadmill.lifecycle import RECONNECT, StaleWatch, reconnect_loop, watch_telemetry
from treadpace.treadmill.port import (
    ControlLost,
    ControlRefused,
    GattLink,
    LinkLost,
    LinkRestored,
    MachineReset,
    NotConnected,
    NotifyCallback,
    Telemetry,
    TrainingStatusChanged,
    TreadmillError,
    TreadmillUpdate,
)
from treadpace.treadmill.retry import retry_transport
from treadpace.treadmill.status import StatusInterpreter

__all__ = ["FALLBACK_SPEED_RANGE", "RECONNECT", "FtmsTreadmill"]

log = logging.getLogger(__name__)


class FtmsTreadmill:
    """The `Treadmill` port over any `GattLink` (see the module docstring for the rules)."""

    def __init__(
        self,
        link: GattLink,
        clock: Clock,
        *,
        response_timeout: float = 2.0,
        stale_after: float = 5.0,
        stale_after_real: float = 2.0,
        real_time: Callable[[], float] | None = None,
        queue_size: int = 512,
    ) -> None:
        self._link = link
        self._clock = clock
        self._real = real_time or real_seconds(clock)
        self._stale = StaleWatch(stale_after, stale_after_real)
        self._queue_size = queue_size

        self._features: Feature | None = None
        self._session = ControlSession(
            link, clock, response_timeout, self._push, self._require_ready
        )
        self._status = StatusInterpreter(FALLBACK_SPEED_RANGE)
        self._heart = HeartRateFusion(clock)
        self._pod = FootpodFusion()
        self._merger = TreadmillDataMerger()
        self._queue: deque[TreadmillUpdate] = deque()
        self._wake = asyncio.Event()
        self._closed = False
        # Set up (subscribed) on the current connection: commands wait for it.
        self._ready = False
        self._disconnect_hooked = False
        self._watchdog: asyncio.Task[None] | None = None
        self._reconnector: asyncio.Task[None] | None = None
        self._reconnects = Retrying(RECONNECT, clock)
        self._training_status: tuple[int, str | None] | None = None
        self.last_telemetry: Telemetry | None = None

    # --- the port's properties ---------------------------------------------------------

    @property
    def name(self) -> str:
        return self._link.name

    @property
    def features(self) -> Feature | None:
        return self._features

    @property
    def speed_range(self) -> SpeedRange:
        return self._status.speed_range

    @property
    def incline_range(self) -> InclinationRange | None:
        return self._status.incline_range

    @property
    def has_control(self) -> bool:
        return self._session.has_control

    @property
    def controllable(self) -> bool:
        """False without a control point, or once the machine refused control."""
        return self._session.controllable

    @property
    def training_status(self) -> tuple[int, str | None] | None:
        """The last Training Status (status code, text) read or notified, if any."""
        return self._training_status

    # --- connection --------------------------------------------------------------------

    async def connect(self) -> None:
        if not self._disconnect_hooked:
            self._link.on_disconnect(self._on_link_lost)
            self._disconnect_hooked = True
        self._closed = False
        await self._link.connect()
        await self._setup()
        self._reconnects.connected()
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = asyncio.create_task(
                watch_telemetry(self._clock, self._real, self._stale, self._motion, self._push),
                name="telemetry-watchdog",
            )

    def _motion(self) -> tuple[bool, bool]:
        return self._status.belt_moving, self._link.is_connected

    async def reconnect(self) -> None:
        """After a link loss: connect, re-read, re-subscribe, re-request control. No replay."""
        self._session.lapsed()
        await self._link.connect()
        await self._setup()
        if self._session.wanted and self.controllable:
            await self.request_control()
        # The silence while the link was down says nothing about the new connection.
        self._stale.data(self._clock.now(), self._real())
        self._push(LinkRestored(self._clock.now()))

    async def disconnect(self) -> None:
        for task in (self._watchdog, self._reconnector):
            if task is not None:
                task.cancel()
        self._heart.cancel()
        self._pod.cancel()
        self._watchdog = self._reconnector = None
        self._closed = True
        self._ready = False
        self._wake.set()
        if self._link.is_connected:
            await self._link.disconnect()

    async def _setup(self) -> None:
        self._merger.reset()
        caps = await read_capabilities(self._link, self._features)
        self._features = caps.features
        self._status.speed_range = caps.speed_range
        self._status.incline_range = caps.incline_range
        if caps.training_status is not None:
            self._training_status = caps.training_status
        # Handlers are in place before any subscription: some machines notify early (Q6).
        await self._subscribe(TREADMILL_DATA, self._on_treadmill_data)
        optional: tuple[tuple[str, NotifyCallback], ...] = (
            (MACHINE_STATUS, self._on_machine_status),
            (TRAINING_STATUS, self._on_training_status),
            (CONTROL_POINT, self._session.channel.on_packet),
            (HEART_RATE_MEASUREMENT, self._heart.on_packet),
        )
        for uuid, callback in optional:
            if self._link.has_characteristic(uuid):
                await self._subscribe(uuid, callback)
        self._ready = self._link.is_connected

    async def _subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        """A subscription refused in transport (a busy adapter) is tried again, like a connect."""
        await retry_transport(
            self._clock,
            f"{self.name}: subscribing to {uuid}",
            lambda: self._link.subscribe(uuid, callback),
        )

    def _on_link_lost(self) -> None:
        self._ready = False
        if self._closed:
            return  # our own disconnect, reported by a link that cannot tell the two apart
        self._session.lapsed()
        self._status.link_lost()
        self._merger.reset()  # a record cut by the drop is discarded (§4.18)
        self._session.channel.abort("link lost")
        self._reconnects.lost()
        self._push(LinkLost(self._clock.now()))
        if self._reconnector is None or self._reconnector.done():
            self._reconnector = asyncio.get_running_loop().create_task(
                reconnect_loop(self.name, lambda: self._closed, self._reconnects, self.reconnect),
                name="reconnect",
            )

    # --- control point -----------------------------------------------------------------

    def _require_ready(self) -> None:
        if not self._ready:
            # Mid-reconnect an answer could arrive before we listen for it.
            raise NotConnected(f"{self.name}: not connected")

    async def request_control(self) -> bool:
        return await self._session.request_control()

    async def start(self) -> None:
        self._status.sent_start(self._clock.now())
        response = await self._session.command(StartOrResume())
        already_running = (
            response.result == ResultCode.OPERATION_FAILED
            and self._status.start_refusal_means_running()
        )
        if not response.ok and not already_running:
            raise ControlRefused("start", result_name(response.result))
        self._status.started()

    async def stop(self) -> None:
        await self._stop_or_pause(StopControl.STOP)

    async def pause(self) -> None:
        await self._stop_or_pause(StopControl.PAUSE)

    async def _stop_or_pause(self, control: StopControl) -> None:
        self._status.sent_stop(control, self._clock.now())
        response = await self._session.command(StopOrPause(control=int(control)))
        # Operation Failed here means the belt was already stopped: the goal holds.
        if not response.ok and response.result != ResultCode.OPERATION_FAILED:
            raise ControlRefused(control.name.lower(), result_name(response.result))

    async def set_speed(self, kmh: float) -> None:
        rng = self.speed_range
        value = round(kmh, 2)  # what travels: checked after rounding, never rounded out
        if not rng.min_kmh - 1e-9 <= value <= rng.max_kmh + 1e-9:
            raise ValueError(f"{kmh:.3f} km/h is outside {rng.min_kmh:g}-{rng.max_kmh:g} km/h")
        self._status.sent_speed(value, self._clock.now())
        response = await self._session.command(SetTargetSpeed(speed_kmh=value))
        if not response.ok:
            raise ControlRefused("set_target_speed", result_name(response.result))

    async def set_incline(self, percent: float) -> None:
        rng = self.incline_range
        if rng is None:
            raise TreadmillError(f"{self.name} cannot set incline")
        value = round(percent, 1)
        if not rng.min_percent - 1e-9 <= value <= rng.max_percent + 1e-9:
            limits = f"{rng.min_percent:g}-{rng.max_percent:g} %"
            raise ValueError(f"{percent:.2f} % is outside {limits}")
        self._status.sent_incline(value, self._clock.now())
        response = await self._session.command(SetTargetInclination(incline_percent=value))
        if not response.ok:
            raise ControlRefused("set_target_inclination", result_name(response.result))

    # --- heart rate ----------------------------------------------------------------------

    def feed_heart_rate(self, bpm: int | None) -> None:
        """Heart rate from a strap, used when the machine reports none."""
        self._heart.feed(bpm)

    def attach_heart_rate(self, source: AsyncIterable[int | None]) -> asyncio.Task[None]:
        """Feed bpm values from `source` (e.g. a strap on a second link) until it ends.

        The task ends with `source` or with `disconnect()`; a failing source is logged
        and the run goes on without it.
        """
        return self._heart.attach(source)

    def attach_footpod(self, source: AsyncIterable[FootpodReading | None]) -> asyncio.Task[None]:
        """Merge the runner's footpod (treadmill/footpod.py) into every Telemetry."""
        return self._pod.attach(source)

    # --- what the machine says -----------------------------------------------------------

    def _on_treadmill_data(self, data: bytes) -> None:
        try:
            packet = decode_treadmill_data(data)
        except FtmsDecodeError as exc:
            log.warning("skipping treadmill data %s: %s", data.hex(" "), exc)
            return
        record = self._merger.feed(packet)
        if record is None or record.speed_kmh is None:
            return
        now = self._clock.now()
        energy = record.total_energy_kcal
        pod, reading = self._pod.judge(now)
        distance, elapsed = record.total_distance_m, record.elapsed_time_s
        # One for every packet: made from one dict (base/frozen_record.py), every field named.
        telemetry = frozen_record(
            Telemetry,
            {
                "t": now,
                "speed_kmh": record.speed_kmh,
                "incline_percent": record.inclination_percent,
                "distance_m": None if distance is None else float(distance),
                "elapsed_s": None if elapsed is None else float(elapsed),
                "heart_rate_bpm": self._heart.bpm(record.heart_rate_bpm, now),
                "energy_kcal": None if energy is None else float(energy),
                "steps": record.step_count,
                "footpod": pod,
                "footpod_kmh": None if reading is None else reading.speed_kmh,
                "cadence_spm": None if reading is None else reading.cadence_spm,
            },
        )
        self._stale.data(now, self._real())
        self._status.telemetry(record.speed_kmh)
        self.last_telemetry = telemetry
        self._push(telemetry)

    def _on_machine_status(self, data: bytes) -> None:
        try:
            status = decode_machine_status(data)
        except FtmsDecodeError as exc:
            log.warning("skipping machine status %s: %s", data.hex(" "), exc)
            return
        update = self._status.status(status, self._clock.now())
        if isinstance(update, ControlLost | MachineReset):
            self._session.lapsed()
        if update is not None:
            self._push(update)

    def _on_training_status(self, data: bytes) -> None:
        try:
            status = decode_training_status(data)
        except FtmsDecodeError as exc:
            log.warning("skipping training status %s: %s", data.hex(" "), exc)
            return
        key = (status.status, status.text or None)  # FitShow: flag set, no string
        if key != self._training_status:
            self._training_status = key
            self._push(TrainingStatusChanged(self._clock.now(), *key))

    # --- the update stream -------------------------------------------------------------

    def _push(self, update: TreadmillUpdate) -> None:
        if len(self._queue) >= self._queue_size:
            # Never block the radio's callback; shed the oldest telemetry, never an event.
            for i, item in enumerate(self._queue):
                if isinstance(item, Telemetry):
                    del self._queue[i]
                    break
        self._queue.append(update)
        self._wake.set()

    async def updates(self) -> AsyncIterator[TreadmillUpdate]:
        while True:
            while self._queue:
                yield self._queue.popleft()
            if self._closed:
                return
            self._wake.clear()
            await self._wake.wait()
