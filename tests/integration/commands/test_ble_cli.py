"""`treadpace scan` and `treadpace info` in a real subprocess, against the BlueZ stand-in.

The stand-in serves from this test's event loop while the command runs as a
child process on the same private bus, so its bleak is the real, unmodified one.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.ble_commands import ADDR, brisk, treadpace_on_bus
from treadpace.base.clock import ScaledClock
from treadpace_sim.bluez import FakeBlueZ, PrivateBus
from treadpace_sim.treadmill import SimulatedTreadmill

OTHER = "C0:FF:EE:18:26:02"


@pytest.fixture
async def sim() -> AsyncIterator[SimulatedTreadmill]:
    machine = SimulatedTreadmill("generic", ScaledClock(10))
    await machine.start()
    yield machine
    await machine.close()


@pytest.fixture
async def bluez(private_bus: PrivateBus) -> AsyncIterator[FakeBlueZ]:
    async with FakeBlueZ() as fake:
        yield fake


async def test_scan_lists_the_treadmill_as_json(bluez: FakeBlueZ, sim: SimulatedTreadmill) -> None:
    bluez.add_device(sim, ADDR, rssi=-55)
    code, out, err = await treadpace_on_bus("scan", "--timeout", "0.5", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["address"], r["type"], r["name"]) for r in rows] == [
        (ADDR, "treadmill", sim.advertisement()[0])
    ]
    assert -60 <= rows[0]["rssi"] <= -50


async def test_scan_finding_nothing_exits_1_with_one_line(bluez: FakeBlueZ) -> None:
    code, out, err = await treadpace_on_bus("scan", "--timeout", "0.3")
    assert code == 1
    assert out == ""
    assert err.startswith("error: no treadmill found") and err.count("\n") == 1


async def test_info_describes_the_treadmill_and_leaves_the_belt_alone(
    bluez: FakeBlueZ, sim: SimulatedTreadmill
) -> None:
    device = bluez.add_device(sim, ADDR)
    code, out, err = await treadpace_on_bus("info", "--device", ADDR, "--timeout", "3")
    assert code == 0, err
    assert f"treadmill: {ADDR}" in out
    assert "speed: " in out and "km/h in steps of" in out
    assert "accepts targets: speed target" in out
    assert "now: belt at 0.00 km/h" in out
    assert sim.belt.speed_kmh == 0.0
    assert "WriteValue" not in bluez.calls  # no control point write: nothing asked of the belt
    assert not device.connected  # it hung up


async def test_info_on_an_absent_device_exits_1(bluez: FakeBlueZ) -> None:
    code, _, err = await treadpace_on_bus(
        "info", "--device", "AA:BB:CC:DD:EE:FF", "--timeout", "0.3"
    )
    assert code == 1
    assert "AA:BB:CC:DD:EE:FF: not found" in err and err.count("\n") == 1


async def test_bluez_not_running_is_one_line_exit_2(private_bus: PrivateBus) -> None:
    code, _, err = await treadpace_on_bus(
        "scan", "--timeout", "0.3"
    )  # bus up, nobody owns org.bluez
    assert code == 2
    assert err == (
        "error: Bluetooth: BlueZ (bluetoothd) is not running: "
        "start it (systemctl start bluetooth)\n"
    )


async def test_no_system_bus_is_one_line_exit_2(tmp_path: object) -> None:
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={tmp_path}/no-such-socket")
    code, _, err = await treadpace_on_bus("info", "--device", ADDR, env=env)
    assert code == 2
    assert err.startswith("error: Bluetooth: the system D-Bus is not reachable")
    assert err.count("\n") == 1 and "Traceback" not in err


NO_BUS = (
    "error: Bluetooth: the system D-Bus is not reachable (No such file or directory): "
    "start it (systemctl start dbus), or point DBUS_SYSTEM_BUS_ADDRESS at its socket\n"
)


@pytest.mark.parametrize(
    "command",
    [["scan"], ["info", "--device", ADDR], ["run", "steady", "--device", ADDR, "--yes"]],
    ids=lambda c: c[0],
)
async def test_no_system_bus_is_the_same_line_and_exit_2_for_every_command(
    tmp_path: Path, command: list[str]
) -> None:
    env = dict(
        os.environ,
        DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={tmp_path}/no-such-socket",
        TREADPACE_HOME=str(tmp_path / "home"),
        TREADPACE_CONFIG_HOME=str(tmp_path / "config"),
    )
    code, out, err = await treadpace_on_bus(*command, env=env)
    assert (code, err) == (2, NO_BUS)
    assert "D-Bus" not in out  # said once, on stderr, as bad input is
    assert "recorded" not in out


async def test_run_with_a_pinned_device_drives_only_that_treadmill(
    bluez: FakeBlueZ, tmp_path: Path
) -> None:
    clock = ScaledClock(1)  # the run command paces a real device in real time
    log: list[dict[str, object]] = []
    pinned = SimulatedTreadmill(brisk("generic"), clock, observers=[lambda _t, r: log.append(r)])
    louder = SimulatedTreadmill("generic", clock)
    for machine in (pinned, louder):
        await machine.start()
    try:
        bluez.add_device(louder, OTHER, rssi=-20)
        bluez.add_device(pinned, ADDR, rssi=-80)
        plan = tmp_path / "short.yaml"
        plan.write_text('name: Short\nkind: steady\nduration: "0:01"\npace: 1 km/h\n')
        env = dict(
            os.environ,
            TREADPACE_HOME=str(tmp_path / "home"),
            TREADPACE_CONFIG_HOME=str(tmp_path / "config"),
        )
        code, out, err = await treadpace_on_bus(
            "run", str(plan), "--device", ADDR, "--yes", env=env
        )
        assert code == 0, err
        assert f"treadmill: {ADDR}" in out and "finished" in out
        ops = [(r.get("op"), r.get("result")) for r in log if r.get("event") == "command"]
        assert ops[0] == ("request_control", "success")
        assert ("start_or_resume", "success") in ops and ops[-1][0] == "stop_or_pause"
        assert not louder.is_connected(7) and louder.belt.speed_kmh == 0.0
        assert louder.server.belt.distance_m == 0.0  # never touched
    finally:
        for machine in (pinned, louder):
            await machine.close()


async def test_run_reads_a_heart_rate_strap_from_the_profile(
    bluez: FakeBlueZ, tmp_path: Path
) -> None:
    clock = ScaledClock(1)
    machine = SimulatedTreadmill(brisk("incline-refused"), clock)  # reports no heart rate itself
    strap = SimulatedTreadmill("hr-service", clock)  # advertises 0x180D, notifies 0x2A37
    for sim in (machine, strap):
        await sim.start()
    try:
        bluez.add_device(machine, ADDR)
        bluez.add_device(strap, OTHER)
        plan = tmp_path / "short.yaml"
        # Long enough for the strap to be found and read (from about 1.8 s on).
        plan.write_text('name: Short\nkind: steady\nduration: "0:05"\npace: 1 km/h\n')
        profile = tmp_path / "profile.yaml"
        profile.write_text(
            f'name: Strap\nrace: {{distance: 5k, time: "25:00"}}\n'
            f"heart_rate:\n  strap: '{OTHER}'\n"
        )
        home = tmp_path / "home"
        env = dict(os.environ, TREADPACE_HOME=str(home), TREADPACE_CONFIG_HOME=str(tmp_path))
        code, _, err = await treadpace_on_bus(
            "run", str(plan), "--profile", str(profile), "--device", ADDR, "--yes", env=env
        )
        assert code == 0, err
        journal = next((home / "runs").glob("*.jsonl"))
        rates = [
            line["heart_rate_bpm"]
            for line in map(json.loads, journal.read_text().splitlines())
            if line.get("heart_rate_bpm")
        ]
        assert rates and all(30 <= bpm <= 220 for bpm in rates)
        assert not strap.is_connected(0)  # the strap is let go at the end
    finally:
        for sim in (machine, strap):
            await sim.close()
