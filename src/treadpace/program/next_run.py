"""`treadpace next`: the next run, suggested from the runner's history and profile.

Pure: given the recorded runs, the profile and `now`, it returns a plan (as the
mapping a plan file holds) and the reasons, in the order they were decided.
The rules (docs/heart-rate.md#what-to-run-next) follow the article: a
progression run is a quality workout once every couple of weeks, with recovery
between; a 30-minute run to start.

- Simulated runs are not training: they are left out.
- Nothing real yet: a 30-minute negative split, the gentlest of the four.
- No run for `TIME_OFF_DAYS`: start again at 30 minutes with the gentlest kind.
- A quality run under `QUALITY_EVERY_DAYS` ago: an easy 30 minutes with a few
  faster minutes.
- Otherwise the next kind in `ROTATION` after the last quality run, its length
  grown by `GROWTH` from the last one that finished with heart rate in range,
  and never beyond `LONGEST_S`. A last quality run stopped with heart rate in
  zone 5 is repeated instead, `GROWTH` shorter, with a zone-4 cap and safe
  progression.
- Paces come from the profile, or from an updated VDOT estimate: the best
  threshold-or-faster step of the last six weeks that the plan held (no guided,
  capped, held or heart-rate-held time) with heart rate at most 92 % of max
  (Daniels' T heart rate tops out there), never more than `MAX_VDOT_GAIN` over
  the profile's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from treadpace.base.display import duration as format_duration
from treadpace.base.display import pace as format_pace
from treadpace.plans.models import PROGRESSION_KINDS
from treadpace.plans.profile import Profile
from treadpace.plans.vdot import oxygen_cost, training_paces
from treadpace.record.journal import RunStatus
from treadpace.record.runs import RunSummary

DAY_S = 86_400.0
QUALITY_EVERY_DAYS = 10
"""The article's "once every couple of weeks", with a few days' slack either way."""
TIME_OFF_DAYS = 28
FIRST_S = 1800.0
LONGEST_S = 3600.0
GROWTH = 0.10
MAX_GROWTH_S = 300.0
RECENT_DAYS = 42
MAX_VDOT_GAIN = 2.0
T_FRACTION = 0.8799
T_HR_TOP = 0.92
ROTATION = ("negative-split", "thirds", "fast-finish", "each-mile-faster")
QUALITY_KINDS = PROGRESSION_KINDS


@dataclass
class Suggestion:
    plan: dict[str, Any]
    """The plan file's contents."""
    reasons: list[str] = field(default_factory=list)


