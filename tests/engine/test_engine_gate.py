"""Remote commands never restart a standing belt; a pause stops the countdown (rules 2, 3).

On the engine directly (virtual clock, the simulated belt, its command log): a
remote resume or start is a start, refused unless the profile allows remote
start, and refused after a console stop or the safety key whatever the profile
says; the runner at the treadmill resumes as before. The MQTT path through a
real broker is in test_mqtt_remote_start.py.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.sim_engine import Outcome, plan, run_sim
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunFinished, RunState
from treadpace.engine.events import Notice
from treadpace.engine.gate import (
    NOT_ALLOWED,
    STOPPED_AT_TREADMILL,
    CommandSource,
    Refusal,
    start_refusal,
)
from treadpace.plans.steps import CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace.ui.keys import KeyController
from treadpace_sim.treadmill import SimulatedTreadmill

STEADY = plan(CompiledStep("a", "time", 600, 9.3))


def good_starts(o: Outcome) -> list[float]:
    return [x.t for x in o.commands("start_or_resume") if x.r.get("result") == "success"]


def notices(o: Outcome) -> list[str]:
    return [e.message for e in o.events if isinstance(e, Notice)]


def state(engine: Engine) -> RunState:
    """The engine's state, read afresh (it changes under the test's feet)."""
    return engine.state


@pytest.mark.parametrize(
    ("cmd", "state", "allowed", "at_treadmill", "refusal"),
    [
        (Command.START, RunState.READY, False, False, Refusal.REMOTE_START_NOT_ALLOWED),
        (Command.START, RunState.READY, True, False, None),
        (Command.RESUME, RunState.PAUSED, False, False, Refusal.REMOTE_START_NOT_ALLOWED),
        (Command.START, RunState.PAUSED, False, False, Refusal.REMOTE_START_NOT_ALLOWED),
        (Command.RESUME, RunState.PAUSED, True, False, None),
        (Command.RESUME, RunState.PAUSED, True, True, Refusal.STOPPED_AT_TREADMILL),
        (Command.START, RunState.PAUSED, True, True, Refusal.STOPPED_AT_TREADMILL),
        (Command.PAUSE, RunState.RUNNING, False, False, None),
        (Command.STOP, RunState.PAUSED, False, True, None),
        (Command.SKIP, RunState.PAUSED, False, True, None),
        (Command.RESUME, RunState.RUNNING, False, False, None),
    ],
)
def test_the_gate_treats_every_remote_start_of_a_standing_belt_alike(
    cmd: Command, state: RunState, allowed: bool, at_treadmill: bool, refusal: Refusal | None
) -> None:
    kwargs = {"remote_start_allowed": allowed, "stopped_at_treadmill": at_treadmill}
    assert start_refusal(cmd, state, CommandSource.REMOTE, **kwargs) == refusal
    assert start_refusal(cmd, state, CommandSource.LOCAL, **kwargs) is None


@pytest.mark.parametrize("allowed", [False, True])
async def test_a_remote_resume_after_a_console_stop_is_refused_and_a_local_one_works(
    allowed: bool,
) -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        sim.press_stop()
        await clock.sleep(60)
        assert state(engine) == RunState.PAUSED and sim.belt.speed_kmh == 0.0
        refused = Refusal.STOPPED_AT_TREADMILL if allowed else Refusal.REMOTE_START_NOT_ALLOWED
        # The sender is told the engine's own verdict, typed, with the notice's words.
        for cmd in (Command.RESUME, Command.START):
            verdict = await engine.command(cmd, source=CommandSource.REMOTE)
            assert not verdict.ok and verdict.refusal is refused
            assert verdict.text == (STOPPED_AT_TREADMILL if allowed else NOT_ALLOWED)
        await clock.sleep(30)
        assert state(engine) == RunState.PAUSED and sim.belt.speed_kmh == 0.0
        assert (await engine.command(Command.RESUME)).ok  # the runner at the treadmill

    cfg = EngineConfig(countdown_s=0, allow_remote_start=allowed)
    o = await run_sim(STEADY, config=cfg, script=script)
    assert o.result.state == RunState.FINISHED
    starts = good_starts(o)
    assert len(starts) == 2 and starts[1] >= 190  # only the local resume restarted it
    assert len(o.commands("start_or_resume")) == 2  # the refused ones never reached it
    wanted = STOPPED_AT_TREADMILL if allowed else NOT_ALLOWED
    assert notices(o).count(wanted) == 2


async def test_a_remote_resume_after_the_safety_key_is_refused_even_when_allowed() -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        sim.pull_safety_key()
        await clock.sleep(30)
        sim.insert_safety_key()
        await clock.sleep(5)
        await engine.command(Command.RESUME, source=CommandSource.REMOTE)
        await clock.sleep(30)
        assert state(engine) == RunState.PAUSED and sim.belt.speed_kmh == 0.0
        sim.press_start()  # the runner restarts it on the console: followed
        await clock.sleep(30)
        assert state(engine) == RunState.RUNNING
        # Running again clears it: a later remote pause/resume is the remote's to undo.
        await engine.command(Command.PAUSE, source=CommandSource.REMOTE)
        await clock.sleep(30)
        assert state(engine) == RunState.PAUSED
        await engine.command(Command.RESUME, source=CommandSource.REMOTE)

    cfg = EngineConfig(countdown_s=0, allow_remote_start=True)
    o = await run_sim(STEADY, config=cfg, script=script)
    assert o.result.state == RunState.FINISHED
    assert notices(o).count(STOPPED_AT_TREADMILL) == 1
    assert len(good_starts(o)) == 2  # the first start and the remote resume; not the refused


@pytest.mark.parametrize("allowed", [False, True])
async def test_a_remote_pause_is_undone_remotely_only_when_remote_start_is_allowed(
    allowed: bool,
) -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        await engine.command(Command.PAUSE, source=CommandSource.REMOTE)
        await clock.sleep(60)
        assert sim.belt.speed_kmh == 0.0
        await engine.command(Command.RESUME, source=CommandSource.REMOTE)
        await clock.sleep(60)
        assert (state(engine) == RunState.RUNNING) is allowed
        if not allowed:
            assert sim.belt.speed_kmh == 0.0
            await engine.command(Command.STOP)

    cfg = EngineConfig(countdown_s=0, allow_remote_start=allowed)
    o = await run_sim(STEADY, config=cfg, script=script)
    assert o.result.state == (RunState.FINISHED if allowed else RunState.ABORTED)
    assert len(good_starts(o)) == (2 if allowed else 1)
    assert (NOT_ALLOWED in notices(o)) is not allowed


async def waiting_engine(
    clock: VirtualClock, config: EngineConfig
) -> tuple[Engine, SimulatedTreadmill, asyncio.Task[RunFinished]]:
    sim = SimulatedTreadmill("generic", clock)
    engine = Engine(FtmsTreadmill(SimLink(sim), clock), STEADY, config, clock, EventHub())
    await sim.start()
    task = asyncio.create_task(engine.run())
    await clock.sleep(5)
    assert state(engine) == RunState.READY
    return engine, sim, task


@pytest.mark.parametrize("allowed", [False, True])
async def test_a_remote_start_moves_the_belt_only_when_allowed(allowed: bool) -> None:
    clock = VirtualClock()

    async def go() -> None:
        engine, sim, task = await waiting_engine(
            clock, EngineConfig(countdown_s=0, allow_remote_start=allowed)
        )
        verdict = await engine.command(Command.START, source=CommandSource.REMOTE)
        assert verdict.ok is allowed
        await clock.sleep(30)
        assert (sim.belt.speed_kmh > 0) is allowed
        assert (state(engine) == RunState.RUNNING) is allowed
        await engine.command(Command.STOP)
        await task
        await sim.close()

    await clock.drive(go())


async def test_a_pause_during_the_countdown_stops_it_and_nothing_moves() -> None:
    clock = VirtualClock()

    async def go() -> None:
        engine, sim, task = await waiting_engine(clock, EngineConfig(countdown_s=3))
        keys = KeyController(engine.command, lambda: engine.state)
        await engine.command(Command.START)
        await clock.sleep(1.5)
        assert state(engine) == RunState.COUNTDOWN
        keys.press(" ")  # space: stop the countdown
        await clock.sleep(30)
        assert state(engine) == RunState.READY
        assert sim.belt.speed_kmh == 0.0 and sim.server.belt.distance_m == 0.0
        keys.press(" ")  # space again: a fresh, full countdown, then the belt
        await clock.sleep(2.5)
        assert state(engine) == RunState.COUNTDOWN and sim.belt.speed_kmh == 0.0
        await clock.sleep(10)
        assert state(engine) == RunState.RUNNING and sim.belt.speed_kmh > 0
        await engine.command(Command.STOP)
        await task
        await sim.close()

    await clock.drive(go())
