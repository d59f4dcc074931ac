"""Shared fixtures."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ftms_sim.bluez import DaemonMissing, PrivateBus
from mqtt_broker import MOSQUITTO

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI a missing daemon is a failure: the broker and Bluetooth tests must not skip there."""
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return
    missing = [
        name
        for name, found in (("mosquitto", MOSQUITTO), ("dbus-daemon", shutil.which("dbus-daemon")))
        if found is None
    ]
    if missing:
        pytest.exit(f"CI needs {' and '.join(missing)} installed (see .ci/run)", returncode=1)


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="module")
def private_bus() -> Iterator[PrivateBus]:
    """A private system bus (dbus-daemon) for one test module, exported to bleak."""
    bus = PrivateBus()
    try:
        bus.start()
    except DaemonMissing as exc:
        pytest.skip(f"BLE tests need dbus-daemon: {exc}")
    old = bus.export()
    yield bus
    PrivateBus.restore(old)
    bus.stop()
