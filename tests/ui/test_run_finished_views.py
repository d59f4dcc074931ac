"""A finished run looks finished, on every screen, with one distance everywhere.

After the confirmed stop the terminal's last frame shows a standing belt and the
summary's totals; the page gets a typed `finished` message with the summary and
its live numbers stand still with the same distance; a run that never started
prints one line, not an empty table; and the "Ctrl+C again" hint answers a
Ctrl+C only, never a plan that simply ended.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace

import pytest

from tests.fake_treadmill import FakeTreadmill
from tests.sim_engine import plan
from tests.ui_events import STEPS, finished, started, tick
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunState
from treadpace.engine.causes import EndCause
from treadpace.engine.core import STOPPING, STOPPING_AFTER_SIGNAL
from treadpace.engine.events import Notice, RunFinished, StateChanged, StepStarted
from treadpace.plans.steps import CompiledStep
from treadpace.ui.live_view import LiveView
from treadpace.ui.summary_table import print_summary, summary_text
from treadpace.web.live_state import LiveState


def _frame(view: LiveView) -> str:
    from rich.console import Console

    console = Console(record=True, width=120, file=io.StringIO())
    console.print(view.render())
    return console.export_text()


def test_the_terminals_last_frame_shows_a_standing_belt_and_the_summarys_distance() -> None:
    view = LiveView()
    result = finished()  # 3.22 km in 20:00
    last = tick(1199.0, speed_kmh=11.5, distance_m=3210.0, elapsed_s=1199.0)
    for e in (started(), StepStarted(600.0, 1, STEPS[1], 3), last):
        view.handle(e)
    assert "11.5 km/h (5:13/km)" in _frame(view)
    view.handle(result)
    frame = _frame(view)
    assert "0.0 km/h (--:--)" in frame and "11.5 km/h" not in frame
    assert "10.9 km/h" not in frame.split("next:")[0]  # no target any more
    assert "20:00  3.22 km" in frame and "3.21 km" not in frame
    assert "FINISHED" in frame and "(done)" in frame


def test_the_page_gets_the_summary_and_stands_still_with_one_distance() -> None:
    state = LiveState()
    state.absorb(started())
    state.absorb(tick(1199.0, speed_kmh=11.5, distance_m=3210.0, step_remaining=76.0))
    message = state.absorb(finished())
    assert message is not None and message["type"] == "finished"
    assert message["distance"] == "3.22 km" and message["outcome"] == "finished: plan complete"
    assert message["rows"][0][:4] == ["warm-up", "6:40/km", "6:44/km", "1.48 km"]
    # The belt winding down after the end changes nothing.
    state.absorb(tick(1201.0, speed_kmh=5.0, distance_m=3215.0, state=RunState.RUNNING))
    live = state.live()
    assert live["state"] == "finished"
    assert (live["actual_pace"], live["actual_speed"]) == ("--:--", "0.0 km/h")
    assert (live["target_pace"], live["target_speed"]) == ("--:--", "")
    assert live["distance"] == message["distance"] == "3.22 km"
    assert live["elapsed"] == "20:00" and live["step_left"] == "done"
    assert live["next_change"] is None and live["next_steps"] == [] and live["cue"] is None
    assert state.hello()["finished"] == {k: v for k, v in message.items() if k != "type"}


def test_a_run_ended_in_the_countdown_prints_one_line_not_an_empty_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = RunFinished(3.0, 1e9, RunState.ABORTED, "interrupted", 0.0, 0.0, ())
    assert summary_text(result, False) == "run aborted: interrupted"
    print_summary(result, False, rich_output=True)
    out = capsys.readouterr().out
    assert out.strip() == "run aborted: interrupted"
    assert "step" not in out and "target pace" not in out


async def _stopping_notices(abort: bool) -> list[str]:
    clock = VirtualClock()
    hub = EventHub()
    sub = hub.subscribe()
    tm = FakeTreadmill(clock)
    engine = Engine(
        tm, plan(CompiledStep("a", "time", 60, 9.0)), EngineConfig(countdown_s=0), clock, hub
    )

    async def go() -> None:
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        if abort:
            await clock.sleep(20)
            engine.abort("interrupted", EndCause.INTERRUPTED)
        await task
        await tm.disconnect()

    await clock.drive(go())
    return [e.message for e in [e async for e in sub] if isinstance(e, Notice)]


async def test_ctrl_c_again_is_offered_only_after_a_ctrl_c() -> None:
    plain = await _stopping_notices(abort=False)
    assert STOPPING in plain and not any("Ctrl+C" in m for m in plain)
    interrupted = await _stopping_notices(abort=True)
    assert STOPPING_AFTER_SIGNAL in interrupted


def test_a_cue_on_the_page_goes_when_its_change_has_come_and_follows_a_nudge() -> None:
    from treadpace.cues.schedule import build

    warm, tempo = (
        CompiledStep("warm-up", "time", 300, 9.0),
        CompiledStep("tempo", "time", 300, 11.4),
    )
    cues = build((warm, tempo))
    state = LiveState()
    state.absorb(replace(started(), steps=(warm, tempo)))
    state.absorb(StateChanged(0.0, RunState.RUNNING, RunState.READY))
    base = dict(step_name="", step_remaining=15.0, distance_m=0.0, step_index=0)
    state.absorb(tick(285.0, target_speed_kmh=9.0, **base))
    upcoming = next(p.cue for p in cues if p.cue.kind.value == "upcoming")
    message = state.absorb(replace(upcoming, t=290.0))
    assert message is not None and message["message"] == "Speeding up in 10 s: 5:16/km (11.4 km/h)"
    state.absorb(tick(295.0, target_speed_kmh=9.0, **base))
    assert state.live()["cue"] == "Speeding up in 10 s: 5:16/km (11.4 km/h)"
    # The change comes: the warning is over; the change's own cue shows for a while.
    at_tempo = dict(base, step_index=1, step_remaining=300.0)
    state.absorb(tick(300.5, target_speed_kmh=11.4, **at_tempo))
    assert state.live()["cue"] is None
    change = next(p.cue for p in cues if p.step == 1 and p.trigger.value == "start")
    state.absorb(replace(change, t=300.5))
    assert state.live()["cue"] == "Last step: 5:00 at 5:16/km (11.4 km/h)"
    # A nudge: the shown target follows what the belt is told now.
    state.absorb(tick(303.0, target_speed_kmh=11.5, **at_tempo))
    assert state.live()["cue"] == "Last step: 5:00 at 5:13/km (11.5 km/h)"
    # After the cue's time it is gone, and a page that connects now does not get it back.
    state.absorb(tick(311.0, target_speed_kmh=11.5, **at_tempo))
    assert state.live()["cue"] is None
    assert all(n["type"] != "cue" for n in state.hello()["notices"])


def test_the_page_shows_the_incline_and_its_target() -> None:
    state = LiveState()
    state.absorb(started())
    state.absorb(tick(10.0, incline_percent=2.0, target_incline_percent=2.0))
    live = state.live()
    assert (live["incline"], live["target_incline"]) == ("2.0 %", "2 %")
