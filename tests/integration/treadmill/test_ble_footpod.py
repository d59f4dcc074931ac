"""The simulated footpod as a Bluetooth device of its own, read by `BleFootpod` through bleak.

The simulator's footpod registers as a GATT app on the stand-in's hci2 (a radio of
its own, as a real pod is a device of its own); a decoy pod (a second simulator's)
registers on hci1. bleak's real BlueZ backend scans for the RSC service, and the
footpod client, pinned by name, must read the pinned pod only, at the belt's true
speed, ride out a radio drop with the one backoff, and report nothing while the pod
is off the shoe. (`treadpace run` reading a profile's pinned pod: test_ble_cli.)
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import cast

import pytest

from tests.ble_commands import ADDR as TREADMILL_ADDR
from tests.ble_commands import pod_model, treadpace_on_bus
from treadpace.base.clock import ScaledClock
from treadpace.commands.simulate import CLEANUP_S
from treadpace.ftms.rsc import RscFeatureBit, decode_rsc_feature
from treadpace.ftms.uuids import RSC_FEATURE, RSC_SERVICE
from treadpace.treadmill.ble import BleakLink, find_device
from treadpace.treadmill.footpod import BleFootpod, FootpodReading
from treadpace_sim.bluez import FakeBlueZ, PrivateBus
from treadpace_sim.bluez.footpod_app import FootpodApp
from treadpace_sim.bluez.peripheral import PeripheralApp
from treadpace_sim.runner_footpod import FootpodFault
from treadpace_sim.treadmill import SimulatedTreadmill

POD_ADDR = "00:1A:7D:DA:71:03"  # the stand-in's hci2
HCI1_ADDR = "00:1A:7D:DA:71:02"  # hci1
RSC_STEP_KMH = 3.6 / 256 + 1e-9  # one step of the RSC speed field (1/256 m/s)


@pytest.fixture
async def bluez(private_bus: PrivateBus) -> AsyncIterator[FakeBlueZ]:
    async with FakeBlueZ() as fake:
        yield fake


def generator(pod: BleFootpod) -> AsyncGenerator[FootpodReading | None, None]:
    """The pod's readings, closed by the test when it is done with them."""
    return cast("AsyncGenerator[FootpodReading | None, None]", pod.readings())


async def next_reading(readings: AsyncIterator[FootpodReading | None]) -> FootpodReading | None:
    async with asyncio.timeout(10):
        return await anext(readings)


async def test_ble_footpod_reads_the_pinned_pod_rides_out_a_drop_and_goes_quiet(
    bluez: FakeBlueZ,
) -> None:
    clock = ScaledClock(40)
    sim = SimulatedTreadmill(pod_model("runner pod"), clock)
    decoy = SimulatedTreadmill(pod_model("someone else's pod"), clock)  # stands still: 0 km/h
    apps = [FootpodApp(sim, adapter="hci2"), FootpodApp(decoy, adapter="hci1")]
    for s in (sim, decoy):
        await s.start()
    for app in apps:
        await app.start()
    sim.press_start()
    sim.server.belt.set_target_speed(10.0)
    pod = BleFootpod("runner pod", clock, scan_timeout=5.0, connect_timeout=5.0)
    readings = generator(pod)
    try:
        # found by its service, under its own name, and the pinned one only
        device, adv = await find_device("runner pod", timeout=3.0, service_uuid=RSC_SERVICE)
        assert (device.address, adv.local_name) == (POD_ADDR, "runner pod")
        while sim.server.belt.speed_kmh != 10.0:  # the belt settles at 10 km/h
            await clock.sleep(0.5)
        first = await next_reading(readings)
        assert pod.link.address == POD_ADDR
        got = [first] + [await next_reading(readings) for _ in range(5)]
        true_kmh = sim.server.belt.true_speed_kmh
        assert true_kmh == pytest.approx(10.0 * (1 - 0.17 / 3), abs=0.02)  # -5.67 % at 10 km/h
        for r in got:
            assert r is not None and r.speed_kmh == pytest.approx(true_kmh, abs=RSC_STEP_KMH)

        # the radio drops: the client says so (None), reconnects with the backoff, reads on
        next(d for d in bluez.devices if d.address == POD_ADDR).drop_link()
        seen = [await next_reading(readings) for _ in range(3)]
        while seen[-1] is None or None not in seen:
            seen.append(await next_reading(readings))
        back = seen[-1]
        assert back is not None and back.speed_kmh == pytest.approx(true_kmh, abs=RSC_STEP_KMH)
        assert pod.link.address == POD_ADDR  # the pinned pod again, never the decoy

        # off the shoe: the link stays up, and nothing is reported. A reading sent before
        # the fault may still be on its way: the pod's own total tells them apart.
        assert sim.footpod is not None
        sim.footpod_fault(FootpodFault.OFF, 600.0)
        counted_m = sim.footpod.distance_m
        await clock.sleep(20.0)
        late: list[FootpodReading] = []
        while not pod._readings.queue.empty():
            r = pod._readings.queue.get_nowait()
            if r is not None and r.distance_m is not None and r.distance_m > counted_m + 0.1:
                late.append(r)
        assert late == []
    finally:
        await readings.aclose()
        for app in apps:
            await app.stop()
        for s in (sim, decoy):
            await s.close()


