"""The broadcast's GATT server: a footpod (RSC 0x1814) and a read-only treadmill (FTMS 0x1826).

It serves what a `BroadcastFeed` says and what the real belt's Feature and ranges
are; it has no path to the real treadmill at all, so no write from a watch or an
app can reach the belt. The FTMS Control Point exists because apps look for it,
and answers every request with "control not permitted" (`80 <op> 05`). The RSC
SC Control Point takes Set Cumulative Value (a watch resetting the footpod's
total), which changes only what the footpod reports.

A central counts as connected once it uses the GATT tree (a read, a write, or a
subscription while its `Device1` is connected): on an adapter shared with the
treadmill, the treadmill's own `Device1` is connected too and must not count.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from treadpace.broadcast.feed import BroadcastFeed
from treadpace.ftms.control_point import ControlResponse, ResultCode, encode_control_response
from treadpace.ftms.decode_error import FtmsDecodeError
from treadpace.ftms.feature import Feature, MachineFeature, TargetFeature, encode_feature
from treadpace.ftms.ranges import (
    InclinationRange,
    SpeedRange,
    encode_inclination_range,
    encode_speed_range,
)
from treadpace.ftms.rsc import (
    RscFeature,
    RscFeatureBit,
    ScOp,
    ScResponse,
    ScResult,
    SensorLocation,
    SensorLocationCode,
    decode_sc_request,
    encode_rsc_feature,
    encode_rsc_measurement,
    encode_sc_response,
    encode_sensor_location,
)
from treadpace.ftms.treadmill_data import encode_treadmill_data
from treadpace.ftms.uuids import (
    CONTROL_POINT,
    FEATURE,
    FTMS_SERVICE,
    INCLINATION_RANGE,
    RSC_FEATURE,
    RSC_MEASUREMENT,
    RSC_SERVICE,
    SC_CONTROL_POINT,
    SENSOR_LOCATION,
    SPEED_RANGE,
    TREADMILL_DATA,
)
from treadpace.peripheral.bluez_app import GattError, Push

FTMS_SERVICE_DATA: Final = bytes([0x01, 0x01, 0x00])
"""Advertised with 0x1826: a fitness machine is available, and it is a treadmill."""

FORWARDED: Final = (
    MachineFeature.TOTAL_DISTANCE
    | MachineFeature.INCLINATION
    | MachineFeature.HEART_RATE_MEASUREMENT
    | MachineFeature.ELAPSED_TIME
)
"""The Treadmill Data fields the broadcast sends (when the real belt has them)."""

DEFAULT_SPEED_RANGE: Final = SpeedRange(0.0, 20.0, 0.1)


class BeltInfo(Protocol):
    """What the broadcast mirrors of the real treadmill (read-only properties)."""

    @property
    def features(self) -> Feature | None: ...

    @property
    def speed_range(self) -> SpeedRange: ...

    @property
    def incline_range(self) -> InclinationRange | None: ...


ClientEvent = Callable[[str, bool], None]
"""Told (device path, connected) when a watch or app starts or stops using the broadcast."""


@dataclass(frozen=True)
class Services:
    rsc: bool = True
    ftms: bool = True


class BroadcastServer:
    """A `GattServer` (treadpace.peripheral) over a feed; `now` is the run's clock."""

    def __init__(
        self,
        feed: BroadcastFeed,
        now: Callable[[], float],
        *,
        name: str,
        services: Services,
        on_client: ClientEvent | None = None,
    ) -> None:
        self.feed = feed
        self._now = now
        self._name = name
        self._services = services
        self._on_client = on_client
        self.belt: BeltInfo | None = None
        self._push: dict[str, Push] = {}
        self._pending: set[str] = set()
        self.clients: set[str] = set()

    # --- the GATT tree ---------------------------------------------------------------------

    def services(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if self._services.rsc:
            out[RSC_SERVICE] = [RSC_MEASUREMENT, RSC_FEATURE, SENSOR_LOCATION, SC_CONTROL_POINT]
        if self._services.ftms:
            # the tree is fixed before the belt is known: a belt without incline reads as
            # the all-zero range, which is how FTMS says "no incline"
            out[FTMS_SERVICE] = [FEATURE, TREADMILL_DATA, SPEED_RANGE, INCLINATION_RANGE]
            out[FTMS_SERVICE].append(CONTROL_POINT)
        return out

    def characteristics(self) -> dict[str, frozenset[str]]:
        read, notify = frozenset({"read"}), frozenset({"notify"})
        control = frozenset({"write", "indicate"})
        return {
            RSC_MEASUREMENT: notify,
            RSC_FEATURE: read,
            SENSOR_LOCATION: read,
            SC_CONTROL_POINT: control,
            FEATURE: read,
            TREADMILL_DATA: notify,
            SPEED_RANGE: read,
            INCLINATION_RANGE: read,
            CONTROL_POINT: control,
        }

    def advertisement(self) -> tuple[str | None, list[str], dict[str, bytes]]:
        uuids = list(self.services())
        data = {FTMS_SERVICE: FTMS_SERVICE_DATA} if self._services.ftms else {}
        return self._name, uuids, data

    # --- values ------------------------------------------------------------------------------

    def _incline_range(self) -> InclinationRange | None:
        rng = self.belt.incline_range if self.belt is not None else None
        return None if rng is None or rng.no_incline else rng

    def feature(self) -> Feature:
        """The real belt's data fields that are forwarded; no targets (nothing is controlled)."""
        real = self.belt.features if self.belt is not None else None
        machine = (real.machine if real is not None else FORWARDED) & FORWARDED
        if self._incline_range() is None:
            machine &= ~MachineFeature.INCLINATION
        return Feature(MachineFeature(machine), TargetFeature(0))

    async def read(self, uuid: str, device: str) -> bytes:
        self._seen(device)
        if uuid == RSC_FEATURE:
            bits = RscFeatureBit.TOTAL_DISTANCE | RscFeatureBit.WALKING_OR_RUNNING_STATUS
            return encode_rsc_feature(RscFeature(bits))
        if uuid == SENSOR_LOCATION:
            return encode_sensor_location(SensorLocation(SensorLocationCode.IN_SHOE))
        if uuid == FEATURE:
            return encode_feature(self.feature())
        if uuid == SPEED_RANGE:
            belt = self.belt.speed_range if self.belt is not None else DEFAULT_SPEED_RANGE
            return encode_speed_range(belt)
        if uuid == INCLINATION_RANGE:
            return encode_inclination_range(self._incline_range() or InclinationRange(0, 0, 0))
        raise GattError("NotPermitted", "Read not permitted")

    async def write(self, uuid: str, data: bytes, with_response: bool, device: str) -> None:
        self._seen(device)
        if not data:
            raise GattError("InvalidValueLength", "Invalid value length")
        if uuid == CONTROL_POINT:
            # Never forwarded: whatever was asked, this treadmill is not for the app to drive.
            answer = ControlResponse(data[0], ResultCode.CONTROL_NOT_PERMITTED)
            self._indicate(CONTROL_POINT, encode_control_response(answer))
        elif uuid == SC_CONTROL_POINT:
            self._indicate(SC_CONTROL_POINT, encode_sc_response(self._sc_answer(data)))
        else:
            raise GattError("NotPermitted", "Write not permitted")

    def _sc_answer(self, data: bytes) -> ScResponse:
        try:
            request = decode_sc_request(data)
        except FtmsDecodeError as exc:
            return ScResponse(exc.op if exc.op is not None else data[0], ScResult.INVALID_PARAMETER)
        if request.op == ScOp.SET_CUMULATIVE_VALUE and request.value is not None:
            self.feed.set_cumulative(request.value / 10)
            return ScResponse(request.op, ScResult.SUCCESS)
        return ScResponse(request.op, ScResult.OP_CODE_NOT_SUPPORTED)

    def _indicate(self, uuid: str, data: bytes) -> None:
        push = self._push.get(uuid)
        if push is not None:
            # after the write's own reply, as an indication follows its write response
            asyncio.get_running_loop().call_soon(push, data)

    def notify(self) -> bool:
        """Send the current sample to every subscriber; True if anyone was listening."""
        now = self._now()
        sent = False
        push = self._push.get(RSC_MEASUREMENT)
        if push is not None:
            push(encode_rsc_measurement(self.feed.rsc(now)))
            sent = True
        push = self._push.get(TREADMILL_DATA)
        if push is not None:
            incline = self._incline_range() is not None
            push(encode_treadmill_data(self.feed.treadmill_data(now, incline=incline)))
            sent = True
        return sent

    def start_notify(self, uuid: str, push: Push) -> None:
        self._push[uuid] = push
        if len(self._pending) == 1:
            self._seen(next(iter(self._pending)))

    def stop_notify(self, uuid: str) -> None:
        self._push.pop(uuid, None)

    # --- centrals ------------------------------------------------------------------------------

    def central_connected(self, device: str) -> None:
        if device not in self.clients:
            self._pending.add(device)

    def central_gone(self, device: str) -> None:
        self._pending.discard(device)
        if device in self.clients:
            self.clients.discard(device)
            if self._on_client is not None:
                self._on_client(device, False)

    def _seen(self, device: str) -> None:
        self._pending.discard(device)
        if device not in self.clients:
            self.clients.add(device)
            if self._on_client is not None:
                self._on_client(device, True)
