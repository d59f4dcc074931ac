"""The live terminal view (rich): where the runner is in the plan, at a glance.

Step, target vs actual speed and pace, incline, heart rate, time and distance in
the step and overall, a progress bar over the whole plan and the next steps.
Redraws when what it shows changed (an event that changes nothing on screen costs no
frame), and at most `max_fps` times a wall second (a `--time-scale 60` run sends 60
ticks a second; the eye needs far fewer). The figures and the progress bar are laid
out as plain lines, not rich tables: measuring a table's columns was most of a frame,
and at time scale 1 a frame a second is most of what a run costs.

`b` toggles big digits: target and actual pace in a block font (`big_digits`)
readable from the treadmill, the actual pace yellow while it is off the target.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from treadpace.base import display as fmt
from treadpace.base.printable import printable
from treadpace.cues.banner import countdown
from treadpace.engine.events import (
    RunFinished,
    RunStarted,
    RunState,
    StateChanged,
    StepStarted,
    Tick,
)
from treadpace.engine.hub import Subscription
from treadpace.plans.steps import CompiledStep
from treadpace.ui import big_digits
from treadpace.ui.keys import HELP
from treadpace.ui.notices import NoticeBoard

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

BAR_WIDTH = 50
"""The progress bar's width in cells (the percentage follows it)."""

OFF_TARGET_KMH = 0.25
"""The belt this far from the target (both ways) shows the actual pace as off target."""
TARGET_STYLE = "bold cyan"
ON_TARGET_STYLE = "bold green"
OFF_TARGET_STYLE = "bold yellow"

_STATE_STYLE = {
    RunState.RUNNING: "bold green",
    RunState.PAUSED: "bold yellow",
    RunState.COUNTDOWN: "bold cyan",
    RunState.FINISHED: "bold green",
    RunState.ABORTED: "bold red",
}


