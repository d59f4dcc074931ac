"""A BlueZ GATT peripheral application over D-Bus, shared by every treadpace peripheral.

The simulator (`treadpace simulate --ble`, a treadmill) and the broadcast
(`treadpace run --broadcast`, a footpod and a read-only treadmill) are both GATT
servers registered with bluetoothd; only what they serve differs. `GattApp` owns
the D-Bus side (exported objects, advertisement, registration, centrals coming
and going); a `GattServer` says what the characteristics hold.
"""

from treadpace.peripheral.bluez_app import GattApp, GattError, GattServer, check_adapter

__all__ = ["GattApp", "GattError", "GattServer", "check_adapter"]
