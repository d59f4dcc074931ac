"""A scripted GATT link: tests decide byte by byte what the "machine" answers.

`FakeGattLink` records every write and lets a test answer control-point writes
with a function (or not at all), push notifications, and drop the link.
"""

from __future__ import annotations

from collections.abc import Callable

from treadpace.ftms import (
    CONTROL_POINT,
    FEATURE,
    INCLINATION_RANGE,
    MACHINE_STATUS,
    SPEED_RANGE,
    TRAINING_STATUS,
    TREADMILL_DATA,
    Feature,
    InclinationRange,
    MachineFeature,
    SpeedRange,
    TargetFeature,
    encode_feature,
    encode_inclination_range,
    encode_speed_range,
)
from treadpace.treadmill.port import NotConnected, NotifyCallback

Responder = Callable[[bytes], list[bytes]]


def always_succeed(request: bytes) -> list[bytes]:
    return [bytes([0x80, request[0], 0x01])]


class FakeGattLink:
    def __init__(
        self,
        *,
        speed_range: bytes | None = None,
        incline_range: bytes | None = None,
        feature: bytes | None = None,
        control_point: bool = True,
        indicate: bool = True,
        responder: Responder = always_succeed,
    ) -> None:
        self.values: dict[str, bytes] = {
            FEATURE: feature
            if feature is not None
            else encode_feature(
                Feature(
                    MachineFeature.TOTAL_DISTANCE | MachineFeature.INCLINATION,
                    TargetFeature.SPEED_TARGET | TargetFeature.INCLINATION_TARGET,
                )
            ),
            SPEED_RANGE: speed_range
            if speed_range is not None
            else encode_speed_range(SpeedRange(0.8, 20.0, 0.1)),
            INCLINATION_RANGE: incline_range
            if incline_range is not None
            else encode_inclination_range(InclinationRange(0.0, 15.0, 0.5)),
            TRAINING_STATUS: b"\x00\x01",
        }
        self.chars = {TREADMILL_DATA, MACHINE_STATUS, TRAINING_STATUS, *self.values}
        if control_point:
            self.chars.add(CONTROL_POINT)
        self.indicate = indicate
        self.responder = responder
        self.writes: list[bytes] = []
        self.subscribed: dict[str, NotifyCallback] = {}
        self.connected = False
        self.connects = 0
        self.refuse_connect = 0
        # Characteristic -> error its read raises (an ATT error, say).
        self.read_errors: dict[str, Exception] = {}
        self._on_disconnect: list[Callable[[], None]] = []

    @property
    def name(self) -> str:
        return "fake"

    @property
    def is_connected(self) -> bool:
        return self.connected

    async def connect(self) -> None:
        if self.refuse_connect > 0:
            self.refuse_connect -= 1
            raise NotConnected("fake: out of range")
        self.connected = True
        self.connects += 1

    async def disconnect(self) -> None:
        self.connected = False

    def has_characteristic(self, uuid: str) -> bool:
        return uuid in self.chars

    def can_indicate(self, uuid: str) -> bool:
        return uuid == CONTROL_POINT and self.indicate

    async def read(self, uuid: str) -> bytes:
        if not self.connected:
            raise NotConnected("fake: down")
        if uuid in self.read_errors:
            raise self.read_errors[uuid]
        return self.values[uuid]

    async def write(self, uuid: str, data: bytes, *, with_response: bool = True) -> None:
        if not self.connected:
            raise NotConnected("fake: down")
        assert uuid == CONTROL_POINT
        self.writes.append(data)
        for answer in self.responder(data):
            self.notify(CONTROL_POINT, answer)

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        self.subscribed[uuid] = callback

    def on_disconnect(self, callback: Callable[[], None]) -> None:
        self._on_disconnect.append(callback)

    # --- what tests do to it ---

    def notify(self, uuid: str, data: bytes) -> None:
        callback = self.subscribed.get(uuid)
        if callback is not None:
            callback(data)

    def drop(self) -> None:
        self.connected = False
        for callback in list(self._on_disconnect):
            callback()
