"""The simulator's footpod as a Bluetooth LE device of its own (`treadpace simulate --ble`).

A runner's footpod is a second radio beside the treadmill: it advertises under its
own name (the model's `footpod.local_name`) with the Running Speed and Cadence
service (0x1814), and notifies what the simulated pod on the runner's shoe
measures (`SimulatedTreadmill.subscribe_footpod`, the belt's *true* speed), so the
client that reads a real Stryd (`treadpace.treadmill.footpod.BleFootpod`) can be
run against it unchanged.

It is a `treadpace.peripheral.GattApp` like the treadmill, registered on its own
adapter: BlueZ serves one GATT database per adapter, so two devices need two
radios (on a desk, a USB dongle beside the built-in one; in tests, the stand-in's
hci2). Nothing written to it can reach the belt: it has no write path at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from dbus_fast import DBusError

from treadpace.ftms.rsc import (
    RscFeature,
    RscFeatureBit,
    SensorLocation,
    SensorLocationCode,
    encode_rsc_feature,
    encode_sensor_location,
)
from treadpace.ftms.uuids import RSC_FEATURE, RSC_MEASUREMENT, RSC_SERVICE, SENSOR_LOCATION
from treadpace.peripheral import GattApp, GattError
from treadpace.peripheral.bluez_app import Push
from treadpace_sim.att_error import FrontEndError
from treadpace_sim.treadmill import SimulatedTreadmill

log = logging.getLogger(__name__)

ROOT = "/org/treadpace/footpod"

FEATURES = (
    RscFeatureBit.STRIDE_LENGTH
    | RscFeatureBit.TOTAL_DISTANCE
    | RscFeatureBit.WALKING_OR_RUNNING_STATUS
)
"""What the simulated pod's measurements carry (footpod.Footpod.measurement)."""


class FootpodServer:
    """A `GattServer` over the simulator's footpod (the model must have one)."""

    def __init__(self, sim: SimulatedTreadmill) -> None:
        spec = sim.model.footpod
        if spec is None:
            raise ValueError(f"model {sim.model.name} has no footpod")
        self.sim = sim
        self.local_name = spec.local_name
        self.app: GattApp | None = None
        self._push: Push | None = None
        self.centrals: set[str] = set()

    def services(self) -> dict[str, list[str]]:
        return {RSC_SERVICE: [RSC_MEASUREMENT, RSC_FEATURE, SENSOR_LOCATION]}

    def characteristics(self) -> dict[str, frozenset[str]]:
        read = frozenset({"read"})
        return {RSC_MEASUREMENT: frozenset({"notify"}), RSC_FEATURE: read, SENSOR_LOCATION: read}

    def advertisement(self) -> tuple[str | None, list[str], dict[str, bytes]]:
        return self.local_name, [RSC_SERVICE], {}

    async def read(self, uuid: str, device: str) -> bytes:
        if uuid == RSC_FEATURE:
            return encode_rsc_feature(RscFeature(FEATURES))
        if uuid == SENSOR_LOCATION:
            return encode_sensor_location(SensorLocation(SensorLocationCode.IN_SHOE))
        raise GattError("NotPermitted", "Read not permitted")

    async def write(self, uuid: str, data: bytes, with_response: bool, device: str) -> None:
        raise GattError("NotPermitted", "Write not permitted")

    def start_notify(self, uuid: str, push: Push) -> None:
        if uuid != RSC_MEASUREMENT:
            raise GattError("NotSupported", "Operation is not supported")
        self.stop_notify(uuid)
        self._push = push
        self.sim.subscribe_footpod(push)

    def stop_notify(self, uuid: str) -> None:
        push, self._push = self._push, None
        if push is not None:
            self.sim.unsubscribe_footpod(push)

    def central_connected(self, device: str) -> None:
        self.centrals.add(device)

    def central_gone(self, device: str) -> None:
        self.centrals.discard(device)
        if not self.centrals:
            # the link is gone: nobody is subscribed any more, and the next central's
            # StartNotify must start afresh
            if self.app is not None:
                self.app.stop_notifications()
            self.stop_notify(RSC_MEASUREMENT)


class FootpodApp:
    """Serve the simulator's footpod as a GATT peripheral on `adapter` until `stop()`."""

    def __init__(
        self, sim: SimulatedTreadmill, *, adapter: str = "hci0", bus_address: str | None = None
    ) -> None:
        self.server = FootpodServer(sim)
        self._app = GattApp(self.server, root=ROOT, adapter=adapter, bus_address=bus_address)
        self.server.app = self._app

    async def start(self) -> None:
        await self._app.start()

    async def stop(self) -> None:
        self.server.stop_notify(RSC_MEASUREMENT)
        self._app.forget_notifications()
        await self._app.stop()


async def serve(sim: SimulatedTreadmill, adapter: str) -> None:
    """Be the model's footpod on `adapter` until cancelled (FrontEndError if BlueZ refuses).

    A model without a footpod has nothing to serve: this returns at once.
    """
    if sim.model.footpod is None:
        return
    app = FootpodApp(sim, adapter=adapter)
    try:
        await app.start()
    except (OSError, RuntimeError, DBusError) as exc:
        await app.stop()
        raise FrontEndError(f"--ble: cannot register the footpod on {adapter}: {exc}") from None
    log.info("advertising the footpod %s on %s", app.server.local_name, adapter)
    try:
        await asyncio.Event().wait()
    finally:
        await app.stop()


def front_end(adapter: str) -> Callable[[SimulatedTreadmill], Coroutine[Any, Any, None]]:
    """A `treadpace simulate` front end serving the model's footpod (if it has one)."""

    async def run(sim: SimulatedTreadmill) -> None:
        await serve(sim, adapter)

    return run
