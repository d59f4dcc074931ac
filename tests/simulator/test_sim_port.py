"""The simulator behind the real client: `FtmsTreadmill` over `SimLink`, per model."""

from __future__ import annotations

import asyncio

import pytest

from treadpace.base.clock import VirtualClock
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import ControlRefused, SafetyKeyPulled, Telemetry, TreadmillUpdate
from treadpace.treadmill.sim import SimLink
from treadpace_sim.model import load_model
from treadpace_sim.treadmill import SimulatedTreadmill


async def _drive(model: str, seconds: float = 40.0) -> tuple[SimulatedTreadmill, list[object]]:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model(model), clock)
    seen: list[object] = []

    async def run() -> None:
        await sim.start()
        tm = FtmsTreadmill(SimLink(sim), clock)
        await tm.connect()

        async def collect() -> None:
            update: TreadmillUpdate
            async for update in tm.updates():
                seen.append(update)

        task = asyncio.create_task(collect())
        try:
            if tm.controllable and await tm.request_control():
                await tm.start()
                await clock.sleep(3)
                try:
                    await tm.set_speed(8.0)
                except (ControlRefused, ValueError) as exc:
                    seen.append(exc)
            else:
                sim.press_start()
            await clock.sleep(seconds)
            seen.append(("final", sim.belt.speed_kmh))
        finally:
            await tm.disconnect()
            task.cancel()
            await sim.close()

    await clock.drive(run())
    return sim, seen


@pytest.mark.parametrize(
    ("model", "speed"),
    [
        ("generic", 8.0),
        ("wide-range", 8.0),
        ("slow-belt", None),  # 3 s delay, 0.2 km/h/s: reaches 8 km/h only at ~43 s
        ("split-records", 8.0),
        ("truncated-records", 8.0),
        ("early-notify", 8.0),
        ("notify-responses", 8.0),
        ("silent-control", 8.0),
        ("padded-status", 8.0),
        ("mph-grid", None),  # 8 km/h is above its 6.44 km/h maximum
        ("read-only", 0.8),  # runner started it on the console
        ("locked", 0.8),
        ("speed-ignored", 0.8),
        ("hr-service", 8.0),
    ],
)
async def test_ftms_treadmill_runs_on_every_model(model: str, speed: float | None) -> None:
    _sim, seen = await _drive(model)
    telemetry = [u for u in seen if isinstance(u, Telemetry)]
    assert len(telemetry) >= 35
    final = next(s for s in seen if isinstance(s, tuple))[1]
    if speed is not None:
        assert final == pytest.approx(speed)
        assert telemetry[-1].speed_kmh == pytest.approx(speed, abs=0.01)
    else:
        assert 0 < final <= 8.0  # moving; slow-belt only just there, mph-grid never


async def test_safety_key_reaches_the_client_as_an_event() -> None:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model("generic"), clock)
    seen: list[TreadmillUpdate] = []

    async def run() -> None:
        await sim.start()
        tm = FtmsTreadmill(SimLink(sim), clock)
        await tm.connect()

        async def collect() -> None:
            async for update in tm.updates():
                seen.append(update)

        task = asyncio.create_task(collect())
        await tm.request_control()
        await tm.start()
        await clock.sleep(5)
        sim.pull_safety_key()
        await clock.sleep(5)
        with pytest.raises(ControlRefused):
            await tm.start()  # 80 07 04 with the belt standing: a refusal
        await tm.disconnect()
        task.cancel()
        await sim.close()

    await clock.drive(run())
    assert any(isinstance(u, SafetyKeyPulled) for u in seen)
