"""Engine behaviour against the fake treadmill, on a virtual clock."""

from __future__ import annotations

import asyncio

import pytest

from tests.fake_engine import run
from tests.fake_treadmill import FakeTreadmill
from tests.sim_engine import plan
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunState
from treadpace.engine.events import (
    Notice,
    RunFinished,
    SetpointSent,
    StateChanged,
    StepStarted,
    Tick,
)
from treadpace.engine.setpoint import Grid
from treadpace.ftms import SpeedRange
from treadpace.plans.steps import CompiledStep


def speeds(tm: FakeTreadmill) -> list[tuple[float, float]]:
    return [(c.t, c.value or 0.0) for c in tm.commands if c.op == "set_speed"]


async def test_grid_quantises_half_up_and_clamps() -> None:
    g = Grid.build(0.8, 20.0, 0.1, 16.0, 100)
    assert g.quantise(10.9091) == 10.9
    assert g.quantise(9.2308) == 9.2
    assert g.quantise(10.05) == 10.1  # half-up
    assert g.quantise(10.049) == 10.0
    assert g.quantise(25.0) == 16.0  # profile cap
    assert g.quantise(0.1) == 0.8  # machine minimum
    odd = Grid.build(0.97, 6.44, 0.16, 99, 100)
    assert odd.quantise(2.6) == pytest.approx(2.57)
    capped = Grid.build(0.8, 20.0, 0.3, 10.0, 100)
    assert capped.quantise(11.0) <= 10.0


async def test_time_steps_change_on_the_plan_clock_and_the_belt_stops() -> None:
    p = plan(
        CompiledStep("warm-up", "time", 120, 9.0),
        CompiledStep("steady", "time", 300, 10.9091),
        CompiledStep("fast", "time", 60, 12.5),
    )
    result, tm, events = await run(p)
    assert result.state == RunState.FINISHED
    sent = speeds(tm)
    assert [v for _, v in sent] == [9.0, 10.9, 12.5]
    t0 = next(c.t for c in tm.commands if c.op == "start")
    assert abs(sent[1][0] - t0 - 120) < 0.1
    assert abs(sent[2][0] - t0 - 420) < 0.1
    assert tm.commands[-1].op == "stop"
    assert abs(tm.commands[-1].t - t0 - 480) < 0.1
    states = [e.state for e in events if isinstance(e, StateChanged)]
    assert states == [RunState.READY, RunState.RUNNING, RunState.FINISHED]
    assert [s.name for s in result.steps] == ["warm-up", "steady", "fast"]
    assert isinstance(events[-1], RunFinished)


async def test_distance_steps_change_within_a_metre() -> None:
    p = plan(
        CompiledStep("km 1", "distance", 1000, 10.0),
        CompiledStep("km 2", "distance", 1000, 11.0),
        CompiledStep("km 3", "distance", 1000, 12.3),
    )
    result, tm, _ = await run(p)
    assert result.state == RunState.FINISHED
    sent = [c for c in tm.commands if c.op == "set_speed"]
    assert [c.value for c in sent] == [10.0, 11.0, 12.3]
    start = next(c for c in tm.commands if c.op == "start")
    assert abs(sent[1].distance_m - start.distance_m - 1000) < 1.0
    assert abs(sent[2].distance_m - start.distance_m - 2000) < 1.0
    stop = tm.commands[-1]
    assert stop.op == "stop" and abs(stop.distance_m - 3000) < 1.0
    assert abs(result.distance_m - 3000) < 1.0


async def test_ramp_walks_the_grid_one_increment_at_a_time_without_duplicates() -> None:
    p = plan(CompiledStep("ramp", "time", 100, 10.0, end_speed_kmh=11.0))
    _, tm, _ = await run(p)
    values = [v for _, v in speeds(tm)]
    assert values == pytest.approx([10.0 + 0.1 * i for i in range(11)])
    times = [t for t, _ in speeds(tm)]
    t0 = times[0]
    # 10.05 is reached at 5 s, 10.15 at 15 s, ...
    for i, t in enumerate(times[1:], start=1):
        assert abs(t - t0 - (10 * i - 5)) < 0.1


async def test_setpoints_respect_profile_and_machine_limits() -> None:
    p = plan(
        CompiledStep("too fast", "time", 30, 25.0, incline_percent=20.0),
        CompiledStep("too slow", "time", 30, 0.3, incline_percent=-3.0),
    )
    cfg = EngineConfig(countdown_s=0, max_speed_kmh=14.0, max_incline_percent=8.0)
    _, tm, events = await run(p, config=cfg)
    assert [v for _, v in speeds(tm)] == [14.0, 0.8]
    inclines = [c.value for c in tm.commands if c.op == "set_incline"]
    assert inclines == [8.0, 0.0]
    sent = [e for e in events if isinstance(e, SetpointSent)]
    assert all(e.speed_kmh is None or e.speed_kmh <= 14.0 for e in sent)


