"""The app mirror's registry: GattManager1 and LEAdvertisingManager1 on every adapter.

A GATT application registered by a bus client, once it also registers an
advertisement, becomes a remote device on hci0 (`mirror.AppPeripheral` behind a
`FakeDevice`), so a central on the same bus can scan and connect to it as it
would to a second machine. While a central is connected, the app sees it as a
`Device1` under its own adapter; `Disconnect` on that object is the app hanging
up. Everything a client registered goes when it leaves the bus.

One advertising app per adapter: bluetoothd would serve a second app's GATT tree
from the same address, as one device; the mirror refuses the second advertisement
rather than pretend it is a second machine (hci1 and hci2 are two radios).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from treadpace_sim.bluez.device import FakeDevice
from treadpace_sim.bluez.mirror import AppPeripheral
from treadpace_sim.bluez.tree import (
    ADAPTER,
    ADAPTER_PATH,
    ADVERTISING_MANAGER,
    DEVICE,
    GATT_MANAGER,
    OBJECT_MANAGER,
    PERIPHERAL_ADAPTER_PATH,
    PROPERTIES,
    SECOND_PERIPHERAL_ADAPTER_PATH,
    UNKNOWN_OBJECT,
    BluezError,
    Handler,
    ObjectTree,
    Props,
    Reply,
    err,
)

AppHandler = Callable[[Message, tuple[str, str]], Reply]

_ADAPTERS = (ADAPTER_PATH, PERIPHERAL_ADAPTER_PATH, SECOND_PERIPHERAL_ADAPTER_PATH)


class AppMirror:
    """Registered apps (by sender and adapter), their mirrored devices and their centrals."""

    def __init__(
        self,
        tree: ObjectTree,
        adapter_address: str,
        mirror_on: Callable[[AppPeripheral, str], FakeDevice],
        mirror_off: Callable[[FakeDevice], None],
    ) -> None:
        self._tree = tree
        self.adapter_address = adapter_address  # the central's, as the app sees it
        self._mirror_on = mirror_on
        self._mirror_off = mirror_off
        self._apps: dict[tuple[str, str], AppPeripheral] = {}  # (sender, adapter) -> app
        self._app_devices: dict[int, FakeDevice] = {}
        self._centrals: dict[str, AppPeripheral] = {}

    @property
    def bus(self) -> MessageBus | None:
        return self._tree.bus

    def handlers(self) -> dict[tuple[str, str], Handler]:
        table: dict[tuple[str, str], AppHandler] = {
            (GATT_MANAGER, "RegisterApplication"): self._on_register_app,
            (GATT_MANAGER, "UnregisterApplication"): self._on_unregister_app,
            (ADVERTISING_MANAGER, "RegisterAdvertisement"): self._on_register_adv,
            (ADVERTISING_MANAGER, "UnregisterAdvertisement"): self._on_unregister_adv,
        }
        return {key: self._on_manager(h) for key, h in table.items()}

    def is_central(self, path: str) -> bool:
        return path in self._centrals

    def central_call(self, msg: Message) -> Reply:
        """A Device1 call on the app's view of its central."""
        if msg.member == "Disconnect":  # the peripheral app hangs up on its central
            self._centrals[msg.path or ""].drop_link()
            return Message.new_method_return(msg)
        raise BluezError(err("NotSupported"), "Operation is not supported")

    def on_signal(self, msg: Message) -> None:
        for app in list(self._apps.values()):
            if app.sender == msg.sender:
                app.on_signal(msg)

    def forget_sender(self, sender: str) -> None:
        for key in [k for k in self._apps if k[0] == sender]:
            self._drop_app(key)

    def _on_manager(self, handler: AppHandler) -> Handler:
        def handle(msg: Message) -> Reply:
            adapter = msg.path or "/"
            if adapter not in _ADAPTERS:
                raise BluezError(UNKNOWN_OBJECT, f"no object {adapter}")
            return handler(msg, (msg.sender or "", adapter))

        return handle

    def _on_register_app(self, msg: Message, key: tuple[str, str]) -> Reply:
        return self._tree.later(msg, self._register_app(msg, key, str(msg.body[0])))

    def _on_unregister_app(self, msg: Message, key: tuple[str, str]) -> Reply:
        if key not in self._apps:
            raise BluezError(err("DoesNotExist"), "Does Not Exist")
        self._drop_app(key)
        return Message.new_method_return(msg)

    def _on_register_adv(self, msg: Message, key: tuple[str, str]) -> Reply:
        return self._tree.later(msg, self._register_adv(msg, key, str(msg.body[0])))

    def _on_unregister_adv(self, msg: Message, key: tuple[str, str]) -> Reply:
        app = self._apps.get(key)
        if app is None or app.adv_path != str(msg.body[0]):
            raise BluezError(err("DoesNotExist"), "Does Not Exist")
        self._set_advertising(app, None, {})
        return Message.new_method_return(msg)

    async def _ask(self, dest: str, path: str, iface: str, member: str, body: list[Any]) -> Any:
        assert self._tree.bus is not None
        reply = await self._tree.bus.call(
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
            raise BluezError(err("Failed"), f"{member} on {path} failed")
        return reply.body[0] if reply.body else None

    async def _register_app(self, msg: Message, key: tuple[str, str], root: str) -> None:
        if key in self._apps:
            raise BluezError(err("AlreadyExists"), "Already Exists")
        objects = await self._ask(key[0], root, OBJECT_MANAGER, "GetManagedObjects", [])
        app = AppPeripheral(self, key[0], key[1], root, objects)
        if not app.characteristics():
            raise BluezError(err("InvalidArguments"), "No GATT characteristics")
        self._apps[key] = app
        assert self._tree.bus is not None
        rule = f"type='signal',sender='{key[0]}',member='PropertiesChanged'"
        await self._ask(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "AddMatch",
            [rule],
        )
        self._tree.reply(msg)

    async def _register_adv(self, msg: Message, key: tuple[str, str], path: str) -> None:
        app = self._apps.get(key)
        if app is None:
            # bluetoothd takes advertisements without an app; the mirror needs the GATT tree
            raise BluezError(err("Failed"), "register the GATT application first")
        if any(
            other is not app and other.adapter_path == app.adapter_path and other.adv_path
            for other in self._apps.values()
        ):
            # bluetoothd would serve both GATT trees from the adapter's one address; the
            # mirror makes one device of one app, so it says so instead of faking a second
            raise BluezError(
                err("Failed"),
                f"{app.adapter_path} already advertises an application (the stand-in mirrors "
                "one per adapter: register the second on another adapter)",
            )
        props = await self._ask(key[0], path, PROPERTIES, "GetAll", ["org.bluez.LEAdvertisement1"])
        self._set_advertising(app, path, props)
        self._tree.reply(msg)

    def _set_advertising(self, app: AppPeripheral, path: str | None, props: Props) -> None:
        app.set_advertisement(path, props)
        count = sum(1 for a in self._apps.values() if a.adv_path is not None)
        self._tree.changed(
            app.adapter_path, ADVERTISING_MANAGER, {"ActiveInstances": Variant("y", count)}
        )
        device = self._app_devices.get(id(app))
        if path is not None and device is None:
            address = str(self._tree.props(app.adapter_path, ADAPTER)["Address"].value)
            self._app_devices[id(app)] = self._mirror_on(app, address)

    def _drop_app(self, key: tuple[str, str]) -> None:
        app = self._apps.pop(key, None)
        if app is None:
            return
        device = self._app_devices.pop(id(app), None)
        if device is not None:
            self._mirror_off(device)
        if app.central_path is not None:
            self.remove_central(app.central_path)

    def export_central(self, app: AppPeripheral, path: str, props: Props) -> None:
        """The app's view of the central that connected to it."""
        self._centrals[path] = app
        self._tree.added(path, {DEVICE: props})

    def remove_central(self, path: str) -> None:
        if self._centrals.pop(path, None) is None:
            return
        self._tree.changed(path, DEVICE, {"Connected": Variant("b", False)})
        self._tree.removed(path, [DEVICE])
