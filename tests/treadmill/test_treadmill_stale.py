"""The "no data from the treadmill" watchdog holds on real time too, at any time scale.

At `--time-scale 30` the watchdog's 5 s of silence are 167 ms of the wall, shorter
than a garbage-collection pause, and a healthy run raised the warning. The silence
must also last a floor of real time (2 s). The runs use the virtual clock and the
simulated belt with a scripted telemetry gap; "real time" is injected as the
virtual time divided by the scale, as a `ScaledClock(30)` would measure it.
"""

from __future__ import annotations

import pytest

from treadpace.base.clock import ScaledClock, VirtualClock, real_seconds
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import Telemetry, TelemetryStale, TreadmillUpdate
from treadpace.treadmill.sim import SimLink
from treadpace_sim.faults import Fault
from treadpace_sim.treadmill import SimulatedTreadmill

SCALE = 30.0


async def updates_through_gaps(*gaps: tuple[float, float]) -> list[TreadmillUpdate]:
    """Start the belt, then go silent for each (at, seconds) after the belt started."""
    clock = VirtualClock()
    faults = [
        Fault(at=at, action="telemetry_gap", duration=d, since="belt_start") for at, d in gaps
    ]
    sim = SimulatedTreadmill("generic", clock, faults=faults)
    tm = FtmsTreadmill(SimLink(sim), clock, real_time=lambda: clock.now() / SCALE)

    async def body() -> list[TreadmillUpdate]:
        await sim.start()
        await tm.connect()
        sim.press_start()
        seen: list[TreadmillUpdate] = []
        async for u in tm.updates():
            seen.append(u)
            if clock.now() > 400:
                break
        await tm.disconnect()
        await sim.close()
        return seen

    return await clock.drive(body())


async def test_a_silence_shorter_than_the_real_floor_is_not_stale_at_x30() -> None:
    # 10 s of the run's time, a third of a second of the wall: a GC pause, not a fault.
    seen = await updates_through_gaps((60.0, 10.0))
    assert not [u for u in seen if isinstance(u, TelemetryStale)]


async def test_a_long_silence_is_reported_once_and_again_after_data_resumed() -> None:
    seen = await updates_through_gaps((60.0, 90.0), (250.0, 90.0))
    stale = [u for u in seen if isinstance(u, TelemetryStale)]
    assert len(stale) == 2  # once per silence: re-armed when data came back
    for report in stale:
        before = [u.t for u in seen if isinstance(u, Telemetry) and u.t < report.t]
        after = [u.t for u in seen if isinstance(u, Telemetry) and u.t > report.t]
        silent_for = report.t - before[-1]
        assert 2.0 * SCALE - 1.5 <= silent_for <= 2.0 * SCALE + 1.5  # the real floor ruled
        assert after  # data came back after it


def test_the_real_floor_comes_from_the_clock_and_virtual_time_stands_in() -> None:
    scaled = ScaledClock(SCALE)
    assert real_seconds(scaled)() == pytest.approx(scaled.now() / SCALE, abs=0.05)
    virtual = VirtualClock(start=12.0)
    assert real_seconds(virtual)() == 12.0
