"""Big digits in the terminal: the font, the live view's big block, and the `b` key."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console

from tests.ui_events import STEPS, started, tick
from treadpace.engine.events import Command, RunState, StateChanged, StepStarted, Tick
from treadpace.ui import big_digits
from treadpace.ui.keys import KeyController
from treadpace.ui.live_view import OFF_TARGET_STYLE, ON_TARGET_STYLE, LiveView


def test_the_font_draws_a_pace_five_rows_high_with_square_dots() -> None:
    assert big_digits.lines("6:27") == [
        "██████    ██████ ██████",
        "██     ██     ██     ██",
        "██████    ██████     ██",
        "██  ██ ██ ██         ██",
        "██████    ██████     ██",
    ]
    for text in ("0123456789", "12.5", "--:--"):
        rows = big_digits.lines(text)
        assert len(rows) == big_digits.HEIGHT and len({len(r) for r in rows}) == 1
    assert big_digits.can_draw("10:14") and not big_digits.can_draw("6:27/km")
    # Every digit is a different picture.
    assert len({tuple(big_digits.lines(d)) for d in "0123456789"}) == 10


def _view(t: Tick) -> LiveView:
    view = LiveView()
    for e in (
        started(),
        StateChanged(0.0, RunState.RUNNING, RunState.READY),
        StepStarted(600.0, 1, STEPS[1], 3),
        t,
    ):
        view.handle(e)
    view.big = True
    return view


def _shown(view: LiveView) -> str:
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(view.render())
    return console.export_text()


def test_the_big_block_shows_target_and_actual_pace_in_big_digits() -> None:
    view = _view(tick(700.0, speed_kmh=10.9, target_speed_kmh=10.9))
    text = _shown(view)
    five_thirty = big_digits.lines("5:30")
    rows = [line.rstrip() for line in text.splitlines() if "██" in line]
    assert rows == [f"{row}    {row}" for row in five_thirty]  # target and actual, side by side
    view.big = False
    assert five_thirty[0] not in _shown(view)


def test_the_actual_pace_is_coloured_when_off_target() -> None:
    on = tick(700.0, speed_kmh=10.8, target_speed_kmh=10.9)
    off = tick(700.0, speed_kmh=10.2, target_speed_kmh=10.9)
    assert _view(on).actual_style(on) == ON_TARGET_STYLE
    assert _view(off).actual_style(off) == OFF_TARGET_STYLE
    paused = _view(off)
    paused.handle(StateChanged(701.0, RunState.PAUSED, RunState.RUNNING))
    assert paused.actual_style(off) == ON_TARGET_STYLE  # a pause is not running slow
    # The colour reaches the terminal: the big actual digits carry the yellow style.
    console = Console(record=True, width=120, file=io.StringIO(), color_system="truecolor")
    console.print(_view(off).render())
    styled = console.export_text(styles=True)
    assert f"\x1b[1;33m{big_digits.lines('5:53')[0]}" in styled


async def test_b_toggles_big_digits_and_sends_nothing() -> None:
    sent: list[Command] = []

    async def send(cmd: Command, value: float | None) -> None:
        sent.append(cmd)

    keys = KeyController(send, lambda: RunState.RUNNING)
    keys.press("b")
    assert keys.big
    keys.press("B")
    assert not keys.big
    await asyncio.sleep(0)
    assert sent == []
