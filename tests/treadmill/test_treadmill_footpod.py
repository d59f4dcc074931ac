"""The footpod client: readings from the simulated pod, and when they can be trusted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from treadpace.base.clock import VirtualClock
from treadpace.ftms.rsc import RscMeasurement, encode_rsc_measurement
from treadpace.treadmill.footpod import (
    FRESH_S,
    FootpodFusion,
    FootpodReading,
    SimFootpod,
    decode_reading,
)
from treadpace.treadmill.port import PodState
from treadpace.treadmill.true_speed import far_from_belt
from treadpace_sim.faults import Fault
from treadpace_sim.model import load_model
from treadpace_sim.treadmill import SimulatedTreadmill


def test_a_reading_is_decoded_with_its_time() -> None:
    data = encode_rsc_measurement(RscMeasurement(3.0, 170, 1.05, 1234.5, True))
    r = decode_reading(data, 12.0)
    assert r.t == 12.0 and r.speed_kmh == pytest.approx(10.8, abs=0.02)
    assert r.cadence_spm == 170 and r.distance_m == pytest.approx(1234.5)


async def _nothing() -> AsyncIterator[FootpodReading | None]:
    return
    yield  # an async generator that ends at once


async def test_the_fusion_trusts_only_a_fresh_and_plausible_reading() -> None:
    f = FootpodFusion()
    assert f.judge(0.0) == (PodState.NONE, None)
    await f.attach(_nothing())
    assert f.judge(0.0)[0] is PodState.LOST
    f.feed(FootpodReading(10.0, 9.6, 170))
    assert f.judge(11.0)[0] is PodState.LIVE
    assert f.judge(10.0 + FRESH_S + 0.1)[0] is PodState.LOST
    f.feed(FootpodReading(20.0, 900.0, 0))
    assert f.judge(20.5)[0] is PodState.NONSENSE
    f.feed(None)  # a lost link says nothing new
    assert f.judge(20.5)[0] is PodState.NONSENSE


def test_a_pod_far_from_a_moving_belt_is_the_one_that_is_wrong() -> None:
    assert far_from_belt(4.0, 10.0) and far_from_belt(14.0, 10.0)
    assert not far_from_belt(9.3, 10.0)
    assert not far_from_belt(4.0, 0.0)  # walking off a standing belt is real


async def test_the_simulated_pod_reports_the_true_speed_and_its_faults() -> None:
    clock = VirtualClock()
    model = load_model("slow-truth")
    faults = [Fault(at=100.0, action="footpod_off", duration=20.0)]
    async with SimulatedTreadmill(model, clock, faults=faults) as sim:
        pod = SimFootpod(sim, clock)
        got: list[FootpodReading | None] = []

        async def collect() -> None:
            async for r in pod.readings():
                got.append(r)

        task = asyncio.create_task(collect(), name="collect")
        sim.press_start()
        sim.server.belt.set_target_speed(8.0)
        await clock.drive(clock.sleep(150.0))
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    readings = [r for r in got if r is not None]
    settled = [r for r in readings if 40 <= r.t <= 95]
    mean = sum(r.speed_kmh for r in settled) / len(settled)
    assert mean == pytest.approx(8.0 * 0.93, abs=0.05)
    assert not [r for r in readings if 101 <= r.t < 119]  # the pod was off
    assert [r for r in readings if r.t >= 121]
