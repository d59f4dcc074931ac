"""The runner's footpod (Running Speed and Cadence, 0x1814): the one instrument on the runner.

A treadmill reports the speed it believes in; a footpod (Stryd, a Garmin, Polar or
Zwift pod) measures the runner's feet. treadpace reads one, when the profile pins
one (`footpod: {address|name}`) or the simulated machine carries one, to calibrate
the belt (`treadpace calibrate`) and to trim the run's setpoints to the true pace.

- `FootpodReading`: one decoded RSC Measurement, with the clock time it arrived.
- `FootpodFusion`: the latest reading that can be trusted now. A reading older than
  `FRESH_S`, or one no runner could produce (over `MAX_KMH`, or far from a belt that
  is plainly moving), is not trusted, and `state` says which (a typed `PodState`,
  so a view or the engine never reads words).
- `BleFootpod` and `SimFootpod`: where readings come from, a Bluetooth pod (found by
  its service, only the pinned one; reconnected with the one backoff) or the
  simulator's pod, both as an async iterator of readings (None while lost).

The fusion does not compare the pod with the belt: only the engine knows the belt's
true unit (some machines put mph in the km/h fields), so it makes that check
(`true_speed.far_from_belt`).

A footpod's own calibration factor (set in its app or watch) multiplies everything it
reports. treadpace does not undo it: it measures the belt against the pod as the pod
is set, so calibrate with the pod at 100 % (its factor at 1.000), as docs/true-pace.md
says; a pod already calibrated on a track is then the better reference.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from treadpace.base.backoff import Backoff, Retrying
from treadpace.ftms import FtmsDecodeError
from treadpace.ftms.rsc import decode_rsc_measurement
from treadpace.ftms.uuids import RSC_MEASUREMENT, RSC_SERVICE
from treadpace.treadmill.port import PodState, TreadmillError

if TYPE_CHECKING:
    from treadpace.base.clock import Clock
    from treadpace_sim.treadmill import SimulatedTreadmill

log = logging.getLogger(__name__)

FRESH_S = 3.0
"""A reading older than this is not the runner's speed now."""
MAX_KMH = 30.0
"""Faster than any runner on a treadmill: a pod that says so is talking nonsense."""


@dataclass(frozen=True, slots=True)
class FootpodReading:
    t: float
    speed_kmh: float
    cadence_spm: int
    stride_m: float | None = None
    distance_m: float | None = None


def decode_reading(data: bytes, t: float) -> FootpodReading:
    """One RSC Measurement as a reading at clock time `t` (raises FtmsDecodeError)."""
    m = decode_rsc_measurement(data)
    return FootpodReading(t, m.speed_mps * 3.6, m.cadence_spm, m.stride_length_m,
                          m.total_distance_m)


class FootpodFusion:
    """The latest footpod reading, judged against the clock and the belt."""

    def __init__(self) -> None:
        self._last: FootpodReading | None = None
        self._attached = False
        self._pump: asyncio.Task[None] | None = None

    def attach(self, source: AsyncIterable[FootpodReading | None]) -> asyncio.Task[None]:
        """Take readings from `source` until it ends or `cancel` is called (until then NONE).

        A failing source is logged and the run goes on without it (the pod is LOST).
        """
        self._attached = True

        async def pump() -> None:
            try:
                async for reading in source:
                    self.feed(reading)
            except Exception as exc:  # a footpod must never take the run down
                log.warning("footpod failed: %s", exc)

        self._pump = asyncio.get_running_loop().create_task(pump(), name="footpod-readings")
        return self._pump

    def cancel(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None

    def feed(self, reading: FootpodReading | None) -> None:
        if reading is not None:
            self._last = reading

    def judge(self, now: float) -> tuple[PodState, FootpodReading | None]:
        """What the pod says now and whether to trust it."""
        if not self._attached:
            return PodState.NONE, None
        r = self._last
        if r is None or now - r.t > FRESH_S:
            return PodState.LOST, None
        if not 0.0 <= r.speed_kmh <= MAX_KMH:
            return PodState.NONSENSE, None
        return PodState.LIVE, r



class FootpodSource(Protocol):
    """Where readings come from: `BleFootpod` or `SimFootpod`."""

    @property
    def name(self) -> str: ...

    def readings(self) -> AsyncIterator[FootpodReading | None]: ...


class _Readings:
    """A bounded queue of readings: a late reading is worth less than the newest."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.queue: asyncio.Queue[FootpodReading | None] = asyncio.Queue(maxsize=32)

    def put(self, reading: FootpodReading | None) -> None:
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(reading)

    def on_measurement(self, data: bytes) -> None:
        try:
            self.put(decode_reading(data, self.clock.now()))
        except FtmsDecodeError as exc:
            log.warning("skipping footpod data %s: %s", data.hex(" "), exc)


class SimFootpod:
    """The simulated machine's footpod, in the same event loop."""

    def __init__(self, sim: SimulatedTreadmill, clock: Clock) -> None:
        self._sim = sim
        self._readings = _Readings(clock)

    @property
    def name(self) -> str:
        return f"simulator:{self._sim.model.name}:footpod"

    async def readings(self) -> AsyncIterator[FootpodReading | None]:
        self._sim.subscribe_footpod(self._readings.on_measurement)
        try:
            while True:
                yield await self._readings.queue.get()
        finally:
            self._sim.unsubscribe_footpod(self._readings.on_measurement)


class BleFootpod:
    """A Bluetooth footpod, found by its service (only the pinned one), kept connected."""

    def __init__(
        self,
        address_or_name: str | None,
        clock: Clock,
        *,
        scan_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        adapter: str | None = None,
    ) -> None:
        from treadpace.treadmill.ble import BleakLink

        self._clock = clock
        self._readings = _Readings(clock)
        self.link = BleakLink(
            address_or_name,
            clock,
            connect_timeout=connect_timeout,
            scan_timeout=scan_timeout,
            retries=0,
            adapter=adapter,
            service_uuid=RSC_SERVICE,
        )
        self._lost = asyncio.Event()
        self.link.on_disconnect(self._on_lost)

    @property
    def name(self) -> str:
        return self.link.name

    def _on_lost(self) -> None:
        self._lost.set()
        self._readings.put(None)

    async def _keep_connected(self) -> None:
        # This loop owns the retries: the link makes one attempt (one scan) per call.
        retrying = Retrying(Backoff(first=1.0, cap=30.0), self._clock)
        while True:
            try:
                self._lost.clear()
                await self.link.connect()
                await self.link.subscribe(RSC_MEASUREMENT, self._readings.on_measurement)
            except TreadmillError as exc:
                delay = retrying.failed()
                log.info("footpod: %s; retrying in %g s", exc, delay)
                await self._clock.sleep(delay)
                continue
            retrying.connected()
            await self._lost.wait()
            retrying.lost()

    async def readings(self) -> AsyncIterator[FootpodReading | None]:
        # The keeper lives exactly as long as the iteration: it is cancelled and awaited
        # when the caller stops iterating (a generator cannot hold a TaskGroup across yields).
        keeper = asyncio.create_task(self._keep_connected(), name="footpod-connection")
        try:
            while True:
                yield await self._readings.queue.get()
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await self.link.disconnect()
