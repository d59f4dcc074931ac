"""`FtmsTreadmill`: the one implementation of the `Treadmill` port, over any `GattLink`.

Everything that can be tested without a radio lives here, not in the bleak link:
reading and sanity-checking the machine's ranges, control-point request/response
correlation (`control.ControlChannel`: one procedure at a time, responses by notify
or indicate, duplicates and strays ignored, a clock-based timeout), what each
answer means for the belt, merging split Treadmill Data records,
and turning Machine Status into `MachineEvent`s without mistaking the echo of our
own command (a speed, an incline, a Start or Stop: `echo.py`), or a belt winding
down, for a runner pressing keys.

Real machines bend the protocol (reference ftms.md §8); the rules followed here:
a Request Control that is never answered counts as granted (Q5), one whose write
failed in transport is tried again (`retry.py`), and only `05` refuses it; `80 07 04` to a
Start means "already running" when the belt moves or the console reported a start
(§4.3; with the safety key out it is a refusal); a `05` result re-requests control once (Q1);
a motion command that timed out is never replayed (Q13). Control that lapsed (a
`FF` status, a machine reset, a reconnect) is asked for again before the next
command we send, never fought for in the background.

Heart rate comes from the machine's Treadmill Data, from a Heart Rate Service on
the same link (0x2A37, e.g. a console with a built-in receiver), or from a strap on
a second link: `attach_heart_rate(source)` takes any async iterable of bpm values
(or call `feed_heart_rate(bpm)` from the strap's own callback). The machine's own
non-zero value wins; a strap value older than `STRAP_FRESH_S` is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable

from treadpace.backoff import Backoff, Retrying
from treadpace.clock import Clock, real_seconds
from treadpace.ftms import (
    CONTROL_POINT,
    FEATURE,
    HEART_RATE_MEASUREMENT,
    INCLINATION_RANGE,
    MACHINE_STATUS,
    SPEED_RANGE,
    TRAINING_STATUS,
    TREADMILL_DATA,
    ControlRequest,
    ControlResponse,
    Feature,
    FtmsDecodeError,
    InclinationRange,
    RequestControl,
    ResultCode,
    SetTargetInclination,
    SetTargetSpeed,
    SpeedRange,
    StartOrResume,
    StatusControlLost,
    StatusReset,
    StatusSafetyKey,
    StatusStartedOrResumed,
    StatusStoppedOrPaused,
    StatusTargetIncline,
    StatusTargetSpeed,
    StopControl,
    StopOrPause,
    TargetFeature,
    TreadmillDataMerger,
    decode_feature,
    decode_heart_rate,
    decode_inclination_range,
    decode_machine_status,
    decode_speed_range,
    decode_training_status,
    decode_treadmill_data,
    request_op,
)
from treadpace.treadmill.control import ControlChannel, op_name, result_name
from treadpace.treadmill.echo import Motion, OwnCommands
from treadpace.treadmill.port import (
    BeltStartedByUser,
    BeltStoppedByUser,
    ControlLost,
    ControlRefused,
    ControlSilent,
    ControlTimeout,
    GattLink,
    LinkLost,
    LinkRestored,
    MachineReset,
    NotConnected,
    NotifyCallback,
    SafetyKeyPulled,
    StopEchoed,
    TargetInclineChanged,
    TargetSpeedChanged,
    Telemetry,
    TelemetryStale,
    TrainingStatusChanged,
    TreadmillError,
    TreadmillUpdate,
)
from treadpace.treadmill.retry import retry_transport

log = logging.getLogger(__name__)

# Used when a machine reports no speed range, or one that cannot be true.
FALLBACK_SPEED_RANGE = SpeedRange(min_kmh=0.8, max_kmh=16.0, increment_kmh=0.1)
PLAUSIBLE_MAX_KMH = 30.0
RECONNECT = Backoff(first=1.0, cap=16.0, stable_s=10.0)
"""The reconnect loop's pauses: 1, 2, 4 ... 16 s, from 1 s again after 10 s connected."""
# A strap reading older than this is not shown as the runner's heart rate.
STRAP_FRESH_S = 5.0
# Tolerance when comparing km/h values that travelled as 0.01 km/h integers.
_EPS = 0.005
# A status that repeats one of our targets sent this recently is our echo, even if a
# newer target went out meanwhile (a slow console replays them in order).
ECHO_WINDOW_S = 5.0


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
        self._stale_after = stale_after
        # Silence is judged on real time too: at --time-scale 30 the 5 s are 167 ms of
        # the wall, shorter than a garbage-collection pause.
        self._stale_after_real = stale_after_real
        self._real = real_time or real_seconds(clock)
        self._last_data_real = 0.0
        self._queue_size = queue_size

        self._features: Feature | None = None
        self._speed_range = FALLBACK_SPEED_RANGE
        self._incline_range: InclinationRange | None = None
        self._has_control = False
        self._control_refused = False
        # We asked for control this session: re-ask before our next command once it lapses.
        self._wants_control = False

        self._control = ControlChannel(link, clock, response_timeout)
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

        self._last_speed_target: float | None = None
        self._last_incline_target: float | None = None
        self._sent_speeds: deque[tuple[float, float]] = deque(maxlen=4)
        self._sent_inclines: deque[tuple[float, float]] = deque(maxlen=4)
        self._own = OwnCommands()
        self._winding_down = False
        self._rest_seen = False
        self._console_started = False
        self._last_data_t: float | None = None
        self._belt_moving = False
        self._stale_reported = False
        self._training_status: tuple[int, str | None] | None = None
        self._strap_bpm: int | None = None
        self._strap_t = 0.0
        self._hr_sources: list[asyncio.Task[None]] = []
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
        return self._speed_range

    @property
    def incline_range(self) -> InclinationRange | None:
        return self._incline_range

    @property
    def has_control(self) -> bool:
        return self._has_control

    @property
    def controllable(self) -> bool:
        """False without a control point, or once the machine refused control."""
        return self._link.has_characteristic(CONTROL_POINT) and not self._control_refused

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
            self._watchdog = asyncio.create_task(self._watch_telemetry())

    async def reconnect(self) -> None:
        """After a link loss: connect, re-read, re-subscribe, re-request control. No replay."""
        self._has_control = False
        await self._link.connect()
        await self._setup()
        if self._wants_control and self.controllable:
            await self.request_control()
        # The silence while the link was down says nothing about the new connection.
        self._last_data_t = self._clock.now()
        self._last_data_real = self._real()
        self._stale_reported = False
        self._push(LinkRestored(self._clock.now()))

    async def disconnect(self) -> None:
        for task in (self._watchdog, self._reconnector, *self._hr_sources):
            if task is not None:
                task.cancel()
        self._watchdog = self._reconnector = None
        self._hr_sources.clear()
        self._closed = True
        self._ready = False
        self._wake.set()
        if self._link.is_connected:
            await self._link.disconnect()

    async def _setup(self) -> None:
        self._merger.reset()
        await self._read_capabilities()
        # Handlers are in place before any subscription: some machines notify early (Q6).
        await self._subscribe(TREADMILL_DATA, self._on_treadmill_data)
        if self._link.has_characteristic(MACHINE_STATUS):
            await self._subscribe(MACHINE_STATUS, self._on_machine_status)
        if self._link.has_characteristic(TRAINING_STATUS):
            await self._subscribe(TRAINING_STATUS, self._on_training_status)
        if self._link.has_characteristic(CONTROL_POINT):
            await self._subscribe(CONTROL_POINT, self._control.on_packet)
        if self._link.has_characteristic(HEART_RATE_MEASUREMENT):
            await self._subscribe(HEART_RATE_MEASUREMENT, self._on_heart_rate)
        self._ready = self._link.is_connected

    async def _subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        """A subscription refused in transport (a busy adapter) is tried again, like a connect."""
        await retry_transport(
            self._clock,
            f"{self.name}: subscribing to {uuid}",
            lambda: self._link.subscribe(uuid, callback),
        )

    async def _read_optional(self, uuid: str, what: str) -> bytes | None:
        """A characteristic's value, or None when absent or refused (an ATT error)."""
        if not self._link.has_characteristic(uuid):
            return None
        try:
            return await self._link.read(uuid)
        except NotConnected:
            raise
        except TreadmillError as exc:
            log.warning("could not read the %s (%s); treating it as absent", what, exc)
            return None

    async def _read_capabilities(self) -> None:
        raw = await self._read_optional(FEATURE, "feature")
        if raw is not None:
            try:
                self._features = decode_feature(raw)
            except FtmsDecodeError as exc:
                log.warning("ignoring unreadable feature: %s", exc)
        self._speed_range = FALLBACK_SPEED_RANGE
        raw = await self._read_optional(SPEED_RANGE, "speed range")
        if raw is not None:
            try:
                reported = decode_speed_range(raw)
            except FtmsDecodeError as exc:
                # Inverted, zero increment or short: the decoder refuses it.
                log.warning("speed range unusable (%s); using %s", exc, FALLBACK_SPEED_RANGE)
            else:
                if 0 <= reported.min_kmh < reported.max_kmh <= PLAUSIBLE_MAX_KMH:
                    self._speed_range = reported
                else:
                    log.warning("implausible speed range %s; using the fallback", reported)
        self._incline_range = None
        can_incline = self._features is None or bool(
            self._features.target & TargetFeature.INCLINATION_TARGET
        )
        raw = await self._read_optional(INCLINATION_RANGE, "inclination range")
        if can_incline and raw is not None:
            try:
                rng = decode_inclination_range(raw)
            except FtmsDecodeError as exc:
                log.warning("inclination range unusable (%s); incline control off", exc)
            else:
                if rng.no_incline:
                    log.info("%s reports no incline (all-zero inclination range)", self.name)
                self._incline_range = rng if rng.min_percent < rng.max_percent else None
        raw = await self._read_optional(TRAINING_STATUS, "training status")
        if raw is not None:
            # A baseline, so that only real changes become events; absent or odd is fine (Q15).
            try:
                status = decode_training_status(raw)
            except FtmsDecodeError as exc:
                log.info("ignoring unreadable training status: %s", exc)
            else:
                self._training_status = (status.status, status.text or None)

    # --- control point -----------------------------------------------------------------

    def _require_ready(self) -> None:
        if not self._ready:
            # Mid-reconnect an answer could arrive before we listen for it.
            raise NotConnected(f"{self.name}: not connected")

    async def _command(self, request: ControlRequest) -> ControlResponse:
        self._require_ready()
        asked = False
        if self._wants_control and not self._has_control and self.controllable:
            # Control lapsed (FF, a machine reset, a reconnect): ask before commanding (Q1).
            asked = True
            await self.request_control()
        try:
            response = await self._control.call(request)
        except ControlTimeout:
            self._push(ControlSilent(self._clock.now(), op_name(request_op(request))))
            raise
        assert response is not None
        if response.result == ResultCode.CONTROL_NOT_PERMITTED and not asked:
            # Control can lapse silently (a console reset, a firmware quirk): ask once more.
            self._has_control = False
            if await self.request_control():
                response = await self._control.call(request)
                assert response is not None
        if response.result == ResultCode.CONTROL_NOT_PERMITTED:
            self._has_control = False
            log.warning(
                "%s: %s still not permitted after asking for control again; giving up",
                self.name,
                op_name(request_op(request)),
            )
        return response

    async def request_control(self) -> bool:
        if not self._link.has_characteristic(CONTROL_POINT):
            self._has_control = False
            return False
        self._require_ready()
        self._wants_control = True
        # A write lost in transport is no answer: only `05` is a refusal.
        response = await retry_transport(
            self._clock,
            f"{self.name}: Request Control",
            lambda: self._control.call(RequestControl(), tolerate_silence=True),
        )
        if response is None:
            log.info("%s did not answer Request Control; assuming it was granted", self.name)
            self._has_control = True
        else:
            self._has_control = response.ok
            self._control_refused = not response.ok
        return self._has_control

    async def start(self) -> None:
        self._own.sent(Motion.START, self._clock.now())
        response = await self._command(StartOrResume())
        # Operation Failed to a Start means "already running" only when the belt moves (and
        # is not merely winding down after a stop) or the console said it started it; a
        # standing or stopping belt that refuses (safety key out, still stopping) refused.
        already_running = response.result == ResultCode.OPERATION_FAILED and (
            (self._belt_moving and not self._winding_down) or self._console_started
        )
        if not response.ok and not already_running:
            raise ControlRefused("start", result_name(response.result))
        self._winding_down = False

    async def stop(self) -> None:
        await self._stop_or_pause(StopControl.STOP)

    async def pause(self) -> None:
        await self._stop_or_pause(StopControl.PAUSE)

    async def _stop_or_pause(self, control: StopControl) -> None:
        self._wind_down()
        self._console_started = False
        own = Motion.PAUSE if control == StopControl.PAUSE else Motion.STOP
        self._own.sent(own, self._clock.now())
        response = await self._command(StopOrPause(control=int(control)))
        # Operation Failed here means the belt was already stopped: the goal holds.
        if not response.ok and response.result != ResultCode.OPERATION_FAILED:
            raise ControlRefused(control.name.lower(), result_name(response.result))

    async def set_speed(self, kmh: float) -> None:
        rng = self._speed_range
        value = round(kmh, 2)  # what travels: checked after rounding, never rounded out
        if not rng.min_kmh - 1e-9 <= value <= rng.max_kmh + 1e-9:
            raise ValueError(f"{kmh:.3f} km/h is outside {rng.min_kmh:g}-{rng.max_kmh:g} km/h")
        self._last_speed_target = value
        self._sent_speeds.append((self._clock.now(), value))
        response = await self._command(SetTargetSpeed(speed_kmh=value))
        if not response.ok:
            raise ControlRefused("set_target_speed", result_name(response.result))

    async def set_incline(self, percent: float) -> None:
        rng = self._incline_range
        if rng is None:
            raise TreadmillError(f"{self.name} cannot set incline")
        value = round(percent, 1)
        if not rng.min_percent - 1e-9 <= value <= rng.max_percent + 1e-9:
            limits = f"{rng.min_percent:g}-{rng.max_percent:g} %"
            raise ValueError(f"{percent:.2f} % is outside {limits}")
        self._last_incline_target = value
        self._sent_inclines.append((self._clock.now(), value))
        response = await self._command(SetTargetInclination(incline_percent=value))
        if not response.ok:
            raise ControlRefused("set_target_inclination", result_name(response.result))

    async def probe_control(self) -> bool:
        """Re-send the current target and report whether the machine accepts it (Q4)."""
        if not self.controllable:
            return False
        target = self._last_speed_target
        if target is None and self.last_telemetry is not None:
            target = self.last_telemetry.speed_kmh
        rng = self._speed_range
        if target is None or not rng.min_kmh <= round(target, 2) <= rng.max_kmh:
            return self._has_control  # nothing harmless to re-send
        try:
            await self.set_speed(target)
        except (ControlRefused, ControlTimeout):
            return False
        return True

    def feed_heart_rate(self, bpm: int | None) -> None:
        """Heart rate from a strap, used when the machine reports none."""
        self._strap_bpm = bpm if bpm else None
        self._strap_t = self._clock.now()

    def attach_heart_rate(self, source: AsyncIterable[int | None]) -> asyncio.Task[None]:
        """Feed bpm values from `source` (e.g. a strap on a second link) until it ends.

        The task ends with `source` or with `disconnect()`; a failing source is logged
        and the run goes on without it.
        """

        async def pump() -> None:
            try:
                async for bpm in source:
                    self.feed_heart_rate(bpm)
            except Exception as exc:  # a strap must never take the run down
                log.warning("heart-rate source failed: %s", exc)
            finally:
                self._strap_bpm = None

        task = asyncio.get_running_loop().create_task(pump())
        self._hr_sources.append(task)
        task.add_done_callback(
            lambda t: self._hr_sources.remove(t) if t in self._hr_sources else None
        )
        return task

    def _strap(self, now: float) -> int | None:
        if self._strap_bpm is None or now - self._strap_t > STRAP_FRESH_S:
            return None
        return self._strap_bpm

    def _on_heart_rate(self, data: bytes) -> None:
        try:
            measurement = decode_heart_rate(data)
        except FtmsDecodeError as exc:
            log.warning("skipping heart rate %s: %s", data.hex(" "), exc)
            return
        self.feed_heart_rate(measurement.heart_rate_bpm)

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
        machine_hr = record.heart_rate_bpm or None  # many consoles send 0 for "no strap"
        energy = record.total_energy_kcal
        telemetry = Telemetry(
            t=now,
            speed_kmh=record.speed_kmh,
            incline_percent=record.inclination_percent,
            distance_m=None if record.total_distance_m is None else float(record.total_distance_m),
            elapsed_s=None if record.elapsed_time_s is None else float(record.elapsed_time_s),
            heart_rate_bpm=machine_hr or self._strap(now),
            energy_kcal=None if energy is None else float(energy),
            steps=record.step_count,
        )
        self._last_data_t = now
        self._last_data_real = self._real()
        self._belt_moving = record.speed_kmh > 0
        if self._winding_down:
            # A belt that came to rest and moves again was restarted, even by a console
            # that sends no `04`: from here on a `05` may be the runner's hand again.
            if not self._belt_moving:
                self._rest_seen = True
            elif self._rest_seen:
                self._winding_down = False
        self._stale_reported = False
        self.last_telemetry = telemetry
        self._push(telemetry)

    def _on_machine_status(self, data: bytes) -> None:
        try:
            status = decode_machine_status(data)
        except FtmsDecodeError as exc:
            log.warning("skipping machine status %s: %s", data.hex(" "), exc)
            return
        now = self._clock.now()
        if isinstance(status, StatusStoppedOrPaused):
            paused = status.control == StopControl.PAUSE
            self._wind_down()
            self._console_started = False
            if self._own.is_echo(Motion.PAUSE if paused else Motion.STOP, now):
                self._push(StopEchoed(now, paused=paused))  # our own stop, not the runner's
            else:
                self._push(BeltStoppedByUser(now, paused=paused))
        elif isinstance(status, StatusSafetyKey):
            self._wind_down()
            self._console_started = False
            self._push(SafetyKeyPulled(now))
        elif isinstance(status, StatusStartedOrResumed):
            self._winding_down = False
            if not self._own.is_echo(Motion.START, now):
                self._console_started = True
                self._push(BeltStartedByUser(now))
        elif isinstance(status, StatusTargetSpeed):
            if self._is_console_speed(status.speed_kmh) and self._in_range(status):
                self._last_speed_target = status.speed_kmh
                self._push(TargetSpeedChanged(now, status.speed_kmh))
        elif isinstance(status, StatusTargetIncline):
            # While stopping, some consoles return incline to zero on their own (Omega Z).
            last = self._last_incline_target
            if (
                not self._winding_down
                and self._in_range(status)
                and (last is None or abs(status.incline_percent - last) > 0.05)
                and not self._echo(self._sent_inclines, status.incline_percent, 0.05, now)
            ):
                self._last_incline_target = status.incline_percent
                self._push(TargetInclineChanged(now, status.incline_percent))
        elif isinstance(status, StatusControlLost):
            self._has_control = False
            self._push(ControlLost(now))
        elif isinstance(status, StatusReset):
            self._has_control = False
            self._push(MachineReset(now))
        else:
            log.debug("ignoring machine status %s", status)

    def _is_console_speed(self, kmh: float) -> bool:
        """A `05` is the runner's hand only if it is not our echo nor a belt winding down."""
        if self._winding_down or kmh < self._speed_range.min_kmh - _EPS:
            # Below the minimum no console key can set: a ramp towards standstill.
            return False
        last = self._last_speed_target
        if last is not None and abs(kmh - last) <= _EPS:
            return False
        return not self._echo(self._sent_speeds, kmh, _EPS, self._clock.now())

    def _in_range(self, status: StatusTargetSpeed | StatusTargetIncline) -> bool:
        """A target the machine cannot have (`05 ff ff` = 655.35 km/h) is garbage: skip it."""
        if isinstance(status, StatusTargetSpeed):
            value, rng = status.speed_kmh, self._speed_range
            ok = value <= rng.max_kmh + _EPS
        else:
            value, irng = status.incline_percent, self._incline_range
            ok = irng is None or irng.min_percent - 0.05 <= value <= irng.max_percent + 0.05
        if not ok:
            log.warning(
                "skipping a machine status target of %g: outside the machine's range", value
            )
        return ok

    @staticmethod
    def _echo(sent: deque[tuple[float, float]], value: float, eps: float, now: float) -> bool:
        return any(now - t <= ECHO_WINDOW_S and abs(value - v) <= eps for t, v in sent)

    def _wind_down(self) -> None:
        self._winding_down = True
        self._rest_seen = False

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

    def _on_link_lost(self) -> None:
        self._ready = False
        if self._closed:
            return  # our own disconnect, reported by a link that cannot tell the two apart
        self._has_control = False
        self._console_started = False
        self._merger.reset()  # a record cut by the drop is discarded (§4.18)
        self._control.abort("link lost")
        self._reconnects.lost()
        self._push(LinkLost(self._clock.now()))
        if self._reconnector is None or self._reconnector.done():
            self._reconnector = asyncio.get_running_loop().create_task(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        """Reconnect with `RECONNECT` backoff on the clock, until told to stop.

        The loop owns the retries: each `reconnect()` is one link attempt (one scan).
        """
        while not self._closed:
            await self._reconnects.wait()
            try:
                await self.reconnect()
            except Exception as exc:  # any transport failure: keep trying, never crash
                log.info("reconnect to %s failed (%s); trying again", self.name, exc)
            else:
                self._reconnects.connected()
                return

    async def _watch_telemetry(self) -> None:
        while True:
            await self._clock.sleep(1.0)
            last = self._last_data_t
            if (
                self._belt_moving
                and self._link.is_connected
                and not self._stale_reported
                and last is not None
                and self._clock.now() - last >= self._stale_after
                and self._real() - self._last_data_real >= self._stale_after_real
            ):
                self._stale_reported = True
                self._push(TelemetryStale(self._clock.now()))

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
