"""A remote LE device as the stand-in shows it on hci0: its `Device1` and its GATT tree.

`Peripheral` is what a device is backed by (the simulator, or a registered GATT
app mirrored by `mirror.AppPeripheral`). `FakeDevice` turns that into BlueZ's
properties and BlueZ's handle-based object paths; the calls on those objects
are `gatt.DeviceGatt`'s.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from dbus_fast import Variant

from treadpace_sim.bluez.tree import (
    ADAPTER_PATH,
    CCCD,
    CHARACTERISTIC,
    DESCRIPTOR,
    MTU,
    SERVICE,
    Props,
)


class Peripheral(Protocol):
    """What the facade needs of a remote device: `SimulatedTreadmill` has exactly this;
    a registered GATT application (`mirror.AppPeripheral`) offers it too.

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


@dataclass
class Char:
    """One characteristic of a connected device, and who is listening to it."""

    uuid: str
    path: str
    flags: list[str]
    sessions: set[str] = field(default_factory=set)  # StartNotify callers (unique names)
    acquired: socket.socket | None = None
    subscribed: bool = False  # the simulator's CCCD is on


class FakeDevice:
    """One simulated treadmill as BlueZ shows it (remote device on hci0)."""

    def __init__(self, sim: Peripheral, address: str, rssi: int, client: int) -> None:
        self.sim = sim
        self.address = address.upper()
        self.path = f"{ADAPTER_PATH}/dev_{self.address.replace(':', '_')}"
        self.rssi = rssi
        self.client = client
        self.advertising = True
        self.connected = False
        self.known = False  # exported on the bus (seen by a scan)
        self.chars: dict[str, Char] = {}  # by path
        self._gatt_paths: list[str] = []

    @property
    def name(self) -> str | None:
        return self.sim.advertisement()[0]

    @property
    def visible(self) -> bool:
        return self.advertising and self.sim.reachable

    def owns(self, path: str) -> bool:
        """`path` is this device or an object in its GATT tree."""
        return path == self.path or path.startswith(self.path + "/")

    def clear_gatt(self) -> list[str]:
        """Forget the GATT tree (the link is down); its paths, last first, to remove."""
        paths, self._gatt_paths = self._gatt_paths, []
        self.chars = {}
        return list(reversed(paths))

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
                self.chars[cpath] = Char(uuid, cpath, flags)
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
