"""Notifications and indications to the simulator's clients, in ATT order.

What the server sends goes out in order from one queue on the event loop, after
the write that caused it has returned (the Write Response comes first). An
indication counts as confirmed once its callback has run, which ends the client's
procedure. A client's callback that raises is logged, as a BLE stack would: the
client's bug, not the machine's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from treadpace.ftms import CONTROL_POINT
from treadpace_sim.ftms_server import FtmsServer
from treadpace_sim.outgoing import Outgoing

log = logging.getLogger(__name__)

Callback = Callable[[bytes], None]


class Delivery:
    """The connected clients' callbacks, and the queue of messages on their way to them."""

    def __init__(self, server: FtmsServer) -> None:
        self._server = server
        self.callbacks: dict[int, dict[str, Callback]] = {}
        """Client id -> characteristic UUID -> callback; a key per connected client."""
        self._queue: list[tuple[int, str, bytes, bool]] = []
        self._flush_handle: asyncio.Handle | None = None

    @property
    def idle(self) -> bool:
        """Nothing queued: a message sent now has no order to keep."""
        return self._flush_handle is None

    def cancel(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None

    def deliver(self, out: list[Outgoing]) -> None:
        for msg in out:
            for client in self.callbacks:
                if msg.client is not None and msg.client != client:
                    continue
                if msg.exclude == client:
                    continue
                if msg.uuid != CONTROL_POINT and not self._server.wants(client, msg.uuid):
                    continue
                self.queue_one(client, msg.uuid, msg.data, msg.indicate)

    def to_subscribers(self, uuid: str, packets: list[bytes]) -> None:
        for client in self.callbacks:
            if self._server.wants(client, uuid):
                for data in packets:
                    self.queue_one(client, uuid, data, False)

    def queue_one(self, client: int, uuid: str, data: bytes, indicate: bool) -> None:
        self._queue.append((client, uuid, data, indicate))
        if self._flush_handle is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # used outside an event loop (a synchronous test)
                self._flush()
                return
            self._flush_handle = loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        queue, self._queue = self._queue, []
        for client, uuid, data, indicate in queue:
            callbacks = self.callbacks.get(client)
            if callbacks is None:
                continue  # the link dropped meanwhile: the message is lost
            cb = callbacks.get(uuid)
            if cb is not None:
                call(cb, data)
            if indicate:
                self._server.indication_confirmed(client)


def call(cb: Callback, data: bytes) -> None:
    try:
        cb(data)
    except Exception:  # as a BLE stack would: the client's bug, not the machine's
        log.exception("notification callback failed")
