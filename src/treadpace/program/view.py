"""What `program show` prints: each week's plans compiled for the runner, totals and a chart.

Pure text from compiled plans: the weekly time and distance are the compiled plans' own
totals, and the easy share is measured on their steps (a step no faster than the runner's
easy pace, with a 2 % margin, is easy), not estimated. `week_lines` is also what the
golden files under tests/data/ hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from treadpace.base.display import distance as fmt_distance
from treadpace.base.display import duration as clock
from treadpace.plans.steps import CompiledPlan
from treadpace.program.types import Program, Workout

EASY_MARGIN = 1.02
BAR = "█"
CHART_WIDTH = 40


@dataclass(frozen=True)
class WeekRow:
    week: int
    first: str
    last: str
    runs: int
    seconds: float
    metres: float
    easy_share: float
    progression: str
    """The week's progression run (its plan's name), or ""."""
    recovery: bool


def easy_seconds(plan: CompiledPlan, easy_kmh: float) -> float:
    return sum(s.planned_time_s for s in plan.steps if s.mean_speed_kmh <= easy_kmh * EASY_MARGIN)


def week_rows(program: Program, compiled: Sequence[CompiledPlan], easy_kmh: float) -> list[WeekRow]:
    """One row a week; `compiled` is each workout's plan, in the program's order."""
    rows = []
    pairs = list(zip(program.workouts, compiled, strict=True))
    for week in range(1, program.settings.weeks + 1):
        these = [(w, c) for w, c in pairs if w.week == week]
        if not these:
            continue
        seconds = sum(c.total_time_s for _, c in these)
        easy = sum(easy_seconds(c, easy_kmh) for _, c in these)
        hard = next((c.name for w, c in these if w.hard), "")
        rows.append(WeekRow(
            week, these[0][0].day.isoformat(), these[-1][0].day.isoformat(), len(these),
            seconds, sum(c.total_distance_m for _, c in these),
            easy / seconds if seconds else 1.0, hard,
            any("easier week" in w.why for w, _ in these),
        ))  # fmt: skip
    return rows


def _workout_line(w: Workout, plan: CompiledPlan, imperial: bool) -> str:
    day = w.day.strftime("%a %Y-%m-%d")
    length = f"{clock(plan.total_time_s):>7} {fmt_distance(plan.total_distance_m, imperial):>8}"
    status = "" if w.status.value == "planned" else f" [{w.status.value}]"
    return f"  {day}  {w.role.value:<11} {length}  {plan.name}{status}: {w.why}"


def week_lines(
    program: Program,
    compiled: Sequence[CompiledPlan],
    easy_kmh: float,
    imperial: bool,
    weeks: int | None = None,
) -> list[str]:
    """Each week: a heading with its totals, then one line a workout with why."""
    lines = []
    rows = week_rows(program, compiled, easy_kmh)
    pairs = list(zip(program.workouts, compiled, strict=True))
    for row in rows[:weeks]:
        lines.append(
            f"week {row.week}{' (easier)' if row.recovery else ''}: {row.first} to {row.last}, "
            f"{row.runs} runs, {clock(row.seconds)}, {fmt_distance(row.metres, imperial)}, "
            f"{round(row.easy_share * 100)} % easy"
        )
        lines += [_workout_line(w, c, imperial) for w, c in pairs if w.week == row.week]
    return lines


def chart_lines(rows: Sequence[WeekRow], imperial: bool) -> list[str]:
    """Weekly time as bars (easy part solid, the rest light), with distance and easy share."""
    top = max((r.seconds for r in rows), default=0.0) or 1.0
    out = []
    for r in rows:
        width = round(r.seconds / top * CHART_WIDTH)
        easy = round(width * r.easy_share)
        bar = BAR * easy + "▒" * (width - easy)
        out.append(
            f"W{r.week:<2} {bar:<{CHART_WIDTH}} {clock(r.seconds):>7} "
            f"{fmt_distance(r.metres, imperial):>8} {round(r.easy_share * 100):>3} % easy"
        )
    out.append(f"{'':3} {BAR} easy  ▒ faster than easy")
    return out
