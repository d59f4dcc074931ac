"""A registered GATT application + advertisement, mirrored as a remote device.

This is what two radios do between them: a peripheral app registered with
`GattManager1.RegisterApplication` and `LEAdvertisingManager1.RegisterAdvertisement`
on one adapter (hci1, peripheral role) appears to a central on hci0 as a
`Device1` with the app's GATT tree. `AppPeripheral` offers the facade the same
surface as the simulator (`device.Peripheral`) and forwards every operation to
the app over D-Bus, in the shape bluetoothd uses (ReadValue/WriteValue options
`device`, `mtu`, `link`, `offset`, `type`; StartNotify/StopNotify; the app's
`Value` changes become notifications). While a central is connected, the app
sees it as a `Device1` under its own adapter; calling `Disconnect` on that
object ends the link, as with real BlueZ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from treadpace_sim.bluez.tree import BluezError, Props

GATT_CHAR = "org.bluez.GattCharacteristic1"
GATT_SERVICE = "org.bluez.GattService1"


class Host(Protocol):
    """What an app needs of the stand-in (`apps.AppMirror`): the bus, and its centrals."""

    @property
    def adapter_address(self) -> str: ...

    @property
    def bus(self) -> MessageBus | None: ...

    def export_central(self, app: AppPeripheral, path: str, props: Props) -> None: ...

    def remove_central(self, path: str) -> None: ...


class AppPeripheral:
    """One registered application (of one bus client) on one adapter."""

    def __init__(
        self,
        bluez: Host,
        sender: str,
        adapter_path: str,
        app_path: str,
        objects: dict[str, dict[str, dict[str, Variant]]],
    ) -> None:
        self.bluez = bluez
        self.sender = sender
        self.adapter_path = adapter_path
        self.app_path = app_path
        self.adv_path: str | None = None
        self._adv: dict[str, Variant] = {}
        self._services: dict[str, list[str]] = {}
        self._flags: dict[str, frozenset[str]] = {}
        self._char_paths: dict[str, str] = {}
        self._path_uuid: dict[str, str] = {}
        service_uuid = {
            path: str(ifaces[GATT_SERVICE]["UUID"].value)
            for path, ifaces in objects.items()
            if GATT_SERVICE in ifaces
        }
        for path in sorted(objects):
            char = objects[path].get(GATT_CHAR)
            if char is None:
                continue
            uuid = str(char["UUID"].value).lower()
            service = service_uuid.get(str(char["Service"].value))
            if service is None:
                continue
            self._services.setdefault(service.lower(), []).append(uuid)
            self._flags[uuid] = frozenset(str(f) for f in char["Flags"].value)
            self._char_paths[uuid] = path
            self._path_uuid[path] = uuid
        self._callbacks: dict[str, Callable[[bytes], None]] = {}
        self._drop: list[Callable[[], None]] = []
        self.central_path: str | None = None

    # --- what the facade asks ----------------------------------------------------------

    @property
    def reachable(self) -> bool:
        return self.adv_path is not None

    def set_advertisement(self, path: str | None, props: dict[str, Variant]) -> None:
        self.adv_path = path
        self._adv = props

    def advertisement(self) -> tuple[str | None, list[str], dict[str, bytes]]:
        name = self._adv.get("LocalName")
        uuids = self._adv.get("ServiceUUIDs")
        data = self._adv.get("ServiceData")
        return (
            str(name.value) if name is not None else None,
            [str(u).lower() for u in uuids.value] if uuids is not None else [],
            {str(k).lower(): bytes(v.value) for k, v in data.value.items()} if data else {},
        )

    def services(self) -> dict[str, list[str]]:
        return self._services

    def characteristics(self) -> dict[str, frozenset[str]]:
        return self._flags

    def connect(self, client: int = 0) -> None:
        address = self.bluez.adapter_address
        self.central_path = f"{self.adapter_path}/dev_{address.replace(':', '_')}"
        props: Props = {
            "Address": Variant("s", address),
            "AddressType": Variant("s", "public"),
            "Alias": Variant("s", "central"),
            "Adapter": Variant("o", self.adapter_path),
            "Connected": Variant("b", True),
            "ServicesResolved": Variant("b", False),
            "Paired": Variant("b", False),
            "Trusted": Variant("b", False),
            "UUIDs": Variant("as", []),
        }
        self.bluez.export_central(self, self.central_path, props)

    def disconnect(self, client: int = 0) -> None:
        self._callbacks.clear()
        path, self.central_path = self.central_path, None
        if path is not None:
            self.bluez.remove_central(path)

    def on_link_drop(self, callback: Callable[[], None], client: int = 0) -> None:
        self._drop.append(callback)

    def drop_link(self, down_for: float = 0.0) -> None:
        """The radio link is lost (both sides notice)."""
        callbacks, self._drop = self._drop, []
        for cb in callbacks:
            cb()
        self.disconnect()

    def _options(self, **extra: Variant) -> dict[str, Variant]:
        return {
            "device": Variant("o", self.central_path or self.adapter_path),
            "mtu": Variant("q", 247),
            "link": Variant("s", "LE"),
            **extra,
        }

    async def read(self, uuid: str, *, client: int = 0) -> bytes:
        reply = await self._call(
            uuid, "ReadValue", "a{sv}", [self._options(offset=Variant("q", 0))]
        )
        return bytes(reply.body[0])

    async def write(
        self, uuid: str, data: bytes, with_response: bool = True, *, client: int = 0
    ) -> None:
        kind = Variant("s", "request" if with_response else "command")
        await self._call(
            uuid,
            "WriteValue",
            "aya{sv}",
            [bytes(data), self._options(type=kind, offset=Variant("q", 0))],
        )

    async def subscribe(
        self, uuid: str, callback: Callable[[bytes], None], *, client: int = 0
    ) -> None:
        self._callbacks[self._char_paths[uuid]] = callback
        await self._call(uuid, "StartNotify", "", [])

    async def unsubscribe(self, uuid: str, *, client: int = 0) -> None:
        self._callbacks.pop(self._char_paths.get(uuid, ""), None)
        if self.central_path is not None:
            await self._call(uuid, "StopNotify", "", [])

    # --- from the app -------------------------------------------------------------------

    def on_signal(self, msg: Message) -> None:
        """The app's `Value` changed on a notifying characteristic: that is a notification."""
        if msg.member != "PropertiesChanged" or not msg.body or msg.body[0] != GATT_CHAR:
            return
        value = msg.body[1].get("Value")
        callback = self._callbacks.get(msg.path or "")
        if value is not None and callback is not None:
            callback(bytes(value.value))

    async def _call(self, uuid: str, member: str, sig: str, body: list[Any]) -> Message:
        path = self._char_paths.get(uuid)
        bus = self.bluez.bus
        if path is None or bus is None:
            raise BluezError("org.bluez.Error.Failed", "Not connected")
        reply = await bus.call(
            Message(
                destination=self.sender,
                path=path,
                interface=GATT_CHAR,
                member=member,
                signature=sig,
                body=body,
            )
        )
        assert reply is not None
        if reply.message_type == MessageType.ERROR:
            text = str(reply.body[0]) if reply.body else ""
            raise BluezError(reply.error_name or "org.bluez.Error.Failed", text)
        return reply
