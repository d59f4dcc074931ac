"""treadpace: guided progression runs on a home treadmill over Bluetooth LE FTMS."""

__version__ = "0.1.0"
