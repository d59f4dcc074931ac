"""A stand-in for bluetoothd on a private D-Bus: simulated treadmills as remote LE devices.

It owns `org.bluez` and answers exactly what bleak's BlueZ backend asks
(reference: bluez-over-dbus.md), so tests drive bleak's real, unmodified
backend: adapter `hci0` with discovery and filters, one `Device1` per simulated
treadmill (advertised name, service UUIDs, FTMS service data, RSSI), and on
connect the GATT tree under BlueZ's object-path naming
(`/org/bluez/hci0/dev_C0_FF_EE_18_26_01/service000c/char000d/desc000f`). Reads, writes,
StartNotify/StopNotify and AcquireNotify are forwarded to the simulator's GATT
surface; its notifications come back as `PropertiesChanged(Value)` (or on the
acquired socket).

Low level on purpose (one message handler, a table of objects): it needs the
caller's bus name, must answer some calls later, fail any call once, announce
all interfaces of an object in one `InterfacesAdded`, and pass file descriptors.

Test hooks: `FakeDevice.drop_link()`, `FakeDevice.advertising`,
`FakeBlueZ.inject_error(member, name, text)` (fails the next call once),
`FakeBlueZ.remove_device(device)` (the device is gone from BlueZ's cache).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from ftms_sim.bluez.mirror import AppPeripheral
from ftms_sim.errors import ATT_WRITE_NOT_PERMITTED, AttError, LinkDown

log = logging.getLogger(__name__)

BLUEZ = "org.bluez"
ADAPTER_PATH = "/org/bluez/hci0"
PERIPHERAL_ADAPTER_PATH = "/org/bluez/hci1"
GATT_MANAGER = "org.bluez.GattManager1"
ADVERTISING_MANAGER = "org.bluez.LEAdvertisingManager1"
ADAPTER = "org.bluez.Adapter1"
DEVICE = "org.bluez.Device1"
SERVICE = "org.bluez.GattService1"
CHARACTERISTIC = "org.bluez.GattCharacteristic1"
DESCRIPTOR = "org.bluez.GattDescriptor1"
PROPERTIES = "org.freedesktop.DBus.Properties"
OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
CCCD = "00002902-0000-1000-8000-00805f9b34fb"
MTU = 247

Props = dict[str, Variant]


class Peripheral(Protocol):
    """What the facade needs of a remote device: `SimulatedTreadmill` has exactly this;
    a registered GATT application (`app.AppPeripheral`) offers it too.

    `subscribe`/`unsubscribe` may return an awaitable (a D-Bus round trip to an app).
    """

    @property
    def reachable(self) -> bool: ...

    def advertisement(self) -> tuple[str | None, list[str], dict[str, bytes]]: ...

    def services(self) -> dict[str, list[str]]: ...

    def characteristics(self) -> dict[str, frozenset[str]]: ...

    def connect(self, client: int = 0) -> None: ...

    def disconnect(self, client: int = 0) -> None: ...

    def on_link_drop(self, callback: Callable[[], None], client: int = 0) -> None: ...

    def drop_link(self, down_for: float = 0.0) -> None: ...

    async def read(self, uuid: str, *, client: int = 0) -> bytes: ...

    async def write(
        self, uuid: str, data: bytes, with_response: bool = True, *, client: int = 0
    ) -> None: ...

    def subscribe(
        self, uuid: str, callback: Callable[[bytes], None], *, client: int = 0
    ) -> Any: ...

    def unsubscribe(self, uuid: str, *, client: int = 0) -> Any: ...


def _err(name: str) -> str:
    return f"org.bluez.Error.{name}"


class BluezError(Exception):
    """Answer the current call with this D-Bus error."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(text)
        self.name = name
        self.text = text


@dataclass
class _Char:
    uuid: str
    path: str
    flags: list[str]
    sessions: set[str] = field(default_factory=set)  # StartNotify callers (unique names)
    acquired: socket.socket | None = None
    subscribed: bool = False  # the simulator's CCCD is on


