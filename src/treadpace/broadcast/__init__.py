"""treadpace as a Bluetooth sensor while it drives the belt: a footpod and a read-only treadmill.

`Broadcaster` is a sink on the engine's event stream; `BroadcastFeed` (pure) turns
the events into what is sent; `BroadcastServer` is the GATT server behind the
shared BlueZ application (`treadpace.peripheral`). See docs/broadcast.md.
"""

from treadpace.broadcast.broadcaster import Broadcaster
from treadpace.broadcast.feed import BroadcastFeed
from treadpace.broadcast.sensor_server import BroadcastServer, Services

__all__ = ["BroadcastFeed", "BroadcastServer", "Broadcaster", "Services"]
