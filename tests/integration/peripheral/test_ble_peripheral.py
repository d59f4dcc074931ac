"""The simulator as a real BlueZ GATT peripheral app (`simulate --ble`), reached through bleak.

The app registers on hci1 (peripheral role) with `RegisterApplication` and
`RegisterAdvertisement`; the BlueZ stand-in mirrors it to hci0 as a remote
device, as two radios would. bleak (unmodified) then scans, connects and drives
it like any treadmill, so the code that would run on a Raspberry Pi is the code
under test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from treadpace.base.clock import RealClock, ScaledClock
from treadpace.commands.simulate import CLEANUP_S
from treadpace.ftms import FTMS_SERVICE, SPEED_RANGE, decode_speed_range
from treadpace.treadmill.ble import BleakLink, DeviceNotFound, find_device
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import LinkLost, LinkRestored, Telemetry
from treadpace_sim.bluez import FakeBlueZ, PrivateBus
from treadpace_sim.bluez.peripheral import PeripheralApp
from treadpace_sim.treadmill import SimulatedTreadmill

PERIPHERAL_ADDR = "00:1A:7D:DA:71:02"  # the stand-in's hci1


@pytest.fixture
async def bluez(private_bus: PrivateBus) -> AsyncIterator[FakeBlueZ]:
    async with FakeBlueZ() as fake:
        yield fake


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(20)


async def speed_reached(treadmill: FtmsTreadmill, kmh: float) -> float:
    async with asyncio.timeout(10):
        async for update in treadmill.updates():
            if isinstance(update, Telemetry) and update.speed_kmh >= kmh - 0.05:
                return update.speed_kmh
    raise AssertionError("no telemetry")


async def test_registered_app_is_a_treadmill_to_bleak(bluez: FakeBlueZ, clock: ScaledClock) -> None:
    log: list[dict[str, object]] = []
    sim = SimulatedTreadmill("generic", clock, observers=[lambda _t, r: log.append(r)])
    await sim.start()
    app = PeripheralApp(sim, adapter="hci1")
    await app.start()
    try:
        device, adv = await find_device(None, timeout=3.0)
        assert device.address == PERIPHERAL_ADDR
        assert adv.local_name == sim.advertisement()[0]
        assert adv.service_data[FTMS_SERVICE] == bytes([0x01, 0x01, 0x00])

        treadmill = FtmsTreadmill(BleakLink(PERIPHERAL_ADDR, clock, retries=0), clock)
        await treadmill.connect()
        assert treadmill.speed_range == decode_speed_range(sim.server.read(SPEED_RANGE))
        assert await treadmill.request_control()
        await treadmill.start()
        await treadmill.set_speed(7.5)
        assert await speed_reached(treadmill, 7.5) == pytest.approx(7.5, abs=0.05)
        await treadmill.stop()
        await treadmill.disconnect()
        ops = [r.get("op") for r in log if r.get("event") == "command"]
        assert ops[:3] == ["request_control", "start_or_resume", "set_target_speed"]
        assert not sim.is_connected(0)  # the app let the simulator go when the central left
    finally:
        await app.stop()
        await sim.close()


async def test_link_drop_on_the_peripheral_reaches_bleak_and_reconnects(
    bluez: FakeBlueZ, clock: ScaledClock
) -> None:
    log: list[dict[str, object]] = []
    sim = SimulatedTreadmill("generic", clock, observers=[lambda _t, r: log.append(r)])
    await sim.start()
    app = PeripheralApp(sim, adapter="hci1")
    await app.start()
    treadmill = FtmsTreadmill(BleakLink(PERIPHERAL_ADDR, clock, retries=0), clock)
    try:
        await treadmill.connect()
        assert await treadmill.request_control()
        sim.drop_link(down_for=0.2)  # the machine's radio fails; the app hangs up
        seen: list[str] = []
        async with asyncio.timeout(10):
            async for update in treadmill.updates():
                if isinstance(update, LinkLost | LinkRestored):
                    seen.append(type(update).__name__)
                    if isinstance(update, LinkRestored):
                        break
        assert seen == ["LinkLost", "LinkRestored"]
        assert treadmill.has_control  # control was asked for again
        granted = [r for r in log if r.get("op") == "request_control"]
        assert [r["result"] for r in granted] == ["success", "success"]
        assert not [r for r in log if r.get("op") == "start_or_resume"]  # no surprise start
    finally:
        await treadmill.disconnect()
        await app.stop()
        await sim.close()


async def test_unregistered_app_is_gone(bluez: FakeBlueZ, clock: ScaledClock) -> None:
    sim = SimulatedTreadmill("generic", clock)
    await sim.start()
    app = PeripheralApp(sim, adapter="hci1")
    await app.start()
    await find_device(PERIPHERAL_ADDR, timeout=3.0)
    await app.stop()
    try:
        assert not bluez.devices
        with pytest.raises(DeviceNotFound):
            await find_device(PERIPHERAL_ADDR, timeout=0.3)
    finally:
        await sim.close()


@pytest.fixture
async def own_bluez() -> AsyncIterator[FakeBlueZ]:
    """A stand-in on a bus of this test's own: the subprocess must meet no app an earlier
    test in the module registered (in full runs it once served bleak in its place)."""
    bus = PrivateBus()
    bus.start()
    old = bus.export()
    try:
        async with FakeBlueZ() as fake:
            yield fake
    finally:
        PrivateBus.restore(old)
        bus.stop()


def exit_seen(pid: int) -> str:
    """Whether a child that was late to exit had really gone on living, without reaping it.

    `waitid` with WNOWAIT looks and leaves the status for the event loop's own wait: a
    process still running outlived its signal; one that had exited, or was reaped
    already, was gone and only the news of it was late.
    """
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return "it had exited and was reaped already: the event loop was not told"
    if info is not None:
        return f"it had exited (status {info.si_status}) but the event loop had not reaped it"
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        state = stat.rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        state = "unknown"
    return f"it was still running (state {state}): it outlived its SIGINT"


async def test_simulate_ble_command_serves_bleak(
    own_bluez: FakeBlueZ, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # stderr to a file: a pipe nobody reads until the end fills up, and a child blocked
    # writing to it serves nothing and hears no signal.
    errors = (tmp_path / "stderr.txt").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "treadpace",
        "simulate",
        "--ble",
        "--ble-adapter",
        "hci1",
        "--time-scale",
        "10",
        "--every",
        "1000",
        stdout=asyncio.subprocess.PIPE,
        stderr=errors,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),  # what it said survives a kill
    )
    clock = RealClock()
    try:
        treadmill = FtmsTreadmill(
            BleakLink(PERIPHERAL_ADDR, clock, retries=2, scan_timeout=10.0, backoff=0.2), clock
        )
        await treadmill.connect()
        assert await treadmill.request_control()
        await treadmill.start()
        await treadmill.set_speed(3.0)
        await speed_reached(treadmill, 3.0)
        await treadmill.stop()
        await treadmill.disconnect()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            # Its closing is bounded (CLEANUP_S for the front ends, again for the
            # simulator); twice that is plenty, it exits in ~0.03 s here.
            await asyncio.wait_for(proc.wait(), 4 * CLEANUP_S)
        except TimeoutError:
            # Seen in full CI runs, never alone: the process outlived its SIGINT. What it
            # served is still judged below (the pipe keeps it); the slow exit is left open,
            # but said in the run's output: was it alive, or only its exit unheard of?
            late = f"simulate --ble was late to exit after SIGINT: {exit_seen(proc.pid)}"
            request.node.user_properties.append(("late_exit", late))
            reporter = request.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"NOTE {request.node.nodeid}: {late}", yellow=True)
            proc.kill()
            await proc.wait()
        finally:
            errors.close()
    assert proc.stdout is not None
    text = (await proc.stdout.read()).decode()
    why = (tmp_path / "stderr.txt").read_text(errors="replace")[-2000:]
    assert "request_control" in text and "set_target_speed speed_kmh=3.0 -> success" in text, why


async def test_simulate_ble_without_bluez_is_one_line_exit_2(private_bus: PrivateBus) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "treadpace",
        "simulate",
        "--ble",
        "--duration",
        "1",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 2
    assert err.decode() == "error: --ble: BlueZ (bluetoothd) is not running\n"


async def test_simulate_ble_refused_registration_is_one_line_exit_2(bluez: FakeBlueZ) -> None:
    bluez.inject_error("RegisterApplication", "org.bluez.Error.Failed", "No adapter resources")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "treadpace",
        "simulate",
        "--ble",
        "--ble-adapter",
        "hci1",
        "--duration",
        "600",  # a carrying-on simulator would still be running when the wait below ends
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 2
    assert err.decode() == (
        "error: --ble: cannot register with BlueZ on hci1: RegisterApplication: "
        "org.bluez.Error.Failed: No adapter resources\n"
    )
    assert not bluez.devices


def test_a_late_exit_is_told_from_a_live_process_without_reaping_it() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert "still running" in exit_seen(child.pid)
        child.kill()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # gone, not reaped
        assert f"had exited (status {signal.SIGKILL})" in exit_seen(child.pid)
    finally:
        child.kill()
        assert child.wait(timeout=30) == -signal.SIGKILL  # its status was left to its owner
    assert "reaped already" in exit_seen(child.pid)
