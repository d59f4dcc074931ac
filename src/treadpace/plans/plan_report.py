"""What `treadpace paces` and `treadpace plan show` print: JSON dicts, table rows, a chart.

Plain data and strings only (no rich, no typer), so the commands stay thin and
the output is testable without a terminal.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from treadpace.base.display import distance as format_distance
from treadpace.base.display import duration as format_duration
from treadpace.base.display import pace as format_pace
from treadpace.base.display import speed as format_speed
from treadpace.base.units import METRES_PER_MILE
from treadpace.plans.paces import format_clock
from treadpace.plans.profile import Paces
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.plans.vdot import race_time_s

_MI = METRES_PER_MILE / 1000.0

EQUIVALENT_RACES = (
    ("mile", METRES_PER_MILE),
    ("5K", 5000.0),
    ("10K", 10000.0),
    ("half marathon", 21097.5),
    ("marathon", 42195.0),
)


def one_decimal(x: float) -> float:
    """`x` to 0.1, halves rounded up as a runner reads them (38.25 -> 38.3).

    `round()` and `:.1f` round exact binary halves to even (38.25 -> 38.2).
    Rounding the shortest decimal spelling of `x`, once, keeps 37.9495 at 37.9:
    only the displayed value is rounded, never the one the paces come from.
    """
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


_r = one_decimal


def paces_json(paces: Paces, vdot: float | None) -> dict[str, Any]:
    """`{"vdot": 38.3, "paces": {"easy": {"min_s_per_km", ...}, "marathon": {...}, ...}}`."""
    lo = paces.easy_min if paces.easy_min is not None else paces.easy
    hi = paces.easy_max if paces.easy_max is not None else paces.easy
    out: dict[str, Any] = {
        "easy": {
            "min_s_per_km": _r(lo),
            "max_s_per_km": _r(hi),
            "min_s_per_mi": _r(lo * _MI),
            "max_s_per_mi": _r(hi * _MI),
            "s_per_km": _r(paces.easy),
            "s_per_mi": _r(paces.easy * _MI),
        }
    }
    for name in ("marathon", "threshold", "interval", "repetition", "steady"):
        s = float(getattr(paces, name))
        entry = {"s_per_km": _r(s), "s_per_mi": _r(s * _MI)}
        if name in ("interval", "repetition"):
            entry["s_per_400m"] = _r(s * 0.4)
        out[name] = entry
    return {"vdot": None if vdot is None else _r(vdot), "paces": out}


def pace_rows(paces: Paces) -> list[tuple[str, str, str, str]]:
    """(name, per km, per mile, speed km/h / mph) rows; easy shows its range."""
    rows = []
    for name in ("easy", "steady", "marathon", "threshold", "interval", "repetition"):
        s = float(getattr(paces, name))
        per_km = format_clock(s) + "/km"
        per_mi = format_clock(s * _MI) + "/mi"
        if name == "easy" and paces.easy_min is not None and paces.easy_max is not None:
            per_km = f"{format_clock(paces.easy_min)}-{format_clock(paces.easy_max)}/km"
            per_mi = f"{format_clock(paces.easy_min * _MI)}-{format_clock(paces.easy_max * _MI)}/mi"
        if name in ("interval", "repetition"):
            per_km += f" ({s * 0.4:.0f} s/400 m)"
        kmh = 3600.0 / s
        speeds = f"{format_speed(kmh, False)} / {format_speed(kmh, True)}"
        rows.append((name, per_km, per_mi, speeds))
    return rows


def race_rows(vdot: float) -> list[tuple[str, str]]:
    return [(name, format_duration(race_time_s(vdot, d))) for name, d in EQUIVALENT_RACES]


def _starts(plan: CompiledPlan) -> list[float]:
    starts, t = [], 0.0
    for step in plan.steps:
        starts.append(t)
        t += step.planned_time_s
    return starts


def plan_json(plan: CompiledPlan) -> dict[str, Any]:
    steps = []
    for start, s in zip(_starts(plan), plan.steps, strict=True):
        entry: dict[str, Any] = {"name": s.name}
        if s.kind == "time":
            entry["duration_s"] = round(s.amount, 3)
        else:
            entry["distance_m"] = round(s.amount, 3)
        entry["speed_kmh"] = round(s.speed_kmh, 4)
        if s.end_speed_kmh is not None:
            entry["end_speed_kmh"] = round(s.end_speed_kmh, 4)
        entry["incline_percent"] = s.incline_percent
        if s.end_incline_percent is not None:
            entry["end_incline_percent"] = s.end_incline_percent
        entry["pace_label"] = s.pace_label
        if s.capped_from_kmh is not None:
            entry["capped_from_kmh"] = round(s.capped_from_kmh, 4)
        if s.hr is not None:
            entry["hr"] = {
                "mode": s.hr.mode,
                "low_bpm": s.hr.low_bpm,
                "high_bpm": s.hr.high_bpm,
                "label": s.hr.label,
                "safe_progression": s.hr.hold_back,
                **({"min_kmh": round(s.hr.min_kmh, 4)} if s.hr.mode == "target" else {}),
            }
        entry["start_s"] = round(start, 1)
        entry["planned_time_s"] = round(s.planned_time_s, 1)
        entry["planned_distance_m"] = round(s.planned_distance_m, 1)
        steps.append(entry)
    return {
        "name": plan.name,
        "kind": plan.kind,
        "source": plan.source,
        "steps": steps,
        "total_time_s": round(plan.total_time_s, 1),
        "total_distance_m": round(plan.total_distance_m, 1),
        "notes": list(plan.notes),
    }


def _length(step: CompiledStep, imperial: bool) -> str:
    if step.kind == "time":
        return format_duration(step.amount)
    return format_distance(step.amount, imperial)


def step_rows(plan: CompiledPlan, imperial: bool) -> list[tuple[str, ...]]:
    """(#, step, start, length, pace, speed, incline) per step, in the runner's units."""
    rows: list[tuple[str, ...]] = []
    for i, (start, s) in enumerate(zip(_starts(plan), plan.steps, strict=True), start=1):
        pace = format_pace(s.speed_kmh, imperial)
        speed = format_speed(s.speed_kmh, imperial)
        if s.end_speed_kmh is not None:
            pace += f" -> {format_pace(s.end_speed_kmh, imperial)}"
            speed += f" -> {format_speed(s.end_speed_kmh, imperial)}"
        label = f" ({s.pace_label})" if s.pace_label and s.pace_label != s.name else ""
        if s.hr is not None and s.hr.mode == "target":
            pace = f"{format_pace(s.hr.min_kmh, imperial)} -> {pace}"
            speed = f"{format_speed(s.hr.min_kmh, imperial)} -> {speed}"
        elif s.hr is not None:
            label += f", heart rate under {s.hr.label}"
        if s.capped_from_kmh is not None:
            speed += " (capped)"
        rows.append(
            (
                str(i),
                s.name,
                format_duration(start),
                f"open ({_length(s, imperial)})" if s.open else _length(s, imperial),
                pace + label,
                speed,
                _incline_text(s),
            )
        )
    return rows


def _incline_text(step: CompiledStep) -> str:
    if step.end_incline_percent is None:
        return f"{step.incline_percent:g} %"
    return f"{step.incline_percent:g} -> {step.end_incline_percent:g} %"


def _samples(plan: CompiledPlan, width: int, incline: bool) -> list[float]:
    """The target (speed or incline) at the middle of each column of planned time."""
    total = plan.total_time_s
    starts = _starts(plan)
    out = []
    for col in range(width):
        t = (col + 0.5) / width * total
        idx = max(i for i, s in enumerate(starts) if s <= t)
        step = plan.steps[idx]
        dur = step.planned_time_s
        fraction = (t - starts[idx]) / dur if dur > 0 else 0.0
        out.append(step.incline_at(fraction) if incline else step.target_at(fraction))
    return out


def incline_chart(plan: CompiledPlan, width: int = 60, height: int = 3) -> list[str]:
    """A block chart of incline over planned time (nothing for a flat plan)."""
    if plan.total_time_s <= 0 or not plan.steps:
        return []
    samples = _samples(plan, width, incline=True)
    top = max(max(abs(s.incline_percent), abs(s.end_incline_percent or 0.0)) for s in plan.steps)
    if top <= 0:
        return []
    levels = " ▁▂▃▄▅▆▇█"
    lines = []
    for row in range(height, 0, -1):
        chars = []
        for v in samples:
            part = max(0.0, v) / top * height - (row - 1)
            chars.append(levels[8] if part >= 1 else levels[max(0, int(part * 8))])
        label = f"{top:g} %" if row == height else ("incline" if row == 1 else "")
        lines.append(f"{label:>10} │{''.join(chars)}")
    return lines


def totals_line(plan: CompiledPlan, imperial: bool) -> str:
    time_s, dist = plan.total_time_s, plan.total_distance_m
    avg = dist / time_s * 3.6 if time_s > 0 else 0.0
    return (
        f"total {format_distance(dist, imperial)} in {format_duration(time_s)} "
        f"(average {format_pace(avg, imperial)})"
    )


def speed_chart(plan: CompiledPlan, imperial: bool, width: int = 60, height: int = 6) -> list[str]:
    """A block chart of target speed over planned time, labelled with min/max speed."""
    total = plan.total_time_s
    if total <= 0 or not plan.steps:
        return []
    samples = _samples(plan, width, incline=False)
    top = max(max(s.speed_kmh, s.end_speed_kmh or 0.0) for s in plan.steps)
    bottom = min(samples)
    # Show the slowest part as a short bar, not as nothing.
    floor = bottom - (top - bottom) / (height - 1) if top > bottom else bottom - 1.0
    levels = " ▁▂▃▄▅▆▇█"
    lines = []
    for row in range(height, 0, -1):
        chars = []
        for v in samples:
            filled = (v - floor) / (top - floor) * height
            part = filled - (row - 1)
            chars.append(levels[8] if part >= 1 else levels[max(0, int(part * 8))])
        label = format_speed(top, imperial) if row == height else ""
        if row == 1:
            label = format_speed(bottom, imperial)
        lines.append(f"{label:>10} │{''.join(chars)}")
    lines.append(f"{'':>10} └{'─' * width}")
    lines.append(f"{'':>10}  0:00{format_duration(total):>{width - 4}}")
    return lines
