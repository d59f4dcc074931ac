"""The engine end to end through FTMS bytes and the software treadmill (virtual clock).

Every assertion reads what the simulator itself recorded (its command and belt
log, through an observer): the time and belt distance at which each Control
Point write arrived, and the belt's state afterwards. Safety rules 1-5 of
DESIGN.md each have a test here driven by the simulator's console and faults.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.sim_engine import plan, run_sim, start_time
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunFinished, RunState
from treadpace.engine.events import Notice, StateChanged
from treadpace.plans.steps import CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill


async def test_time_steps_land_within_a_tenth_of_a_second() -> None:
    p = plan(
        CompiledStep("warm-up", "time", 300, 9.0),
        CompiledStep("steady", "time", 600, 10.9091),
        CompiledStep("fast", "time", 300, 12.5, incline_percent=1.0),
        CompiledStep("cool", "time", 200, 8.57),
    )
    o = await run_sim(p)
    assert o.result.state == RunState.FINISHED
    t0 = start_time(o)
    changes = {round(float(x.r["speed_kmh"]), 2): x.t - t0 for x in o.speeds()}  # type: ignore[arg-type]
    assert set(changes) == {9.0, 10.9, 12.5, 8.6}
    assert abs(changes[10.9] - 300) < 0.1
    assert abs(changes[12.5] - 900) < 0.1
    assert abs(changes[8.6] - 1200) < 0.1
    stop = o.commands("stop_or_pause")[-1]
    assert abs(stop.t - t0 - 1400) < 0.1


async def test_distance_steps_land_within_a_metre() -> None:
    p = plan(
        *(CompiledStep(f"mile {i + 1}", "distance", 1609.344, 10.0 + i * 0.7) for i in range(4))
    )
    o = await run_sim(p)
    assert o.result.state == RunState.FINISHED
    m0 = next(x.belt_m for x in o.commands("start_or_resume"))
    speeds = o.speeds()
    assert len(speeds) == 4
    for i, x in enumerate(speeds[1:], start=1):
        assert abs(x.belt_m - m0 - 1609.344 * i) < 1.0, (i, x.belt_m)
    stop = o.commands("stop_or_pause")[-1]
    assert abs(stop.belt_m - m0 - 4 * 1609.344) < 1.0


async def test_steady_state_speed_within_half_an_increment() -> None:
    p = plan(CompiledStep("a", "time", 400, 10.9091), CompiledStep("b", "time", 400, 13.2578))
    o = await run_sim(p)
    t0 = start_time(o)
    for lo, hi, target in ((t0 + 60, t0 + 400, 10.9091), (t0 + 460, t0 + 800, 13.2578)):
        window = [float(x.r["speed_kmh"]) for x in o.belts() if lo <= x.t <= hi]  # type: ignore[arg-type]
        assert window and all(abs(v - target) <= 0.05 + 1e-9 for v in window)


async def test_rule1_commands_never_exceed_the_caps_and_sit_on_the_grid() -> None:
    p = plan(
        CompiledStep("sprint", "time", 60, 30.0, incline_percent=25.0),
        CompiledStep("ramp", "time", 120, 12.0, end_speed_kmh=17.0),
    )
    cfg = EngineConfig(countdown_s=0, max_speed_kmh=15.55, max_incline_percent=6.0)
    o = await run_sim(p, config=cfg)
    values = [float(x.r["speed_kmh"]) for x in o.speeds()]  # type: ignore[arg-type]
    assert values and max(values) <= 15.5
    assert all(abs(v * 10 - round(v * 10)) < 1e-6 for v in values)
    inclines = [float(x.r["incline_percent"]) for x in o.commands("set_target_inclination")]  # type: ignore[arg-type]
    assert inclines and max(inclines) <= 6.0
    assert all(x.r["result"] == "success" for x in o.commands())
    assert all(a != b for a, b in itertools.pairwise(values))  # no duplicate setpoints


async def test_rule2_the_belt_waits_for_the_start_command() -> None:
    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)
    hub = EventHub()
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    engine = Engine(
        treadmill, plan(CompiledStep("a", "time", 60, 10.0)), EngineConfig(), clock, hub
    )

    async def go() -> RunFinished:
        await sim.start()
        task = asyncio.create_task(engine.run())
        await clock.sleep(900)
        assert engine.state == RunState.READY
        assert sim.belt.speed_kmh == 0.0
        await engine.command(Command.STOP)
        result = await task
        await sim.close()
        return result

    result = await clock.drive(go())
    assert result.state == RunState.ABORTED


async def test_rule3_runner_stop_pauses_and_the_belt_stays_stopped() -> None:
    p = plan(CompiledStep("a", "time", 600, 10.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        sim.press_stop()
        await clock.sleep(300)
        assert engine.state == RunState.PAUSED
        assert sim.belt.speed_kmh == 0.0
        await engine.command(Command.STOP)

    o = await run_sim(p, script=script)
    starts = o.commands("start_or_resume")
    assert len(starts) == 1  # never restarted by treadpace
    assert o.result.state == RunState.ABORTED


async def test_rule3_safety_key_pauses_and_resume_waits_for_the_key() -> None:
    p = plan(CompiledStep("a", "time", 300, 10.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        sim.pull_safety_key()
        await clock.sleep(60)
        assert engine.state == RunState.PAUSED
        assert sim.belt.speed_kmh == 0.0
        await engine.command(Command.RESUME)  # key still out: the machine refuses
        await clock.sleep(10)
        assert engine.state == RunState.PAUSED
        assert sim.belt.speed_kmh == 0.0
        sim.insert_safety_key()
        await clock.sleep(5)
        assert engine.state == RunState.PAUSED  # the key alone restarts nothing
        await engine.command(Command.RESUME)

    o = await run_sim(p, script=script)
    assert o.result.state == RunState.FINISHED
    ok_starts = [x for x in o.commands("start_or_resume") if x.r["result"] == "success"]
    assert len(ok_starts) == 2 and ok_starts[1].t >= 175
    assert o.result.elapsed_s == pytest.approx(300, abs=1.0)
    assert any(isinstance(e, Notice) and "safety key" in e.message for e in o.events)


async def test_resume_while_the_belt_is_still_stopping_is_refused_then_works() -> None:
    # A console stop from 9.26 km/h takes ~19 s to wind down at 0.5 km/h/s; a resume
    # 5 s in is refused by the machine and must leave the run paused, not "running"
    # on a belt that is coming to rest.
    p = plan(CompiledStep("a", "time", 300, 9.263))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        sim.press_stop()
        await clock.sleep(5)
        assert sim.belt.speed_kmh > 0
        await engine.command(Command.RESUME)
        await clock.sleep(5)
        assert engine.state == RunState.PAUSED
        await clock.sleep(30)
        assert sim.belt.speed_kmh == 0.0
        await engine.command(Command.RESUME)

    o = await run_sim(p, script=script)
    assert o.result.state == RunState.FINISHED
    assert o.result.elapsed_s == pytest.approx(300, abs=1.0)
    refused = [x for x in o.commands("start_or_resume") if x.r["result"] == "operation_failed"]
    assert len(refused) == 1
    assert any(isinstance(e, Notice) and "still stopping" in e.message for e in o.events)


@pytest.mark.parametrize("policy", ["offset", "hold"])
async def test_rule5_console_speed_change_is_not_fought(policy: str) -> None:
    p = plan(
        CompiledStep("ramp", "time", 300, 10.0, end_speed_kmh=11.0),
        CompiledStep("next", "time", 100, 12.0),
    )

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100.5)
        sim.press_speed(-1.5)

    cfg = EngineConfig(countdown_s=0, manual_change=policy)  # type: ignore[arg-type]
    o = await run_sim(p, config=cfg, script=script)
    press_t = next(x.t for x in o.records if x.r.get("action") == "press_speed")
    during = [float(x.r["speed_kmh"]) for x in o.speeds() if press_t < x.t < press_t + 199]  # type: ignore[arg-type]
    if policy == "hold":
        assert during == []
    else:
        # the ramp goes on from the runner's speed: never back above it by more than the ramp
        assert during and max(during) <= 11.0 - 1.5 + 1e-6
    belt_late = [float(x.r["speed_kmh"]) for x in o.belts() if press_t + 20 < x.t < press_t + 190]  # type: ignore[arg-type]
    assert belt_late and max(belt_late) <= 9.6
    assert float(o.speeds()[-1].r["speed_kmh"]) == 12.0  # type: ignore[arg-type]


async def test_control_lost_goes_guided_and_sends_nothing_more() -> None:
    p = plan(CompiledStep("a", "time", 200, 10.0), CompiledStep("b", "time", 200, 12.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        sim.revoke_control()

    o = await run_sim(p, script=script)
    lost = next(x.t for x in o.records if x.r.get("action") == "control_lost")
    assert not [x for x in o.commands("set_target_speed") if x.t > lost]
    assert o.engine.guided
    assert any(isinstance(e, Notice) and "guided" in e.message for e in o.events)
    assert o.result.state == RunState.FINISHED


async def test_read_only_treadmill_is_guided_from_the_start() -> None:
    p = plan(CompiledStep("a", "time", 60, 10.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(20)
        assert engine.guided
        sim.press_start()  # the runner starts the belt on the console

    o = await run_sim(p, model="read-only", script=script)
    assert o.result.state == RunState.FINISHED
    assert not o.commands("set_target_speed") and not o.commands("start_or_resume")


async def test_link_drop_pauses_the_plan_and_resumes_when_the_belt_still_runs() -> None:
    p = plan(CompiledStep("a", "time", 300, 10.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        sim.drop_link(down_for=5.0)

    o = await run_sim(p, script=script)
    assert o.result.state == RunState.FINISHED
    reasons = [e.reason for e in o.events if isinstance(e, StateChanged)]
    assert "link lost" in reasons
    assert len([x for x in o.commands("start_or_resume") if x.r["result"] == "success"]) == 1
    assert o.result.elapsed_s == pytest.approx(300, abs=1.0)


async def test_rule4_cancel_mid_run_stops_the_belt() -> None:
    p = plan(CompiledStep("a", "time", 600, 10.0))
    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)
    hub = EventHub()
    sub = hub.subscribe()
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    engine = Engine(treadmill, p, EngineConfig(countdown_s=0), clock, hub)

    async def go() -> None:
        await sim.start()
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        await clock.sleep(120)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await clock.sleep(30)
        assert sim.belt.speed_kmh == 0.0
        await sim.close()

    await clock.drive(go())
    events = [e async for e in sub]
    assert isinstance(events[-1], RunFinished)


async def test_speed_commands_ignored_by_firmware_mean_guided_mode() -> None:
    p = plan(CompiledStep("a", "time", 120, 9.0), CompiledStep("b", "time", 120, 10.5))
    o = await run_sim(p, model="speed-ignored")
    assert o.engine.guided
    assert o.result.state == RunState.FINISHED
    assert not [x for x in o.speeds() if x.t > 30]  # nothing sent once guided
    assert o.commands("stop_or_pause")  # the belt it started is still stopped at the end


async def test_locked_control_is_guided_and_follows_the_runner() -> None:
    p = plan(CompiledStep("a", "time", 90, 9.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(10)
        assert engine.guided and engine.state == RunState.RUNNING
        sim.press_start()
        await clock.sleep(5)
        sim.press_speed(3.0)

    o = await run_sim(p, model="locked", script=script)
    assert o.result.state == RunState.FINISHED
    assert not o.speeds()
    # 90 s of plan time, counted from the belt moving: ~0.8 then ~3.8 km/h
    assert 60 < o.result.distance_m < 95


async def test_silent_treadmill_is_reported_and_a_distance_step_waits_for_data() -> None:
    p = plan(CompiledStep("km", "distance", 1000, 10.0), CompiledStep("next", "time", 60, 11.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(300)
        sim.telemetry_gap(120)  # the belt runs on; only the data stops

    o = await run_sim(p, script=script)
    assert o.result.state == RunState.FINISHED
    assert any(isinstance(e, Notice) and "no data" in e.message for e in o.events)
    change = next(x for x in o.speeds() if float(x.r["speed_kmh"]) == 11.0)  # type: ignore[arg-type]
    assert change.t >= 420  # not ended on a guess during the gap
