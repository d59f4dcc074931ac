"""The end-of-run table: per step, target vs achieved pace, distance and time."""

from __future__ import annotations

from treadpace.base import display as fmt
from treadpace.base.printable import printable
from treadpace.engine.causes import CAUSE_TEXT, DEPARTURE_TEXT, Departure
from treadpace.engine.events import RunFinished


def departures_text(result: RunFinished) -> str:
    """ "4:10 in guided mode (control lost), 1:30 capped at the maximum speed", or ""."""
    parts: list[str] = []
    for kind in result.departures:
        part = f"{fmt.duration(result.departure_seconds(kind))} {DEPARTURE_TEXT[kind]}"
        if kind == Departure.GUIDED and result.guided_cause is not None:
            part += f" ({CAUSE_TEXT[result.guided_cause]})"
        parts.append(part)
    return ", ".join(parts)


def outcome_text(result: RunFinished) -> str:
    """ "finished: plan complete", or with how the run left the plan as written."""
    text = f"{result.state.value}: {printable(result.reason)}"
    departed = departures_text(result)
    return f"{text}, not as planned: {departed}" if departed else text


def summary_rows(result: RunFinished, imperial: bool) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for s in result.steps:
        rows.append(
            (
                printable(s.name) + (" (skipped)" if s.skipped else ""),
                fmt.pace(s.target_speed_kmh, imperial),
                fmt.pace(s.avg_speed_kmh, imperial),
                fmt.distance(s.distance_m, imperial),
                fmt.duration(s.elapsed_s),
                str(s.avg_hr_bpm) if s.avg_hr_bpm else "--",
                str(s.max_hr_bpm) if s.max_hr_bpm else "--",
            )
        )
    return rows


HEADERS = ("step", "target pace", "achieved", "distance", "time", "avg HR", "max HR")


def heart_rate_lines(result: RunFinished) -> list[str]:
    """Time in each zone, and where a heart-rate rule held the pace back (may be empty)."""
    lines: list[str] = []
    zones = result.hr_zone_s
    if zones and sum(zones) > 0:
        parts = [f"z{k} {fmt.duration(zones[k])}" for k in range(1, 6) if zones[k] > 0]
        if zones[0] > 0:
            parts.insert(0, f"below z1 {fmt.duration(zones[0])}")
        lines.append("time in zones: " + ", ".join(parts))
    held = [
        f"{printable(s.name)} {fmt.duration(s.hr_held_s)}" for s in result.steps if s.hr_held_s >= 1
    ]
    if held:
        lines.append("heart rate held the pace back: " + ", ".join(held))
    return lines


TRUE_DIFFERS = 0.01
"""The true distance is shown beside the belt's when they differ by more than 1 %."""


def true_distance_lines(result: RunFinished, imperial: bool) -> list[str]:
    """The distance the runner really ran, when the belt's figure is off by more than 1 %."""
    true, belt = result.true_distance_m, result.distance_m
    if true is None or belt <= 0 or abs(true / belt - 1.0) <= TRUE_DIFFERS:
        return []
    return [
        f"true distance: {fmt.distance(true, imperial)} (the belt said "
        f"{fmt.distance(belt, imperial)}, {(true / belt - 1.0) * 100:+.1f} %)"
    ]


def summary_text(result: RunFinished, imperial: bool) -> str:
    """Plain aligned columns (no terminal needed); one line when no step was run."""
    if not result.steps:
        return f"run {outcome_text(result)}"
    rows = [HEADERS, *summary_rows(result, imperial)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    avg = result.distance_m / result.elapsed_s * 3.6 if result.elapsed_s > 0 else 0.0
    lines.append(
        f"total: {fmt.distance(result.distance_m, imperial)} in {fmt.duration(result.elapsed_s)}"
        f" ({fmt.pace(avg, imperial)}) - {outcome_text(result)}"
    )
    lines.extend(true_distance_lines(result, imperial))
    lines.extend(heart_rate_lines(result))
    return "\n".join(lines)


def print_summary(result: RunFinished, imperial: bool, *, rich_output: bool) -> None:
    if not rich_output:
        print(summary_text(result, imperial), flush=True)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    if not result.steps:  # ended before the belt moved (Ctrl+C in the countdown): no table
        console.print(escape(f"run {outcome_text(result)}"))
        return
    table = Table(title=escape(f"run {outcome_text(result)}"))
    for h in HEADERS:
        table.add_column(h, justify="left" if h == "step" else "right")
    for row in summary_rows(result, imperial):
        table.add_row(*(escape(cell) for cell in row))
    avg = result.distance_m / result.elapsed_s * 3.6 if result.elapsed_s > 0 else 0.0
    table.add_row(
        "total",
        "",
        fmt.pace(avg, imperial),
        fmt.distance(result.distance_m, imperial),
        fmt.duration(result.elapsed_s),
        "",
        "",
        style="bold",
    )
    console.print(table)
    for line in [*true_distance_lines(result, imperial), *heart_rate_lines(result)]:
        console.print(escape(line))
