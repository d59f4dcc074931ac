"""The event hub: fan-out to every sink, bounded sinks drop their oldest, close ends iteration."""

from __future__ import annotations

from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.events import Notice, RunState, StateChanged
from treadpace.engine.hub import EventHub


def notice(i: int) -> Notice:
    return Notice(t=float(i), level=NoticeLevel.INFO, message=str(i))


async def test_every_subscriber_gets_every_event_in_order() -> None:
    hub = EventHub()
    a, b = hub.subscribe(), hub.subscribe()
    for i in range(3):
        hub.publish(notice(i))
    hub.close()
    got_a = [e async for e in a]
    got_b = [e async for e in b]
    assert got_a == got_b == [notice(0), notice(1), notice(2)]


async def test_bounded_subscriber_drops_oldest_and_counts() -> None:
    hub = EventHub()
    slow = hub.subscribe(maxsize=2)
    for i in range(5):
        hub.publish(notice(i))
    hub.close()
    got = [e async for e in slow]
    # The close marker takes a slot too: the newest events survive.
    assert got == [notice(4)]
    assert slow.dropped == 4


async def test_subscribe_after_close_ends_immediately_and_unsubscribe_stops_delivery() -> None:
    hub = EventHub()
    sub = hub.subscribe()
    sub.close()
    hub.publish(StateChanged(t=0.0, state=RunState.READY, previous=RunState.IDLE))
    hub.close()
    late = hub.subscribe()
    assert [e async for e in late] == []
    assert sub._queue.empty()
