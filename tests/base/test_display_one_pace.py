"""One speed, one pace, everywhere: every surface shows the speed the belt is told.

For random plan speeds, machine grids (0.1 km/h, a 0.1 mph console, 0.05 and 0.2
km/h), caps and units, a run is played against the fake treadmill; the speed the
engine actually wrote is the commanded speed, and every surface that names that
step's target (the plain log, the live view, the cue on screen, the banner, the
web page, the MQTT payloads, the summary) must give exactly `display.speed` /
`display.pace` of it: never the pace of the plan's unquantised speed.
"""

from __future__ import annotations

import asyncio
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fake_treadmill import FakeTreadmill
from treadpace.base import display as fmt
from treadpace.base.clock import VirtualClock
from treadpace.cues import text as cue_text
from treadpace.cues.banner import countdown
from treadpace.cues.schedule import build
from treadpace.engine import Command, Engine, EngineConfig, EventHub
from treadpace.engine.events import (
    EngineEvent,
    Notice,
    NoticeKind,
    RunFinished,
    RunStarted,
    StepStarted,
    Tick,
)
from treadpace.ftms import SpeedRange
from treadpace.mqtt import payloads
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.ui.live_view import LiveView
from treadpace.ui.plain import PlainLog
from treadpace.ui.summary_table import summary_rows
from treadpace.web.live_state import LiveState

GRIDS = (0.1, 0.16, 0.05, 0.2)
"""km/h per step: metric, a 0.1 mph console (0.161 rounded), finer, coarser."""


async def _play(
    steps: tuple[CompiledStep, ...], increment: float, cap: float, imperial: bool
) -> tuple[list[float], list[EngineEvent]]:
    clock = VirtualClock()
    hub = EventHub()
    sub = hub.subscribe()
    tm = FakeTreadmill(clock, speed_range=SpeedRange(0.8, 20.0, increment))
    config = EngineConfig(countdown_s=0, max_speed_kmh=cap, imperial=imperial)
    engine = Engine(tm, CompiledPlan("p", "custom", steps), config, clock, hub)

    async def go() -> None:
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        await task
        await tm.disconnect()

    await clock.drive(go())
    sent = [c.value or 0.0 for c in tm.commands if c.op == "set_speed"]
    return sent, [e async for e in sub]


def _text(view: LiveView) -> str:
    from rich.console import Console

    console = Console(record=True, width=200, file=io.StringIO())
    console.print(view.render())
    return console.export_text()


@settings(max_examples=40, deadline=None)
@given(
    first=st.floats(4.0, 17.0),
    second=st.floats(4.0, 17.0),
    increment=st.sampled_from(GRIDS),
    cap=st.floats(8.0, 20.0),
    imperial=st.booleans(),
)
def test_every_surface_shows_the_commanded_speed_and_its_pace(
    first: float, second: float, increment: float, cap: float, imperial: bool
) -> None:
    steps = (
        CompiledStep("one", "time", 20.0, first),
        CompiledStep("two", "time", 20.0, second),
    )
    sent, events = asyncio.run(_play(steps, increment, cap, imperial))
    started = next(e for e in events if isinstance(e, RunStarted))
    step_events = [e for e in events if isinstance(e, StepStarted)]
    # What the belt was told for each step (a repeat of the same speed is not re-sent).
    commanded = [sent[0], sent[-1]]
    imp = imperial
    for index, kmh in enumerate(commanded):
        speed, pace = fmt.speed(kmh, imp), fmt.pace(kmh, imp)
        shown = step_events[index].step
        # The plain log's step line and the MQTT step payload.
        out = io.StringIO()
        log = PlainLog(out)
        log.handle(started)
        log.handle(step_events[index])
        assert fmt.target(kmh, imp) in out.getvalue()
        assert payloads.step_started(step_events[index], imp)["target_pace"] == pace
        # The cue on screen as the step begins (the spoken one says the same pace).
        cue = next(p.cue for p in build(started.steps, 10, imp) if p.step == index)
        assert f"{pace} ({speed})" in cue_text.display(cue)
        assert fmt.speed(shown.speed_kmh, imp) == speed
        # The page's list of steps.
        web = LiveState()
        web.absorb(started)
        assert web.hello()["steps"][index]["pace"] == pace
    # Live figures while each step runs: terminal, page, MQTT, plain log.
    for index, kmh in enumerate(commanded):
        tick = next(
            e for e in events if isinstance(e, Tick) and e.step_index == index
            and e.target_speed_kmh > 0
        )  # fmt: skip
        assert tick.target_speed_kmh == kmh
        view = LiveView()
        for e in (started, step_events[index], tick):
            view.handle(e)
        assert fmt.target(kmh, imp) in _text(view)
        web = LiveState()
        web.absorb(started)
        web.absorb(tick)
        live = web.live()
        assert (live["target_pace"], live["target_speed"]) == (
            fmt.pace(kmh, imp),
            fmt.speed(kmh, imp),
        )
        ctx = payloads.RunContext(imperial=imp)
        assert payloads.telemetry(tick, ctx)["target_pace"] == fmt.pace(kmh, imp)
    # The banner before the second step names its commanded pace.
    tick0 = next(e for e in events if isinstance(e, Tick) and e.step_index == 0)
    banner = countdown(started.steps, tick0, imp)
    if commanded[0] != commanded[1]:
        assert banner is not None and banner.endswith(fmt.pace(commanded[1], imp))
    # The summary's target pace per step.
    result = next(e for e in events if isinstance(e, RunFinished))
    rows = summary_rows(result, imp)
    assert [r[1] for r in rows] == [fmt.pace(k, imp) for k in commanded]


def test_a_console_offset_reads_on_the_machines_grid() -> None:
    """One 0.1 km/h press reads "+0.1 km/h", never a difference from the plan's exact speed."""

    async def go() -> list[EngineEvent]:
        clock = VirtualClock()
        hub = EventHub()
        sub = hub.subscribe()
        tm = FakeTreadmill(clock)
        steps = (CompiledStep("one", "time", 60.0, 9.254),)
        engine = Engine(
            tm, CompiledPlan("p", "custom", steps), EngineConfig(countdown_s=0), clock, hub
        )

        async def run() -> None:
            task = asyncio.create_task(engine.run())
            await engine.command(Command.START)
            await clock.sleep(20)
            tm.press_speed(0.1)
            await task
            await tm.disconnect()

        await clock.drive(run())
        return [e async for e in sub]

    events = asyncio.run(go())
    notes = [
        e.message for e in events if isinstance(e, Notice) and e.kind == NoticeKind.CONSOLE_CHANGE
    ]
    assert notes == ["console speed change respected: offset +0.1 km/h for the rest of the step"]
