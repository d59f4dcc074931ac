"""What every test of a page in the real headless chromium shares.

`ARGS` starts Debian's chromium headless, quiet and off the network it would phone
home on; `ARTIFACTS` is where screenshots go; `wait_for` polls a condition on real
time (the browser and a real server run on it) and fails naming what never came.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.run_proc import ROOT

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"


def wait_for(what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
