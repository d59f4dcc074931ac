"""The event hub: every sink subscribes to the engine's events; publishing never blocks.

A sink with a bounded queue (MQTT) loses its oldest events when it falls behind; a sink
with an unbounded queue (the recorder) loses nothing. Apart from the events themselves
(`events`) so that the engine's pure core, which only makes events, imports no asyncio.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator

from treadpace.engine.events import EngineEvent


class _Mailbox:
    """The part of `asyncio.Queue` a subscription uses, without its bookkeeping.

    `put` never blocks (a full bounded box sheds its oldest item, counted by the
    caller); `get` waits for the next item. A virtual hour publishes thousands of
    events to every sink, so what a queue does beyond this (task counting, a
    `join` event, putters) is work for nothing.
    """

    __slots__ = ("_items", "_maxsize", "_waiters")

    def __init__(self, maxsize: int) -> None:
        self._items: deque[EngineEvent | None] = deque()
        self._maxsize = maxsize
        self._waiters: list[asyncio.Future[None]] = []

    def empty(self) -> bool:
        return not self._items

    def put(self, item: EngineEvent | None) -> bool:
        """Add `item`; True when the oldest item was shed to make room."""
        shed = 0 < self._maxsize <= len(self._items)
        if shed:
            self._items.popleft()
        self._items.append(item)
        if self._waiters:
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        return shed

    async def get(self) -> EngineEvent | None:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        return self._items.popleft()


class Subscription:
    """One sink's view of the event stream: `async for event in subscription`."""

    def __init__(self, hub: EventHub, maxsize: int) -> None:
        self._hub = hub
        self._queue = _Mailbox(maxsize)
        self.dropped = 0

    def _offer(self, event: EngineEvent | None) -> None:
        if self._queue.put(event):
            self.dropped += 1

    def close(self) -> None:
        self._hub._unsubscribe(self)

    async def get(self) -> EngineEvent | None:
        """The next event, or None once the hub is closed and drained."""
        return await self._queue.get()

    def __aiter__(self) -> AsyncIterator[EngineEvent]:
        return self

    async def __anext__(self) -> EngineEvent:
        # A plain `__anext__` rather than an async generator: one frame less to resume for
        # every event a sink takes, thousands in a run.
        event = await self._queue.get()
        if event is None:
            raise StopAsyncIteration
        return event


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
