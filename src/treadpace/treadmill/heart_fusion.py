"""One heart rate for the runner, from whichever source has one.

Heart rate comes from the machine's Treadmill Data, from a Heart Rate Service on
the same link (0x2A37, e.g. a console with a built-in receiver), or from a strap on
a second link (any async iterable of bpm values, or `feed` from the strap's own
callback). The machine's own non-zero value wins; a strap value older than
`STRAP_FRESH_S` is dropped rather than shown as the runner's heart rate.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable

from treadpace.base.clock import Clock
from treadpace.ftms import FtmsDecodeError, decode_heart_rate

log = logging.getLogger(__name__)

STRAP_FRESH_S = 5.0
"""A strap reading older than this is not shown as the runner's heart rate."""


class HeartRateFusion:
    """The latest strap reading, and the tasks that pump strap sources into it."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._bpm: int | None = None
        self._t = 0.0
        self._sources: list[asyncio.Task[None]] = []

    def feed(self, bpm: int | None) -> None:
        """Heart rate from a strap, used when the machine reports none."""
        self._bpm = bpm if bpm else None
        self._t = self._clock.now()

    def attach(self, source: AsyncIterable[int | None]) -> asyncio.Task[None]:
        """Feed bpm values from `source` until it ends or `cancel` is called.

        A failing source is logged and the run goes on without it.
        """

        async def pump() -> None:
            try:
                async for bpm in source:
                    self.feed(bpm)
            except Exception as exc:  # a strap must never take the run down
                log.warning("heart-rate source failed: %s", exc)
            finally:
                self._bpm = None

        task = asyncio.get_running_loop().create_task(pump(), name="heart-rate source")
        self._sources.append(task)
        task.add_done_callback(lambda t: self._sources.remove(t) if t in self._sources else None)
        return task

    def cancel(self) -> None:
        for task in list(self._sources):
            task.cancel()
        self._sources.clear()

    def on_packet(self, data: bytes) -> None:
        """Notification callback of a Heart Rate Measurement on the treadmill's own link."""
        try:
            measurement = decode_heart_rate(data)
        except FtmsDecodeError as exc:
            log.warning("skipping heart rate %s: %s", data.hex(" "), exc)
            return
        self.feed(measurement.heart_rate_bpm)

    def bpm(self, machine_bpm: int | None, now: float) -> int | None:
        """The runner's heart rate at `now`: the machine's non-zero value, else a fresh strap's."""
        if machine_bpm:  # many consoles send 0 for "no strap"
            return machine_bpm
        if self._bpm is None or now - self._t > STRAP_FRESH_S:
            return None
        return self._bpm