async def test_the_pod_says_what_it_measures(bluez: FakeBlueZ) -> None:
    clock = ScaledClock(20)
    sim = SimulatedTreadmill("slow-truth", clock)
    await sim.start()
    app = FootpodApp(sim, adapter="hci2")
    await app.start()
    link = BleakLink(POD_ADDR, clock, retries=0, service_uuid=RSC_SERVICE)
    try:
        await link.connect()
        feature = decode_rsc_feature(await link.read(RSC_FEATURE))
        assert feature.bits & RscFeatureBit.TOTAL_DISTANCE
        assert not feature.bits & RscFeatureBit.CALIBRATION  # nothing to write to it
        _, adv = await find_device(POD_ADDR, timeout=3.0, service_uuid=RSC_SERVICE)
        assert adv.local_name == "treadpace-slow-truth-footpod"
    finally:
        await link.disconnect()
        await app.stop()
        await sim.close()


async def test_simulate_ble_serves_the_models_footpod_as_a_second_device(
    bluez: FakeBlueZ, tmp_path: Path
) -> None:
    errors = (tmp_path / "stderr.txt").open("wb")  # a file: an unread pipe could block it
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "treadpace", "simulate", "--ble", "--model", "slow-truth",
        "--ble-adapter", "hci1", "--footpod-adapter", "hci2", "--every", "1000",
        stdout=asyncio.subprocess.DEVNULL, stderr=errors,
    )  # fmt: skip
    clock = ScaledClock(1)
    pod = BleFootpod(POD_ADDR, clock, scan_timeout=10.0)
    readings = generator(pod)
    try:
        _, adv = await find_device(POD_ADDR, timeout=10.0, service_uuid=RSC_SERVICE)
        assert adv.local_name == "treadpace-slow-truth-footpod"
        treadmill, _ = await find_device(None, timeout=10.0)  # and the belt, on its own radio
        assert treadmill.address == "00:1A:7D:DA:71:02"
        reading = await next_reading(readings)
        assert reading is not None and reading.speed_kmh == 0.0  # nobody started the belt
    finally:
        await readings.aclose()
        proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(proc.wait(), 4 * CLEANUP_S)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        finally:
            errors.close()
    why = (tmp_path / "stderr.txt").read_text(errors="replace")[-2000:]
    assert proc.returncode in (0, 130, -signal.SIGINT), why


async def test_scan_footpod_lists_the_pod_beside_the_treadmill(bluez: FakeBlueZ) -> None:
    clock = ScaledClock(1)
    sim = SimulatedTreadmill(pod_model("runner pod"), clock)
    await sim.start()
    bluez.add_device(sim, TREADMILL_ADDR)
    app = FootpodApp(sim, adapter="hci2")
    await app.start()
    try:
        code, out, err = await treadpace_on_bus("scan", "--footpod", "--timeout", "0.5", "--json")
        assert code == 0, err
        rows = {(r["address"], r["type"], r["name"]) for r in json.loads(out)}
        assert rows == {
            (TREADMILL_ADDR, "treadmill", sim.advertisement()[0]),
            (POD_ADDR, "footpod", "runner pod"),
        }
        # In words, the same rows: the treadmill's, and the pod's only when asked for
        # (the pod's row in words is the treadmill's layout, held here with it).
        code, out, _ = await treadpace_on_bus("scan", "--timeout", "0.5")
        assert code == 0 and POD_ADDR not in out
        name = sim.advertisement()[0]
        assert name and TREADMILL_ADDR in out and "treadmill" in out and name in out
    finally:
        await app.stop()
        await sim.close()


async def test_one_adapter_mirrors_one_device_and_says_so(bluez: FakeBlueZ) -> None:
    clock = ScaledClock(20)
    sim = SimulatedTreadmill("slow-truth", clock)
    await sim.start()
    treadmill = PeripheralApp(sim, adapter="hci1")
    await treadmill.start()
    pod = FootpodApp(sim, adapter="hci1")
    try:
        with pytest.raises(RuntimeError, match="already advertises an application"):
            await pod.start()
        device, adv = await find_device(None, timeout=3.0)  # the treadmill is untouched
        assert (device.address, adv.local_name) == (HCI1_ADDR, sim.advertisement()[0])
    finally:
        await pod.stop()
        await treadmill.stop()
        await sim.close()


async def test_scan_footpod_finding_nothing_names_what_it_looked_for(bluez: FakeBlueZ) -> None:
    code, out, err = await treadpace_on_bus("scan", "--footpod", "--hr", "--timeout", "0.3")
    assert (code, out) == (1, "")
    assert err == "error: no treadmill, strap or footpod found (listened 0.3 s)\n"
