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
The parts: `tree` (the objects and the standard interfaces), `discovery`,
`gatt` (device connect and GATT calls), `apps` + `mirror` (registered GATT
apps as remote devices); this module owns the bus and routes each method call
through one `(interface, member) -> handler` table.

Test hooks: `FakeDevice.drop_link()`, `FakeDevice.advertising`,
`FakeBlueZ.inject_error(member, name, text)` (fails the next call once),
`FakeBlueZ.remove_device(device)` (the device is gone from BlueZ's cache).
"""

from __future__ import annotations

import contextlib

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from treadpace_sim.bluez.apps import AppMirror
from treadpace_sim.bluez.device import FakeDevice, Peripheral
from treadpace_sim.bluez.device_gatt import DeviceGatt
from treadpace_sim.bluez.discovery import Discovery
from treadpace_sim.bluez.mirror import AppPeripheral
from treadpace_sim.bluez.tree import (
    ADAPTER,
    ADAPTER_PATH,
    ADVERTISING_MANAGER,
    BLUEZ,
    DEVICE,
    GATT_MANAGER,
    PERIPHERAL_ADAPTER_PATH,
    SECOND_PERIPHERAL_ADAPTER_PATH,
    UNKNOWN_METHOD,
    UNKNOWN_OBJECT,
    BluezError,
    Handler,
    ObjectTree,
    Props,
    Reply,
)


class FakeBlueZ:
    """Owns `org.bluez` on the bus at `DBUS_SYSTEM_BUS_ADDRESS` (or `bus_address`)."""

    def __init__(
        self,
        *,
        bus_address: str | None = None,
        advertising_interval: float = 0.01,
        adapter_address: str = "00:1A:7D:DA:71:01",
        peripheral_address: str = "00:1A:7D:DA:71:02",
        second_peripheral_address: str = "00:1A:7D:DA:71:03",
    ) -> None:
        self._bus_address = bus_address
        self.advertising_interval = advertising_interval
        self.adapter_address = adapter_address
        self.peripheral_address = peripheral_address
        self.second_peripheral_address = second_peripheral_address
        self.devices: list[FakeDevice] = []
        self._tree = ObjectTree()
        self._discovery = Discovery(
            self._tree, self.devices, self.remove_device, lambda: self.advertising_interval
        )
        self._gatt = DeviceGatt(self._tree, self._device_at)
        self._apps = AppMirror(self._tree, adapter_address, self._mirror_on, self._mirror_off)
        self._plain = self._tree.handlers()  # answered even while a call is set to fail
        self._handlers: dict[tuple[str, str], Handler] = {
            **self._discovery.handlers(),
            **self._apps.handlers(),
            **self._gatt.handlers(),
        }
        for key in [k for k in self._handlers if k[0] == DEVICE]:
            self._handlers[key] = self._or_central(self._handlers[key])
        self._inject: dict[str, tuple[str, str]] = {}
        self.calls: list[str] = []  # member names, in arrival order (for assertions)

    @property
    def bus(self) -> MessageBus | None:
        return self._tree.bus

    # --- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        bus = await MessageBus(
            bus_address=self._bus_address, bus_type=BusType.SYSTEM, negotiate_unix_fd=True
        ).connect()
        self._tree.bus = bus
        bus.add_message_handler(self._handle)
        # hci0 is the central's radio; hci1 (peripheral role only, so bleak never picks it)
        # is where a GATT application registers, as on a second machine; hci2 is one more
        # such radio, for a second device (one adapter serves one GATT database to all).
        for path, address, roles in (
            (ADAPTER_PATH, self.adapter_address, ["central", "peripheral"]),
            (PERIPHERAL_ADAPTER_PATH, self.peripheral_address, ["peripheral"]),
            (SECOND_PERIPHERAL_ADAPTER_PATH, self.second_peripheral_address, ["peripheral"]),
        ):
            self._tree.objects[path] = _adapter_objects(address, roles)
        await bus.request_name(BLUEZ)
        # StartNotify and discovery sessions end when their caller leaves the bus
        rule = "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged'"
        await bus.call(
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
        self._discovery.close()
        self._tree.cancel_tasks()
        for device in self.devices:
            if device.connected:
                self._gatt.link_down(device, notify_sim=True)
        bus = self._tree.bus
        if bus is not None:
            bus.disconnect()
            with contextlib.suppress(Exception):
                await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
            self._tree.bus = None

    async def __aenter__(self) -> FakeBlueZ:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- devices and test hooks -------------------------------------------------------

    def add_device(
        self, sim: Peripheral, address: str, *, rssi: int = -60, client: int = 7
    ) -> FakeDevice:
        """Put a simulator on the air; it shows up on the next scan."""
        device = FakeDevice(sim, address, rssi, client)
        self.devices.append(device)
        return device

    def remove_device(self, device: FakeDevice) -> None:
        """BlueZ forgets the device (as bluetoothd does with temporary ones)."""
        if device.connected:
            self._gatt.link_down(device, notify_sim=True)
        if device.known:
            device.known = False
            self._tree.removed(device.path, [DEVICE])

    def inject_error(self, member: str, name: str, text: str) -> None:
        """Fail the next call of `member` (e.g. "Connect", "WriteValue") once."""
        self._inject[member] = (name, text)

    def power(self, on: bool) -> None:
        """Switch the central adapter (hci0) on or off, as `bluetoothctl power` does."""
        self._tree.props(ADAPTER_PATH, ADAPTER)["Powered"] = Variant("b", on)

    def _mirror_on(self, app: AppPeripheral, address: str) -> FakeDevice:
        """A registered app started advertising: it is a remote device from now on."""
        return self.add_device(app, address, client=0)

    def _mirror_off(self, device: FakeDevice) -> None:
        self.remove_device(device)
        self.devices.remove(device)

    def _device_at(self, path: str) -> FakeDevice | None:
        return next((d for d in self.devices if d.owns(path)), None)

    # --- dispatch -------------------------------------------------------------------

    def _handle(self, msg: Message) -> Reply:
        if msg.message_type != MessageType.METHOD_CALL:
            if msg.member == "NameOwnerChanged" and msg.body and not msg.body[2]:
                self._forget_sender(str(msg.body[0]))
            elif msg.message_type == MessageType.SIGNAL:
                self._apps.on_signal(msg)
            return None
        member = msg.member or ""
        self.calls.append(member)
        key = (msg.interface or "", member)
        plain = self._plain.get(key)
        if plain is not None:
            return plain(msg)
        injected = self._inject.pop(member, None)
        if injected is not None:
            return Message.new_error(msg, injected[0], injected[1])
        handler = self._handlers.get(key)
        try:
            if handler is not None:
                return handler(msg)
        except BluezError as exc:
            return Message.new_error(msg, exc.name, exc.text)
        path = msg.path or "/"
        if not self._tree.has(path):
            return Message.new_error(msg, UNKNOWN_OBJECT, f"no object {path}")
        return Message.new_error(msg, UNKNOWN_METHOD, f"{msg.interface}.{member}")

    def _or_central(self, handler: Handler) -> Handler:
        """Device1 calls on an app's view of its central go to the app mirror."""

        def handle(msg: Message) -> Reply:
            if self._apps.is_central(msg.path or "/"):
                return self._apps.central_call(msg)
            return handler(msg)

        return handle

    def _forget_sender(self, sender: str) -> None:
        self._apps.forget_sender(sender)
        self._discovery.forget_sender(sender)
        self._gatt.forget_sender(self.devices, sender)


def _adapter_objects(address: str, roles: list[str]) -> dict[str, Props]:
    return {
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
