"""The floor under the live page's CPU a client: one TCP write a second and nothing else.

A bare asyncio server (no HTTP, no WebSocket, nothing of treadpace) that writes SIZE
bytes to every connected client once a second, the rate at which a run at time scale 1
sends a page its numbers. `web_page.py` measures what one reader costs this process
the same way, in the same windows, as what one page costs the run: the difference is
what the kernel and the event loop charge for one small write a second, which no page
server can go under while it sends a page a message a second.

    python benchmarks/socket_floor.py PORT SIZE
"""

from __future__ import annotations

import asyncio
import sys


class Writer(asyncio.Protocol):
    """One connected client: kept while it is connected, its bytes read and dropped."""

    def __init__(self, clients: set[asyncio.WriteTransport]) -> None:
        self.clients = clients
        self.transport: asyncio.WriteTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        self.transport = transport
        self.clients.add(transport)

    def data_received(self, data: bytes) -> None:
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.clients.discard(self.transport)


async def serve(port: int, size: int) -> None:
    clients: set[asyncio.WriteTransport] = set()
    message = b"x" * size
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Writer(clients), "127.0.0.1", port)
    async with server:
        while True:  # the same wake-up a second with and without a client
            await asyncio.sleep(1.0)
            for transport in tuple(clients):
                transport.write(message)


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2])))
