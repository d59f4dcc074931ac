"""The simulator as a Bluetooth LE device on a private D-Bus, for bleak's real BlueZ backend.

- `daemon.PrivateBus`: a throw-away system-type `dbus-daemon` (+ `bluetoothctl` stub).
- `facade.FakeBlueZ`: owns `org.bluez`; each `add_device(sim, address)` is a remote
  LE device that bleak can scan, connect, read, write and subscribe to.
"""

from treadpace_sim.bluez.daemon import DaemonMissing, PrivateBus
from treadpace_sim.bluez.device import FakeDevice
from treadpace_sim.bluez.facade import FakeBlueZ

__all__ = ["DaemonMissing", "FakeBlueZ", "FakeDevice", "PrivateBus"]