class FakeDevice:
    """One simulated treadmill as BlueZ shows it (remote device on hci0)."""

    def __init__(
        self, bluez: FakeBlueZ, sim: Peripheral, address: str, rssi: int, client: int
    ) -> None:
        self.bluez = bluez
        self.sim = sim
        self.address = address.upper()
        self.path = f"{ADAPTER_PATH}/dev_{self.address.replace(':', '_')}"
        self.rssi = rssi
        self.client = client
        self.advertising = True
        self.connected = False
        self.known = False  # exported on the bus (seen by a scan)
        self.chars: dict[str, _Char] = {}  # by path
        self._gatt_paths: list[str] = []

    @property
    def name(self) -> str | None:
        return self.sim.advertisement()[0]

    @property
    def visible(self) -> bool:
        return self.advertising and self.sim.reachable

    def drop_link(self, down_for: float = 0.0) -> None:
        """The radio link is lost (the simulator drops every client, and BlueZ notices)."""
        self.sim.drop_link(down_for)

    def device_props(self) -> Props:
        name, uuids, service_data = self.sim.advertisement()
        props: Props = {
            "Address": Variant("s", self.address),
            "AddressType": Variant("s", "random"),
            "Alias": Variant("s", name or self.address.replace(":", "-")),
            "Adapter": Variant("o", ADAPTER_PATH),
            "Connected": Variant("b", self.connected),
            "ServicesResolved": Variant("b", self.connected),
            "Paired": Variant("b", False),
            "Trusted": Variant("b", False),
            "Blocked": Variant("b", False),
            "LegacyPairing": Variant("b", False),
            "UUIDs": Variant("as", list(uuids)),
            "RSSI": Variant("n", self.rssi),
            "TxPower": Variant("n", 0),
            "ServiceData": Variant(
                "a{sv}", {u: Variant("ay", bytes(d)) for u, d in service_data.items()}
            ),
        }
        if name:
            props["Name"] = Variant("s", name)
        return props

    def gatt_objects(self) -> dict[str, dict[str, Props]]:
        """The GATT tree with BlueZ's handle-based names (service, then chars, CCCDs)."""
        out: dict[str, dict[str, Props]] = {}
        self.chars = {}
        chars = self.sim.characteristics()
        handle = 0x000A
        for service_uuid, char_uuids in self.sim.services().items():
            spath = f"{self.path}/service{handle:04x}"
            out[spath] = {
                SERVICE: {
                    "UUID": Variant("s", service_uuid),
                    "Device": Variant("o", self.path),
                    "Primary": Variant("b", True),
                    "Includes": Variant("ao", []),
                }
            }
            handle += 1
            for uuid in char_uuids:
                flags = sorted(chars.get(uuid, frozenset()))
                cpath = f"{spath}/char{handle:04x}"
                cprops: Props = {
                    "UUID": Variant("s", uuid),
                    "Service": Variant("o", spath),
                    "Flags": Variant("as", flags),
                    "Value": Variant("ay", b""),
                    "MTU": Variant("q", MTU),
                }
                handle += 2  # declaration + value
                notifying = "notify" in flags or "indicate" in flags
                if notifying:
                    cprops["Notifying"] = Variant("b", False)
                    cprops["NotifyAcquired"] = Variant("b", False)
                out[cpath] = {CHARACTERISTIC: cprops}
                self.chars[cpath] = _Char(uuid, cpath, flags)
                if notifying:
                    dpath = f"{cpath}/desc{handle:04x}"
                    out[dpath] = {
                        DESCRIPTOR: {
                            "UUID": Variant("s", CCCD),
                            "Characteristic": Variant("o", cpath),
                            "Value": Variant("ay", b""),
                        }
                    }
                    handle += 1
        self._gatt_paths = list(out)
        return out


