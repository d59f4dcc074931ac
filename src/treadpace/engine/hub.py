"""The event hub: every sink subscribes to the engine's events; publishing never blocks.

A sink with a bounded queue (MQTT) loses its oldest events when it falls behind; a sink
with an unbounded queue (the recorder) loses nothing. Apart from the events themselves
(`events`) so that the engine's pure core, which only makes events, imports no asyncio.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from treadpace.engine.events import EngineEvent


class Subscription:
    """One sink's view of the event stream: `async for event in subscription`."""

    def __init__(self, hub: EventHub, maxsize: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[EngineEvent | None] = asyncio.Queue(maxsize)
        self.dropped = 0

    def _offer(self, event: EngineEvent | None) -> None:
        while True:
            try:
                self._queue.put_nowait(event)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()
                self.dropped += 1

    def close(self) -> None:
        self._hub._unsubscribe(self)

    async def get(self) -> EngineEvent | None:
        """The next event, or None once the hub is closed and drained."""
        return await self._queue.get()

    def __aiter__(self) -> AsyncIterator[EngineEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[EngineEvent]:
        while True:
            event = await self._queue.get()
            if event is None:
                return
            yield event


class EventHub:
    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._closed = False

    def subscribe(self, maxsize: int = 0) -> Subscription:
        """`maxsize=0` never drops; a bounded queue drops its oldest when full."""
        sub = Subscription(self, maxsize)
        if self._closed:
            sub._offer(None)
        self._subs.append(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    def publish(self, event: EngineEvent) -> None:
        for sub in list(self._subs):
            sub._offer(event)

    def close(self) -> None:
        """End every subscription's iteration after what it already holds."""
        self._closed = True
        for sub in list(self._subs):
            sub._offer(None)
