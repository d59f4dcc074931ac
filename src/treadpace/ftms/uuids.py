"""GATT UUIDs of the Fitness Machine, Heart Rate, Running Speed and Cadence and Device
Information services.

Full 128-bit lowercase strings, spelled the way bleak reports them, so that a
characteristic found on a device can be compared with `==`.
"""

from __future__ import annotations

_BASE_PREFIX = "0000"
_BASE_SUFFIX = "-0000-1000-8000-00805f9b34fb"


def uuid16(short: int) -> str:
    """The full Bluetooth Base UUID string for a 16-bit short UUID (0x2ACD -> '00002acd-...')."""
    if not 0 <= short <= 0xFFFF:
        raise ValueError(f"16-bit UUID out of range: {short!r}")
    return f"{_BASE_PREFIX}{short:04x}{_BASE_SUFFIX}"


def short_uuid(uuid: str) -> int | None:
    """The 16-bit short form of a Bluetooth Base UUID, or None for any other UUID."""
    text = uuid.strip().lower()
    if len(text) != 36 or not text.startswith(_BASE_PREFIX) or not text.endswith(_BASE_SUFFIX):
        return None
    digits = text[4:8]
    try:
        return int(digits, 16)
    except ValueError:
        return None


FTMS_SERVICE = uuid16(0x1826)
FEATURE = uuid16(0x2ACC)
TREADMILL_DATA = uuid16(0x2ACD)
TRAINING_STATUS = uuid16(0x2AD3)
SPEED_RANGE = uuid16(0x2AD4)
INCLINATION_RANGE = uuid16(0x2AD5)
CONTROL_POINT = uuid16(0x2AD9)
MACHINE_STATUS = uuid16(0x2ADA)

HEART_RATE_SERVICE = uuid16(0x180D)
HEART_RATE_MEASUREMENT = uuid16(0x2A37)

RSC_SERVICE = uuid16(0x1814)
RSC_MEASUREMENT = uuid16(0x2A53)
RSC_FEATURE = uuid16(0x2A54)
SC_CONTROL_POINT = uuid16(0x2A55)
SENSOR_LOCATION = uuid16(0x2A5D)

DEVICE_INFORMATION = uuid16(0x180A)
MODEL_NUMBER = uuid16(0x2A24)
FIRMWARE_REVISION = uuid16(0x2A26)
MANUFACTURER_NAME = uuid16(0x2A29)

# The Client Characteristic Configuration Descriptor, written to enable notify/indicate.
CCCD = uuid16(0x2902)
