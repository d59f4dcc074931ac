"""BleakLink through bleak's real BlueZ backend, on a private D-Bus with the BlueZ stand-in.

One dbus-daemon per module; a fresh `FakeBlueZ` per test (bleak keeps one manager
per event loop, and each test has its own loop). The simulator runs on a scaled
clock because D-Bus is real I/O.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from treadpace.base.clock import ScaledClock
from treadpace.ftms import (
    CONTROL_POINT,
    FEATURE,
    FTMS_SERVICE,
    TREADMILL_DATA,
    RequestControl,
    SetTargetSpeed,
    TargetFeature,
    decode_control_response,
    decode_feature,
    decode_treadmill_data,
    encode_control_request,
)
from treadpace.treadmill.ble import BleakLink, DeviceNotFound, find_device
from treadpace.treadmill.ble_heart_rate import HeartRateSource
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import AttError, NotConnected, Telemetry
from treadpace_sim.bluez import FakeBlueZ, PrivateBus
from treadpace_sim.treadmill import SimulatedTreadmill

SCALE = 20.0
ADDR_A = "C0:FF:EE:18:26:01"
ADDR_B = "C0:FF:EE:18:26:02"


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(SCALE)


@pytest.fixture
async def sim(clock: ScaledClock) -> AsyncIterator[SimulatedTreadmill]:
    machine = SimulatedTreadmill("generic", clock)
    await machine.start()
    yield machine
    await machine.close()


@pytest.fixture
async def bluez(private_bus: PrivateBus) -> AsyncIterator[FakeBlueZ]:
    async with FakeBlueZ() as fake:
        yield fake


async def test_scan_finds_the_treadmill_by_ftms_uuid(
    bluez: FakeBlueZ, sim: SimulatedTreadmill
) -> None:
    bluez.add_device(sim, ADDR_A)
    device, adv = await find_device(None, timeout=3.0)
    assert device.address == ADDR_A
    assert FTMS_SERVICE in adv.service_uuids
    assert adv.service_data[FTMS_SERVICE][1] == 0x01  # machine type: treadmill


async def test_scan_ignores_devices_without_ftms(bluez: FakeBlueZ, sim: SimulatedTreadmill) -> None:
    bluez.add_device(sim, ADDR_A)
    with pytest.raises(DeviceNotFound):
        await find_device(None, timeout=0.3, service_uuid="0000feed-0000-1000-8000-00805f9b34fb")


async def test_pinned_address_never_connects_to_another_treadmill(
    bluez: FakeBlueZ, clock: ScaledClock, sim: SimulatedTreadmill
) -> None:
    second = SimulatedTreadmill("generic", clock)
    await second.start()
    try:
        first_dev = bluez.add_device(sim, ADDR_A, rssi=-30)  # louder, and first on the air
        second_dev = bluez.add_device(second, ADDR_B, rssi=-80)
        link = BleakLink(ADDR_B.lower(), clock, retries=0, scan_timeout=3.0)
        await link.connect()
        assert link.address == ADDR_B
        assert second_dev.connected and not first_dev.connected
        assert second.is_connected(second_dev.client) and not sim.is_connected(first_dev.client)
        await link.disconnect()

        second_dev.advertising = False  # the pinned one is off: never fall back to another
        link = BleakLink(ADDR_B, clock, retries=1, scan_timeout=0.3, backoff=0.1)
        with pytest.raises(DeviceNotFound):
            await link.connect()
        assert not first_dev.connected
    finally:
        await second.close()


async def test_pinned_name_picks_that_treadmill(bluez: FakeBlueZ, sim: SimulatedTreadmill) -> None:
    bluez.add_device(sim, ADDR_A)
    name = sim.advertisement()[0]
    assert name
    device, _ = await find_device(name.upper(), timeout=3.0)
    assert device.address == ADDR_A
    with pytest.raises(DeviceNotFound):
        await find_device("Some Other Treadmill", timeout=0.3)


async def test_read_write_and_indication_through_bleak(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, clock: ScaledClock
) -> None:
    bluez.add_device(sim, ADDR_A)
    link = BleakLink(ADDR_A, clock, retries=0)
    await link.connect()
    assert link.is_connected
    assert link.has_characteristic(TREADMILL_DATA)
    assert link.can_indicate(CONTROL_POINT)
    assert not link.can_indicate(TREADMILL_DATA)
    feature = decode_feature(await link.read(FEATURE))
    assert feature.target & TargetFeature.SPEED_TARGET

    responses: asyncio.Queue[bytes] = asyncio.Queue()
    data: asyncio.Queue[bytes] = asyncio.Queue()
    await link.subscribe(CONTROL_POINT, responses.put_nowait)
    await link.subscribe(TREADMILL_DATA, data.put_nowait)
    await link.write(CONTROL_POINT, encode_control_request(RequestControl()))
    response = decode_control_response(await asyncio.wait_for(responses.get(), 2.0))
    assert (response.request_op, response.result) == (0x00, 0x01)
    assert len(await asyncio.wait_for(data.get(), 2.0)) >= 4  # telemetry flows

    with pytest.raises(AttError) as refused:
        await link.write(FEATURE, b"\x00")  # read-only: the ATT layer refuses
    assert refused.value.code == 0x03
    await link.disconnect()
    assert not link.is_connected
    with pytest.raises(NotConnected):
        await link.read(FEATURE)


async def test_ftms_treadmill_control_round_trip_over_bleak(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, clock: ScaledClock
) -> None:
    bluez.add_device(sim, ADDR_A)
    treadmill = FtmsTreadmill(BleakLink(ADDR_A, clock, retries=0), clock)
    await treadmill.connect()
    try:
        assert treadmill.speed_range.max_kmh > 10
        assert await treadmill.request_control()
        await treadmill.start()
        await treadmill.set_speed(8.0)
        seen = 0.0
        async for update in treadmill.updates():
            if isinstance(update, Telemetry):
                seen = update.speed_kmh
                if seen >= 7.9:
                    break
        assert seen >= 7.9
        assert sim.belt.speed_kmh == pytest.approx(8.0, abs=0.3)
    finally:
        await treadmill.stop()
        await treadmill.disconnect()


async def test_connect_retries_after_an_injected_failure(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, clock: ScaledClock
) -> None:
    device = bluez.add_device(sim, ADDR_A)
    bluez.inject_error("Connect", "org.bluez.Error.Failed", "Input/output error")
    link = BleakLink(ADDR_A, clock, retries=2, backoff=0.5)
    await link.connect()
    assert device.connected
    assert bluez.calls.count("Connect") == 2
    await link.disconnect()


async def test_connect_gives_up_with_one_line(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, clock: ScaledClock
) -> None:
    bluez.add_device(sim, ADDR_A)
    for _ in range(2):
        bluez.inject_error("Connect", "org.bluez.Error.Failed", "Input/output error")
    link = BleakLink(ADDR_A, clock, retries=0)
    with pytest.raises(NotConnected) as failed:
        await link.connect()
    assert "\n" not in str(failed.value) and ADDR_A in str(failed.value)


async def test_failed_write_is_reported_not_swallowed(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, clock: ScaledClock
) -> None:
    bluez.add_device(sim, ADDR_A)
    treadmill = FtmsTreadmill(BleakLink(ADDR_A, clock, retries=0), clock)
    await treadmill.connect()
    try:
        bluez.inject_error(
            "WriteValue", "org.bluez.Error.Failed", "Operation failed with ATT error: 0x80"
        )
        with pytest.raises(AttError) as failed:
            await treadmill.set_speed(6.0)
        assert failed.value.code == 0x80
        assert sim.belt.speed_kmh == 0.0  # nothing moved
    finally:
        await treadmill.disconnect()


async def test_control_not_permitted_is_a_refusal(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, clock: ScaledClock
) -> None:
    bluez.add_device(sim, ADDR_A)
    link = BleakLink(ADDR_A, clock, retries=0)
    await link.connect()
    responses: asyncio.Queue[bytes] = asyncio.Queue()
    await link.subscribe(CONTROL_POINT, responses.put_nowait)
    await link.write(CONTROL_POINT, encode_control_request(SetTargetSpeed(9.0)))
    response = decode_control_response(await asyncio.wait_for(responses.get(), 2.0))
    assert response.result == 0x05  # control not permitted before Request Control
    await link.disconnect()


async def test_heart_rate_strap_feeds_the_treadmill_and_survives_a_drop(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, clock: ScaledClock
) -> None:
    strap_sim = SimulatedTreadmill("hr-service", clock)  # advertises 0x180D, notifies 0x2A37
    await strap_sim.start()
    try:
        bluez.add_device(sim, ADDR_A)  # no heart-rate service: never taken for the strap
        strap = bluez.add_device(strap_sim, ADDR_B)
        source = HeartRateSource(None, clock, scan_timeout=2.0)
        fed: list[int | None] = []

        class Sink:
            def feed_heart_rate(self, bpm: int | None) -> None:
                fed.append(bpm)

        async def drop_once() -> None:
            while len(fed) < 2:
                await clock.sleep(0.5)
            strap.drop_link(down_for=0.5)

        dropper = asyncio.create_task(drop_once())
        feeder = asyncio.create_task(source.feed(Sink()))
        async with asyncio.timeout(10):
            while not (None in fed and fed[-1] is not None and len(fed) >= 4):
                await clock.sleep(0.5)
        feeder.cancel()
        await dropper
        assert source.link.address == ADDR_B
        assert all(40 <= b <= 220 for b in fed if b is not None)
        first_gap = fed.index(None)
        assert first_gap >= 2 and any(b is not None for b in fed[first_gap:])  # back after drop
    finally:
        await strap_sim.close()


async def test_acquire_notify_delivers_over_the_passed_socket(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, clock: ScaledClock
) -> None:
    from bleak import BleakClient

    device = bluez.add_device(sim, ADDR_A)
    found, _ = await find_device(ADDR_A, timeout=3.0)
    async with BleakClient(found) as client:
        data: asyncio.Queue[bytes] = asyncio.Queue()
        await client.start_notify(
            TREADMILL_DATA,
            lambda _c, d: data.put_nowait(bytes(d)),
            bluez={"use_start_notify": False},
        )
        packet = await asyncio.wait_for(data.get(), 2.0)
        assert len(packet) <= 20 and not decode_treadmill_data(packet).truncated
        assert "AcquireNotify" in bluez.calls and "StartNotify" not in bluez.calls
        char = next(c for c in device.chars.values() if c.uuid == TREADMILL_DATA)
        assert char.acquired is not None
    assert not device.connected


async def test_a_silent_treadmill_is_not_found_and_connect_is_refused(
    bluez: FakeBlueZ, sim: SimulatedTreadmill, clock: ScaledClock
) -> None:
    device = bluez.add_device(sim, ADDR_A)
    found, _ = await find_device(ADDR_A, timeout=3.0)
    device.advertising = False  # it stopped advertising after we saw it
    from bleak import BleakClient

    with pytest.raises(Exception, match="connection abort"):
        await BleakClient(found, timeout=2.0).connect()
    with pytest.raises(DeviceNotFound):
        await find_device(ADDR_A, timeout=0.3)
