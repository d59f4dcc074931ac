"""Shared fixtures, and what keeps tests apart when they run side by side.

The suite runs on several worker processes at once (pytest-xdist, `-n` in
pyproject's addopts), on machines other people load too. So every test gets a
home of its own (`_private_home`: HOME, the XDG data and config dirs and
treadpace's own, inherited by the subprocesses it starts), ports come from
`ports.free_port`, and hypothesis runs the `default` profile registered here
(no deadline: a loaded machine is slow, not wrong). `--hypothesis-profile=deep`
runs the property tests at depth (see README's Development section).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.depth import DEEP_EXAMPLES
from tests.mqtt_broker import MOSQUITTO, Broker, Listener, listening
from treadpace_sim.bluez import DaemonMissing, PrivateBus

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


CHROMIUM = "/usr/bin/chromium"
ZBARIMG = "/usr/bin/zbarimg"
NO_CHROMIUM = "the live-page browser tests need Debian's chromium (apt-get install chromium)"
NO_ZBAR = "the QR code tests need zbarimg (apt-get install zbar-tools)"


settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "deep", parent=settings.get_profile("default"), max_examples=DEEP_EXAMPLES
)
"""Every property test without its own count at 10,000 examples, the engine's state
machine at 10,000 random runs, the byte fuzzers at full length (`depth.sized`):
minutes, so not by default."""
settings.load_profile("default")


def _compile_once() -> None:
    """Keep compiled modules for the run even where `PYTHONDONTWRITEBYTECODE` is set.

    With it set, every process compiles every module of the project it imports from
    source (the installed packages were compiled by pip): each worker rewrites all the
    test modules and each of the suite's hundreds of `treadpace` subprocesses compiles
    the package again, a sixth of a subprocess test's CPU. Written as usual instead, to
    the `__pycache__` folders git ignores, for the workers and every subprocess the tests
    start (they inherit the environment).
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


_compile_once()


def _hear_ctrl_c() -> None:
    """Let every process the tests start hear Ctrl+C, however the suite was started.

    A shell without job control starts a background command (`pytest &`, a script run
    with `&`) with SIGINT ignored, and an ignored signal stays ignored in every child:
    each `treadpace` a test interrupts would carry on, and the tests of Ctrl+C would fail
    for how the suite was started. The tests stand for a runner at a terminal, where
    Ctrl+C is heard: Python's own handler here, so the children start with the default.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


_hear_ctrl_c()

_CACHES = {
    # Caches are shared (they are built for it and cost seconds to rebuild: fonts);
    # state is not. Pointed at the runner's own before HOME moves.
    "XDG_CACHE_HOME": str(Path.home() / ".cache"),
    "MPLCONFIGDIR": str(Path.home() / ".cache" / "matplotlib"),
}


@pytest.fixture(autouse=True)
def _private_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A home of the test's own: profiles, runs and config never meet another test's.

    Set in the environment, so the subprocesses a test starts inherit it. Apart from
    `tmp_path`, so a test that lists its own folder finds only what it put there.
    """
    home = tmp_path_factory.mktemp("home")
    for key, value in _CACHES.items():
        if key not in os.environ:
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("TREADPACE_HOME", str(home / "data"))
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("TREADPACE_PROFILE", raising=False)
    return home


INTEGRATION = Path(__file__).resolve().parent / "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration/ is marked `integration` (deselect it to go fast)."""
    for item in items:
        if item.path.is_relative_to(INTEGRATION):
            item.add_marker(pytest.mark.integration)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers a core, as much of the suite waits rather than computes.

    A test of a real process, browser, daemon or scaled clock spends most of its time
    waiting on them, so a worker a core leaves the cores idle (on 2 cores: 142 s wall
    for 180 s of CPU); two a core fill them (109 s), three crowd them (121 s).
    """
    return 2 * (os.cpu_count() or 1)


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
