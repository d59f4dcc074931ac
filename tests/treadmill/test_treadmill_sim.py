"""FtmsTreadmill on the simulator's quirk models: the same bytes a radio would carry."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from tests.sim_scenario import on_model
from treadpace.base.clock import VirtualClock
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import (
    BeltStoppedByUser,
    ControlRefused,
    LinkLost,
    LinkRestored,
    SafetyKeyPulled,
    TargetSpeedChanged,
    Telemetry,
    TreadmillError,
    TreadmillUpdate,
)
from treadpace_sim.treadmill import SimulatedTreadmill


async def run_to(tm: FtmsTreadmill, clock: VirtualClock, kmh: float, seconds: float = 30) -> None:
    assert await tm.request_control()
    await tm.start()
    await clock.sleep(5)
    await tm.set_speed(kmh)
    await clock.sleep(seconds)


def speeds(updates: list[TreadmillUpdate]) -> list[float]:
    return [u.speed_kmh for u in updates if isinstance(u, Telemetry)]


@pytest.mark.parametrize(
    "model",
    ["generic", "notify-responses", "silent-control", "split-records", "early-notify"],
)
async def test_control_and_telemetry_work_on_each_model(model: str) -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await run_to(tm, clock, 10.0)
        assert sim.belt.speed_kmh == pytest.approx(10.0)

    updates = await on_model(model, scenario)
    assert speeds(updates)[-1] == pytest.approx(10.0)


async def test_truncated_records_still_give_speed() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await run_to(tm, clock, 9.0)

    assert speeds(await on_model("truncated-records", scenario))[-1] == pytest.approx(9.0)


async def test_mph_grid_reports_its_real_grid() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        assert tm.speed_range.increment_kmh == pytest.approx(0.16, abs=0.01)
        assert tm.incline_range is None
        await run_to(tm, clock, 4.83)  # 3.0 mph

    assert speeds(await on_model("mph-grid", scenario))[-1] == pytest.approx(4.83, abs=0.01)


async def test_read_only_and_locked_machines_are_not_controllable() -> None:
    async def read_only(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        assert not tm.controllable
        assert not await tm.request_control()

    async def locked(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        assert not await tm.request_control()
        assert not tm.controllable

    await on_model("read-only", read_only)
    await on_model("locked", locked)


async def test_incline_refused_and_start_first() -> None:
    async def refused(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await run_to(tm, clock, 5.0, seconds=5)
        # It claims no incline target (like the Yesoul): refused before a byte is sent.
        assert tm.incline_range is None
        with pytest.raises(TreadmillError):
            await tm.set_incline(2.0)

    async def start_first(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        assert await tm.request_control()
        with pytest.raises(ControlRefused):
            await tm.set_speed(8.0)  # standing belt: 80 02 04
        await tm.start()
        await clock.sleep(5)
        await tm.set_speed(8.0)
        await clock.sleep(20)
        assert sim.belt.speed_kmh == pytest.approx(8.0)

    await on_model("incline-refused", refused)
    await on_model("start-first", start_first)


async def test_console_actions_become_events() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await run_to(tm, clock, 10.0)
        sim.press_speed(0.5)
        await clock.sleep(2)
        sim.press_stop()
        await clock.sleep(30)
        sim.pull_safety_key()
        await clock.sleep(2)

    updates = await on_model("padded-status", scenario)
    events = [
        u
        for u in updates
        if isinstance(u, TargetSpeedChanged | BeltStoppedByUser | SafetyKeyPulled)
    ]
    assert TargetSpeedChanged(events[0].t, 10.5) == events[0]
    assert any(isinstance(e, BeltStoppedByUser) and not e.paused for e in events)
    assert any(isinstance(e, SafetyKeyPulled) for e in events)
    # The padded model streams 05 while slowing down: none of it is read as a console press.
    assert sum(isinstance(e, TargetSpeedChanged) for e in events) == 1


async def test_link_drop_reconnects_and_regains_control() -> None:
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await run_to(tm, clock, 10.0)
        sim.drop_link(down_for=3.0)
        await clock.sleep(20)
        assert tm.has_control
        await tm.set_speed(11.0)
        await clock.sleep(10)
        assert sim.belt.speed_kmh == pytest.approx(11.0)

    updates = await on_model("generic", scenario)
    kinds = [type(u) for u in updates if isinstance(u, LinkLost | LinkRestored)]
    assert kinds == [LinkLost, LinkRestored]


async def test_an_all_zero_inclination_range_is_no_incline_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # mph-grid is the Urevo: it claims the incline target and reports a 00 00 00 00 00 00 range.
    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        assert tm.incline_range is None
        await run_to(tm, clock, 3.0)

    with caplog.at_level(logging.INFO, logger="treadpace"):
        updates = await on_model("mph-grid", scenario)
    assert speeds(updates)[-1] > 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("reports no incline" in r.getMessage() for r in caplog.records)


async def test_each_telemetry_record_is_the_one_the_constructor_makes() -> None:
    """Made from one dict for speed (base/frozen_record.py): exactly Telemetry's fields."""

    async def scenario(sim: SimulatedTreadmill, tm: FtmsTreadmill, clock: VirtualClock) -> None:
        await run_to(tm, clock, 10.0, seconds=10)

    records = [u for u in await on_model("generic", scenario) if isinstance(u, Telemetry)]
    assert len(records) > 10
    names = {f.name for f in dataclasses.fields(Telemetry)}
    for record in records:
        assert set(vars(record)) == names
        built = Telemetry(**vars(record))
        assert record == built and hash(record) == hash(built)
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.speed_kmh = 0.0  # type: ignore[misc]
