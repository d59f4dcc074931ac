"""One connected page: its socket, what waits to be sent to it, how fast it may talk.

Each page has its own sender task (`send_loop`), so a slow phone only gets fewer
updates and never holds up another page or the run: its outbox is bounded (the
oldest message goes when it is full), the numbers are coalesced (only the latest
picture is sent, at most every `interval` seconds, and a change is sent when it
comes: the task wakes once a telemetry packet), the whole picture at most every
`HELLO_EVERY_S` however often it is asked for, and a send the client does not take
within `SEND_TIMEOUT_S` closes it (a small message into an empty send buffer cannot
wait, so it is written without arming that timer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable

from aiohttp import WSCloseCode, web

from treadpace.base.rate_limit import TokenBucket
from treadpace.web.live_state import LiveState

log = logging.getLogger("treadpace.web")

HELLO_EVERY_S = 5.0
"""A page's asking again for the whole picture is answered at most this often."""
OUTBOX = 32
SEND_TIMEOUT_S = 10.0
QUICK_SEND = 4096
"""Characters in a message written without a timer when nothing waits to go out (at most
16 KiB of UTF-8, the most the library compresses without handing it to a thread)."""

Hello = Callable[[], Awaitable[tuple[str, int]]]
"""The whole picture as JSON text, and the version of the run it shows."""


class Page:
    def __init__(
        self,
        ws: web.WebSocketResponse,
        peer: str,
        bucket: TokenBucket,
        state: Callable[[], LiveState | None],
        transport: asyncio.BaseTransport | None = None,
    ) -> None:
        self.ws = ws
        self.transport = transport if isinstance(transport, asyncio.WriteTransport) else None
        """The socket's, to see whether anything waits to go out (None: every send is timed)."""
        self.peer = peer
        self.bucket = bucket
        """What it may send: its messages beyond the rate are dropped."""
        self._state = state
        self.outbox: deque[str] = deque(maxlen=OUTBOX)
        self.wake = asyncio.Event()
        self.wake.set()
        self.sent_version = -1
        self.want_hello = True
        self.hello_due = 0.0
        self.hellos = 0

    def offer(self, text: str) -> None:
        self.outbox.append(text)  # a full outbox loses its oldest
        self.wake.set()

    def ask_hello(self) -> None:
        """Coalesced: one hello however often it is asked for."""
        self.want_hello = True
        self.wake.set()

    async def send_loop(self, hello: Hello, interval: float, now: Callable[[], float]) -> None:
        try:
            sent = -math.inf
            while not self.ws.closed:
                await self.wake.wait()
                # Fewer updates for a busy phone, never a queue of stale ones: what comes
                # within `interval` of the last send is sent as one. Telemetry further apart
                # costs one wake-up a packet (no timer of its own).
                pause = sent + interval - now()
                if pause > 0:
                    await asyncio.sleep(pause)
                self.wake.clear()
                await self._send_due(hello, now())
                sent = now()
        except Exception as exc:  # the client went or stopped reading: it goes
            log.debug("web: page of %s closed: %r", self.peer, exc)
            with contextlib.suppress(Exception):
                await self.ws.close(code=WSCloseCode.GOING_AWAY)

    async def _send_due(self, hello: Hello, now: float) -> None:
        if self.want_hello:
            if now >= self.hello_due:
                self.want_hello = False
                self.hello_due = now + HELLO_EVERY_S
                text, version = await hello()
                self.hellos += 1
                await self._send(text)
                self.sent_version = version
            else:
                self.wake.set()  # look again after the pause
        while self.outbox:
            await self._send(self.outbox.popleft())
        state = self._state()
        if state is not None and self.hellos and state.version != self.sent_version:
            self.sent_version = state.version
            await self._send(state.live_text())

    async def _send(self, text: str) -> None:
        transport = self.transport
        idle = transport is not None and not transport.get_write_buffer_size()
        if idle and len(text) < QUICK_SEND:
            # Nothing waits to go out and the frame is small: the write cannot wait (the
            # library waits only past a full buffer, and compresses a frame this small at
            # once), so no timer is armed for it. A page that stops reading fills the
            # buffer, and from then on every send is timed.
            await self.ws.send_str(text)
            return
        await asyncio.wait_for(self.ws.send_str(text), SEND_TIMEOUT_S)
