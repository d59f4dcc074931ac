"""The in-process GATT link to the software treadmill (`treadpace run --simulate`).

`SimLink` implements the `GattLink` port on a `treadpace_sim.SimulatedTreadmill` in the
same event loop: the bytes are exactly those a BLE link would carry, only the radio
is missing. Usage::

    sim = SimulatedTreadmill(load_model("generic"), clock)
    await sim.start()
    link = SimLink(sim)
    treadmill = FtmsTreadmill(link, clock)

Simulator errors are translated to the port's: a link that is down raises
`NotConnected`, an ATT error response raises the port's `AttError` (with its `code`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from treadpace.treadmill.port import AttError, NotConnected, NotifyCallback
from treadpace_sim import att_error
from treadpace_sim.att_error import LinkDown
from treadpace_sim.treadmill import SimulatedTreadmill

if TYPE_CHECKING:
    from treadpace.treadmill.port import GattLink


class SimLink:
    """One client connection to a simulated treadmill."""

    def __init__(self, sim: SimulatedTreadmill, *, client: int = 0) -> None:
        self.sim = sim
        self.client = client
        self._disconnect_callbacks: list[Callable[[], None]] = []

    @property
    def name(self) -> str:
        return f"simulator:{self.sim.model.name}"

    @property
    def is_connected(self) -> bool:
        return self.sim.is_connected(self.client)

    async def connect(self) -> None:
        try:
            self.sim.connect(self.client)
        except LinkDown as exc:
            raise NotConnected(str(exc)) from None
        self.sim.on_link_drop(self._dropped, self.client)

    async def disconnect(self) -> None:
        self.sim.disconnect(self.client)

    def has_characteristic(self, uuid: str) -> bool:
        return uuid in self.sim.characteristics()

    def can_indicate(self, uuid: str) -> bool:
        return "indicate" in self.sim.characteristics().get(uuid, frozenset())

    async def read(self, uuid: str) -> bytes:
        try:
            return await self.sim.read(uuid, client=self.client)
        except LinkDown as exc:
            raise NotConnected(str(exc)) from None
        except att_error.AttError as exc:
            raise AttError(f"read {uuid}: {exc}", exc.code) from None

    async def write(self, uuid: str, data: bytes, *, with_response: bool = True) -> None:
        try:
            await self.sim.write(uuid, data, with_response, client=self.client)
        except LinkDown as exc:
            raise NotConnected(str(exc)) from None
        except att_error.AttError as exc:
            raise AttError(f"write {uuid}: {exc}", exc.code) from None

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        try:
            self.sim.subscribe(uuid, callback, client=self.client)
        except LinkDown as exc:
            raise NotConnected(str(exc)) from None
        except att_error.AttError as exc:
            raise AttError(f"subscribe {uuid}: {exc}", exc.code) from None

    def on_disconnect(self, callback: Callable[[], None]) -> None:
        self._disconnect_callbacks.append(callback)

    def _dropped(self) -> None:
        for callback in list(self._disconnect_callbacks):
            callback()


if TYPE_CHECKING:

    def _is_a_gatt_link(link: SimLink) -> GattLink:
        return link  # mypy checks that SimLink satisfies the port