class FakeBlueZ:
    """Owns `org.bluez` on the bus at `DBUS_SYSTEM_BUS_ADDRESS` (or `bus_address`)."""

    def __init__(
        self,
        *,
        bus_address: str | None = None,
        advertising_interval: float = 0.01,
        adapter_address: str = "00:1A:7D:DA:71:01",
        peripheral_address: str = "00:1A:7D:DA:71:02",
    ) -> None:
        self._bus_address = bus_address
        self.advertising_interval = advertising_interval
        self.adapter_address = adapter_address
        self.peripheral_address = peripheral_address
        self._apps: dict[tuple[str, str], AppPeripheral] = {}  # (sender, adapter) -> app
        self._app_devices: dict[int, FakeDevice] = {}
        self._centrals: dict[str, AppPeripheral] = {}
        self.bus: MessageBus | None = None
        self.devices: list[FakeDevice] = []
        self._objects: dict[str, dict[str, Props]] = {}
        self._discovery: dict[str, list[str]] = {}  # sender -> UUIDs filter
        self._filters: dict[str, list[str]] = {}
        self._advertiser: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._inject: dict[str, tuple[str, str]] = {}
        self.calls: list[str] = []  # member names, in arrival order (for assertions)

    # --- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        self.bus = await MessageBus(
            bus_address=self._bus_address, bus_type=BusType.SYSTEM, negotiate_unix_fd=True
        ).connect()
        self.bus.add_message_handler(self._handle)
        # hci0 is the central's radio; hci1 (peripheral role only, so bleak never picks it)
        # is where a GATT application registers, as on a second machine.
        for path, address, roles in (
            (ADAPTER_PATH, self.adapter_address, ["central", "peripheral"]),
            (PERIPHERAL_ADAPTER_PATH, self.peripheral_address, ["peripheral"]),
        ):
            self._objects[path] = {
                ADAPTER: {
                    "Address": Variant("s", address),
                    "AddressType": Variant("s", "public"),
                    "Name": Variant("s", "treadpace-test"),
                    "Alias": Variant("s", "treadpace-test"),
                    "Class": Variant("u", 0),
                    "Powered": Variant("b", True),
                    "Discoverable": Variant("b", False),
                    "Pairable": Variant("b", False),
                    "Discovering": Variant("b", False),
                    "UUIDs": Variant("as", []),
                    "Roles": Variant("as", roles),
                },
                GATT_MANAGER: {},
                ADVERTISING_MANAGER: {
                    "ActiveInstances": Variant("y", 0),
                    "SupportedInstances": Variant("y", 4),
                    "SupportedIncludes": Variant("as", ["tx-power", "local-name"]),
                },
            }
        await self.bus.request_name(BLUEZ)
        # StartNotify and discovery sessions end when their caller leaves the bus
        rule = "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged'"
        await self.bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="AddMatch",
                signature="s",
                body=[rule],
            )
        )

    async def close(self) -> None:
        for task in [self._advertiser, *self._tasks]:
            if task is not None:
                task.cancel()
        for device in self.devices:
            if device.connected:
                self._link_down(device, notify_sim=True)
        if self.bus is not None:
            self.bus.disconnect()
            with contextlib.suppress(Exception):
                await self.bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
            self.bus = None

    async def __aenter__(self) -> FakeBlueZ:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def add_device(
        self, sim: Peripheral, address: str, *, rssi: int = -60, client: int = 7
    ) -> FakeDevice:
        """Put a simulator on the air; it shows up on the next scan."""
        device = FakeDevice(self, sim, address, rssi, client)
        self.devices.append(device)
        return device

    def remove_device(self, device: FakeDevice) -> None:
        """BlueZ forgets the device (as bluetoothd does with temporary ones)."""
        if device.connected:
            self._link_down(device, notify_sim=True)
        if device.known:
            device.known = False
            self._objects.pop(device.path, None)
            self._signal("/", OBJECT_MANAGER, "InterfacesRemoved", "oas", [device.path, [DEVICE]])

    def inject_error(self, member: str, name: str, text: str) -> None:
        """Fail the next call of `member` (e.g. "Connect", "WriteValue") once."""
        self._inject[member] = (name, text)

    def power(self, on: bool) -> None:
        """Switch the central adapter (hci0) on or off, as `bluetoothctl power` does."""
        self._objects[ADAPTER_PATH][ADAPTER]["Powered"] = Variant("b", on)

    # --- plumbing -------------------------------------------------------------------

    def _signal(self, path: str, iface: str, member: str, sig: str, body: list[Any]) -> None:
        if self.bus is not None:
            self.bus.send(Message.new_signal(path, iface, member, sig, body))

    def _changed(self, path: str, iface: str, changes: Props) -> None:
        props = self._objects.get(path, {}).get(iface)
        if props is not None:
            props.update(changes)
        self._signal(path, PROPERTIES, "PropertiesChanged", "sa{sv}as", [iface, changes, []])

    def _added(self, path: str, interfaces: dict[str, Props]) -> None:
        self._objects[path] = interfaces
        self._signal("/", OBJECT_MANAGER, "InterfacesAdded", "oa{sa{sv}}", [path, interfaces])

    def _reply(self, msg: Message, sig: str = "", body: list[Any] | None = None) -> None:
        if self.bus is not None:
            self.bus.send(Message.new_method_return(msg, sig, body or []))

    def _fail(self, msg: Message, name: str, text: str) -> None:
        if self.bus is not None:
            self.bus.send(Message.new_error(msg, name, text))

    def _later(self, msg: Message, coro: Any) -> bool:
        async def run() -> None:
            try:
                await coro
            except BluezError as exc:
                self._fail(msg, exc.name, exc.text)
            except Exception as exc:  # a facade bug must surface as an error, not a hang
                log.exception("fake bluez: %s failed", msg.member)
                self._fail(msg, _err("Failed"), str(exc))

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    def _background(self, aw: Any) -> None:
        async def run() -> None:
            with contextlib.suppress(Exception):
                await aw

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _device_at(self, path: str) -> FakeDevice | None:
        for device in self.devices:
            if path == device.path or path.startswith(device.path + "/"):
                return device
        return None

    # --- dispatch -------------------------------------------------------------------

    def _handle(self, msg: Message) -> Message | bool | None:
        if msg.message_type != MessageType.METHOD_CALL:
            if msg.member == "NameOwnerChanged" and msg.body and not msg.body[2]:
                self._forget_sender(str(msg.body[0]))
            elif msg.message_type == MessageType.SIGNAL:
                for app in list(self._apps.values()):
                    if app.sender == msg.sender:
                        app.on_signal(msg)
            return None
        member = msg.member or ""
        path = msg.path or "/"
        self.calls.append(member)
        if msg.interface == INTROSPECTABLE:
            return self._introspect(msg, path)
        if msg.interface == OBJECT_MANAGER and member == "GetManagedObjects":
            return Message.new_method_return(msg, "a{oa{sa{sv}}}", [self._objects])
        if msg.interface == PROPERTIES:
            return self._properties(msg, path)
        injected = self._inject.pop(member, None)
        if injected is not None:
            return Message.new_error(msg, injected[0], injected[1])
        try:
            if path == ADAPTER_PATH and msg.interface == ADAPTER:
                return self._adapter(msg, member)
            if path in (ADAPTER_PATH, PERIPHERAL_ADAPTER_PATH) and msg.interface in (
                GATT_MANAGER,
                ADVERTISING_MANAGER,
            ):
                return self._manager(msg, member, path)
            if path in self._centrals and msg.interface == DEVICE:
                if member == "Disconnect":  # the peripheral app hangs up on its central
                    self._centrals[path].drop_link()
                    return Message.new_method_return(msg)
                raise BluezError(_err("NotSupported"), "Operation is not supported")
            device = self._device_at(path)
            if device is None or path not in self._objects:
                return Message.new_error(
                    msg, "org.freedesktop.DBus.Error.UnknownObject", f"no object {path}"
                )
            if path == device.path and msg.interface == DEVICE:
                return self._device(msg, member, device)
            if msg.interface == CHARACTERISTIC and path in device.chars:
                return self._characteristic(msg, member, device, device.chars[path])
            if msg.interface == DESCRIPTOR:
                return self._descriptor(msg, member, path)
        except BluezError as exc:
            return Message.new_error(msg, exc.name, exc.text)
        return Message.new_error(
            msg, "org.freedesktop.DBus.Error.UnknownMethod", f"{msg.interface}.{member}"
        )

    def _introspect(self, msg: Message, path: str) -> Message:
        prefix = path.rstrip("/") + "/"
        children = sorted(
            {p[len(prefix) :].split("/")[0] for p in self._objects if p.startswith(prefix)}
        )
        ifaces = "".join(f'<interface name="{i}"/>' for i in self._objects.get(path, {}))
        nodes = "".join(f'<node name="{c}"/>' for c in children)
        return Message.new_method_return(msg, "s", [f"<node>{ifaces}{nodes}</node>"])

    def _properties(self, msg: Message, path: str) -> Message:
        ifaces = self._objects.get(path)
        if ifaces is None:
            return Message.new_error(msg, "org.freedesktop.DBus.Error.UnknownObject", path)
        iface = str(msg.body[0]) if msg.body else ""
        props = ifaces.get(iface)
        if props is None:
            return Message.new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", iface)
        if msg.member == "GetAll":
            return Message.new_method_return(msg, "a{sv}", [props])
        if msg.member == "Get":
            value = props.get(str(msg.body[1]))
            if value is None:
                return Message.new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", "no such")
            return Message.new_method_return(msg, "v", [value])
        if msg.member == "Set":
            name, value = str(msg.body[1]), msg.body[2]
            self._changed(path, iface, {name: value})
            return Message.new_method_return(msg)
        return Message.new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "Properties")

    # --- adapter: GATT applications and advertisements (mirrored as remote devices) --

    def _manager(self, msg: Message, member: str, adapter: str) -> Message | bool:
        sender = msg.sender or ""
        key = (sender, adapter)
        if member == "RegisterApplication":
            return self._later(msg, self._register_app(msg, key, str(msg.body[0])))
        if member == "UnregisterApplication":
            if key not in self._apps:
                raise BluezError(_err("DoesNotExist"), "Does Not Exist")
            self._drop_app(key)
            return Message.new_method_return(msg)
        if member == "RegisterAdvertisement":
            return self._later(msg, self._register_adv(msg, key, str(msg.body[0])))
        if member == "UnregisterAdvertisement":
            app = self._apps.get(key)
            if app is None or app.adv_path != str(msg.body[0]):
                raise BluezError(_err("DoesNotExist"), "Does Not Exist")
            self._set_advertising(app, None, {})
            return Message.new_method_return(msg)
        raise BluezError("org.freedesktop.DBus.Error.UnknownMethod", member)

    async def _ask(self, dest: str, path: str, iface: str, member: str, body: list[Any]) -> Any:
        assert self.bus is not None
        reply = await self.bus.call(
            Message(
                destination=dest,
                path=path,
                interface=iface,
                member=member,
                signature="s" if body else "",
                body=body,
            )
        )
        if reply is None or reply.message_type == MessageType.ERROR:
            raise BluezError(_err("Failed"), f"{member} on {path} failed")
        return reply.body[0] if reply.body else None

    async def _register_app(self, msg: Message, key: tuple[str, str], root: str) -> None:
        if key in self._apps:
            raise BluezError(_err("AlreadyExists"), "Already Exists")
        objects = await self._ask(key[0], root, OBJECT_MANAGER, "GetManagedObjects", [])
        app = AppPeripheral(self, key[0], key[1], root, objects)
        if not app.characteristics():
            raise BluezError(_err("InvalidArguments"), "No GATT characteristics")
        self._apps[key] = app
        assert self.bus is not None
        rule = f"type='signal',sender='{key[0]}',member='PropertiesChanged'"
        await self._ask(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "AddMatch",
            [rule],
        )
        self._reply(msg)

    async def _register_adv(self, msg: Message, key: tuple[str, str], path: str) -> None:
        app = self._apps.get(key)
        if app is None:
            # bluetoothd takes advertisements without an app; the mirror needs the GATT tree
            raise BluezError(_err("Failed"), "register the GATT application first")
        props = await self._ask(key[0], path, PROPERTIES, "GetAll", ["org.bluez.LEAdvertisement1"])
        self._set_advertising(app, path, props)
        self._reply(msg)

    def _set_advertising(self, app: AppPeripheral, path: str | None, props: Props) -> None:
        app.set_advertisement(path, props)
        count = sum(1 for a in self._apps.values() if a.adv_path is not None)
        self._changed(
            app.adapter_path, ADVERTISING_MANAGER, {"ActiveInstances": Variant("y", count)}
        )
        device = self._app_devices.get(id(app))
        if path is not None and device is None:
            address = str(self._objects[app.adapter_path][ADAPTER]["Address"].value)
            self._app_devices[id(app)] = self.add_device(app, address, client=0)

    def _drop_app(self, key: tuple[str, str]) -> None:
        app = self._apps.pop(key, None)
        if app is None:
            return
        device = self._app_devices.pop(id(app), None)
        if device is not None:
            self.remove_device(device)
            self.devices.remove(device)
        if app.central_path is not None:
            self.remove_central(app.central_path)

    def export_central(self, app: AppPeripheral, path: str, props: Props) -> None:
        """The app's view of the central that connected to it."""
        self._centrals[path] = app
        self._added(path, {DEVICE: props})

    def remove_central(self, path: str) -> None:
        if self._centrals.pop(path, None) is None:
            return
        self._changed(path, DEVICE, {"Connected": Variant("b", False)})
        self._objects.pop(path, None)
        self._signal("/", OBJECT_MANAGER, "InterfacesRemoved", "oas", [path, [DEVICE]])

    # --- adapter: discovery ---------------------------------------------------------

    def _adapter(self, msg: Message, member: str) -> Message:
        sender = msg.sender or ""
        if member == "SetDiscoveryFilter":
            flt: dict[str, Variant] = msg.body[0]
            uuids = flt.get("UUIDs")
            self._filters[sender] = [str(u).lower() for u in uuids.value] if uuids else []
            return Message.new_method_return(msg)
        if member == "StartDiscovery":
            if sender in self._discovery:
                raise BluezError(_err("InProgress"), "Operation already in progress")
            self._discovery[sender] = self._filters.get(sender, [])
            self._discovery_changed()
            return Message.new_method_return(msg)
        if member == "StopDiscovery":
            if self._discovery.pop(sender, None) is None:
                raise BluezError(_err("Failed"), "No discovery started")
            self._discovery_changed()
            return Message.new_method_return(msg)
        if member == "RemoveDevice":
            device = self._device_at(str(msg.body[0]))
            if device is None or not device.known:
                raise BluezError(_err("DoesNotExist"), "Does Not Exist")
            self.remove_device(device)
            return Message.new_method_return(msg)
        if member in ("GetDiscoveryFilters",):
            return Message.new_method_return(msg, "as", [["UUIDs", "Transport"]])
        raise BluezError("org.freedesktop.DBus.Error.UnknownMethod", member)

    def _forget_sender(self, sender: str) -> None:
        for key in [k for k in self._apps if k[0] == sender]:
            self._drop_app(key)
        if self._discovery.pop(sender, None) is not None:
            self._discovery_changed()
        self._filters.pop(sender, None)
        for device in self.devices:
            for char in device.chars.values():
                if sender in char.sessions:
                    self._end_session(device, char, sender)

    def _discovery_changed(self) -> None:
        on = bool(self._discovery)
        adapter = self._objects[ADAPTER_PATH][ADAPTER]
        if adapter["Discovering"].value != on:
            self._changed(ADAPTER_PATH, ADAPTER, {"Discovering": Variant("b", on)})
        if on and (self._advertiser is None or self._advertiser.done()):
            self._advertiser = asyncio.get_running_loop().create_task(self._advertise())
        elif not on and self._advertiser is not None:
            self._advertiser.cancel()
            self._advertiser = None

    def _wanted(self, device: FakeDevice) -> bool:
        _, uuids, _ = device.sim.advertisement()
        for flt in self._discovery.values():
            if not flt or set(flt) & {u.lower() for u in uuids}:
                return True
        return False

    async def _advertise(self) -> None:
        """While anyone discovers: report each advertising device (new, or an RSSI change)."""
        wobble = 0
        while True:
            wobble ^= 1
            for device in self.devices:
                if not device.visible or not self._wanted(device):
                    continue
                if not device.known:
                    device.known = True
                    self._added(device.path, {DEVICE: device.device_props()})
                else:
                    rssi = Variant("n", device.rssi - wobble)
                    self._changed(device.path, DEVICE, {"RSSI": rssi})
            # the advertising interval of a radio: real time, not the simulator's clock
            await asyncio.sleep(self.advertising_interval)

    # --- device: connect / disconnect -----------------------------------------------

    def _device(self, msg: Message, member: str, device: FakeDevice) -> Message | bool:
        if member == "Connect":
            return self._later(msg, self._connect(msg, device))
        if member == "Disconnect":
            if device.connected:
                self._link_down(device, notify_sim=True)
            return Message.new_method_return(msg)
        if member == "Pair":
            return Message.new_method_return(msg)
        raise BluezError("org.freedesktop.DBus.Error.UnknownMethod", member)

    async def _connect(self, msg: Message, device: FakeDevice) -> None:
        if device.connected:
            self._reply(msg)
            return
        if not device.visible:
            await asyncio.sleep(0.005)
            raise BluezError(_err("Failed"), "Software caused connection abort")
        try:
            device.sim.connect(device.client)
        except LinkDown as exc:
            raise BluezError(_err("Failed"), "Software caused connection abort") from exc
        device.sim.on_link_drop(lambda: self._link_down(device, notify_sim=False), device.client)
        device.connected = True
        self._changed(device.path, DEVICE, {"Connected": Variant("b", True)})
        self._reply(msg)
        for path, interfaces in device.gatt_objects().items():
            self._added(path, interfaces)
        self._changed(device.path, DEVICE, {"ServicesResolved": Variant("b", True)})

    def _link_down(self, device: FakeDevice, *, notify_sim: bool) -> None:
        """ServicesResolved false, GATT objects removed, Connected false (BlueZ's order)."""
        if not device.connected:
            return
        device.connected = False
        if notify_sim:
            device.sim.disconnect(device.client)
        for char in device.chars.values():
            char.sessions.clear()
            if char.acquired is not None:
                self._release_acquired(char)
        self._changed(device.path, DEVICE, {"ServicesResolved": Variant("b", False)})
        for path in reversed(device._gatt_paths):
            ifaces = self._objects.pop(path, None)
            if ifaces is not None:
                self._signal("/", OBJECT_MANAGER, "InterfacesRemoved", "oas", [path, list(ifaces)])
        device._gatt_paths = []
        device.chars = {}
        self._changed(device.path, DEVICE, {"Connected": Variant("b", False)})

    # --- GATT -----------------------------------------------------------------------

    def _characteristic(
        self, msg: Message, member: str, device: FakeDevice, char: _Char
    ) -> Message | bool:
        if member == "ReadValue":
            return self._later(msg, self._read(msg, device, char))
        if member == "WriteValue":
            data = bytes(msg.body[0])
            options: dict[str, Variant] = msg.body[1]
            kind = options["type"].value if "type" in options else "request"
            return self._later(msg, self._write(msg, device, char, data, kind))
        if member == "StartNotify":
            if char.acquired is not None:
                raise BluezError(_err("NotPermitted"), "Notify acquired")
            if not {"notify", "indicate"} & set(char.flags):
                raise BluezError(_err("NotSupported"), "Operation is not supported")
            return self._later(msg, self._start_notify(msg, device, char))
        if member == "StopNotify":
            if (msg.sender or "") not in char.sessions:
                raise BluezError(_err("Failed"), "No notify session started")
            self._end_session(device, char, msg.sender or "")
            return Message.new_method_return(msg)
        if member == "AcquireNotify":
            return self._acquire_notify(msg, device, char)
        raise BluezError("org.freedesktop.DBus.Error.UnknownMethod", member)

    async def _read(self, msg: Message, device: FakeDevice, char: _Char) -> None:
        if "read" not in char.flags:
            raise BluezError(_err("NotPermitted"), "Read not permitted")
        try:
            value = await device.sim.read(char.uuid, client=device.client)
        except LinkDown as exc:
            raise BluezError(_err("Failed"), "Not connected") from exc
        except AttError as exc:
            raise _att(exc) from exc
        self._reply(msg, "ay", [value])
        self._changed(char.path, CHARACTERISTIC, {"Value": Variant("ay", value)})

    async def _write(
        self, msg: Message, device: FakeDevice, char: _Char, data: bytes, kind: str
    ) -> None:
        allowed = "write" if kind == "request" else "write-without-response"
        if allowed not in char.flags:
            raise BluezError(_err("NotPermitted"), "Write not permitted")
        try:
            await device.sim.write(char.uuid, data, kind == "request", client=device.client)
        except LinkDown as exc:
            raise BluezError(_err("Failed"), "Not connected") from exc
        except AttError as exc:
            raise _att(exc) from exc
        self._reply(msg)

    async def _start_notify(self, msg: Message, device: FakeDevice, char: _Char) -> None:
        await self._sim_subscribe(device, char)
        char.sessions.add(msg.sender or "")
        if not self._objects[char.path][CHARACTERISTIC]["Notifying"].value:
            self._changed(char.path, CHARACTERISTIC, {"Notifying": Variant("b", True)})
        self._reply(msg)

    async def _sim_subscribe(self, device: FakeDevice, char: _Char) -> None:
        if char.subscribed:
            return
        try:
            pending = device.sim.subscribe(
                char.uuid, lambda data: self._notify(char, data), client=device.client
            )
            if inspect.isawaitable(pending):
                await pending
        except LinkDown as exc:
            raise BluezError(_err("Failed"), "Not connected") from exc
        except AttError as exc:
            raise _att(exc) from exc
        char.subscribed = True

    def _end_session(self, device: FakeDevice, char: _Char, sender: str) -> None:
        char.sessions.discard(sender)
        if not char.sessions and char.acquired is None and char.path in self._objects:
            self._sim_unsubscribe(device, char)
            self._changed(char.path, CHARACTERISTIC, {"Notifying": Variant("b", False)})

    def _sim_unsubscribe(self, device: FakeDevice, char: _Char) -> None:
        if char.subscribed:
            char.subscribed = False
            with contextlib.suppress(LinkDown):
                pending = device.sim.unsubscribe(char.uuid, client=device.client)
                if inspect.isawaitable(pending):
                    self._background(pending)

    def _notify(self, char: _Char, data: bytes) -> None:
        if char.acquired is not None:
            with contextlib.suppress(OSError):
                char.acquired.send(data)
            return
        if char.sessions and char.path in self._objects:
            self._changed(char.path, CHARACTERISTIC, {"Value": Variant("ay", bytes(data))})

    def _acquire_notify(self, msg: Message, device: FakeDevice, char: _Char) -> Message | bool:
        if char.acquired is not None or char.sessions:
            raise BluezError(_err("NotPermitted"), "Notify acquired")
        if not {"notify", "indicate"} & set(char.flags):
            raise BluezError(_err("NotSupported"), "Operation is not supported")
        return self._later(msg, self._acquire(msg, device, char))

    async def _acquire(self, msg: Message, device: FakeDevice, char: _Char) -> None:
        await self._sim_subscribe(device, char)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.setblocking(False)
        char.acquired = ours
        loop = asyncio.get_running_loop()
        loop.add_reader(ours.fileno(), self._acquired_readable, device, char)
        self._changed(char.path, CHARACTERISTIC, {"NotifyAcquired": Variant("b", True)})
        assert self.bus is not None
        sent = self.bus.send(Message.new_method_return(msg, "hq", [0, MTU], [theirs.fileno()]))
        sent.add_done_callback(lambda _f: theirs.close())

    def _acquired_readable(self, device: FakeDevice, char: _Char) -> None:
        sock = char.acquired
        if sock is None:
            return
        try:
            data = sock.recv(1024)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the client closed its end: the acquisition is over
            self._release_acquired(char)
            if char.path in self._objects:
                self._sim_unsubscribe(device, char)
                self._changed(char.path, CHARACTERISTIC, {"NotifyAcquired": Variant("b", False)})

    def _release_acquired(self, char: _Char) -> None:
        sock, char.acquired = char.acquired, None
        if sock is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(sock.fileno())
            sock.close()

    def _descriptor(self, msg: Message, member: str, path: str) -> Message:
        if member == "ReadValue":
            value = self._objects[path][DESCRIPTOR]["Value"].value
            return Message.new_method_return(msg, "ay", [value])
        if member == "WriteValue":
            raise BluezError(_err("NotPermitted"), "Write not permitted")
        raise BluezError("org.freedesktop.DBus.Error.UnknownMethod", member)


def _att(exc: AttError) -> BluezError:
    """An ATT error as bluetoothd reports it (bleak maps these names and texts)."""
    if exc.code == ATT_WRITE_NOT_PERMITTED:
        return BluezError(_err("NotPermitted"), "Write not permitted")
    return BluezError(_err("Failed"), f"Operation failed with ATT error: 0x{exc.code:02x}")
