"""The stand-in's object tree: what `org.bluez` exports, and how it talks on the bus.

Every other part of the stand-in (discovery, device GATT, the app mirror) changes
objects only through this: `added`/`removed`/`changed` keep the table and emit
`InterfacesAdded`/`InterfacesRemoved`/`PropertiesChanged` as bluetoothd does, and
`later` answers a call once a coroutine has run (a D-Bus error if it raised
`BluezError`). The standard interfaces (Introspectable, ObjectManager,
Properties) are answered here from the same table, so bleak sees one consistent
view.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from dbus_fast import Message, Variant
from dbus_fast.aio import MessageBus

log = logging.getLogger(__name__)

BLUEZ = "org.bluez"
ADAPTER_PATH = "/org/bluez/hci0"
PERIPHERAL_ADAPTER_PATH = "/org/bluez/hci1"
SECOND_PERIPHERAL_ADAPTER_PATH = "/org/bluez/hci2"
"""A second peripheral radio: a device of its own (the simulated footpod beside the belt)."""
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
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
UNKNOWN_OBJECT = "org.freedesktop.DBus.Error.UnknownObject"
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"
CCCD = "00002902-0000-1000-8000-00805f9b34fb"
MTU = 247

Props = dict[str, Variant]
Reply = Message | bool | None
"""A handler's answer: a message to send now, True when `later` will answer, None for none."""
Handler = Callable[[Message], Reply]


def err(name: str) -> str:
    return f"org.bluez.Error.{name}"


class BluezError(Exception):
    """Answer the current call with this D-Bus error."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(text)
        self.name = name
        self.text = text


class ObjectTree:
    """The exported objects (path -> interface -> properties) and the bus they live on."""

    def __init__(self) -> None:
        self.bus: MessageBus | None = None
        self.objects: dict[str, dict[str, Props]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def has(self, path: str) -> bool:
        return path in self.objects

    def props(self, path: str, iface: str) -> Props:
        return self.objects[path][iface]

    # --- changes, with their signals ----------------------------------------------

    def signal(self, path: str, iface: str, member: str, sig: str, body: list[Any]) -> None:
        if self.bus is not None:
            self.bus.send(Message.new_signal(path, iface, member, sig, body))

    def changed(self, path: str, iface: str, changes: Props) -> None:
        props = self.objects.get(path, {}).get(iface)
        if props is not None:
            props.update(changes)
        self.signal(path, PROPERTIES, "PropertiesChanged", "sa{sv}as", [iface, changes, []])

    def added(self, path: str, interfaces: dict[str, Props]) -> None:
        self.objects[path] = interfaces
        self.signal("/", OBJECT_MANAGER, "InterfacesAdded", "oa{sa{sv}}", [path, interfaces])

    def removed(self, path: str, interfaces: list[str] | None = None) -> None:
        """Drop the object; announce `interfaces` (default: all it had) as removed."""
        ifaces = self.objects.pop(path, None)
        names = interfaces if interfaces is not None else list(ifaces or {})
        if interfaces is not None or ifaces is not None:
            self.signal("/", OBJECT_MANAGER, "InterfacesRemoved", "oas", [path, names])

    # --- answers ----------------------------------------------------------------------

    def reply(self, msg: Message, sig: str = "", body: list[Any] | None = None) -> None:
        if self.bus is not None:
            self.bus.send(Message.new_method_return(msg, sig, body or []))

    def send(self, msg: Message) -> asyncio.Future[None]:
        """Send now (the future is done once the message, and any fds, are on the wire)."""
        assert self.bus is not None
        return self.bus.send(msg)

    def fail(self, msg: Message, name: str, text: str) -> None:
        if self.bus is not None:
            self.bus.send(Message.new_error(msg, name, text))

    def later(self, msg: Message, coro: Coroutine[Any, Any, None]) -> bool:
        """Answer `msg` from `coro` (it replies itself; a raise becomes the error reply)."""

        async def run() -> None:
            try:
                await coro
            except BluezError as exc:
                self.fail(msg, exc.name, exc.text)
            except Exception as exc:  # a facade bug must surface as an error, not a hang
                log.exception("fake bluez: %s failed", msg.member)
                self.fail(msg, err("Failed"), str(exc))

        self._spawn(run())
        return True

    def background(self, aw: Awaitable[Any]) -> None:
        async def run() -> None:
            with contextlib.suppress(Exception):
                await aw

        self._spawn(run())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        name = f"bluez {getattr(coro, '__qualname__', 'call')}"
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    # --- the standard interfaces ------------------------------------------------------

    def handlers(self) -> dict[tuple[str, str], Handler]:
        return {
            (INTROSPECTABLE, "Introspect"): self._introspect,
            (OBJECT_MANAGER, "GetManagedObjects"): self._managed_objects,
            (PROPERTIES, "Get"): self._properties,
            (PROPERTIES, "GetAll"): self._properties,
            (PROPERTIES, "Set"): self._properties,
        }

    def _managed_objects(self, msg: Message) -> Message:
        return Message.new_method_return(msg, "a{oa{sa{sv}}}", [self.objects])

    def _introspect(self, msg: Message) -> Message:
        path = msg.path or "/"
        prefix = path.rstrip("/") + "/"
        children = sorted(
            {p[len(prefix) :].split("/")[0] for p in self.objects if p.startswith(prefix)}
        )
        ifaces = "".join(f'<interface name="{i}"/>' for i in self.objects.get(path, {}))
        nodes = "".join(f'<node name="{c}"/>' for c in children)
        return Message.new_method_return(msg, "s", [f"<node>{ifaces}{nodes}</node>"])

    def _properties(self, msg: Message) -> Message:
        path = msg.path or "/"
        ifaces = self.objects.get(path)
        if ifaces is None:
            return Message.new_error(msg, UNKNOWN_OBJECT, path)
        iface = str(msg.body[0]) if msg.body else ""
        props = ifaces.get(iface)
        if props is None:
            return Message.new_error(msg, INVALID_ARGS, iface)
        if msg.member == "GetAll":
            return Message.new_method_return(msg, "a{sv}", [props])
        if msg.member == "Get":
            value = props.get(str(msg.body[1]))
            if value is None:
                return Message.new_error(msg, INVALID_ARGS, "no such")
            return Message.new_method_return(msg, "v", [value])
        name, value = str(msg.body[1]), msg.body[2]
        self.changed(path, iface, {name: value})
        return Message.new_method_return(msg)
