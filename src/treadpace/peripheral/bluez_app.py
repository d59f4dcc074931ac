"""The D-Bus half of a BlueZ GATT peripheral: objects, advertisement, registration, centrals.

It exports `GattService1` / `GattCharacteristic1` objects under `root` and an
`LEAdvertisement1`, then calls `GattManager1.RegisterApplication` and
`LEAdvertisingManager1.RegisterAdvertisement` on the adapter. The same code runs
next to a real bluetoothd (a Raspberry Pi by the treadmill) and, in tests, next to
the project's BlueZ stand-in, which mirrors it to bleak as a remote device.

What the characteristics hold is the `GattServer`'s business. The app tells it
which central asked (the `device` option bluetoothd passes to ReadValue and
WriteValue) and when a central's `Device1` under our adapter connects or goes.
Notifications are `PropertiesChanged(Value)` on a characteristic a central
subscribed to with `StartNotify`; bluetoothd fans them out to every subscriber.
"""

# No `from __future__ import annotations`: dbus-fast reads the D-Bus signatures from the
# annotations when the classes are defined, and cannot read them as strings.
import contextlib
import logging
from collections.abc import Callable
from typing import Annotated, Any, Protocol

from dbus_fast import BusType, DBusError, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

log = logging.getLogger(__name__)

Bytes = Annotated[bytes, DBusSignature("ay")]
Options = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
Strings = Annotated[list[str], DBusSignature("as")]
Str = Annotated[str, DBusSignature("s")]
Path = Annotated[str, DBusSignature("o")]
Bool = Annotated[bool, DBusSignature("b")]
ServiceData = Annotated[dict[str, Variant], DBusSignature("a{sv}")]

Push = Callable[[bytes], None]

DEVICE = "org.bluez.Device1"
_ADVERTISING = "org.bluez.LEAdvertisingManager1"


class GattError(DBusError):
    """An `org.bluez.Error.<name>` answer to a central (bleak sees the ATT error it stands for)."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"org.bluez.Error.{name}", text)


class GattServer(Protocol):
    """What a peripheral serves. `device` is the asking central's Device1 path."""

    def services(self) -> dict[str, list[str]]: ...

    def characteristics(self) -> dict[str, frozenset[str]]: ...

    def advertisement(self) -> tuple[str | None, list[str], dict[str, bytes]]: ...

    async def read(self, uuid: str, device: str) -> bytes: ...

    async def write(self, uuid: str, data: bytes, with_response: bool, device: str) -> None: ...

    def start_notify(self, uuid: str, push: Push) -> None: ...

    def stop_notify(self, uuid: str) -> None: ...

    def central_connected(self, device: str) -> None: ...

    def central_gone(self, device: str) -> None: ...


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


class Characteristic(ServiceInterface):
    """One exported characteristic; `push` sends a notification while someone subscribes."""

    def __init__(self, server: GattServer, uuid: str, service: str, flags: list[str]) -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self._server = server
        self.uuid = uuid
        self._service = service
        self._flags = flags
        self._value = b""
        self.notifying = False

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> Str:
        return self.uuid

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
            raise GattError("NotPermitted", "Read not permitted")
        value = await self._server.read(self.uuid, _device(options))
        offset = int(options["offset"].value) if "offset" in options else 0
        return value[offset:]

    @dbus_method()
    async def WriteValue(self, value: Bytes, options: Options) -> None:
        # bluetoothd enforces the flags before the app is called; checking again is harmless
        if not {"write", "write-without-response"} & set(self._flags):
            raise GattError("NotPermitted", "Write not permitted")
        kind = str(options["type"].value) if "type" in options else "request"
        await self._server.write(self.uuid, bytes(value), kind != "command", _device(options))

    @dbus_method()
    def StartNotify(self) -> None:
        if not {"notify", "indicate"} & set(self._flags):
            raise GattError("NotSupported", "Operation is not supported")
        if self.notifying:
            return
        self._server.start_notify(self.uuid, self.push)
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
        self._server.stop_notify(self.uuid)
        self.emit_properties_changed({"Notifying": False})

    def push(self, data: bytes) -> None:
        """A notification or indication: BlueZ sends what `Value` became."""
        if self.notifying:
            self._value = bytes(data)
            self.emit_properties_changed({"Value": self._value})


class _Advertisement(ServiceInterface):
    def __init__(self, server: GattServer) -> None:
        super().__init__("org.bluez.LEAdvertisement1")
        self._name, self._uuids, self._data = server.advertisement()

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
        return self._name or "treadpace"

    @dbus_property(access=PropertyAccess.READ)
    def Discoverable(self) -> Bool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def Includes(self) -> Strings:
        return ["tx-power"]

    @dbus_method()
    def Release(self) -> None:
        log.info("advertisement released by BlueZ")


