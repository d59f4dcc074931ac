"""The engine core is pure: importing it loads no event loop, no clock and no sockets.

Its decisions are plain calls (`EngineCore.handle(input, now, ...)`), so nothing under
it may reach for asyncio, the run's clock or the network; the async driver, the hub
and the clock are the driver's. Checked in a fresh interpreter, where nothing else
has imported them first.
"""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = (
    "asyncio",
    "selectors",
    "socket",
    "treadpace.base.clock",
    "treadpace.engine.engine",
    "treadpace.engine.hub",
    "bleak",
    "dbus_fast",
)


def test_importing_the_core_loads_no_event_loop_clock_or_socket() -> None:
    probe = (
        "import json, sys\n"
        "import treadpace.engine.core\n"
        f"print(json.dumps(sorted(m for m in {list(FORBIDDEN)!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == []


def test_the_package_still_hands_out_the_driver_and_the_hub() -> None:
    import treadpace.engine as engine
    from treadpace.engine.engine import Engine
    from treadpace.engine.hub import EventHub

    assert engine.Engine is Engine and engine.EventHub is EventHub
