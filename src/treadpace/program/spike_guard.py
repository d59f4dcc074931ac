"""The spike guard: no run much longer than the longest of the last 30 days.

Garmin-RUNSAFE (British Journal of Sports Medicine, 2025; 5,205 runners, 588,071 runs)
found that injury risk follows single runs: a run 10-30 % longer than the longest of the
previous 30 days came with a 1.64x injury rate, more than double it with 2.28x, while the
weekly acute:chronic ratio predicted nothing. So the program never plans a run over
`SPIKE_LIMIT` times that longest, and `treadpace run` says so, in one line before the
countdown, when a plan picked by hand would be one. Pure: runs and days in, numbers out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from treadpace.base.display import distance
from treadpace.base.display import duration as clock

if TYPE_CHECKING:
    from treadpace.plans.steps import CompiledPlan
    from treadpace.record.runs import RunSummary

SPIKE_LIMIT = 1.10
WINDOW_DAYS = 30
DAY_S = 86_400.0
CITATION = "a run 10-30 % longer had 1.64x the injury rate (Garmin-RUNSAFE, BJSM 2025)"


def longest_before(runs: Iterable[tuple[dt.date, float]], day: dt.date) -> float | None:
    """The longest of `runs` (day, amount) in the `WINDOW_DAYS` days before `day`."""
    first = day - dt.timedelta(days=WINDOW_DAYS)
    return max((amount for d, amount in runs if first <= d < day), default=None)


def limit(longest: float) -> float:
    return longest * SPIKE_LIMIT


def _over(planned: float, longest: float) -> int | None:
    """How many percent `planned` is over `longest`, when over the limit."""
    if longest <= 0 or planned <= limit(longest) + 1e-6:
        return None
    return round((planned / longest - 1) * 100)


def spike_warning(
    compiled: CompiledPlan, history: Sequence[RunSummary], now: float, imperial: bool = False
) -> str | None:
    """One line when the plan is a spike against the real runs of the last 30 days, else None.

    Time and distance are both looked at: a plan is a spike when either is over the limit.
    Simulated runs are not training and do not count; with no run in the window there is
    nothing to compare with, and nothing is said.
    """
    recent = [
        r for r in history
        if not r.simulated and now - WINDOW_DAYS * DAY_S <= r.start_wall < now
    ]  # fmt: skip
    if not recent:
        return None
    longest_s = max(r.timer_s for r in recent)
    longest_m = max(r.distance_m for r in recent)
    over = _over(compiled.total_time_s, longest_s)
    if over is not None:
        return (
            f"this plan ({clock(compiled.total_time_s)}) is {over} % longer than your longest run "
            f"of the last 30 days ({clock(longest_s)}): {CITATION}"
        )
    over = _over(compiled.total_distance_m, longest_m)
    if over is not None:
        return (
            f"this plan ({distance(compiled.total_distance_m, imperial)}) is {over} % farther "
            f"than your longest run of the last 30 days ({distance(longest_m, imperial)}): "
            f"{CITATION}"
        )
    return None
