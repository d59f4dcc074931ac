"""The broadcast as a sink on the engine's event stream (`run --broadcast rsc,ftms`).

Each `Tick` (telemetry as the engine records it) goes out at once as an RSC
Measurement and a Treadmill Data notification; between Ticks a heartbeat on the
run's clock repeats the current sample every `HEARTBEAT_S`, so a watch hears at
least 1 Hz and hears 0 speed when the belt's link is down. A watch or app
connecting or leaving is said in the live view with a BROADCAST_CLIENT notice.

The broadcast never holds the treadmill: it is given read-only belt facts
(`BeltInfo`) and the events, and nothing it receives goes anywhere but the feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from treadpace.base.notice_level import NoticeLevel
from treadpace.base.user_error import UserError
from treadpace.broadcast.feed import BroadcastFeed
from treadpace.broadcast.sensor_server import BeltInfo, BroadcastServer, Services
from treadpace.engine.events import Notice, NoticeKind
from treadpace.engine.hub import EventHub, Subscription
from treadpace.peripheral.bluez_app import GattApp, check_adapter

if TYPE_CHECKING:
    from treadpace.base.clock import Clock
    from treadpace.plans.broadcast_settings import BroadcastSettings

log = logging.getLogger(__name__)

ROOT = "/org/treadpace/broadcast"
HEARTBEAT_S = 1.0


class Broadcaster:
    """`await start()` (before the belt moves), `attach(belt)`, `run(subscription)`, `stop()`."""

    def __init__(
        self,
        settings: BroadcastSettings,
        clock: Clock,
        hub: EventHub,
        *,
        bus_address: str | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._hub = hub
        self._bus_address = bus_address
        self.feed = BroadcastFeed()
        services = Services(rsc="rsc" in settings.services, ftms="ftms" in settings.services)
        self.server = BroadcastServer(
            self.feed, clock.now, name=settings.name, services=services, on_client=self._client
        )
        self.app = GattApp(
            self.server, root=ROOT, adapter=settings.adapter, bus_address=bus_address
        )
        self._last_sent = -1.0e9
        self.sent = 0

    @property
    def label(self) -> str:
        names = {"rsc": "footpod (RSC)", "ftms": "treadmill (FTMS, read-only)"}
        what = " and ".join(names[s] for s in self.settings.services)
        return f"{what} as '{self.settings.name}' on {self.settings.adapter}"

    async def start(self) -> None:
        """Register with BlueZ; a UserError in one line (exit 2) if it cannot be done."""
        adapter = self.settings.adapter
        try:
            await check_adapter(adapter, self._bus_address)
            await self.app.start()
        except (OSError, RuntimeError) as exc:
            await self.stop()
            raise UserError(f"--broadcast: cannot advertise on {adapter}: {exc}") from None

    def attach(self, belt: BeltInfo) -> None:
        """The treadmill whose Feature and ranges the FTMS service mirrors."""
        self.server.belt = belt

    async def run(self, events: Subscription) -> None:
        """Until the hub closes: notify on every Tick, and at least every HEARTBEAT_S."""
        beat = asyncio.create_task(self._heartbeat(), name="broadcast-heartbeat")
        try:
            async for event in events:
                if self.feed.handle(event):
                    self._send()
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
            events.close()
        self.feed.finished = True
        self._send()  # the run is over: 0 speed, the final distance

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.app.stop()

    def _send(self) -> None:
        self._last_sent = self._clock.now()
        if self.server.notify():
            self.sent += 1

    async def _heartbeat(self) -> None:
        while True:
            due = self._last_sent + HEARTBEAT_S - self._clock.now()
            if due <= 0:
                self._send()
                due = HEARTBEAT_S
            await self._clock.sleep(due)

    def _client(self, device: str, connected: bool) -> None:
        address = device.rsplit("/", 1)[-1].removeprefix("dev_").replace("_", ":")
        verb = "connected to" if connected else "left"
        message = f"a watch or app ({address}) {verb} the broadcast"
        log.info("%s", message)
        self._hub.publish(
            Notice(self._clock.now(), NoticeLevel.INFO, message, kind=NoticeKind.BROADCAST_CLIENT)
        )


async def start_broadcast(
    settings: BroadcastSettings, clock: Clock, hub: EventHub
) -> Broadcaster | None:
    """The run's broadcast, registered and said on a line; None when the profile has none."""
    if not settings.services:
        return None
    broadcaster = Broadcaster(settings, clock, hub)
    await broadcaster.start()
    print(f"broadcast: {broadcaster.label}", flush=True)
    return broadcaster
