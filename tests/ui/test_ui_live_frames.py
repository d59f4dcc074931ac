"""The live view draws a frame only when what it shows changed, and draws it cheaply.

The figures and the progress bar are plain lines, not rich tables (measuring a table's
columns was most of a frame); these tests hold the lines to what the tables drew, byte
for byte, wide and narrow, in colour and without.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table

from tests.ui_events import STEPS, started, tick
from treadpace.engine.events import RunState, StateChanged, StepStarted
from treadpace.ui.live_view import BAR_WIDTH, FigureGrid, LiveView, ProgressLine

ROWS: list[tuple[str, ...]] = [
    ("target", "10.9 km/h (5:30/km)", "actual", "10.9 km/h (5:30/km)"),
    ("incline", "1.0 % (target 1 %)", "heart rate", "150 bpm  z3"),
    ("step", "1:40  300 m  (1.31 km left)", "total", "11:40  2.00 km"),
]
STYLES = ("dim", "", "dim", "")


def drawn(renderable: RenderableType, width: int, colour: bool) -> str:
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=colour,
        color_system="truecolor" if colour else None,
    )
    console.print(renderable)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


@pytest.mark.parametrize("width", [120, 100, 60, 30])
@pytest.mark.parametrize("colour", [True, False])
def test_the_figures_are_drawn_as_the_grid_table_drew_them(width: int, colour: bool) -> None:
    table = Table.grid(padding=(0, 3))
    for style in STYLES:
        table.add_column(style=style)
    for row in ROWS:
        table.add_row(*row)
    assert drawn(FigureGrid(ROWS, STYLES, gap=3), width, colour) == drawn(table, width, colour)


@pytest.mark.parametrize("progress", [0.0, 0.004, 0.01, 0.42, 0.999, 1.0])
@pytest.mark.parametrize("colour", [True, False])
def test_the_progress_line_is_drawn_as_the_bar_table_drew_it(progress: float, colour: bool) -> None:
    table = Table.grid(padding=(0, 1))
    table.add_column(width=BAR_WIDTH)
    table.add_column()
    table.add_row(ProgressBar(total=1.0, completed=progress, width=BAR_WIDTH), f"{progress:.0%}")
    assert drawn(ProgressLine(progress), 100, colour) == drawn(table, 100, colour)


class CountingLive:
    def __init__(self) -> None:
        self.frames = 0

    def update(self, renderable: Any, *, refresh: bool = False) -> None:
        self.frames += 1


def running_view() -> tuple[LiveView, CountingLive]:
    view = LiveView(max_fps=1e9)  # no wall-clock throttle: only change decides
    live = CountingLive()
    view._live = live  # type: ignore[assignment]
    for e in (
        started(),
        StateChanged(0.0, RunState.RUNNING, RunState.READY, "started"),
        StepStarted(600.0, 1, STEPS[1], 3),
    ):
        view.handle(e)
    return view, live


def test_a_frame_that_shows_nothing_new_is_not_drawn() -> None:
    view, live = running_view()
    view.handle(tick(700.0))
    view.refresh()
    assert live.frames == 1
    view.handle(tick(700.0))  # the same figures again
    view.refresh()
    view.handle(tick(700.0, progress=0.4201))  # the bar and percentage do not move
    view.refresh()
    assert live.frames == 1
    view.handle(tick(701.0, elapsed_s=701.0))  # the total time moves
    view.refresh()
    assert live.frames == 2


def test_a_forced_refresh_always_draws() -> None:
    view, live = running_view()
    view.handle(tick(700.0))
    view.refresh()
    view.refresh(force=True)
    assert live.frames == 2


def test_big_digits_are_drawn_every_time() -> None:
    view, live = running_view()
    view.big = True
    view.handle(tick(700.0))
    view.refresh()
    view.refresh()
    assert live.frames == 2
