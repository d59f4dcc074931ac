"""FtmsTreadmill against the simulator's faults and more of its models: the bytes a
radio would carry, with the machine misbehaving the ways real ones do."""

from __future__ import annotations

from typing import TypeVar

import pytest

from tests.sim_scenario import on_model
from treadpace.base.clock import VirtualClock
from treadpace.ftms import CONTROL_POINT, HEART_RATE_MEASUREMENT
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import (
    BeltStartedByUser,
    BeltStoppedByUser,
    ControlLost,
    ControlRefused,
    ControlTimeout,
    LinkLost,
    LinkRestored,
    SafetyKeyPulled,
    TargetInclineChanged,
    TargetSpeedChanged,
    Telemetry,
    TelemetryStale,
    TrainingStatusChanged,
    TreadmillUpdate,
)
from treadpace_sim.treadmill import SimulatedTreadmill

U = TypeVar("U")


async def running(tm: FtmsTreadmill, clock: VirtualClock, kmh: float) -> None:
    assert await tm.request_control()
    await tm.start()
    await clock.sleep(5)
    await tm.set_speed(kmh)
    await clock.sleep(20)


def of(kind: type[U], updates: list[TreadmillUpdate]) -> list[U]:
    return [u for u in updates if isinstance(u, kind)]


async def test_control_withdrawn_then_our_stop_asks_again_and_stops_the_belt() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await running(tm, clock, 9.0)
        sim.revoke_control()
        await clock.sleep(1)
        assert not tm.has_control
        await tm.stop()  # the exit path of a run: control asked for, then the stop
        await clock.sleep(30)
        assert sim.belt.speed_kmh == 0.0

    updates = await on_model("generic", scenario)
    assert len(of(ControlLost, updates)) == 1


async def test_reboot_mid_run_reconnects_and_never_restarts_the_belt() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await running(tm, clock, 10.0)
        sim.reboot(down_for=4.0)
        await clock.sleep(30)
        assert tm.has_control  # asked again after the reconnect
        assert sim.belt.speed_kmh == 0.0  # nothing replayed: the belt stays stopped

    updates = await on_model("generic", scenario)
    kinds = [type(u) for u in updates if isinstance(u, LinkLost | LinkRestored)]
    assert kinds == [LinkLost, LinkRestored]
    after = updates[updates.index(of(LinkRestored, updates)[0]) :]
    assert all(u.speed_kmh == 0.0 for u in of(Telemetry, after))


async def test_telemetry_gap_while_running_is_reported_stale() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await running(tm, clock, 8.0)
        sim.telemetry_gap(8.0)
        await clock.sleep(12)

    updates = await on_model("generic", scenario)
    assert len(of(TelemetryStale, updates)) == 1
    stale = of(TelemetryStale, updates)[0]
    # Telemetry came back after the gap and kept flowing.
    assert any(u.t > stale.t for u in of(Telemetry, updates))


async def test_silent_control_point_times_out_and_is_not_replayed() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await running(tm, clock, 8.0)
        sim.control_point_silent(duration=3.0)
        with pytest.raises(ControlTimeout):
            await tm.set_speed(9.0)
        await clock.sleep(10)
        assert sim.belt.speed_kmh == pytest.approx(8.0)  # the lost command stayed lost
        await tm.set_speed(9.0)  # answered again once the machine talks
        await clock.sleep(10)
        assert sim.belt.speed_kmh == pytest.approx(9.0)

    await on_model("generic", scenario)


async def test_garbage_on_every_characteristic_is_skipped() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await running(tm, clock, 7.0)
        for characteristic in ("treadmill_data", "machine_status", "training_status"):
            for _ in range(20):
                sim.send_garbage(characteristic)
        sim.send_garbage("control_point", bytes.fromhex("80"))
        await clock.sleep(5)
        await tm.set_speed(7.5)
        await clock.sleep(10)
        assert sim.belt.speed_kmh == pytest.approx(7.5)

    updates = await on_model("generic", scenario)
    assert of(Telemetry, updates)[-1].speed_kmh == pytest.approx(7.5)


