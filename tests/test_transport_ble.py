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

from ftms_sim.bluez import FakeBlueZ, PrivateBus
from ftms_sim.treadmill import SimulatedTreadmill
from test_ble_cli import ADDR, treadpace
from treadpace.clock import ScaledClock


@pytest.fixture
async def bluez(private_bus: PrivateBus) -> AsyncIterator[FakeBlueZ]:
    async with FakeBlueZ() as fake:
        yield fake


@pytest.fixture
async def sim() -> AsyncIterator[SimulatedTreadmill]:
    machine = SimulatedTreadmill("generic", ScaledClock(1))
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
    code, out, err = await treadpace("info", "--device", ADDR, "--timeout", "3", env=env(tmp_path))
    assert code == 0, err
    assert "now: belt at 0.00 km/h" in out  # subscribed after all: telemetry came
    assert bluez.calls.count("StartNotify") >= 2


async def test_run_retries_a_subscription_that_failed_once(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, tmp_path: Path
) -> None:
    bluez.add_device(sim, ADDR)
    bluez.inject_error("StartNotify", "org.bluez.Error.Failed", "Operation failed")
    plan = tmp_path / "short.yaml"
    plan.write_text('name: Short\nkind: steady\nduration: "0:02"\npace: 4 km/h\n')
    code, out, err = await treadpace("run", str(plan), "--device", ADDR, "--yes", env=env(tmp_path))
    assert code == 0, err
    assert "finished" in out
    assert sim.belt.speed_kmh == 0.0


async def test_bluetooth_switched_off_is_one_plain_sentence(bluez: FakeBlueZ) -> None:
    bluez.power(False)
    for args in (("scan", "--timeout", "0.3"), ("info", "--device", ADDR, "--timeout", "0.3")):
        code, _, err = await treadpace(*args)
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
