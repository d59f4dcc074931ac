"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ftms_sim.bluez import DaemonMissing, PrivateBus

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


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
