"""The run's views: live rich view, plain log lines, summary, keys."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console

from tests.ui_events import STEPS, finished, started, tick
from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.events import (
    Command,
    Notice,
    NoticeKind,
    RunState,
    StateChanged,
    StepStarted,
)
from treadpace.engine.hub import EventHub
from treadpace.ui.keys import KeyController
from treadpace.ui.live_view import LiveView
from treadpace.ui.plain import PlainLog
from treadpace.ui.summary_table import summary_text


def test_live_view_shows_target_actual_progress_and_next_steps() -> None:
    view = LiveView()
    for e in (
        started(),
        StateChanged(0.0, RunState.RUNNING, RunState.READY, "started"),
        StepStarted(600.0, 1, STEPS[1], 3),
        tick(700.0),
        Notice(701.0, NoticeLevel.INFO, "console speed change respected"),
    ):
        view.handle(e)
    console = Console(record=True, width=110, file=io.StringIO())
    console.print(view.render())
    text = console.export_text()
    assert "step 2/3  mile 1  [marathon]" in text
    assert "10.9 km/h (5:30/km)" in text
    assert "150 bpm" in text
    assert "42%" in text
    assert "next: mile 2 (1.61 km at 5:00/km)" in text
    assert "console speed change respected" in text
    assert "RUNNING" in text
    assert "1.31 km left" in text


def test_live_view_flags_guided_mode() -> None:
    view = LiveView()
    view.handle(started())
    view.handle(
        Notice(
            5.0,
            NoticeLevel.WARNING,
            "control lost: guided mode - set the speed on the console",
            NoticeKind.GUIDED,
        )
    )
    console = Console(record=True, width=110, file=io.StringIO())
    console.print(view.render())
    assert "GUIDED: set the target on the console" in console.export_text()


def test_live_view_speaks_imperial() -> None:
    view = LiveView()
    view.handle(started(imperial=True))
    view.handle(StepStarted(600.0, 1, STEPS[1], 3))
    view.handle(tick(700.0))
    view.prompt = "stop the run? (y/n)"
    console = Console(record=True, width=110, file=io.StringIO())
    console.print(view.render())
    text = console.export_text()
    assert "6.8 mph" in text and "/mi" in text and "/km" not in text
    assert "stop the run? (y/n)" in text


async def test_plain_log_has_a_line_per_change_and_a_periodic_status() -> None:
    out = io.StringIO()
    log = PlainLog(out, status_every_s=60)
    hub = EventHub()
    sub = hub.subscribe()
    hub.publish(started())
    hub.publish(StateChanged(0.0, RunState.RUNNING, RunState.READY, "started"))
    hub.publish(StepStarted(0.0, 0, STEPS[0], 3))
    for t in range(0, 130):
        hub.publish(tick(float(t), step_name="warm-up", elapsed_s=float(t)))
    hub.publish(finished())
    hub.close()
    await log.consume(sub)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("plan: thirds (3 steps) on simulator:generic")
    assert any("step 1/3 warm-up: 10:00 at 9.0 km/h (6:40/km)" in x for x in lines)
    assert sum("warm-up: 10.9 km/h" in x for x in lines) == 3  # t = 0, 60, 120
    assert lines[-1].endswith("run finished: plan complete")


def test_summary_lists_target_and_achieved_per_step() -> None:
    text = summary_text(finished(), imperial=False)
    lines = text.splitlines()
    assert lines[0].split() == [
        "step", "target", "pace", "achieved", "distance", "time", "avg", "HR", "max", "HR"
    ]  # fmt: skip
    assert "warm-up" in lines[1] and "6:40/km" in lines[1] and "1.48 km" in lines[1]
    assert "mile 2 (skipped)" in lines[3]
    assert lines[-1].startswith("total: 3.22 km in 20:00")


async def test_keys_map_to_commands_and_q_asks_first() -> None:
    sent: list[Command] = []
    state = [RunState.RUNNING]

    async def send(cmd: Command, value: float | None) -> None:
        sent.append(cmd)

    keys = KeyController(send, lambda: state[0])
    for k in " n+-":
        keys.press(k)
    state[0] = RunState.PAUSED
    keys.press(" ")
    keys.press("q")
    assert keys.prompt
    keys.press("x")  # anything but y cancels
    assert not keys.prompt
    keys.press("q")
    keys.press("y")
    await asyncio.sleep(0)
    assert sent == [
        Command.PAUSE,
        Command.SKIP,
        Command.NUDGE_UP,
        Command.NUDGE_DOWN,
        Command.RESUME,
        Command.STOP,
    ]
    assert keys.stop_requested


def test_live_view_shows_the_heart_rate_zone() -> None:
    view = LiveView()
    for e in (
        started(),
        StateChanged(0.0, RunState.RUNNING, RunState.READY, "started"),
        StepStarted(600.0, 1, STEPS[1], 3),
        tick(700.0, hr_zone=3),
    ):
        view.handle(e)
    console = Console(record=True, width=110, file=io.StringIO())
    console.print(view.render())
    assert "150 bpm  z3" in console.export_text()
    view.handle(tick(701.0, hr_zone=None))
    console = Console(record=True, width=110, file=io.StringIO())
    console.print(view.render())
    text = console.export_text()
    assert "150 bpm" in text and "z3" not in text
