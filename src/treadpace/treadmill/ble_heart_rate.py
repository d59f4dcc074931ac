"""A heart-rate strap (service 0x180D) as an optional second Bluetooth device.

Many treadmills report no heart rate, or 0; a chest strap fills the gap.
`HeartRateSource` finds the strap by the Heart Rate service UUID (only the
pinned one when an address or name is given), subscribes to Heart Rate
Measurement (0x2A37), decodes it with `treadpace.ftms` and yields bpm. A strap
that drops out yields `None` (no reading) and is reconnected with backoff on
the clock; garbage is logged and skipped. `feed(treadmill)` hands each value to
`FtmsTreadmill.feed_heart_rate`, which uses it when the machine has none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from treadpace.base.backoff import Backoff, Retrying
from treadpace.base.clock import Clock, RealClock
from treadpace.ftms import (
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    FtmsDecodeError,
    decode_heart_rate,
)
from treadpace.treadmill.ble import BleakLink
from treadpace.treadmill.port import TreadmillError

log = logging.getLogger(__name__)


class HeartRateSink(Protocol):
    def feed_heart_rate(self, bpm: int | None) -> None: ...


class HeartRateSource:
    """Heart rate from a Bluetooth strap, as an async iterator of bpm (None while lost)."""

    def __init__(
        self,
        address_or_name: str | None,
        clock: Clock | None = None,
        *,
        scan_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        max_backoff: float = 30.0,
        adapter: str | None = None,
    ) -> None:
        self._clock: Clock = clock if clock is not None else RealClock()
        self._max_backoff = max_backoff
        self.link = BleakLink(
            address_or_name,
            self._clock,
            connect_timeout=connect_timeout,
            scan_timeout=scan_timeout,
            retries=0,
            adapter=adapter,
            service_uuid=HEART_RATE_SERVICE,
        )
        self._queue: asyncio.Queue[int | None] = asyncio.Queue(maxsize=64)
        self._lost = asyncio.Event()
        self.link.on_disconnect(self._on_lost)
        self._closed = False

    @property
    def name(self) -> str:
        return self.link.name

    def _on_lost(self) -> None:
        self._lost.set()
        self._put(None)

    def _put(self, bpm: int | None) -> None:
        if self._queue.full():
            self._queue.get_nowait()  # a late reading is worth less than the newest
        self._queue.put_nowait(bpm)

    def _on_measurement(self, data: bytes) -> None:
        try:
            measurement = decode_heart_rate(data)
        except FtmsDecodeError as exc:
            log.warning("skipping heart rate %s: %s", data.hex(" "), exc)
            return
        if measurement.sensor_contact is False or measurement.heart_rate_bpm == 0:
            self._put(None)  # strap worn loosely or not at all
        else:
            self._put(measurement.heart_rate_bpm)

    async def _connect(self) -> None:
        self._lost.clear()
        await self.link.connect()
        await self.link.subscribe(HEART_RATE_MEASUREMENT, self._on_measurement)

    async def _keep_connected(self) -> None:
        # This loop owns the retries: the link makes one attempt (one scan) per call.
        retrying = Retrying(Backoff(first=1.0, cap=self._max_backoff), self._clock)
        while not self._closed:
            try:
                await self._connect()
            except TreadmillError as exc:
                delay = retrying.failed()
                log.info("heart-rate strap: %s; retrying in %g s", exc, delay)
                await self._clock.sleep(delay)
                continue
            retrying.connected()
            await self._lost.wait()
            retrying.lost()

    async def bpm(self) -> AsyncIterator[int | None]:
        """Readings as they arrive, for as long as the caller iterates."""
        keeper = asyncio.create_task(self._keep_connected(), name="heart-rate strap link")
        try:
            while True:
                yield await self._queue.get()
        finally:
            keeper.cancel()
            await self.close()

    async def feed(self, sink: HeartRateSink) -> None:
        """Hand every reading (None while lost) to the treadmill; run until cancelled."""
        async for value in self.bpm():
            sink.feed_heart_rate(value)

    async def close(self) -> None:
        self._closed = True
        await self.link.disconnect()