async def test_console_pause_and_start_then_our_start_is_already_running() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await running(tm, clock, 8.0)
        sim.press_pause()
        await clock.sleep(20)
        sim.press_start()
        await clock.sleep(0.5)
        await tm.start()  # 80 07 04 after the console start: fine
        await clock.sleep(10)
        assert sim.belt.speed_kmh > 0

    updates = await on_model("generic", scenario)
    paused = of(BeltStoppedByUser, updates)
    assert len(paused) == 1 and paused[0].paused
    assert len(of(BeltStartedByUser, updates)) == 1
    assert of(TargetSpeedChanged, updates) == []  # neither the pause ramp nor the resume


async def test_safety_key_out_start_is_refused_and_the_belt_stays_still() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await running(tm, clock, 8.0)
        sim.pull_safety_key()
        await clock.sleep(20)
        with pytest.raises(ControlRefused):
            await tm.start()
        await clock.sleep(5)
        assert sim.belt.speed_kmh == 0.0

    updates = await on_model("generic", scenario)
    assert len(of(SafetyKeyPulled, updates)) == 1


async def test_slow_belt_ramp_is_not_mistaken_for_console_presses() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        assert await tm.request_control()
        await tm.start()
        await clock.sleep(8)
        await tm.set_speed(6.0)
        await clock.sleep(40)
        assert sim.belt.speed_kmh == pytest.approx(6.0)
        await tm.stop()
        await clock.sleep(40)

    updates = await on_model("slow-belt", scenario)
    assert of(TargetSpeedChanged, updates) == []
    speeds = [u.speed_kmh for u in of(Telemetry, updates)]
    assert max(speeds) == pytest.approx(6.0) and speeds[-1] == 0.0


async def test_console_incline_and_negative_incline_on_a_wide_machine() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        assert tm.incline_range is not None and tm.incline_range.min_percent == -3.0
        await running(tm, clock, 9.0)
        await tm.set_incline(-2.0)
        await clock.sleep(30)
        assert sim.belt.incline_percent == pytest.approx(-2.0)
        sim.press_incline(1.0)
        await clock.sleep(2)

    updates = await on_model("wide-range", scenario)
    changes = of(TargetInclineChanged, updates)
    assert [c.incline_percent for c in changes] == [pytest.approx(-1.0)]


async def test_heart_rate_service_of_the_machine_reaches_telemetry() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        assert tm._link.has_characteristic(HEART_RATE_MEASUREMENT)
        await running(tm, clock, 10.0)

    updates = await on_model("hr-service", scenario)
    bpm = [u.heart_rate_bpm for u in of(Telemetry, updates)]
    assert bpm[-1] is not None and 60 < bpm[-1] < 220


async def test_training_status_changes_arrive_as_events() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        baseline = tm.training_status
        await running(tm, clock, 9.0)
        assert tm.training_status != baseline

    updates = await on_model("generic", scenario)
    statuses = [u.status for u in of(TrainingStatusChanged, updates)]
    assert statuses and len(set(statuses)) == len(statuses)  # changes only, no repeats


async def test_responses_by_notification_and_a_never_answered_request_control() -> None:
    async def notified(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        # Declared indicate, answered with notifications (Urevo).
        assert tm._link.can_indicate(CONTROL_POINT)
        await running(tm, clock, 9.5)
        assert sim.belt.speed_kmh == pytest.approx(9.5)

    async def silent_rc(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        assert not tm._link.can_indicate(CONTROL_POINT)  # write + notify (Omega Z)
        t0 = clock.now()
        assert await tm.request_control()  # no answer: granted-unconfirmed
        assert clock.now() - t0 == pytest.approx(2.0)
        await tm.start()
        await clock.sleep(5)
        await tm.set_speed(9.5)
        await clock.sleep(20)
        assert sim.belt.speed_kmh == pytest.approx(9.5)

    await on_model("notify-responses", notified)
    await on_model("silent-control", silent_rc)