class LiveView:
    def __init__(self, console: Console | None = None, *, max_fps: float = 8.0) -> None:
        self.console = console
        self.prompt = ""
        self._min_interval = 1.0 / max_fps
        self._last_draw = 0.0
        self._drawn: tuple[object, ...] | None = None
        """What the last frame showed (`_frame_key`): the same again is not redrawn."""
        self._live: Live | None = None
        self.imperial = False
        self.plan_name = ""
        self.device = ""
        self.steps: tuple[CompiledStep, ...] = ()
        self.state = RunState.IDLE
        self.state_reason = ""
        self.index = -1
        self.tick: Tick | None = None
        self.result: RunFinished | None = None
        """Set when the run is over: the belt is confirmed stopped, the summary's numbers show."""
        self.big = False
        """Big digits for target and actual pace (the `b` key)."""
        self.board = NoticeBoard()
        self.help = HELP
        """The key help line (run.py adds the simulator's console keys)."""

    async def consume(self, sub: Subscription) -> None:
        from rich.live import Live

        with Live(self.render(), console=self.console, auto_refresh=False, transient=False) as live:
            self._live = live
            async for event in sub:
                self.handle(event)
                self.refresh()
            self.refresh(force=True)
        self._live = None

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if self._live is None or (not force and now - self._last_draw < self._min_interval):
            return
        frame = self.render()
        key = _frame_key(frame)
        if not force and key is not None and key == self._drawn:
            return  # nothing on screen would change
        self._last_draw = now
        self._drawn = key
        self._live.update(frame, refresh=True)

    @property
    def notices(self) -> list[str]:
        return self.board.messages()

    @property
    def guided(self) -> bool:
        return self.board.guided

    def handle(self, e: object) -> None:
        if self.board.handle(e):
            self._last_draw = 0.0  # a notice came or went: show it now
        if isinstance(e, Tick):
            self.tick = e
        elif isinstance(e, StepStarted):
            self.index = e.index
        elif isinstance(e, StateChanged):
            self.state, self.state_reason = e.state, printable(e.reason)
            self._last_draw = 0.0
        elif isinstance(e, RunStarted):
            self.imperial = e.imperial
            # Names come from files and devices: shown, never obeyed by the terminal.
            self.plan_name = printable(e.plan_name)
            self.device = printable(e.device)
            self.steps = tuple(_shown(step) for step in e.steps)
        elif isinstance(e, RunFinished):
            self.state, self.state_reason = e.state, printable(e.reason)
            self.result = e
            self._last_draw = 0.0  # the last frame is the finished one

    def render(self) -> RenderableType:
        from rich.console import Group
        from rich.text import Text

        parts: list[RenderableType] = [self._head()]
        step = self.steps[self.index] if 0 <= self.index < len(self.steps) else None
        if step is not None:
            parts.append(
                Text(
                    f"step {self.index + 1}/{len(self.steps)}  {step.name}"
                    + (f"  [{step.pace_label}]" if step.pace_label else ""),
                    style="bold cyan",
                )
            )
        if self.tick is not None:
            parts += self._telemetry(self.tick, step)
        upcoming = (
            self.steps[self.index + 1 : self.index + 4] if self.index >= 0 else self.steps[:3]
        )
        if upcoming:
            imp = self.imperial
            parts.append(
                Text(
                    "next: "
                    + " · ".join(
                        f"{s.name} ({fmt.step_amount(s.kind, s.amount, imp)}"
                        f" at {fmt.pace(s.speed_kmh, imp)})"
                        for s in upcoming
                    ),
                    style="dim",
                )
            )
        for message in self.notices:
            parts.append(Text(printable(message), style="yellow"))
        if self.prompt:
            parts.append(Text(self.prompt, style="bold reverse"))
        parts.append(Text(self.help, style="dim"))
        return Group(*parts)

    def _head(self) -> Text:
        """Plan, device and run state, with why it paused or ended and the guided warning."""
        from rich.text import Text

        head = Text()
        head.append(f"treadpace · {self.plan_name} · {self.device}   ", style="bold")
        head.append(self.state.value.upper(), style=_STATE_STYLE.get(self.state, "bold"))
        if self.state_reason and self.state in (RunState.PAUSED, RunState.ABORTED):
            head.append(f" ({self.state_reason})", style="yellow")
        if self.guided:
            head.append("  GUIDED: set the target on the console", style="bold magenta")
        return head

    def _telemetry(self, t: Tick, step: CompiledStep | None) -> list[RenderableType]:
        """The countdown banner, the figures grid and the progress bar."""
        from rich.text import Text

        parts: list[RenderableType] = []
        banner = countdown(self.steps, t, self.imperial) if self.state == RunState.RUNNING else None
        if banner:
            parts.append(Text(banner, style="bold reverse cyan"))
        if self.big:
            parts.append(self._big(t))
        parts.append(self._figures(t, step))
        parts.append(ProgressLine(t.progress))
        return parts

    def actual_style(self, t: Tick) -> str:
        """Green on target, yellow off it (only while the plan runs: a pause is no fault)."""
        off = abs(t.speed_kmh - t.target_speed_kmh) > OFF_TARGET_KMH
        running = self.state == RunState.RUNNING and self.result is None
        return OFF_TARGET_STYLE if running and off else ON_TARGET_STYLE

    def _big(self, t: Tick) -> Table:
        """Target and actual pace in big digits, each with its speed under it."""
        from rich.table import Table
        from rich.text import Text

        imp = self.imperial
        over = self.result is not None  # no target, a standing belt
        target_kmh, actual_kmh = (0.0, 0.0) if over else (t.target_speed_kmh, t.speed_kmh)
        grid = Table.grid(padding=(0, 4))
        grid.add_column()
        grid.add_column()
        cells = []
        for label, kmh, style in (
            ("target", target_kmh, TARGET_STYLE),
            ("actual", actual_kmh, self.actual_style(t)),
        ):
            number = fmt.pace(kmh, imp).split("/", 1)[0]
            cell = Text()
            cell.append(f"{label} ({fmt.pace_unit(imp)})\n", style="dim")
            cell.append("\n".join(big_digits.lines(number)), style=style)
            cell.append(f"\n{fmt.speed(kmh, imp)}", style="dim")
            cells.append(cell)
        grid.add_row(*cells)
        return grid

    def _figures(self, t: Tick, step: CompiledStep | None) -> FigureGrid:
        """Target and actual speed, incline, heart rate, the step's and the run's totals."""
        imp = self.imperial
        done = self.result
        # After the confirmed stop the belt stands and the run's totals are the summary's.
        actual_kmh = 0.0 if done is not None else t.speed_kmh
        elapsed_s = done.elapsed_s if done is not None else t.elapsed_s
        distance_m = done.distance_m if done is not None else t.distance_m
        rows: list[tuple[str, ...]] = []
        rows.append(
            (
                "target",
                "--" if done is not None else fmt.target(t.target_speed_kmh, imp),
                "actual",
                fmt.target(actual_kmh, imp),
            )
        )
        incline = fmt.incline(t.incline_percent)
        rows.append(
            (
                "incline",
                f"{incline} (target {t.target_incline_percent:g} %)",
                "heart rate",
                f"{t.heart_rate_bpm} bpm{f'  z{t.hr_zone}' if t.hr_zone else ''}"
                if t.heart_rate_bpm
                else "--",
            )
        )
        left = ""
        if done is not None:
            left = "done"
        elif step is not None and step.open:
            left = "open: n when done"
        elif step is not None:
            left = fmt.remaining(step.kind, t.step_remaining, imp)
        rows.append(
            (
                "step",
                f"{fmt.duration(t.step_elapsed_s)}  {fmt.distance(t.step_distance_m, imp)}"
                f"  ({left})",
                "total",
                f"{fmt.duration(elapsed_s)}  {fmt.distance(distance_m, imp)}",
            )
        )
        return FigureGrid(rows, ("dim", "", "dim", ""), gap=3)


