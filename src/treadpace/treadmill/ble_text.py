"""Bluetooth failures in plain words: one sentence, and what to do about it.

bleak's exceptions carry their details as arguments (`BleakBluetoothNotAvailableError`
is `(message, <reason enum>)`, `BleakDBusError` is `[org.bluez.Error.Failed] text`), so
`str(exc)` shows a Python tuple or an enum repr. The runner gets neither: the reason
is turned into a sentence here, keyed on the exception's type and enum, never on its
text.
"""

from __future__ import annotations

from typing import Final

_CHECK_BLUEZ: Final = "check that bluetoothd runs (systemctl status bluetooth)"

_NOT_AVAILABLE: Final = {
    "NO_BLUETOOTH": "Bluetooth: no Bluetooth adapter found; plug one in (bluetoothctl list "
    "shows them) and try again",
    "NO_BLE_CENTRAL_ROLE": "Bluetooth: the adapter cannot connect to Bluetooth LE devices; "
    "use a Bluetooth 4.0 (or newer) adapter",
    "POWERED_OFF": "Bluetooth is switched off: turn it on (bluetoothctl power on) and try again",
    "DENIED_BY_USER": "Bluetooth: access was denied; allow treadpace to use Bluetooth and "
    "try again",
    "DENIED_BY_SYSTEM": "Bluetooth: the system denied access; check that this user may use "
    "Bluetooth (the bluetooth group, or a polkit rule)",
    "DENIED_BY_UNKNOWN": "Bluetooth: access was denied; check that this user may use Bluetooth",
    "UNKNOWN": f"Bluetooth is not available; {_CHECK_BLUEZ} and that an adapter is on",
}


def not_available(exc: BaseException) -> str | None:
    """The sentence for "Bluetooth is unusable here" (bleak's typed reason), else None."""
    from bleak.exc import BleakBluetoothNotAvailableError

    if not isinstance(exc, BleakBluetoothNotAvailableError):
        return None
    reason = getattr(exc.reason, "name", "UNKNOWN")
    return _NOT_AVAILABLE.get(str(reason), _NOT_AVAILABLE["UNKNOWN"])


def plain(exc: BaseException | None) -> str:
    """A one-line description of a Bluetooth (or any) failure, without Python reprs."""
    if exc is None:
        return "unknown error"
    sentence = not_available(exc)
    if sentence is not None:
        return sentence
    from bleak.exc import BleakDBusError

    if isinstance(exc, BleakDBusError):
        name = exc.dbus_error.rsplit(".", 1)[-1]
        details = _first_line(exc.dbus_error_details)
        return f"{details} (BlueZ: {name})" if details else f"BlueZ said {name}"
    texts = [a for a in exc.args if isinstance(a, str) and a.strip()]
    if texts:
        return _first_line(texts[0]) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0].strip() if lines else ""