def _device(options: dict[str, Variant]) -> str:
    return str(options["device"].value) if "device" in options else "unknown"


_MATCH_RULES = (
    "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.Properties',"
    "member='PropertiesChanged',path_namespace='/org/bluez'",
    "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.ObjectManager',"
    "member='InterfacesRemoved'",
    "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.ObjectManager',"
    "member='InterfacesAdded'",
)


class GattApp:
    """Serve `server` as a GATT peripheral on `adapter` (objects under `root`) until `stop()`."""

    def __init__(
        self,
        server: GattServer,
        *,
        root: str,
        adapter: str = "hci0",
        bus_address: str | None = None,
    ) -> None:
        self.server = server
        self.root = root
        self.adv_path = f"{root}/advertisement0"
        self.adapter_path = f"/org/bluez/{adapter}"
        self._bus_address = bus_address
        self.bus: MessageBus | None = None
        self.chars: list[Characteristic] = []
        self._connected: set[str] = set()

    async def start(self) -> None:
        """Export, subscribe to BlueZ's signals, register (RuntimeError if BlueZ refuses)."""
        bus = await MessageBus(bus_address=self._bus_address, bus_type=BusType.SYSTEM).connect()
        self.bus = bus
        flags = self.server.characteristics()
        for i, (service_uuid, char_uuids) in enumerate(self.server.services().items()):
            spath = f"{self.root}/service{i}"
            bus.export(spath, _Service(service_uuid))
            for j, uuid in enumerate(char_uuids):
                char = Characteristic(self.server, uuid, spath, sorted(flags.get(uuid, ())))
                self.chars.append(char)
                bus.export(f"{spath}/char{j}", char)
        bus.export(self.adv_path, _Advertisement(self.server))
        for rule in _MATCH_RULES:
            await self._call(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "AddMatch",
                "s",
                [rule],
            )
        bus.add_message_handler(self._on_signal)
        await self._manager("org.bluez.GattManager1", "RegisterApplication", self.root)
        await self._manager(_ADVERTISING, "RegisterAdvertisement", self.adv_path)

    async def stop(self) -> None:
        if self.bus is None:
            return
        with contextlib.suppress(Exception):
            await self._manager(_ADVERTISING, "UnregisterAdvertisement", self.adv_path)
            await self._manager("org.bluez.GattManager1", "UnregisterApplication", self.root)
        for device in sorted(self._connected):
            self.server.central_gone(device)
        self._connected.clear()
        self.bus.disconnect()
        self.bus = None

    def stop_notifications(self) -> None:
        """End every subscription, as when the central that held them left."""
        for char in self.chars:
            char.stop_notify()

    def forget_notifications(self) -> None:
        """The link is gone under us: nobody is subscribed any more, nothing to tell."""
        for char in self.chars:
            char.notifying = False

    def hang_up(self, device: str) -> None:
        """End a central's link (`Device1.Disconnect`), which is how a BlueZ app drops one."""
        if self.bus is not None:
            self.bus.send(
                Message(destination="org.bluez", path=device, interface=DEVICE, member="Disconnect")
            )

    # --- centrals, from BlueZ's signals ----------------------------------------------------

    def _on_signal(self, msg: Message) -> None:
        if msg.message_type != MessageType.SIGNAL:
            return
        if msg.member == "InterfacesAdded":
            path, interfaces = str(msg.body[0]), msg.body[1]
            device = interfaces.get(DEVICE)
            if device is not None and device.get("Connected", Variant("b", False)).value:
                self._central(path, connected=True)
        elif msg.member == "PropertiesChanged" and msg.body and msg.body[0] == DEVICE:
            connected = msg.body[1].get("Connected")
            if connected is not None:
                self._central(msg.path or "", connected=bool(connected.value))
        elif msg.member == "InterfacesRemoved" and DEVICE in msg.body[1]:
            self._central(str(msg.body[0]), connected=False)

    def _central(self, path: str, *, connected: bool) -> None:
        if not path.startswith(self.adapter_path + "/"):
            return
        if connected and path not in self._connected:
            self._connected.add(path)
            self.server.central_connected(path)
        elif not connected and path in self._connected:
            self._connected.discard(path)
            self.server.central_gone(path)

    # --- D-Bus calls -----------------------------------------------------------------------

    async def _manager(self, iface: str, member: str, path: str) -> None:
        sig, body = ("oa{sv}", [path, {}]) if member.startswith("Register") else ("o", [path])
        await self._call("org.bluez", self.adapter_path, iface, member, sig, body)

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


async def check_adapter(adapter: str = "hci0", bus_address: str | None = None) -> None:
    """Fail early, in one line, when BlueZ cannot host a peripheral (RuntimeError)."""
    path = f"/org/bluez/{adapter}"
    try:
        bus = await MessageBus(bus_address=bus_address, bus_type=BusType.SYSTEM).connect()
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
