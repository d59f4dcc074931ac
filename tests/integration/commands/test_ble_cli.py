"""`treadpace scan`, `info` and `run` in a real subprocess, against the BlueZ stand-in.

The stand-in serves from this test's event loop while the command runs as a
child process on the same private bus, so its bleak is the real, unmodified one.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.ble_commands import ADDR, pod_model, treadpace_on_bus
from treadpace.base.clock import ScaledClock
from treadpace_sim.bluez import FakeBlueZ, PrivateBus
from treadpace_sim.bluez.footpod_app import FootpodApp
from treadpace_sim.model_spec import TreadmillModel
from treadpace_sim.treadmill import SimulatedTreadmill

OTHER = "C0:FF:EE:18:26:02"
STRAP = "C0:FF:EE:18:0D:01"


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


async def test_bluez_not_running_is_one_line_exit_2(private_bus: PrivateBus) -> None:
    code, _, err = await treadpace_on_bus(
        "scan", "--timeout", "0.3"
    )  # bus up, nobody owns org.bluez
    assert code == 2
    assert err == (
        "error: Bluetooth: BlueZ (bluetoothd) is not running: "
        "start it (systemctl start bluetooth)\n"
    )


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
    assert (code, err) == (2, NO_BUS)  # one line, no traceback
    assert "D-Bus" not in out  # said once, on stderr, as bad input is
    assert "recorded" not in out


async def test_run_drives_the_pinned_treadmill_and_reads_the_profiles_strap_and_pod(
    bluez: FakeBlueZ, tmp_path: Path
) -> None:
    """One run, three devices pinned (the treadmill by --device, the strap and the footpod
    by the profile) among a louder treadmill nobody pinned: each facet is its own check."""
    clock = ScaledClock(1)  # the run command paces a real device in real time
    log: list[dict[str, object]] = []
    model = brisk_pod_model()
    pinned = SimulatedTreadmill(model, clock, observers=[lambda _t, r: log.append(r)])
    louder = SimulatedTreadmill("generic", clock)
    strap = SimulatedTreadmill("hr-service", clock)  # advertises 0x180D, notifies 0x2A37
    machines = (pinned, louder, strap)
    for machine in machines:
        await machine.start()
    pod = FootpodApp(pinned, adapter="hci2")  # the runner's pod, a device of its own
    try:
        bluez.add_device(louder, OTHER, rssi=-20)
        bluez.add_device(pinned, ADDR, rssi=-80)
        bluez.add_device(strap, STRAP)
        await pod.start()
        plan = tmp_path / "short.yaml"
        # Long enough for the strap and the pod to be found and read (from about 2 s on).
        plan.write_text('name: Short\nkind: steady\nduration: "0:08"\npace: 8 km/h\n')
        profile = tmp_path / "profile.yaml"
        profile.write_text(
            'name: Pinned\nrace: {distance: 5k, time: "25:00"}\n'
            f"heart_rate:\n  strap: '{STRAP}'\nfootpod: {{name: runner pod}}\n"
        )
        home = tmp_path / "home"
        env = dict(os.environ, TREADPACE_HOME=str(home), TREADPACE_CONFIG_HOME=str(tmp_path))
        code, out, err = await treadpace_on_bus(
            "run", str(plan), "--profile", str(profile), "--device", ADDR, "--yes",
            env=env, timeout=40,
        )  # fmt: skip
        assert code == 0, err
        assert f"treadmill: {ADDR}" in out and "finished" in out
        journal = next((home / "runs").glob("*.jsonl")).read_text()
        rows = [json.loads(line) for line in journal.splitlines()]
    finally:
        await pod.stop()
        for machine in machines:
            await machine.close()
    # only the pinned treadmill was driven, from control to stop; the louder one never touched
    ops = [(r.get("op"), r.get("result")) for r in log if r.get("event") == "command"]
    assert ops[0] == ("request_control", "success")
    assert ("start_or_resume", "success") in ops and ops[-1][0] == "stop_or_pause"
    assert not louder.is_connected(7) and louder.belt.speed_kmh == 0.0
    assert louder.server.belt.distance_m == 0.0
    # the strap (the treadmill reports no heart rate itself) was read, and let go at the end
    rates = [r["heart_rate_bpm"] for r in rows if r.get("heart_rate_bpm")]
    assert rates and all(30 <= bpm <= 220 for bpm in rates)
    assert not strap.is_connected(0)
    # the pod was read at the belt's true speed: 7 % under the belt's 8 km/h
    pod_rows = [r for r in rows if r.get("footpod_kmh")]
    assert pod_rows, "no tick carried the footpod's speed"
    assert all(r.get("true_speed_kmh") for r in pod_rows)
    # The first tick at 8 km/h may carry the pod's reading from a second before, when
    # the belt was still speeding up; from the next one on, the pod has caught up.
    settled = [r for r in pod_rows if r.get("speed_kmh", 0) >= 7.95][1:]
    assert settled and all(
        r["footpod_kmh"] == pytest.approx(r["speed_kmh"] * 0.93, abs=0.05) for r in settled
    )


def brisk_pod_model() -> TreadmillModel:
    """The footpod's model with a brisk belt and no heart rate of its own (the strap's)."""
    model = pod_model("runner pod")
    fields = tuple(f for f in model.telemetry_fields if f != "heart_rate")
    belt = replace(model.belt, acceleration_kmh_s=5, deceleration_kmh_s=5)
    return replace(model, belt=belt, telemetry_fields=fields)