async def test_steady_state_belt_speed_is_within_half_an_increment() -> None:
    p = plan(CompiledStep("steady", "time", 120, 10.9091))
    _, _, events = await run(p)
    late = [e for e in events if isinstance(e, Tick) and e.elapsed_s > 60]
    assert late and all(abs(e.speed_kmh - 10.9091) <= 0.05 + 1e-9 for e in late)


async def test_no_start_without_an_explicit_start() -> None:
    p = plan(CompiledStep("a", "time", 60, 10.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(600)
        assert engine.state == RunState.READY
        assert not any(c.op in ("start", "set_speed") for c in tm.commands)
        await engine.command(Command.STOP)

    result, tm, _ = await run(p, script=script, start=False)
    assert result.state == RunState.ABORTED
    assert not any(c.op == "start" for c in tm.commands)


async def test_countdown_runs_on_the_clock_before_the_belt_starts() -> None:
    p = plan(CompiledStep("a", "time", 10, 10.0))
    _, tm, events = await run(p, config=EngineConfig(countdown_s=3))
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert notices[:3] == ["starting in 3", "starting in 2", "starting in 1"]
    start = next(c for c in tm.commands if c.op == "start")
    assert abs(start.t - 3.0) < 1e-6
    states = [e.state for e in events if isinstance(e, StateChanged)]
    assert states[:3] == [RunState.READY, RunState.COUNTDOWN, RunState.RUNNING]


async def test_pause_stops_the_plan_clock_and_resume_is_explicit() -> None:
    p = plan(CompiledStep("a", "time", 100, 10.0), CompiledStep("b", "time", 50, 11.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(40)
        await engine.command(Command.PAUSE)
        await clock.sleep(300)
        assert engine.state == RunState.PAUSED
        await engine.command(Command.RESUME)

    result, tm, _ = await run(p, script=script)
    assert result.state == RunState.FINISHED
    ops = [c.op for c in tm.commands]
    assert ops.count("start") == 2 and "pause" in ops
    step_b = [c for c in tm.commands if c.op == "set_speed" and c.value == 11.0]
    # 100 s of plan time + 300 s paused
    assert abs(step_b[0].t - 400) < 0.2
    assert result.elapsed_s == pytest.approx(150, abs=0.1)


async def test_skip_and_extend() -> None:
    p = plan(
        CompiledStep("a", "time", 100, 10.0),
        CompiledStep("b", "time", 100, 11.0),
        CompiledStep("c", "time", 100, 12.0),
    )

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(10)
        await engine.command(Command.SKIP)
        await clock.sleep(10)
        await engine.command(Command.EXTEND, 30)

    result, _, _ = await run(p, script=script)
    assert [s.skipped for s in result.steps] == [True, False, False]
    assert result.steps[1].elapsed_s == pytest.approx(130, abs=0.1)
    assert result.elapsed_s == pytest.approx(10 + 130 + 100, abs=0.1)


async def test_nudge_is_an_offset_for_the_rest_of_the_step() -> None:
    p = plan(CompiledStep("a", "time", 60, 10.0), CompiledStep("b", "time", 60, 11.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(10)
        await engine.command(Command.NUDGE_UP)
        await engine.command(Command.NUDGE_UP)
        await clock.sleep(10)
        await engine.command(Command.NUDGE_DOWN, 0.5)

    _, tm, _ = await run(p, script=script)
    # The first press goes out at once; the second once the first is answered.
    assert [v for _, v in speeds(tm)] == pytest.approx([10.0, 10.1, 10.2, 9.7, 11.0])


async def test_runner_stop_pauses_and_treadpace_never_restarts() -> None:
    p = plan(CompiledStep("a", "time", 300, 10.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(50)
        tm.press_stop()
        await clock.sleep(600)
        assert engine.state == RunState.PAUSED
        assert [c.op for c in tm.commands].count("start") == 1
        tm.sync()
        assert tm.speed == 0.0
        await engine.command(Command.RESUME)

    result, tm, _ = await run(p, script=script)
    assert result.state == RunState.FINISHED
    starts = [c for c in tm.commands if c.op == "start"]
    assert len(starts) == 2 and starts[1].t >= 650


async def test_console_resume_follows_the_runner() -> None:
    p = plan(CompiledStep("a", "time", 100, 10.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(30)
        tm.press_stop()
        await clock.sleep(20)
        tm.press_start()

    result, tm, _ = await run(p, script=script)
    assert result.state == RunState.FINISHED
    assert [c.op for c in tm.commands].count("start") == 1
    assert result.elapsed_s == pytest.approx(100, abs=1.0)


async def test_safety_key_pauses_and_the_machine_refuses_until_the_key_is_back() -> None:
    p = plan(CompiledStep("a", "time", 300, 10.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(30)
        tm.pull_safety_key()
        await clock.sleep(5)
        assert engine.state == RunState.PAUSED
        await engine.command(Command.RESUME)
        await clock.sleep(5)
        assert engine.state == RunState.PAUSED
        tm.key_in = True
        await engine.command(Command.RESUME)

    result, tm, events = await run(p, script=script)
    ops = [c.op for c in tm.commands]
    assert ops.count("start") == 2 and "start_refused" in ops
    assert result.state == RunState.FINISHED
    assert any(isinstance(e, Notice) and "safety key" in e.message for e in events)


@pytest.mark.parametrize("policy", ["offset", "hold"])
async def test_console_speed_change_is_respected(policy: str) -> None:
    p = plan(
        CompiledStep("ramp", "time", 100, 10.0, end_speed_kmh=11.0),
        CompiledStep("b", "time", 50, 12.0),
    )

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(20.5)
        tm.press_speed(-1.0)

    cfg = EngineConfig(countdown_s=0, manual_change=policy)  # type: ignore[arg-type]
    _, tm, _ = await run(p, script=script, config=cfg)
    after = [v for t, v in speeds(tm) if 20.5 < t < 100]
    if policy == "hold":
        assert after == []  # the runner's 9.2 km/h held; nothing sent over it
    else:
        assert after and min(after) < 10.0 and after == sorted(after)
        assert after[-1] == pytest.approx(10.0)  # 11.0 - 1.0 at the ramp's end
    assert speeds(tm)[-1][1] == 12.0  # the next step is the plan's again


async def test_control_lost_means_guided_mode_following_the_belt() -> None:
    p = plan(CompiledStep("a", "time", 100, 10.0), CompiledStep("b", "time", 100, 12.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(30)
        tm.revoke_control()

    result, tm, events = await run(p, script=script)
    assert result.state == RunState.FINISHED
    assert [v for _, v in speeds(tm)] == [10.0]
    assert any(isinstance(e, Notice) and "guided" in e.message for e in events)


async def test_read_only_machine_runs_guided_while_the_belt_moves() -> None:
    p = plan(CompiledStep("a", "time", 60, 10.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(30)
        assert engine.guided and engine.state == RunState.RUNNING
        tm.running, tm.target = True, 9.0  # the runner starts the belt

    result, tm, events = await run(p, script=script, controllable=False)
    assert result.state == RunState.FINISHED
    assert not any(c.op in ("start", "set_speed") for c in tm.commands)
    first_tick = next(e for e in events if isinstance(e, Tick) and e.elapsed_s > 0)
    assert first_tick.t > 30  # the plan clock waited for the belt


async def test_link_drop_pauses_and_resumes_when_the_belt_still_runs() -> None:
    p = plan(CompiledStep("a", "time", 200, 10.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(50)
        tm.drop_link()
        await clock.sleep(20)
        assert engine.state == RunState.PAUSED
        tm.restore_link()

    result, tm, events = await run(p, script=script)
    assert result.state == RunState.FINISHED
    assert result.elapsed_s == pytest.approx(200, abs=0.1)
    reasons = [e.reason for e in events if isinstance(e, StateChanged)]
    assert "link lost" in reasons and "link restored" in reasons
    assert [c.op for c in tm.commands].count("start") == 1


async def test_stop_command_stops_the_belt() -> None:
    p = plan(CompiledStep("a", "time", 200, 10.0))

    async def script(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(50)
        await engine.command(Command.STOP)

    result, tm, _ = await run(p, script=script)
    assert result.state == RunState.ABORTED
    assert tm.commands[-1].op == "stop"


async def test_cancelling_the_engine_still_stops_the_belt_and_closes_the_stream() -> None:
    clock = VirtualClock()
    hub = EventHub()
    sub = hub.subscribe()
    tm = FakeTreadmill(clock)
    p = plan(CompiledStep("a", "time", 200, 10.0))
    engine = Engine(tm, p, EngineConfig(countdown_s=0), clock, hub)

    async def go() -> None:
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        await clock.sleep(30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    await clock.drive(go())
    assert tm.commands[-1].op == "stop"
    events = [e async for e in sub]
    assert isinstance(events[-1], RunFinished) and events[-1].state == RunState.ABORTED


async def test_steps_are_announced_in_order() -> None:
    p = plan(*(CompiledStep(f"s{i}", "time", 10, 10.0 + i * 0.1) for i in range(5)))
    _, _, events = await run(p)
    started = [e.index for e in events if isinstance(e, StepStarted)]
    assert started == [0, 1, 2, 3, 4]


async def test_targets_refused_while_stopped_are_sent_once_the_belt_moves() -> None:
    p = plan(CompiledStep("a", "time", 60, 10.0))
    _, tm, _ = await run(p, targets_while_stopped=False)
    ops = [(c.op, c.value) for c in tm.commands if "speed" in c.op]
    assert ops == [("speed_refused", 10.0), ("set_speed", 10.0)]


async def test_speed_range_with_odd_grid() -> None:
    p = plan(CompiledStep("a", "time", 30, 2.6))
    _, tm, _ = await run(p, speed_range=SpeedRange(0.97, 6.44, 0.16), incline_range=None)
    assert [v for _, v in speeds(tm)] == pytest.approx([2.57])
    assert not any(c.op == "set_incline" for c in tm.commands)
