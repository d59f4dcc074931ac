"""Libraries only some features need, checked before the feature starts.

dbus-fast (BlueZ over D-Bus) is installed on Linux only, and only `simulate --ble`
and `run --broadcast` use it. Everything else, importing treadpace included, must
work without it, so those features import it lazily and, when it is missing, say
so in one line (exit 2) instead of a traceback.
"""

from __future__ import annotations

import sys

from treadpace.base.user_error import UserError


def require_dbus(option: str) -> None:
    """A UserError naming `option` when dbus-fast cannot be imported."""
    try:
        import dbus_fast  # noqa: F401
    except ImportError:
        pass
    else:
        return
    if sys.platform == "linux":
        raise UserError(f"{option}: expected the dbus-fast package (pip install dbus-fast)")
    raise UserError(
        f"{option}: expected Linux with BlueZ and the dbus-fast package (this is {sys.platform})"
    )
