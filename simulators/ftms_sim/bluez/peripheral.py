"""The simulator as a real BlueZ GATT peripheral application (`treadpace simulate --ble`).

The same code runs next to a real bluetoothd (a Raspberry Pi next to the
treadmill-less desk) and, in tests, next to the project's BlueZ stand-in,
which mirrors it to bleak as a remote device. It exports the simulator's GATT
tree (`GattService1` / `GattCharacteristic1` objects under `/org/treadpace/sim`)
and an `LEAdvertisement1`, then calls `GattManager1.RegisterApplication` and
`LEAdvertisingManager1.RegisterAdvertisement` on the adapter.

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
from typing import Annotated, Any

from dbus_fast import BusType, DBusError, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

from ftms_sim.errors import (
    ATT_READ_NOT_PERMITTED,
    ATT_WRITE_NOT_PERMITTED,
    AttError,
    FrontEndError,
    LinkDown,
)
from ftms_sim.treadmill import SimulatedTreadmill

log = logging.getLogger(__name__)

ROOT = "/org/treadpace/sim"
ADV_PATH = f"{ROOT}/advertisement0"

Bytes = Annotated[bytes, DBusSignature("ay")]
Options = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
Strings = Annotated[list[str], DBusSignature("as")]
Paths = Annotated[list[str], DBusSignature("ao")]
Str = Annotated[str, DBusSignature("s")]
Path = Annotated[str, DBusSignature("o")]
Bool = Annotated[bool, DBusSignature("b")]
ServiceData = Annotated[dict[str, Variant], DBusSignature("a{sv}")]


def _bluez_error(name: str, text: str) -> DBusError:
    return DBusError(f"org.bluez.Error.{name}", text)


class _Service(ServiceInterface):
    def __init__(self, uuid: str) -> None:
        super().__init__("org.bluez.GattService1")
        self._uuid = uuid

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> Str:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> Bool:
        return True


class _Characteristic(ServiceInterface):
    def __init__(self, app: "PeripheralApp", uuid: str, service: str, flags: list[str]) -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self._app = app
        self._uuid = uuid
        self._service = service
        self._flags = flags
        self._value = b""
        self.notifying = False

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> Str:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> Path:
        return self._service

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> Strings:
        return self._flags

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> Bytes:
        return self._value

    @dbus_property(access=PropertyAccess.READ)
    def Notifying(self) -> Bool:
        return self.notifying

    @dbus_method()
    async def ReadValue(self, options: Options) -> Bytes:
        if "read" not in self._flags:
            raise _bluez_error("NotPermitted", "Read not permitted")
        client = self._app.client_for(options)
        try:
            value = await self._app.sim.read(self._uuid, client=client)
        except AttError as exc:
            raise _att(exc) from None
        except LinkDown:
            raise _bluez_error("Failed", "Not connected") from None
        offset = int(options["offset"].value) if "offset" in options else 0
        return value[offset:]

    @dbus_method()
    async def WriteValue(self, value: Bytes, options: Options) -> None:
        kind = str(options["type"].value) if "type" in options else "request"
        if not {"write", "write-without-response"} & set(self._flags):
            raise _bluez_error("NotPermitted", "Write not permitted")
        client = self._app.client_for(options)
        try:
            await self._app.sim.write(self._uuid, bytes(value), kind != "command", client=client)
        except AttError as exc:
            raise _att(exc) from None
        except LinkDown:
            raise _bluez_error("Failed", "Not connected") from None

    @dbus_method()
    def StartNotify(self) -> None:
        if not {"notify", "indicate"} & set(self._flags):
            raise _bluez_error("NotSupported", "Operation is not supported")
        if self.notifying:
            return
        client = self._app.current_client()
        if client is None:
            raise _bluez_error("Failed", "Not connected")
        try:
            self._app.sim.subscribe(self._uuid, self.push, client=client)
        except (AttError, LinkDown) as exc:
            raise _bluez_error("Failed", str(exc)) from None
        self.notifying = True
        self.emit_properties_changed({"Notifying": True})

    @dbus_method()
    def StopNotify(self) -> None:
        self.stop_notify()

    @dbus_method()
    def Confirm(self) -> None:
        return None  # indication confirmations need no action here

    def stop_notify(self) -> None:
        if not self.notifying:
            return
        self.notifying = False
        client = self._app.current_client()
        if client is not None:
            with contextlib.suppress(LinkDown):
                self._app.sim.unsubscribe(self._uuid, client=client)
        self.emit_properties_changed({"Notifying": False})

    def push(self, data: bytes) -> None:
        """A notification or indication from the simulator: BlueZ sends what `Value` became."""
        if self.notifying:
            self._value = bytes(data)
            self.emit_properties_changed({"Value": self._value})


class _Advertisement(ServiceInterface):
    def __init__(self, sim: SimulatedTreadmill) -> None:
        super().__init__("org.bluez.LEAdvertisement1")
        self._name, self._uuids, self._data = sim.advertisement()

    @dbus_property(access=PropertyAccess.READ)
    def Type(self) -> Str:
        return "peripheral"

    @dbus_property(access=PropertyAccess.READ)
    def ServiceUUIDs(self) -> Strings:
        return list(self._uuids)

    @dbus_property(access=PropertyAccess.READ)
    def ServiceData(self) -> ServiceData:
        return {u: Variant("ay", bytes(d)) for u, d in self._data.items()}

    @dbus_property(access=PropertyAccess.READ)
    def LocalName(self) -> Str:
        return self._name or "treadpace sim"

    @dbus_property(access=PropertyAccess.READ)
    def Discoverable(self) -> Bool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def Includes(self) -> Strings:
        return ["tx-power"]

    @dbus_method()
    def Release(self) -> None:
        log.info("advertisement released by BlueZ")


class PeripheralApp:
    """Serve `sim` as a GATT peripheral on `adapter` until `stop()`."""

    def __init__(
        self, sim: SimulatedTreadmill, *, adapter: str = "hci0", bus_address: str | None = None
    ) -> None:
        self.sim = sim
        self.adapter_path = f"/org/bluez/{adapter}"
        self._bus_address = bus_address
        self.bus: MessageBus | None = None
        self._chars: list[_Characteristic] = []
        self._objects: list[tuple[str, ServiceInterface]] = []
        self._central: str | None = None  # the connected central's Device1 path
        self._client = 0

    # --- central tracking ------------------------------------------------------------

    def current_client(self) -> int | None:
        return self._client if self._central is not None else None

    def client_for(self, options: dict[str, Variant]) -> int:
        device = str(options["device"].value) if "device" in options else "unknown"
        if self._central != device:
            if self._central is not None:
                self._end_central()
            try:
                self.sim.connect(self._client)
            except LinkDown:
                raise _bluez_error("Failed", "Not connected") from None
            self._central = device
            self.sim.on_link_drop(self._sim_dropped, self._client)
        return self._client

    def _end_central(self) -> None:
        for char in self._chars:
            char.stop_notify()
        self.sim.disconnect(self._client)
        self._central = None
        self._client += 1

    def _sim_dropped(self) -> None:
        """The simulator lost the link (a fault): hang up on the central, as BlueZ apps do."""
        central, self._central = self._central, None
        for char in self._chars:
            char.notifying = False
        self._client += 1
        if central is not None and self.bus is not None:
            self.bus.send(
                Message(
                    destination="org.bluez",
                    path=central,
                    interface="org.bluez.Device1",
                    member="Disconnect",
                )
            )

    def _on_signal(self, msg: Message) -> None:
        if msg.message_type != MessageType.SIGNAL:
            return
        if msg.member == "InterfacesAdded":
            path, interfaces = str(msg.body[0]), msg.body[1]
            device = interfaces.get("org.bluez.Device1")
            if (
                self._central is None
                and device is not None
                and path.startswith(self.adapter_path + "/")
                and device.get("Connected", Variant("b", False)).value
            ):
                self.client_for({"device": Variant("o", path)})  # a central connected to us
        elif self._central is None:
            return
        elif msg.member == "PropertiesChanged" and msg.path == self._central:
            iface, changed = msg.body[0], msg.body[1]
            connected = changed.get("Connected")
            if iface == "org.bluez.Device1" and connected is not None and not connected.value:
                self._end_central()
        elif msg.member == "InterfacesRemoved" and msg.body[0] == self._central:
            self._end_central()

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        bus = await MessageBus(bus_address=self._bus_address, bus_type=BusType.SYSTEM).connect()
        self.bus = bus
        chars = self.sim.characteristics()
        for i, (service_uuid, char_uuids) in enumerate(self.sim.services().items()):
            spath = f"{ROOT}/service{i}"
            self._objects.append((spath, _Service(service_uuid)))
            for j, uuid in enumerate(char_uuids):
                char = _Characteristic(self, uuid, spath, sorted(chars.get(uuid, frozenset())))
                self._chars.append(char)
                self._objects.append((f"{spath}/char{j}", char))
        for path, iface in self._objects:
            bus.export(path, iface)
        bus.export(ADV_PATH, _Advertisement(self.sim))
        for rule in (
            "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.Properties',"
            "member='PropertiesChanged',path_namespace='/org/bluez'",
            "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.ObjectManager',"
            "member='InterfacesRemoved'",
            "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.ObjectManager',"
            "member='InterfacesAdded'",
        ):
            await self._call(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "AddMatch",
                "s",
                [rule],
            )
        bus.add_message_handler(self._handler)
        await self._call(
            "org.bluez",
            self.adapter_path,
            "org.bluez.GattManager1",
            "RegisterApplication",
            "oa{sv}",
            [ROOT, {}],
        )
        await self._call(
            "org.bluez",
            self.adapter_path,
            "org.bluez.LEAdvertisingManager1",
            "RegisterAdvertisement",
            "oa{sv}",
            [ADV_PATH, {}],
        )

    def _handler(self, msg: Message) -> None:
        self._on_signal(msg)

    async def _call(
        self, dest: str, path: str, iface: str, member: str, sig: str, body: list[Any]
    ) -> None:
        assert self.bus is not None
        reply = await self.bus.call(
            Message(
                destination=dest,
                path=path,
                interface=iface,
                member=member,
                signature=sig,
                body=body,
            )
        )
        if reply is not None and reply.message_type == MessageType.ERROR:
            raise RuntimeError(
                f"{member}: {reply.error_name}: {reply.body[0] if reply.body else ''}"
            )

    async def stop(self) -> None:
        if self.bus is None:
            return
        with contextlib.suppress(Exception):
            await self._call(
                "org.bluez",
                self.adapter_path,
                "org.bluez.LEAdvertisingManager1",
                "UnregisterAdvertisement",
                "o",
                [ADV_PATH],
            )
            await self._call(
                "org.bluez",
                self.adapter_path,
                "org.bluez.GattManager1",
                "UnregisterApplication",
                "o",
                [ROOT],
            )
        if self._central is not None:
            self._end_central()
        self.bus.disconnect()
        self.bus = None


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
    path = f"/org/bluez/{adapter}"
    try:
        bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    except OSError as exc:
        raise RuntimeError(f"the system D-Bus is not reachable ({exc.strerror or exc})") from None
    try:
        reply = await bus.call(
            Message(
                destination="org.bluez",
                path="/",
                interface="org.freedesktop.DBus.ObjectManager",
                member="GetManagedObjects",
            )
        )
    finally:
        bus.disconnect()
    if reply is None or reply.message_type == MessageType.ERROR:
        raise RuntimeError("BlueZ (bluetoothd) is not running")
    interfaces = reply.body[0].get(path, {})
    if "org.bluez.GattManager1" not in interfaces:
        raise RuntimeError(f"no Bluetooth adapter {adapter} that can act as a peripheral")


def front_end(adapter: str = "hci0") -> Callable[[SimulatedTreadmill], Coroutine[Any, Any, None]]:
    """A `treadpace simulate` front end (run `check(adapter)` first for a clean error).

    A refused registration raises FrontEndError out of it, which ends `simulate`.
    """

    async def run(sim: SimulatedTreadmill) -> None:
        await serve(sim, adapter)

    return run


def _att(exc: AttError) -> DBusError:
    if exc.code == ATT_WRITE_NOT_PERMITTED:
        return _bluez_error("NotPermitted", "Write not permitted")
    if exc.code == ATT_READ_NOT_PERMITTED:
        return _bluez_error("NotPermitted", "Read not permitted")
    return _bluez_error("Failed", f"Operation failed with ATT error: 0x{exc.code:02x}")
