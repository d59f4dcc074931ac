"""The summary chart as an image (PNG or SVG), drawn with matplotlib.

Top: target vs actual speed over time, plan steps shaded and numbered, heart
rate on a second axis. Bottom: the per-step table (target vs achieved pace,
distance, time, heart rate). matplotlib is an optional extra
(`pip install 'treadpace[chart]'`), imported only here and only when an image
is asked for, with the Agg backend so it works on a box without a display.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from treadpace.base.display import speed_unit
from treadpace.base.user_error import UserError
from treadpace.engine.events import RunState
from treadpace.record.activity import Activity
from treadpace.record.output import check_target, write_atomically
from treadpace.record.run_report import (
    IMAGE_COLUMNS,
    StepRow,
    headline,
    step_rows,
    step_table,
    to_unit_speed,
)

IMAGE_SUFFIXES = (".png", ".svg")


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, or the one-line UserError without it."""
    try:
        import matplotlib
    except ImportError:
        raise UserError(
            "report -o: image charts need matplotlib (pip install 'treadpace[chart]');"
            " without -o the report prints in the terminal"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _plan_line(ax: Any, activity: Activity, xs: list[float], imperial: bool) -> None:
    """With heart-rate steps, the plan's own target too: the gap is what heart rate took."""
    steps = activity.planned_steps
    if not any(s.hr is not None for s in steps):
        return
    plan = [
        to_unit_speed(steps[s.step_index].speed_kmh, imperial)
        if 0 <= s.step_index < len(steps) and s.state == RunState.RUNNING
        else float("nan")
        for s in activity.samples
    ]
    ax.plot(xs, plan, color="#999999", linestyle=":", linewidth=1.2, label="plan")


def _hr_rules(hr_ax: Any, activity: Activity, minutes: Any) -> None:
    """Each lap's heart-rate cap (a line) or target range (a band)."""
    for lap in activity.laps:
        rule = lap.step.hr if lap.step is not None else None
        if rule is None:
            continue
        x0, x1 = minutes(lap.start_wall), minutes(lap.end_wall)
        if rule.mode == "cap":
            hr_ax.hlines(rule.cap_bpm, x0, x1, colors="#c44e52", linestyles="--", linewidth=0.8)
        else:
            hr_ax.fill_between([x0, x1], rule.low_bpm, rule.high_bpm, color="#c44e52", alpha=0.12)


def write_chart(activity: Activity, path: Path, imperial: bool) -> Path:
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise UserError(f"{path}: -o: expected a .png or .svg file name")
    check_target(path)  # before the drawing: a symlink or a device is refused at once
    plt = pyplot()
    rows = step_rows(activity, imperial)
    table_height = 0.32 * (len(rows) + 1) + 0.4
    fig = plt.figure(figsize=(10, 4.2 + table_height), dpi=100)
    grid = fig.add_gridspec(2, 1, height_ratios=[4.2, table_height], hspace=0.25)
    ax = fig.add_subplot(grid[0])
    start = activity.start_wall

    def minutes(wall: float) -> float:
        return (wall - start) / 60.0

    _shade_steps(ax, activity, minutes)
    xs = [minutes(s.wall) for s in activity.samples]
    _speed_lines(ax, activity, xs, imperial)
    ax.set_xlim(0, max(minutes(activity.end_wall), 1 / 60))
    handles, labels = ax.get_legend_handles_labels()
    more_h, more_l = _heart_rate(ax, activity, xs, minutes)
    ax.legend(handles + more_h, labels + more_l, loc="lower right", fontsize=8)
    ax.set_title(headline(activity, imperial), fontsize=10, pad=14)
    _step_table(fig.add_subplot(grid[1]), rows)
    try:
        write_atomically(
            path, lambda out: fig.savefig(out, format=suffix.lstrip("."), bbox_inches="tight")
        )
    finally:
        plt.close(fig)
    return path


def _shade_steps(ax: Any, activity: Activity, minutes: Callable[[float], float]) -> None:
    """Each lap shaded in alternate colours and numbered above; pauses in grey."""
    for n, lap in enumerate(activity.laps):
        ax.axvspan(
            minutes(lap.start_wall),
            minutes(lap.end_wall),
            color="#4c72b0" if n % 2 == 0 else "#dd8452",
            alpha=0.10,
            linewidth=0,
        )
        ax.text(
            (minutes(lap.start_wall) + minutes(lap.end_wall)) / 2,
            1.01,
            str(lap.index + 1),
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    for p_start, p_end in activity.pauses:
        ax.axvspan(minutes(p_start), minutes(p_end), color="grey", alpha=0.25, linewidth=0)


def _speed_lines(ax: Any, activity: Activity, xs: list[float], imperial: bool) -> None:
    """Target (only while running) and actual speed, and the plan's own line if it differs."""
    samples = activity.samples
    target = [
        to_unit_speed(s.target_speed_kmh, imperial) if s.state == RunState.RUNNING else float("nan")
        for s in samples
    ]
    actual = [to_unit_speed(s.speed_kmh, imperial) for s in samples]
    ax.plot(xs, target, color="#333333", linestyle="--", linewidth=1.2, label="target")
    ax.plot(xs, actual, color="#1f77b4", linewidth=1.6, label="actual")
    _plan_line(ax, activity, xs, imperial)
    ax.set_xlabel("time (min)")
    ax.set_ylabel(f"speed ({speed_unit(imperial)})")
    ax.grid(True, alpha=0.3)


def _heart_rate(
    ax: Any, activity: Activity, xs: list[float], minutes: Callable[[float], float]
) -> tuple[list[Any], list[str]]:
    """Heart rate on a second axis, if the run has any; its legend handles and labels."""
    samples = activity.samples
    beats = [(x, s.heart_rate_bpm) for x, s in zip(xs, samples, strict=True) if s.heart_rate_bpm]
    if not beats:
        return [], []
    hr_ax = ax.twinx()
    hr_ax.plot(
        [b[0] for b in beats],
        [b[1] for b in beats],
        color="#c44e52",
        linewidth=1.0,
        label="heart rate",
    )
    hr_ax.set_ylabel("heart rate (bpm)", color="#c44e52")
    _hr_rules(hr_ax, activity, minutes)
    handles, labels = hr_ax.get_legend_handles_labels()
    return list(handles), list(labels)


def _step_table(table_ax: Any, rows: list[StepRow]) -> None:
    """The per-step table under the plot."""
    table_ax.axis("off")
    if not rows:
        return
    labels, cells = step_table(rows, IMAGE_COLUMNS)
    table = table_ax.table(
        cellText=cells,
        colLabels=labels,
        loc="upper center",
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