class FigureGrid:
    """Rows in aligned columns, as a borderless rich grid lays them out (each column as
    wide as its widest cell, `gap` spaces between columns, every cell padded), drawn as
    plain lines; a table only when the lines would not fit the terminal's width."""

    def __init__(self, rows: list[tuple[str, ...]], styles: tuple[str, ...], gap: int) -> None:
        self.rows = rows
        self.styles = styles
        self.gap = gap

    def key(self) -> tuple[object, ...]:
        return tuple(self.rows)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.cells import cell_len

        widths = [max(cell_len(row[i]) for row in self.rows) for i in range(len(self.styles))]
        if sum(widths) + self.gap * (len(widths) - 1) > options.max_width:
            yield from console.render(self._table(), options)  # the table wraps cells
            return
        yield from console.render(self._lines(widths), options)

    def _lines(self, widths: list[int]) -> Text:
        from rich.cells import cell_len
        from rich.text import Text

        text = Text()
        for n, row in enumerate(self.rows):
            if n:
                text.append("\n")
            for i, (cell, style, width) in enumerate(zip(row, self.styles, widths, strict=True)):
                if i:  # the padding of the column on the left, in its style
                    text.append(" " * self.gap, style=self.styles[i - 1] or None)
                text.append(cell + " " * (width - cell_len(cell)), style=style or None)
        return text

    def _table(self) -> Table:
        from rich.table import Table

        grid = Table.grid(padding=(0, self.gap))
        for style in self.styles:
            grid.add_column(style=style)
        for row in self.rows:
            grid.add_row(*row)
        return grid


class ProgressLine:
    """The run's progress: a bar `BAR_WIDTH` cells wide, a space, the percentage."""

    def __init__(self, progress: float) -> None:
        self.progress = progress
        self.halves = int(BAR_WIDTH * 2 * min(1.0, max(0.0, progress)))
        """The bar's filled half cells: what it shows (with the percentage text)."""

    def key(self) -> tuple[int, str]:
        return self.halves, f"{self.progress:.0%}"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.cells import cell_len
        from rich.progress_bar import ProgressBar
        from rich.segment import Segment

        width = min(BAR_WIDTH, options.max_width)
        bar = ProgressBar(total=1.0, completed=self.progress, width=width)
        drawn = 0
        for segment in console.render(bar, options.update_width(width)):
            drawn += cell_len(segment.text)
            yield segment
        yield Segment(" " * (width - drawn) + " " + f"{self.progress:.0%}")
        yield Segment.line()


def _frame_key(frame: RenderableType) -> tuple[object, ...] | None:
    """What a frame shows, comparable from one frame to the next; None: cannot tell."""
    from rich.console import Group
    from rich.text import Text

    if not isinstance(frame, Group):
        return None
    key: list[object] = []
    for part in frame.renderables:
        if isinstance(part, Text):
            key.append((part.plain, str(part.style), tuple(part.spans)))
        elif isinstance(part, ProgressLine | FigureGrid):
            key.append(part.key())
        else:
            return None  # a table (big digits): drawn every time
    return tuple(key)


def _shown(step: CompiledStep) -> CompiledStep:
    """`step` with its name and pace label safe to show."""
    name, label = printable(step.name), printable(step.pace_label or "") or step.pace_label
    if name == step.name and label == step.pace_label:
        return step
    return dataclasses.replace(step, name=name, pace_label=label)
