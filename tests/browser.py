"""What every test of a page in the real headless chromium shares.

`ARGS` starts Debian's chromium headless, quiet and off the network it would phone
home on; `ARTIFACTS` is where screenshots go; `wait_for` polls a condition on real
time (the browser and a real server run on it) and fails naming what never came.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

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


class _Waits(Protocol):
    def wait_for_function(self, expression: str) -> Any: ...


def wait_until(page: _Waits, condition: str) -> None:
    """Wait until the JavaScript `condition` holds in `page`.

    Passed as a function, never as a bare expression: the browser's driver evaluates a bare
    expression with `eval` on every poll, which the page's Content-Security-Policy forbids
    once the first poll has missed; a function is compiled once, outside that policy.
    """
    page.wait_for_function(f"() => {condition}")
