"""Discovery on hci0: per-caller filters and sessions, and the advertising loop.

While anyone discovers, every visible device that passes some caller's UUID
filter is exported (`InterfacesAdded`) the first time and then reported again as
an RSSI change, as a radio hearing repeated advertisements would. Sessions end
with StopDiscovery or when their caller leaves the bus. `Adapter1.RemoveDevice`
is here too: it is how a scanner makes BlueZ forget what it saw.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from dbus_fast import Message, Variant

from treadpace_sim.bluez.device import FakeDevice
from treadpace_sim.bluez.tree import (
    ADAPTER,
    ADAPTER_PATH,
    DEVICE,
    UNKNOWN_OBJECT,
    BluezError,
    Handler,
    ObjectTree,
    Reply,
    err,
)


class Discovery:
    """The Adapter1 calls of the central adapter, and what they start."""

    def __init__(
        self,
        tree: ObjectTree,
        devices: list[FakeDevice],
        remove: Callable[[FakeDevice], None],
        interval: Callable[[], float],
    ) -> None:
        self._tree = tree
        self._devices = devices  # the facade's list, shared (devices come and go)
        self._remove = remove
        self._interval = interval
        self._sessions: dict[str, list[str]] = {}  # sender -> UUIDs filter
        self._filters: dict[str, list[str]] = {}
        self._advertiser: asyncio.Task[None] | None = None

    def handlers(self) -> dict[tuple[str, str], Handler]:
        table: dict[str, Handler] = {
            "SetDiscoveryFilter": self._set_filter,
            "StartDiscovery": self._start,
            "StopDiscovery": self._stop,
            "RemoveDevice": self._remove_device,
            "GetDiscoveryFilters": self._get_filters,
        }
        return {(ADAPTER, m): _on_adapter(h) for m, h in table.items()}

    def close(self) -> None:
        if self._advertiser is not None:
            self._advertiser.cancel()

    def forget_sender(self, sender: str) -> None:
        if self._sessions.pop(sender, None) is not None:
            self._changed()
        self._filters.pop(sender, None)

    def _set_filter(self, msg: Message) -> Reply:
        flt: dict[str, Variant] = msg.body[0]
        uuids = flt.get("UUIDs")
        self._filters[msg.sender or ""] = [str(u).lower() for u in uuids.value] if uuids else []
        return Message.new_method_return(msg)

    def _start(self, msg: Message) -> Reply:
        sender = msg.sender or ""
        if sender in self._sessions:
            raise BluezError(err("InProgress"), "Operation already in progress")
        self._sessions[sender] = self._filters.get(sender, [])
        self._changed()
        return Message.new_method_return(msg)

    def _stop(self, msg: Message) -> Reply:
        if self._sessions.pop(msg.sender or "", None) is None:
            raise BluezError(err("Failed"), "No discovery started")
        self._changed()
        return Message.new_method_return(msg)

    def _remove_device(self, msg: Message) -> Reply:
        path = str(msg.body[0])
        device = next((d for d in self._devices if d.owns(path)), None)
        if device is None or not device.known:
            raise BluezError(err("DoesNotExist"), "Does Not Exist")
        self._remove(device)
        return Message.new_method_return(msg)

    def _get_filters(self, msg: Message) -> Reply:
        return Message.new_method_return(msg, "as", [["UUIDs", "Transport"]])

    def _changed(self) -> None:
        on = bool(self._sessions)
        if self._tree.props(ADAPTER_PATH, ADAPTER)["Discovering"].value != on:
            self._tree.changed(ADAPTER_PATH, ADAPTER, {"Discovering": Variant("b", on)})
        if on and (self._advertiser is None or self._advertiser.done()):
            loop = asyncio.get_running_loop()
            self._advertiser = loop.create_task(self._advertise(), name="advertise")
        elif not on and self._advertiser is not None:
            self._advertiser.cancel()
            self._advertiser = None

    def _wanted(self, device: FakeDevice) -> bool:
        _, uuids, _ = device.sim.advertisement()
        for flt in self._sessions.values():
            if not flt or set(flt) & {u.lower() for u in uuids}:
                return True
        return False

    async def _advertise(self) -> None:
        """While anyone discovers: report each advertising device (new, or an RSSI change)."""
        wobble = 0
        while True:
            wobble ^= 1
            for device in self._devices:
                if not device.visible or not self._wanted(device):
                    continue
                if not device.known:
                    device.known = True
                    self._tree.added(device.path, {DEVICE: device.device_props()})
                else:
                    rssi = Variant("n", device.rssi - wobble)
                    self._tree.changed(device.path, DEVICE, {"RSSI": rssi})
            # the advertising interval of a radio: real time, not the simulator's clock
            await asyncio.sleep(self._interval())


def _on_adapter(handler: Handler) -> Handler:
    """Adapter1 is only on hci0 (hci1 is the peripheral's radio)."""

    def handle(msg: Message) -> Reply:
        if msg.path != ADAPTER_PATH:
            raise BluezError(UNKNOWN_OBJECT, f"no object {msg.path}")
        return handler(msg)

    return handle
