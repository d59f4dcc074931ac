"""The fake treadmill the engine tests drive (tests/fake_treadmill.py) behaves like a belt."""

from __future__ import annotations

from tests.fake_treadmill import FakeTreadmill
from treadpace.base.clock import VirtualClock


async def test_fake_belt_ramps_and_counts_distance() -> None:
    clock = VirtualClock()

    async def scenario() -> tuple[float, float]:
        tm = FakeTreadmill(clock)
        await tm.connect()
        tm.has_control_ = True
        await tm.set_speed(10.0)
        await tm.start()
        await clock.sleep(60)
        tm.sync()
        await tm.disconnect()
        return tm.speed, tm.distance

    speed, distance = await clock.drive(scenario())
    assert speed == 10.0
    # 18.4 s of ramp from 0.8 at 0.5 km/h/s, then 41.6 s at 10 km/h
    expected = (0.0 + 10.0) / 2 * 20 / 3.6 + 10.0 * 40 / 3.6
    assert abs(distance - expected) < 0.01
