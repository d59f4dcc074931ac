"""The simulator as a real BlueZ GATT peripheral application (`treadpace simulate --ble`).

The same code runs next to a real bluetoothd (a Raspberry Pi next to the
treadmill-less desk) and, in tests, next to the project's BlueZ stand-in,
which mirrors it to bleak as a remote device. The D-Bus side (objects under
`/org/treadpace/sim`, the advertisement, registration, centrals coming and going)
is `treadpace.peripheral.GattApp`, shared with `run --broadcast`; this module is
the simulator behind it.

Central tracking, as a bluetoothd app sees it: the first call from a central
(its `device` option) connects a simulator client; that central's `Device1`
turning `Connected=false` (or vanishing) disconnects it. When the simulator
drops the link (a fault), the app ends the connection with `Device1.Disconnect`
on the central, which is how a peripheral hangs up with BlueZ.

Notifications and indications are `PropertiesChanged(Value)` on the
characteristic while a client has called `StartNotify`.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from dbus_fast import DBusError

from treadpace.peripheral import GattApp, GattError, check_adapter
from treadpace.peripheral.bluez_app import Push
from treadpace_sim.att_error import (
    ATT_READ_NOT_PERMITTED,
    ATT_WRITE_NOT_PERMITTED,
    AttError,
    FrontEndError,
    LinkDown,
)
from treadpace_sim.treadmill import SimulatedTreadmill

log = logging.getLogger(__name__)

ROOT = "/org/treadpace/sim"


class _SimServer:
    """The simulator behind a `GattApp`: one central at a time, as a treadmill allows."""

    def __init__(self, sim: SimulatedTreadmill) -> None:
        self.sim = sim
        self.app: GattApp | None = None
        self._central: str | None = None  # the connected central's Device1 path
        self._client = 0

    def services(self) -> dict[str, list[str]]:
        return self.sim.services()

    def characteristics(self) -> dict[str, frozenset[str]]:
        return self.sim.characteristics()

    def advertisement(self) -> tuple[str | None, list[str], dict[str, bytes]]:
        name, uuids, data = self.sim.advertisement()
        return name or "treadpace sim", uuids, data

    async def read(self, uuid: str, device: str) -> bytes:
        client = self._client_for(device)
        try:
            return await self.sim.read(uuid, client=client)
        except AttError as exc:
            raise _att(exc) from None
        except LinkDown:
            raise GattError("Failed", "Not connected") from None

    async def write(self, uuid: str, data: bytes, with_response: bool, device: str) -> None:
        client = self._client_for(device)
        try:
            await self.sim.write(uuid, data, with_response, client=client)
        except AttError as exc:
            raise _att(exc) from None
        except LinkDown:
            raise GattError("Failed", "Not connected") from None

    def start_notify(self, uuid: str, push: Push) -> None:
        if self._central is None:
            raise GattError("Failed", "Not connected")
        try:
            self.sim.subscribe(uuid, push, client=self._client)
        except (AttError, LinkDown) as exc:
            raise GattError("Failed", str(exc)) from None

    def stop_notify(self, uuid: str) -> None:
        if self._central is not None:
            with contextlib.suppress(LinkDown):
                self.sim.unsubscribe(uuid, client=self._client)

    def central_connected(self, device: str) -> None:
        if self._central is None:
            self._client_for(device)  # a central connected to us

    def central_gone(self, device: str) -> None:
        if device == self._central:
            self._end_central()

    def current_client(self) -> int | None:
        return self._client if self._central is not None else None

    def _client_for(self, device: str) -> int:
        if self._central != device:
            if self._central is not None:
                self._end_central()
            try:
                self.sim.connect(self._client)
            except LinkDown:
                raise GattError("Failed", "Not connected") from None
            self._central = device
            self.sim.on_link_drop(self._sim_dropped, self._client)
        return self._client

    def _end_central(self) -> None:
        if self.app is not None:
            self.app.stop_notifications()
        self.sim.disconnect(self._client)
        self._central = None
        self._client += 1

    def _sim_dropped(self) -> None:
        """The simulator lost the link (a fault): hang up on the central, as BlueZ apps do."""
        central, self._central = self._central, None
        self._client += 1
        if self.app is not None:
            self.app.forget_notifications()
            if central is not None:
                self.app.hang_up(central)


class PeripheralApp:
    """Serve `sim` as a GATT peripheral on `adapter` until `stop()`."""

    def __init__(
        self, sim: SimulatedTreadmill, *, adapter: str = "hci0", bus_address: str | None = None
    ) -> None:
        self.sim = sim
        self._server = _SimServer(sim)
        self._app = GattApp(self._server, root=ROOT, adapter=adapter, bus_address=bus_address)
        self._server.app = self._app
        self.adapter_path = self._app.adapter_path

    def current_client(self) -> int | None:
        return self._server.current_client()

    async def start(self) -> None:
        await self._app.start()

    async def stop(self) -> None:
        if self._server.current_client() is not None:
            self._server.central_gone(self._server._central or "")
        await self._app.stop()


async def serve(sim: SimulatedTreadmill, adapter: str = "hci0") -> None:
    """Be a BLE treadmill on `adapter` until cancelled (FrontEndError if BlueZ refuses)."""
    app = PeripheralApp(sim, adapter=adapter)
    try:
        await app.start()
    except (OSError, RuntimeError, DBusError) as exc:
        await app.stop()
        raise FrontEndError(f"--ble: cannot register with BlueZ on {adapter}: {exc}") from None
    log.info("advertising %s on %s", sim.advertisement()[0], adapter)
    try:
        await asyncio.Event().wait()
    finally:
        await app.stop()


async def check(adapter: str = "hci0") -> None:
    """Fail early, in one line, when BlueZ cannot host the peripheral (RuntimeError)."""
    await check_adapter(adapter)


def front_end(adapter: str = "hci0") -> Callable[[SimulatedTreadmill], Coroutine[Any, Any, None]]:
    """A `treadpace simulate` front end (run `check(adapter)` first for a clean error).

    A refused registration raises FrontEndError out of it, which ends `simulate`.
    """

    async def run(sim: SimulatedTreadmill) -> None:
        await serve(sim, adapter)

    return run


def _att(exc: AttError) -> GattError:
    if exc.code == ATT_WRITE_NOT_PERMITTED:
        return GattError("NotPermitted", "Write not permitted")
    if exc.code == ATT_READ_NOT_PERMITTED:
        return GattError("NotPermitted", "Read not permitted")
    return GattError("Failed", f"Operation failed with ATT error: 0x{exc.code:02x}")