def _days(now: float, then: float) -> int:
    return int((now - then) // DAY_S)


def _held(run: RunSummary) -> bool:
    """The plan ran as written: finished, nothing guided, capped, held or held back by HR."""
    return run.status == RunStatus.FINISHED and not run.departures and run.hr_held_s < 1


def _hr_in_range(run: RunSummary, profile: Profile) -> bool:
    bounds = profile.heart_rate.bounds()
    top = run.max_hr_bpm
    return bounds is None or top is None or top < bounds[4]


def _stopped_by_heart(run: RunSummary, profile: Profile) -> bool:
    bounds = profile.heart_rate.bounds()
    top = run.max_hr_bpm
    ended_early = run.status != RunStatus.FINISHED
    return ended_early and bounds is not None and top is not None and top >= bounds[4]


def vdot_estimate(runs: Sequence[RunSummary], profile: Profile, now: float) -> float | None:
    """The profile's VDOT, raised by recent held threshold efforts at a threshold heart rate."""
    base = profile.vdot
    if base is None:
        return None
    hr_max = profile.heart_rate.max_bpm
    threshold_kmh = 3600.0 / float(profile.paces.threshold)
    best = float(base)
    for run in runs:
        if now - run.start_wall > RECENT_DAYS * DAY_S or not _held(run) or hr_max is None:
            continue
        for step in run.steps:
            hard = step.avg_speed_kmh >= threshold_kmh - 0.05 and step.elapsed_s >= 300
            if hard and step.max_hr_bpm is not None and step.max_hr_bpm <= T_HR_TOP * hr_max:
                implied = oxygen_cost(step.avg_speed_kmh * 1000 / 60) / T_FRACTION
                best = max(best, implied)
    return min(best, float(base) + MAX_VDOT_GAIN)


def _pace_text(s_per_km: float, imperial: bool) -> str:
    return format_pace(3600.0 / s_per_km, imperial)


def _paces(vdot: float | None, profile: Profile) -> dict[str, str]:
    """Named paces, or the updated VDOT's paces written out (easy stays the profile's)."""
    names = ("marathon", "threshold", "steady")
    if vdot is None or profile.vdot is None or vdot <= float(profile.vdot) + 0.05:
        return {n: n for n in names}
    derived = training_paces(vdot).named()
    return {n: _pace_text(derived[n], profile.imperial) for n in names}


def _quality_plan(kind: str, seconds: float, paces: dict[str, str]) -> dict[str, Any]:
    length = format_duration(seconds)
    if kind == "negative-split":
        return {"kind": kind, "duration": length, "first": "easy", "second": paces["steady"]}
    if kind == "thirds":
        return {"kind": kind, "duration": length, "second": paces["marathon"],
                "third": paces["threshold"]}  # fmt: skip
    if kind == "fast-finish":
        return {"kind": kind, "duration": length, "finish_pace": paces["threshold"]}
    # each faster by the clock: the "each mile faster" idea for any length
    parts = max(2, min(6, round((seconds - 600) / 300)))
    return {"kind": "each-interval-faster", "every": "5:00", "intervals": parts,
            "start": paces["marathon"], "step": "0:10/km"}  # fmt: skip


def _easy_plan(seconds: float) -> dict[str, Any]:
    return {
        "name": "Easy with a few faster minutes",
        "kind": "custom",
        "segments": [
            {"name": "easy", "duration": format_duration(seconds - 600), "pace": "easy"},
            {"repeat": {"times": 3, "segments": [
                {"name": "faster", "duration": "1:00", "pace": "steady"},
                {"name": "easy", "duration": "2:20", "pace": "easy"},
            ]}},
        ],
    }  # fmt: skip


def suggest(runs: Sequence[RunSummary], profile: Profile, now: float) -> Suggestion:
    real = [r for r in runs if not r.simulated]
    out = Suggestion({})
    if len(real) < len(runs):
        out.reasons.append(
            f"{len(runs) - len(real)} simulated run(s) left out: they are not training"
        )
    vdot = vdot_estimate(real, profile, now)
    paces = _paces(vdot, profile)
    if vdot is not None and profile.vdot is not None and vdot > float(profile.vdot) + 0.05:
        out.reasons.append(
            f"VDOT {float(profile.vdot):.1f} -> {vdot:.1f}: a recent threshold effort held at a "
            "threshold heart rate (paces written out below)"
        )
    quality = [r for r in real if r.plan_kind in QUALITY_KINDS]
    restart = _restart(real, quality, now)
    if restart is not None:
        out.plan = _quality_plan(ROTATION[0], FIRST_S, paces)
        out.reasons.append(restart)
        return out
    q = quality[-1]
    since = _days(now, q.start_wall)
    if since < QUALITY_EVERY_DAYS and not _stopped_by_heart(q, profile):
        out.plan = _easy_plan(FIRST_S)
        out.reasons.append(
            f"last progression run ({q.plan_kind}) {since} day(s) ago: recover with an easy "
            f"run and a few faster minutes (a quality run every {QUALITY_EVERY_DAYS}-14 days)"
        )
        return out
    if _stopped_by_heart(q, profile):
        seconds = max(FIRST_S, q.timer_s * (1 - GROWTH))
        kind = q.plan_kind if q.plan_kind in ROTATION else ROTATION[0]
        out.plan = {**_quality_plan(kind, seconds, paces), "hr_cap": "z4",
                    "safe_progression": True}  # fmt: skip
        out.reasons.append(
            f"the last progression run ({q.plan_kind}) stopped with heart rate up to "
            f"{q.max_hr_bpm} bpm (zone 5): the same kind again, shorter, capped at zone 4"
        )
        return out
    _next_in_rotation(out, quality, since, profile, paces)
    return out


def _restart(real: list[RunSummary], quality: list[RunSummary], now: float) -> str | None:
    """Why to start (again) from a 30-minute negative split, or None when not."""
    if not real:
        return "no runs yet: a 30-minute negative split, the gentlest progression"
    off = _days(now, real[-1].start_wall)
    if off >= TIME_OFF_DAYS:
        return f"last run {off} days ago: start again with 30 minutes, gently"
    if not quality:
        return "no progression run yet: a 30-minute negative split to start"
    return None


def _next_in_rotation(
    out: Suggestion,
    quality: list[RunSummary],
    since: int,
    profile: Profile,
    paces: dict[str, str],
) -> None:
    """The next kind in the rotation, grown from the last one that went as planned."""
    q = quality[-1]
    index = ROTATION.index(q.plan_kind) if q.plan_kind in ROTATION else -1
    kind = ROTATION[(index + 1) % len(ROTATION)]
    good = [r for r in quality if _held(r) and _hr_in_range(r, profile)]
    if good:
        grown = min(good[-1].timer_s * (1 + GROWTH), good[-1].timer_s + MAX_GROWTH_S)
        seconds = min(LONGEST_S, max(FIRST_S, grown))
        out.reasons.append(
            f"grown from {format_duration(good[-1].timer_s)}, the last progression run that "
            "finished as planned with heart rate in range"
        )
    else:
        seconds = FIRST_S
        out.reasons.append("no progression run finished as planned yet: 30 minutes again")
    out.plan = _quality_plan(kind, round(seconds / 60) * 60, paces)
    out.reasons.insert(
        len(out.reasons) - 1,
        f"last progression run ({q.plan_kind}) {since} days ago: time for the next, {kind}",
    )
