"""Helpers for tests that talk to the simulator at the byte level.

`Central` is a minimal GATT client on a `SimulatedTreadmill`: it connects,
subscribes to everything notifiable, and records what arrives as
`(t, short uuid, bytes)`. `write` awaits the Control Point response the way a
careful client would (write, then wait for the `80`), on the simulator's clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from treadpace.ftms import (
    CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
    MACHINE_STATUS,
    TRAINING_STATUS,
    TREADMILL_DATA,
    decode_treadmill_data,
    short_uuid,
)
from treadpace_sim.treadmill import SimulatedTreadmill

SUBSCRIBABLE = (
    TREADMILL_DATA,
    MACHINE_STATUS,
    TRAINING_STATUS,
    CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
)


@dataclass(frozen=True, slots=True)
class Received:
    t: float
    uuid: int
    data: bytes

    @property
    def hex(self) -> str:
        return self.data.hex(" ").upper()


class Central:
    """One client of a simulated treadmill, recording everything it is sent."""

    def __init__(self, sim: SimulatedTreadmill, client: int = 0) -> None:
        self.sim = sim
        self.client = client
        self.received: list[Received] = []
        self._arrived = asyncio.Event()

    def connect(self, subscribe: tuple[str, ...] = SUBSCRIBABLE) -> None:
        self.sim.connect(self.client)
        chars = self.sim.characteristics()
        for uuid in subscribe:
            if uuid in chars:
                self.sim.subscribe(uuid, self._callback(uuid), client=self.client)

    def _callback(self, uuid: str) -> Callable[[bytes], None]:
        short = short_uuid(uuid) or 0

        def on_data(data: bytes) -> None:
            self.received.append(Received(self.sim.clock.now(), short, bytes(data)))
            self._arrived.set()

        return on_data

    async def write(self, data: bytes | str, settle: float = 0.0) -> list[Received]:
        """Write to the Control Point; return what arrived by the end of this loop turn."""
        raw = bytes.fromhex(data) if isinstance(data, str) else data
        mark = len(self.received)
        await self.sim.write(CONTROL_POINT, raw, client=self.client)
        await asyncio.sleep(0)  # the delivery queue runs on the next loop turn
        await asyncio.sleep(0)
        if settle:
            await self.sim.clock.sleep(settle)
        return self.received[mark:]

    def on(self, short: int) -> list[Received]:
        return [r for r in self.received if r.uuid == short]

    def hexes(self, short: int) -> list[str]:
        return [r.hex for r in self.on(short)]

    def speeds(self) -> list[float]:
        """Speeds of the speed-bearing Treadmill Data notifications, in order."""
        out: list[float] = []
        for r in self.on(0x2ACD):
            td = decode_treadmill_data(r.data)
            if td.speed_kmh is not None:
                out.append(td.speed_kmh)
        return out
