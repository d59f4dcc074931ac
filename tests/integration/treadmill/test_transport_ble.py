"""Bluetooth through bleak's real BlueZ backend: a subscription that fails once is retried.

The BlueZ stand-in fails the next StartNotify once (`inject_error`), as a busy
adapter does; `treadpace info` and `treadpace run` run as real subprocesses on the
private bus, as in test_ble_cli.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.ble_commands import ADDR, brisk, treadpace_on_bus
from treadpace.base.clock import ScaledClock
from treadpace_sim.bluez import FakeBlueZ, PrivateBus
from treadpace_sim.treadmill import SimulatedTreadmill


@pytest.fixture
async def bluez(private_bus: PrivateBus) -> AsyncIterator[FakeBlueZ]:
    async with FakeBlueZ() as fake:
        yield fake


@pytest.fixture
async def sim() -> AsyncIterator[SimulatedTreadmill]:
    machine = SimulatedTreadmill(brisk("generic"), ScaledClock(1))
    await machine.start()
    yield machine
    await machine.close()


def env(tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        TREADPACE_HOME=str(tmp_path / "home"),
        TREADPACE_CONFIG_HOME=str(tmp_path / "config"),
    )


async def test_info_retries_a_subscription_that_failed_once(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, tmp_path: Path
) -> None:
    bluez.add_device(sim, ADDR)
    bluez.inject_error("StartNotify", "org.bluez.Error.Failed", "Operation failed")
    code, out, err = await treadpace_on_bus(
        "info", "--device", ADDR, "--timeout", "3", env=env(tmp_path)
    )
    assert code == 0, err
    assert "now: belt at 0.00 km/h" in out  # subscribed after all: telemetry came
    assert bluez.calls.count("StartNotify") >= 2


async def test_run_retries_a_subscription_that_failed_once(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, tmp_path: Path
) -> None:
    bluez.add_device(sim, ADDR)
    bluez.inject_error("StartNotify", "org.bluez.Error.Failed", "Operation failed")
    plan = tmp_path / "short.yaml"
    plan.write_text('name: Short\nkind: steady\nduration: "0:01"\npace: 1 km/h\n')
    code, out, err = await treadpace_on_bus(
        "run", str(plan), "--device", ADDR, "--yes", env=env(tmp_path)
    )
    assert code == 0, err
    assert "finished" in out
    assert sim.belt.speed_kmh == 0.0


async def test_bluetooth_switched_off_is_one_plain_sentence(bluez: FakeBlueZ) -> None:
    bluez.power(False)
    for args in (("scan", "--timeout", "0.3"), ("info", "--device", ADDR, "--timeout", "0.3")):
        code, _, err = await treadpace_on_bus(*args)
        assert code == 2
        assert err == (
            "error: Bluetooth is switched off: turn it on (bluetoothctl power on) and try again\n"
        )


def test_bleak_errors_read_as_sentences_without_python_reprs() -> None:
    from bleak.exc import (
        BleakBluetoothNotAvailableError,
        BleakBluetoothNotAvailableReason,
        BleakDBusError,
    )

    from treadpace.treadmill.ble import unavailable
    from treadpace.treadmill.ble_text import plain

    for reason in BleakBluetoothNotAvailableReason:
        exc = BleakBluetoothNotAvailableError("No powered Bluetooth adapters found.", reason)
        for text in (plain(exc), unavailable(exc) or ""):
            assert text.startswith("Bluetooth")
            assert "<" not in text and "'" not in text and "Reason" not in text  # no reprs
    failed = BleakDBusError("org.bluez.Error.Failed", ["Operation failed"])
    assert plain(failed) == "Operation failed (BlueZ: Failed)"
    assert plain(BleakDBusError("org.bluez.Error.NotReady", [])) == "BlueZ said NotReady"


async def test_looking_for_an_absent_treadmill_shows_each_try_and_the_true_time(
    bluez: FakeBlueZ,
) -> None:
    import time

    from treadpace.treadmill.ble import BleakLink, DeviceNotFound

    said: list[str] = []
    link = BleakLink(
        "AA:BB:CC:DD:EE:FF",
        ScaledClock(1),
        retries=2,
        scan_timeout=0.3,
        backoff=0.2,
        progress=said.append,
    )
    began = time.monotonic()
    with pytest.raises(DeviceNotFound) as missing:
        await link.connect()
    waited = time.monotonic() - began
    assert said == [f"looking for AA:BB:CC:DD:EE:FF (try {n} of 3)" for n in (1, 2, 3)]
    text = str(missing.value)
    assert text.startswith("AA:BB:CC:DD:EE:FF: not found after 3 scans (")
    shown = float(text.rsplit("(", 1)[1].split(" s)")[0])
    assert 0.3 * 3 + 0.2 + 0.4 <= shown <= waited + 0.05  # the scans and the backoff


async def test_info_says_which_try_it_is_on(bluez: FakeBlueZ, tmp_path: Path) -> None:
    code, out, err = await treadpace_on_bus(
        "info", "--device", "AA:BB:CC:DD:EE:FF", "--timeout", "0.3", env=env(tmp_path)
    )
    assert code == 1
    assert "looking for AA:BB:CC:DD:EE:FF (try 1 of 2)" in out
    assert "looking for AA:BB:CC:DD:EE:FF (try 2 of 2)" in out
    assert "AA:BB:CC:DD:EE:FF: not found after 2 scans" in err and "scanned 0.3 s" not in err
    assert err.count("\n") == 1  # one line
