"""Device GATT: Connect/Disconnect of a remote device and the calls on its GATT objects.

Reads, writes, StartNotify/StopNotify and AcquireNotify are forwarded to the
device's `Peripheral`; its notifications come back as `PropertiesChanged(Value)`
on the characteristic, or on the socket handed out by AcquireNotify. Links go
down in BlueZ's order (ServicesResolved false, GATT objects removed, Connected
false), whoever ends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
from collections.abc import Callable

from dbus_fast import Message, Variant

from treadpace_sim.att_error import ATT_WRITE_NOT_PERMITTED, AttError, LinkDown
from treadpace_sim.bluez.device import Char, FakeDevice
from treadpace_sim.bluez.tree import (
    CHARACTERISTIC,
    DESCRIPTOR,
    DEVICE,
    MTU,
    UNKNOWN_METHOD,
    UNKNOWN_OBJECT,
    BluezError,
    Handler,
    ObjectTree,
    Reply,
    err,
)

DeviceHandler = Callable[[Message, FakeDevice], Reply]
CharHandler = Callable[[Message, FakeDevice, Char], Reply]


class DeviceGatt:
    """The Device1, GattCharacteristic1 and GattDescriptor1 calls of every remote device."""

    def __init__(self, tree: ObjectTree, find: Callable[[str], FakeDevice | None]) -> None:
        self._tree = tree
        self._find = find  # the device owning an object path

    def handlers(self) -> dict[tuple[str, str], Handler]:
        device: dict[str, DeviceHandler] = {
            "Connect": self._on_connect,
            "Disconnect": self._on_disconnect,
            "Pair": lambda msg, _device: Message.new_method_return(msg),
        }
        chars: dict[str, CharHandler] = {
            "ReadValue": self._on_read,
            "WriteValue": self._on_write,
            "StartNotify": self._on_start_notify,
            "StopNotify": self._on_stop_notify,
            "AcquireNotify": self._acquire_notify,
        }
        table: dict[tuple[str, str], Handler] = {
            (DEVICE, m): self._for_device(h) for m, h in device.items()
        }
        table |= {(CHARACTERISTIC, m): self._for_char(h) for m, h in chars.items()}
        table[(DESCRIPTOR, "ReadValue")] = self._descriptor_read
        table[(DESCRIPTOR, "WriteValue")] = self._descriptor_write
        return table

    def _owner(self, msg: Message) -> FakeDevice:
        path = msg.path or "/"
        device = self._find(path)
        if device is None or not self._tree.has(path):
            raise BluezError(UNKNOWN_OBJECT, f"no object {path}")
        return device

    def _for_device(self, handler: DeviceHandler) -> Handler:
        def handle(msg: Message) -> Reply:
            device = self._owner(msg)
            if msg.path != device.path:
                raise BluezError(UNKNOWN_METHOD, f"{msg.interface}.{msg.member}")
            return handler(msg, device)

        return handle

    def _for_char(self, handler: CharHandler) -> Handler:
        def handle(msg: Message) -> Reply:
            device = self._owner(msg)
            char = device.chars.get(msg.path or "/")
            if char is None:
                raise BluezError(UNKNOWN_METHOD, f"{msg.interface}.{msg.member}")
            return handler(msg, device, char)

        return handle

    # --- device: connect / disconnect -----------------------------------------------

    def _on_connect(self, msg: Message, device: FakeDevice) -> Reply:
        return self._tree.later(msg, self._connect(msg, device))

    def _on_disconnect(self, msg: Message, device: FakeDevice) -> Reply:
        if device.connected:
            self.link_down(device, notify_sim=True)
        return Message.new_method_return(msg)

    async def _connect(self, msg: Message, device: FakeDevice) -> None:
        if device.connected:
            self._tree.reply(msg)
            return
        if not device.visible:
            await asyncio.sleep(0.005)
            raise BluezError(err("Failed"), "Software caused connection abort")
        try:
            device.sim.connect(device.client)
        except LinkDown as exc:
            raise BluezError(err("Failed"), "Software caused connection abort") from exc
        device.sim.on_link_drop(lambda: self.link_down(device, notify_sim=False), device.client)
        device.connected = True
        self._tree.changed(device.path, DEVICE, {"Connected": Variant("b", True)})
        self._tree.reply(msg)
        for path, interfaces in device.gatt_objects().items():
            self._tree.added(path, interfaces)
        self._tree.changed(device.path, DEVICE, {"ServicesResolved": Variant("b", True)})

    def link_down(self, device: FakeDevice, *, notify_sim: bool) -> None:
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
        self._tree.changed(device.path, DEVICE, {"ServicesResolved": Variant("b", False)})
        for path in device.clear_gatt():
            self._tree.removed(path)
        self._tree.changed(device.path, DEVICE, {"Connected": Variant("b", False)})

    # --- GATT -----------------------------------------------------------------------

    def _on_read(self, msg: Message, device: FakeDevice, char: Char) -> Reply:
        return self._tree.later(msg, self._read(msg, device, char))

    def _on_write(self, msg: Message, device: FakeDevice, char: Char) -> Reply:
        data = bytes(msg.body[0])
        options: dict[str, Variant] = msg.body[1]
        kind = options["type"].value if "type" in options else "request"
        return self._tree.later(msg, self._write(msg, device, char, data, kind))

    def _on_start_notify(self, msg: Message, device: FakeDevice, char: Char) -> Reply:
        if char.acquired is not None:
            raise BluezError(err("NotPermitted"), "Notify acquired")
        if not {"notify", "indicate"} & set(char.flags):
            raise BluezError(err("NotSupported"), "Operation is not supported")
        return self._tree.later(msg, self._start_notify(msg, device, char))

    def _on_stop_notify(self, msg: Message, device: FakeDevice, char: Char) -> Reply:
        if (msg.sender or "") not in char.sessions:
            raise BluezError(err("Failed"), "No notify session started")
        self.end_session(device, char, msg.sender or "")
        return Message.new_method_return(msg)

    def forget_sender(self, devices: list[FakeDevice], sender: str) -> None:
        """`sender` left the bus: its notify sessions end."""
        for device in devices:
            for char in device.chars.values():
                if sender in char.sessions:
                    self.end_session(device, char, sender)

    async def _read(self, msg: Message, device: FakeDevice, char: Char) -> None:
        if "read" not in char.flags:
            raise BluezError(err("NotPermitted"), "Read not permitted")
        try:
            value = await device.sim.read(char.uuid, client=device.client)
        except LinkDown as exc:
            raise BluezError(err("Failed"), "Not connected") from exc
        except AttError as exc:
            raise _att(exc) from exc
        self._tree.reply(msg, "ay", [value])
        self._tree.changed(char.path, CHARACTERISTIC, {"Value": Variant("ay", value)})

    async def _write(
        self, msg: Message, device: FakeDevice, char: Char, data: bytes, kind: str
    ) -> None:
        allowed = "write" if kind == "request" else "write-without-response"
        if allowed not in char.flags:
            raise BluezError(err("NotPermitted"), "Write not permitted")
        try:
            await device.sim.write(char.uuid, data, kind == "request", client=device.client)
        except LinkDown as exc:
            raise BluezError(err("Failed"), "Not connected") from exc
        except AttError as exc:
            raise _att(exc) from exc
        self._tree.reply(msg)

    async def _start_notify(self, msg: Message, device: FakeDevice, char: Char) -> None:
        await self._sim_subscribe(device, char)
        char.sessions.add(msg.sender or "")
        if not self._tree.props(char.path, CHARACTERISTIC)["Notifying"].value:
            self._tree.changed(char.path, CHARACTERISTIC, {"Notifying": Variant("b", True)})
        self._tree.reply(msg)

    async def _sim_subscribe(self, device: FakeDevice, char: Char) -> None:
        if char.subscribed:
            return
        try:
            pending = device.sim.subscribe(
                char.uuid, lambda data: self._notify(char, data), client=device.client
            )
            if inspect.isawaitable(pending):
                await pending
        except LinkDown as exc:
            raise BluezError(err("Failed"), "Not connected") from exc
        except AttError as exc:
            raise _att(exc) from exc
        char.subscribed = True

    def end_session(self, device: FakeDevice, char: Char, sender: str) -> None:
        char.sessions.discard(sender)
        if not char.sessions and char.acquired is None and char.path in self._tree.objects:
            self._sim_unsubscribe(device, char)
            self._tree.changed(char.path, CHARACTERISTIC, {"Notifying": Variant("b", False)})

    def _sim_unsubscribe(self, device: FakeDevice, char: Char) -> None:
        if char.subscribed:
            char.subscribed = False
            with contextlib.suppress(LinkDown):
                pending = device.sim.unsubscribe(char.uuid, client=device.client)
                if inspect.isawaitable(pending):
                    self._tree.background(pending)

    def _notify(self, char: Char, data: bytes) -> None:
        if char.acquired is not None:
            with contextlib.suppress(OSError):
                char.acquired.send(data)
            return
        if char.sessions and char.path in self._tree.objects:
            self._tree.changed(char.path, CHARACTERISTIC, {"Value": Variant("ay", bytes(data))})

    def _acquire_notify(self, msg: Message, device: FakeDevice, char: Char) -> Reply:
        if char.acquired is not None or char.sessions:
            raise BluezError(err("NotPermitted"), "Notify acquired")
        if not {"notify", "indicate"} & set(char.flags):
            raise BluezError(err("NotSupported"), "Operation is not supported")
        return self._tree.later(msg, self._acquire(msg, device, char))

    async def _acquire(self, msg: Message, device: FakeDevice, char: Char) -> None:
        await self._sim_subscribe(device, char)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.setblocking(False)
        char.acquired = ours
        loop = asyncio.get_running_loop()
        loop.add_reader(ours.fileno(), self._acquired_readable, device, char)
        self._tree.changed(char.path, CHARACTERISTIC, {"NotifyAcquired": Variant("b", True)})
        sent = self._tree.send(Message.new_method_return(msg, "hq", [0, MTU], [theirs.fileno()]))
        sent.add_done_callback(lambda _f: theirs.close())

    def _acquired_readable(self, device: FakeDevice, char: Char) -> None:
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
            if char.path in self._tree.objects:
                self._sim_unsubscribe(device, char)
                self._tree.changed(
                    char.path, CHARACTERISTIC, {"NotifyAcquired": Variant("b", False)}
                )

    def _release_acquired(self, char: Char) -> None:
        sock, char.acquired = char.acquired, None
        if sock is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(sock.fileno())
            sock.close()

    def _descriptor_read(self, msg: Message) -> Reply:
        self._owner(msg)
        value = self._tree.props(msg.path or "/", DESCRIPTOR)["Value"].value
        return Message.new_method_return(msg, "ay", [value])

    def _descriptor_write(self, msg: Message) -> Reply:
        self._owner(msg)
        raise BluezError(err("NotPermitted"), "Write not permitted")


def _att(exc: AttError) -> BluezError:
    """An ATT error as bluetoothd reports it (bleak maps these names and texts)."""
    if exc.code == ATT_WRITE_NOT_PERMITTED:
        return BluezError(err("NotPermitted"), "Write not permitted")
    return BluezError(err("Failed"), f"Operation failed with ATT error: 0x{exc.code:02x}")
