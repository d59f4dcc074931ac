"""The in-process GATT link: the simulator seen through the `GattLink` port."""

from __future__ import annotations

import asyncio

import pytest

from treadpace.base.clock import VirtualClock
from treadpace.ftms import (
    CONTROL_POINT,
    FEATURE,
    MACHINE_STATUS,
    TREADMILL_DATA,
    decode_control_response,
    decode_treadmill_data,
)
from treadpace.treadmill.port import AttError, GattLink, NotConnected
from treadpace.treadmill.sim import SimLink
from treadpace_sim.model import load_model
from treadpace_sim.treadmill import SimulatedTreadmill


async def test_link_reads_writes_and_notifies() -> None:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model("generic"), clock)
    link: GattLink = SimLink(sim)
    responses: list[bytes] = []
    speeds: list[float | None] = []
    order: list[str] = []

    async def run() -> None:
        await sim.start()
        assert not link.is_connected
        await link.connect()
        assert link.is_connected and link.name == "simulator:generic"
        assert link.has_characteristic(CONTROL_POINT) and link.can_indicate(CONTROL_POINT)
        assert not link.can_indicate(TREADMILL_DATA)
        assert (await link.read(FEATURE)).hex() == "1d16000003000000"
        await link.subscribe(CONTROL_POINT, lambda d: (responses.append(d), order.append("80")))
        await link.subscribe(
            TREADMILL_DATA, lambda d: speeds.append(decode_treadmill_data(d).speed_kmh)
        )
        await link.write(CONTROL_POINT, b"\x00")
        order.append("write returned")  # the Write Response comes before the indication
        await asyncio.sleep(0)
        await link.write(CONTROL_POINT, b"\x07")
        await clock.sleep(5)
        await link.disconnect()
        assert not link.is_connected
        await sim.close()

    await clock.drive(run())
    assert [decode_control_response(r).result for r in responses] == [1, 1]
    assert order[:2] == ["write returned", "80"]
    assert [s for s in speeds if s is not None][-1] == 0.8  # the start speed


async def test_att_errors_and_link_down_map_to_port_errors() -> None:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model("generic"), clock)
    link = SimLink(sim)
    dropped: list[bool] = []

    async def run() -> None:
        await sim.start()
        with pytest.raises(NotConnected):
            await link.read(FEATURE)
        await link.connect()
        link.on_disconnect(lambda: dropped.append(True))
        with pytest.raises(AttError) as err:
            await link.write(CONTROL_POINT, b"\x00")  # indications not enabled
        assert err.value.code == 0xFD
        await link.subscribe(CONTROL_POINT, lambda d: None)
        await link.write(CONTROL_POINT, b"\x00")
        with pytest.raises(AttError) as err:
            await link.write(CONTROL_POINT, b"\x07")  # before the 80 00 01 arrived
        assert err.value.code == 0xFE
        # a Write Command has no response: the ATT error is not heard
        await link.write(CONTROL_POINT, b"\x07", with_response=False)
        with pytest.raises(AttError):
            await link.subscribe(FEATURE, lambda d: None)  # read-only
        sim.drop_link(down_for=10)
        assert dropped == [True] and not link.is_connected
        with pytest.raises(NotConnected):
            await link.connect()
        with pytest.raises(NotConnected):
            await link.write(CONTROL_POINT, b"\x00")
        with pytest.raises(NotConnected):
            await link.subscribe(MACHINE_STATUS, lambda d: None)
        await clock.sleep(10)
        await link.connect()
        sim.disconnect()  # a requested disconnect is not a drop
        assert dropped == [True]
        await sim.close()

    await clock.drive(run())


async def test_two_links_share_one_machine() -> None:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model("generic"), clock)
    a, b = SimLink(sim, client=1), SimLink(sim, client=2)
    seen_a: list[bytes] = []
    seen_b: list[bytes] = []

    async def run() -> None:
        await sim.start()
        for link, seen in ((a, seen_a), (b, seen_b)):
            await link.connect()
            await link.subscribe(MACHINE_STATUS, seen.append)
            await link.subscribe(CONTROL_POINT, seen.append)
        await a.write(CONTROL_POINT, b"\x00")
        await asyncio.sleep(0)
        await a.write(CONTROL_POINT, bytes.fromhex("02 e8 03"))
        await asyncio.sleep(0)
        await sim.close()

    await clock.drive(run())
    assert [d.hex(" ") for d in seen_a] == ["80 00 01", "80 02 01"]
    assert [d.hex(" ") for d in seen_b] == ["05 e8 03"]  # the echo goes to the other client
