"""Plan files for the program's workouts: the article's four progression runs, easy and long runs.

Each function returns a plan mapping (what a plan YAML file holds) of a given length, with
named paces only, so it compiles with whatever paces the runner's profile has on the day it
is run: a new race result in the profile moves every future workout with it. A fitness
change found in heart rate (`fitness.py`) is written as an offset on the named paces
(`threshold - 4 s/km`; easy is never made faster).

The four kinds follow configs/plans/: negative split (easy, then steady), thirds (easy,
marathon, threshold), fast finish (easy, then 5-15 minutes at threshold) and each mile
faster (an easy mile, miles from marathon pace each 30 s/mi faster, an easy mile); a
newcomer's first is the shipped 30-minute beginner run (easy, steady, marathon).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from treadpace.base.display import duration as clock

MILE_M = 1609.344
MILE_STEP_S = 30.0
"""Each mile faster: 30 s per mile."""
ROTATION = ("negative-split", "thirds", "fast-finish", "each-mile-faster")
BEGINNER = "beginner"
KIND_TITLES = {
    BEGINNER: "beginner progression",
    "negative-split": "negative split",
    "thirds": "thirds",
    "fast-finish": "fast finish",
    "each-mile-faster": "each mile faster",
}


def pace(name: str, offset_s: float) -> str:
    """A named pace, `offset_s` seconds per km faster (a fitness gain), as a plan writes it.

    Easy is never made faster: a plan may not start faster than the profile's easy pace
    (the article's "don't start too fast"), and easy running should stay easy.
    """
    whole = round(offset_s)
    if whole == 0 or (whole > 0 and name == "easy"):
        return name
    return f"{name} - {whole} s/km" if whole > 0 else f"{name} + {-whole} s/km"


def minutes(seconds: float) -> str:
    return clock(round(seconds / 60) * 60)


def easy_plan(title: str, seconds: float, offset_s: float) -> dict[str, Any]:
    return {"name": title, "kind": "steady", "duration": minutes(seconds),
            "pace": pace("easy", offset_s)}  # fmt: skip


def mile_seconds(paces: Mapping[str, float], miles: int, offset_s: float) -> float:
    """Planned time of each mile faster with `miles` progressive miles (easy miles around)."""
    easy = (paces["easy"] - offset_s) * MILE_M / 1000
    start = (paces["marathon"] - offset_s) * MILE_M / 1000
    fast = sum(start - k * MILE_STEP_S for k in range(miles))
    return 2 * easy + fast


def fitting_miles(paces: Mapping[str, float], seconds: float, offset_s: float) -> int | None:
    """The most progressive miles that fit in `seconds`, none faster than interval pace."""
    interval_mi = (paces["interval"] - offset_s) * MILE_M / 1000
    start_mi = (paces["marathon"] - offset_s) * MILE_M / 1000
    best = None
    for miles in range(1, 7):
        if start_mi - (miles - 1) * MILE_STEP_S < interval_mi:
            break
        if mile_seconds(paces, miles, offset_s) <= seconds:
            best = miles
    return best


def progression_plan(
    kind: str, title: str, seconds: float, paces: Mapping[str, float], offset_s: float
) -> tuple[dict[str, Any], float]:
    """The plan of a progression run of `kind` lasting at most `seconds`, and its planned length."""
    p = {name: pace(name, offset_s) for name in ("easy", "steady", "marathon", "threshold")}
    length = minutes(seconds)
    whole = round(seconds / 60) * 60.0
    if kind == BEGINNER:
        parts = (("easy", 0.4), ("steady", 1 / 3), ("marathon", 0.0))
        first, second = round(whole * 0.4 / 60) * 60, round(whole / 3 / 60) * 60
        lengths = (first, second, whole - first - second)
        segments = [{"name": name, "duration": clock(s), "pace": p[name]}
                    for (name, _), s in zip(parts, lengths, strict=True)]  # fmt: skip
        return {"name": title, "kind": "custom", "segments": segments}, whole
    if kind == "negative-split":
        return {"name": title, "kind": kind, "duration": length, "first": p["easy"],
                "second": p["steady"]}, whole  # fmt: skip
    if kind == "thirds":
        return {"name": title, "kind": kind, "duration": length, "first": p["easy"],
                "second": p["marathon"], "third": p["threshold"]}, whole  # fmt: skip
    if kind == "fast-finish":
        finish = min(15.0, max(5.0, round(whole / 60 / 4)))
        return {"name": title, "kind": kind, "duration": length, "finish": clock(finish * 60),
                "pace": p["easy"], "finish_pace": p["threshold"]}, whole  # fmt: skip
    miles = fitting_miles(paces, seconds, offset_s)
    if miles is None:
        raise ValueError("each mile faster does not fit")
    return {"name": title, "kind": "each-mile-faster", "progressive_miles": miles,
            "start": p["marathon"], "step": "0:30/mi", "warmup": p["easy"],
            "cooldown": p["easy"]}, mile_seconds(paces, miles, offset_s)  # fmt: skip


HARD_SHARE = {BEGINNER: 0.6, "negative-split": 0.5, "thirds": 2 / 3, "fast-finish": 0.25,
              "each-mile-faster": 0.6}  # fmt: skip
"""Roughly how much of each kind runs faster than easy (the view measures the real share)."""
