"""Shared fixtures."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from mqtt_broker import MOSQUITTO, Broker, Listener, listening
from treadpace_sim.bluez import DaemonMissing, PrivateBus

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


CHROMIUM = "/usr/bin/chromium"
ZBARIMG = "/usr/bin/zbarimg"
NO_CHROMIUM = "the live-page browser tests need Debian's chromium (apt-get install chromium)"
NO_ZBAR = "the QR code tests need zbarimg (apt-get install zbar-tools)"


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI a missing tool is a failure: the tests that need it must not skip there.

    Elsewhere (a runner's clone) those tests skip and say what to install.
    """
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return
    tools = {
        "mosquitto": MOSQUITTO,
        "dbus-daemon": shutil.which("dbus-daemon"),
        "openssl": shutil.which("openssl"),
        "espeak-ng": shutil.which("espeak-ng"),
        "chromium": CHROMIUM if os.access(CHROMIUM, os.X_OK) else None,
        "zbarimg": ZBARIMG if os.access(ZBARIMG, os.X_OK) else None,
    }
    missing = [name for name, found in tools.items() if found is None]
    if missing:
        pytest.exit(f"CI needs {', '.join(missing)} installed (see .ci/run)", returncode=1)


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


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A real mosquitto of the test's own, on a free loopback port."""
    b = Broker(tmp_path / "broker")
    b.start()
    yield b
    b.stop()


@pytest.fixture
async def listener(broker: Broker) -> AsyncIterator[Listener]:
    """A client subscribed to everything on `broker`, recording what it sees."""
    async with listening(broker) as lst:
        yield lst
