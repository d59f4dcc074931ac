"""Cues on a real run: the engine, FTMS bytes and the software treadmill on the virtual clock.

The cue times are checked against the engine's own step changes on the same
stream (`StepStarted`, and the `FINISH` cue at the plan's end): a warning `n`
seconds ahead must come within 0.1 s of `n` seconds before the change, for time
steps (plan clock) and distance steps (predicted from the belt's speed). A skip
or a pause must not leave a cue for a change that did not come when announced,
and a resume must not repeat one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from treadpace.base.clock import VirtualClock
from treadpace.cues.driver import CueHub
from treadpace.cues.text import speech
from treadpace.engine import Command, Engine, EngineConfig, RunState
from treadpace.engine.events import (
    Cue,
    CueChange,
    CueKind,
    EngineEvent,
    StateChanged,
    StepStarted,
)
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.record.codec import decode_event, encode_event
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill

Script = Callable[[Engine, VirtualClock], Awaitable[None]]
WARNINGS = (CueKind.UPCOMING, CueKind.COUNTDOWN)


async def run(
    *steps: CompiledStep, script: Script | None = None, imperial: bool = False, lead_s: int = 10
) -> list[EngineEvent]:
    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)
    hub = CueHub(clock, lead_s)
    sub = hub.subscribe()
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    config = EngineConfig(countdown_s=0, imperial=imperial)
    engine = Engine(treadmill, CompiledPlan("cues", "custom", steps), config, clock, hub)

    async def go() -> None:
        await sim.start()
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        if script is not None:
            await script(engine, clock)
        await task
        await treadmill.disconnect()
        await sim.close()

    await clock.drive(go())
    hub.close()
    return [e async for e in sub]


def cues(events: list[EngineEvent], *kinds: CueKind) -> list[Cue]:
    return [e for e in events if isinstance(e, Cue) and (not kinds or e.kind in kinds)]


def change_times(events: list[EngineEvent]) -> dict[int, float]:
    """Clock time at which step i begins (the plan's end as index len(steps))."""
    out = {e.index: e.t for e in events if isinstance(e, StepStarted)}
    for c in cues(events, CueKind.FINISH):
        out[c.step_index] = c.t
    return out


async def until_step(engine: Engine, clock: VirtualClock, index: int) -> None:
    while engine.index < index:
        await clock.sleep(0.05)


def plan_clock(events: list[EngineEvent]) -> Callable[[float], float]:
    """Clock time to plan time: the time spent running (a pause stops the plan clock)."""
    spans: list[tuple[float, float]] = []
    since: float | None = None
    for e in events:
        if isinstance(e, StateChanged):
            if e.state == RunState.RUNNING and since is None:
                since = e.t
            elif e.state != RunState.RUNNING and since is not None:
                spans.append((since, e.t))
                since = None
    if since is not None:
        spans.append((since, float("inf")))
    return lambda t: sum(max(0.0, min(t, b) - a) for a, b in spans)


def assert_leads_on_time(events: list[EngineEvent], skipped: tuple[int, ...] = ()) -> int:
    """Every warning came its `seconds` of plan time before its change (within 0.1 s)."""
    changes = change_times(events)
    plan_t = plan_clock(events)
    warnings = [c for c in cues(events, *WARNINGS) if c.step_index not in skipped]
    for c in warnings:
        lead = plan_t(changes[c.step_index]) - plan_t(c.t)
        assert abs(lead - c.seconds) < 0.1, (c, lead)
    return len(warnings)


async def test_time_step_warnings_come_within_a_tenth_of_a_second() -> None:
    events = await run(
        CompiledStep("warm-up", "time", 120, 9.0),
        CompiledStep("tempo", "time", 90, 11.4),
        CompiledStep("hill", "time", 60, 11.4, incline_percent=2.0),
        CompiledStep("cool", "time", 60, 8.0),
    )
    assert assert_leads_on_time(events) == 4 * 4  # 10, 3, 2, 1 before 3 changes and the end
    said = [speech(c) for c in cues(events)]
    assert said[:6] == [
        "Warm-up: 2 minutes at 6:40 per kilometre",
        "Speeding up in 10 seconds: 5:16 per kilometre",
        "3",
        "2",
        "1",
        "Tempo: 1 minute 30 seconds at 5:16 per kilometre",
    ]
    assert "Incline up in 10 seconds: 2 percent" in said
    assert said[-1].startswith("Run complete: ") and said[-1].endswith(" in 5 minutes 30 seconds")
    assert [c.kind for c in cues(events, CueKind.HALFWAY)] == [CueKind.HALFWAY]


async def test_distance_step_warnings_are_predicted_from_the_belt_speed() -> None:
    events = await run(
        CompiledStep("warm-up", "time", 60, 9.0),
        CompiledStep("k", "distance", 500, 12.0),
        CompiledStep("400", "distance", 400, 10.0),
    )
    assert assert_leads_on_time(events) == 3 * 4
    finish = cues(events, CueKind.FINISH)
    assert len(finish) == 1 and abs(finish[0].distance_m - 900 - 60 * 9 / 3.6) < 40


async def test_a_skip_cancels_the_warnings_of_the_change_it_replaced() -> None:
    async def script(engine: Engine, clock: VirtualClock) -> None:
        await until_step(engine, clock, 1)
        await clock.sleep(45)  # 15 s left: the 10 s warning has not come yet
        await engine.command(Command.SKIP)
        await until_step(engine, clock, 2)
        await clock.sleep(56)  # 4 s left: warned, not yet counted down
        await engine.command(Command.SKIP)

    events = await run(
        CompiledStep("a", "time", 60, 9.0),
        CompiledStep("b", "time", 60, 11.0),
        CompiledStep("c", "time", 60, 12.0),
        CompiledStep("d", "time", 60, 8.0),
        script=script,
    )
    by_step = {i: [c.kind for c in cues(events, *WARNINGS) if c.step_index == i] for i in (2, 3)}
    assert by_step[2] == []  # b was skipped before its warning
    assert by_step[3] == [CueKind.UPCOMING]  # c was skipped before its countdown
    assert assert_leads_on_time(events, skipped=(3,)) == 2 * 4  # the changes that came on time
    # The step the runner skipped to is still announced as it begins.
    assert [c.step_index for c in cues(events, CueKind.CHANGE, CueKind.LAST_STEP)] == [0, 1, 2, 3]


async def test_a_pause_defers_a_warning_and_a_resume_does_not_repeat_one() -> None:
    paused: list[tuple[float, float]] = []

    async def pause_for(engine: Engine, clock: VirtualClock, seconds: float) -> None:
        await engine.command(Command.PAUSE)
        start = clock.now()
        await clock.sleep(seconds)
        await engine.command(Command.RESUME)
        while engine.state != RunState.RUNNING:
            await clock.sleep(0.05)
        paused.append((start, clock.now()))

    async def script(engine: Engine, clock: VirtualClock) -> None:
        await until_step(engine, clock, 0)
        await clock.sleep(49.4)  # 10.6 s left in step a
        await pause_for(engine, clock, 60)
        await until_step(engine, clock, 1)
        await clock.sleep(56.4)  # 3.6 s left in step b: warned, countdown to come
        await pause_for(engine, clock, 60)

    events = await run(
        CompiledStep("a", "time", 60, 9.0),
        CompiledStep("b", "time", 60, 11.0),
        CompiledStep("c", "time", 60, 8.0),
        script=script,
    )
    for start, end in paused:
        assert not [c for c in cues(events) if start <= c.t < end]  # silent while paused
    states = [e.state for e in events if isinstance(e, StateChanged)]
    assert states.count(RunState.PAUSED) == 2
    for step in (1, 2):
        warned = [(c.kind, c.seconds) for c in cues(events, *WARNINGS) if c.step_index == step]
        assert warned == [(CueKind.UPCOMING, 10), *((CueKind.COUNTDOWN, s) for s in (3, 2, 1))]
    # The warning for a's end came after the resume, 10 s of plan time before the change.
    first = cues(events, CueKind.UPCOMING)[0]
    assert paused[0][1] <= first.t
    assert assert_leads_on_time(events) == 3 * 4


async def test_imperial_runner_hears_miles() -> None:
    mile = 1609.344
    events = await run(
        CompiledStep("mile 1", "distance", mile / 4, 9.6),
        CompiledStep("mile 2", "distance", mile / 4, 11.3),
        imperial=True,
    )
    said = [speech(c) for c in cues(events)]
    assert "Speeding up in 10 seconds: 8:33 per mile" in said
    assert said[-1].startswith("Run complete: 0.5") and " miles in " in said[-1]
    assert all(c.imperial for c in cues(events))


async def test_cues_go_to_the_journal_and_come_back_typed() -> None:
    events = await run(CompiledStep("a", "time", 30, 9.0), CompiledStep("b", "time", 30, 10.0))
    for c in cues(events):
        back = decode_event(encode_event(c))
        assert isinstance(back, Cue) and (back.kind, back.change) == (c.kind, c.change)
        assert encode_event(back) == encode_event(c)
    assert cues(events, CueKind.UPCOMING)[0].change == CueChange.FASTER
