"""The planner: the runner's history, today and the settings in, a program out. Pure.

No file, no clock, no profile object: the paces it needs (to fit each mile faster in a
given time) are a mapping of seconds per km. The same inputs always give the same program.

The rules (docs/program.md says where each comes from):

- Progression runs, the article's four kinds in turn, every 10-14 days (never closer than
  `MIN_HARD_GAP_DAYS` to the last one, in the history or in the program); a newcomer, or a
  runner back from four weeks off, starts with the 30-minute beginner run.
- Easy runs between, the week's last one the long run; the week's time grows by
  `GOAL_SHAPE`'s growth for `rhythm` weeks, then an easier week at `RECOVERY_FACTOR` (3:1 or 2:1);
  a week back after it is never more than 30 % over it (Nielsen 2014).
- The spike guard: no run over 1.10x the longest of the 30 days before it, counting the
  history, the runs planned before it and the runner's declared longest run; unless the
  runner allowed spikes, then each one is said.
- Easy time is about `easy_share` of the whole (progression runs come every other week or
  so, so a single week is not the measure): the first week's time is set so, and the
  program says when the guard keeps it under.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from treadpace.base.display import duration as clock
from treadpace.program import workout_plans as plans
from treadpace.program.spike_guard import SPIKE_LIMIT, limit, longest_before
from treadpace.program.types import Goal, Outcome, PastRun, Program, Role, Settings, Workout

DAY = dt.timedelta(days=1)
MIN_HARD_GAP_DAYS = 10
TARGET_HARD_GAP_DAYS = 12
MAX_HARD_GAP_DAYS = 14
BREAK_DAYS = 28
FIRST_S = 1800.0
"""The article's first progression run, and the longest assumed when nothing is known."""
MIN_EASY_S = 1200.0
RECOVERY_FACTOR = 0.8
PROGRESSION_GROWTH_S = 300.0
RUN_DAYS = {2: (0, 4), 3: (0, 2, 5), 4: (0, 2, 4, 6), 5: (0, 1, 3, 4, 6), 6: (0, 1, 2, 3, 4, 5)}
"""Which days of each program week have a run, by runs per week (0: the week's first day)."""
GOAL_CAPS = {
    Goal.FIVE_K: (2700.0, 3600.0),
    Goal.TEN_K: (3000.0, 4500.0),
    Goal.HALF: (3600.0, 6300.0),
    Goal.MARATHON: (4200.0, 9000.0),
    Goal.GENERAL: (3000.0, 4500.0),
}
"""(longest progression run, longest long run) per goal."""
GOAL_SHAPE = {
    Goal.FIVE_K: (0.06, 0.9),
    Goal.TEN_K: (0.08, 1.0),
    Goal.HALF: (0.09, 1.15),
    Goal.MARATHON: (0.10, 1.3),
    Goal.GENERAL: (0.07, 1.0),
}
"""(weekly growth of a build week, the long run's share against the usual) per goal: a
longer race wants more time on the feet, still far under Nielsen's 30 % a week."""
LONG_SHARE = {2: 0.5, 3: 0.4, 4: 0.32, 5: 0.28, 6: 0.25}


@dataclass
class _Plan:
    """The planner's working state, walked day by day."""

    settings: Settings
    paces: Mapping[str, float]
    offset_s: float
    start: dt.date
    lengths: list[tuple[dt.date, float]]
    """Past and planned runs (day, seconds): what the guard looks back over."""
    out: list[Workout] = field(default_factory=list)
    last_hard_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def build_program(
    history: Sequence[PastRun],
    today: dt.date,
    settings: Settings,
    paces: Mapping[str, float],
    offset_s: float = 0.0,
) -> Program:
    """The program from `settings.start` (default: the day after `today`)."""
    start = settings.start or today + DAY
    past = sorted((r for r in history if r.day < start), key=lambda r: (r.day, r.seconds))
    base, notes = base_longest(past, start, settings)
    state = _Plan(settings, paces, offset_s, start, [(start - DAY, base)], notes=notes)
    state.lengths += [(r.day, r.seconds) for r in past]
    days = run_days(start, settings)
    hard = hard_days([d for _, d in days], past, start)
    kinds = _rotation(past, start)
    progression = _first_progression_s(past, start, base)
    level = _weekly_start(past, start, settings, base)
    last_build = level
    for week in range(1, settings.weeks + 1):
        recovery = week % (settings.rhythm + 1) == 0
        back = week > 1 and (week - 1) % (settings.rhythm + 1) == 0
        if not recovery and week > 1 and not back:  # the week back: where it was (+25 %)
            last_build *= 1 + GOAL_SHAPE[settings.goal][0]
        weekly = last_build * RECOVERY_FACTOR if recovery else last_build
        in_week = [d for w, d in days if w == week]
        progression = _week(state, week, in_week, hard, kinds, progression, weekly, recovery)
    share = easy_share(state.out)
    if share < settings.easy_share - 0.005:
        state.notes.append(
            f"about {round(share * 100)} % of the time is easy, under the "
            f"{round(settings.easy_share * 100)} % asked for: the guard keeps the easy runs short"
        )
    settings = dataclasses.replace(settings, start=start)
    return Program(settings, start, base, tuple(state.out), tuple(state.notes))


def base_longest(
    past: Sequence[PastRun], start: dt.date, settings: Settings
) -> tuple[float, list[str]]:
    """The longest run the guard starts from, and how it was found."""
    seen = longest_before([(r.day, r.seconds) for r in past], start)
    declared = settings.longest_s
    if seen is None and declared is None:
        return FIRST_S, [
            f"no run in the 30 days before {start} and no longest run declared: the guard "
            f"starts from {clock(FIRST_S)} (declare yours with --longest)"
        ]
    if declared is not None and (seen is None or declared > seen):
        return declared, [f"the guard starts from your declared longest run, {clock(declared)}"]
    assert seen is not None
    return seen, [f"the guard starts from your longest run of the last 30 days, {clock(seen)}"]


def run_days(start: dt.date, settings: Settings) -> list[tuple[int, dt.date]]:
    """(week, day) of every run of the program."""
    pattern = RUN_DAYS[settings.runs_per_week]
    return [
        (week, start + dt.timedelta(days=7 * (week - 1) + offset))
        for week in range(1, settings.weeks + 1)
        for offset in pattern
    ]


def hard_days(days: Sequence[dt.date], past: Sequence[PastRun], start: dt.date) -> set[dt.date]:
    """The progression days: 10-14 days apart, the first at least 10 after the last one run."""
    last = max((r.day for r in past if r.hard), default=None)
    earliest = start + 2 * DAY  # an easy run first
    if last is not None:
        earliest = max(earliest, last + MIN_HARD_GAP_DAYS * DAY)
    chosen: set[dt.date] = set()
    candidates = [d for d in days if d >= earliest]
    while candidates:
        day = candidates[0]
        chosen.add(day)
        window = [d for d in days if MIN_HARD_GAP_DAYS <= (d - day).days <= MAX_HARD_GAP_DAYS]
        if window:
            best = min(window, key=lambda d: (abs((d - day).days - TARGET_HARD_GAP_DAYS), d))
            candidates = [d for d in days if d >= best]
        else:
            candidates = [d for d in days if (d - day).days >= MIN_HARD_GAP_DAYS]
    return chosen


def _rotation(past: Sequence[PastRun], start: dt.date) -> Iterator[str]:
    """The kinds in turn: the beginner run first for a newcomer or after a break."""
    hard = [r for r in past if r.hard]
    back = not past or (start - past[-1].day).days > BREAK_DAYS
    if not hard or back:
        yield plans.BEGINNER
        index = 0
    else:
        last = hard[-1].kind
        index = (plans.ROTATION.index(last) + 1) if last in plans.ROTATION else 0
    while True:
        yield plans.ROTATION[index % len(plans.ROTATION)]
        index += 1


def _first_progression_s(past: Sequence[PastRun], start: dt.date, base: float) -> float:
    """The first progression run's length: the last one's again, or 30 minutes."""
    hard = [r for r in past if r.hard]
    back = not past or (start - past[-1].day).days > BREAK_DAYS
    if not hard or back:
        return min(FIRST_S, base)
    last = hard[-1]
    seconds = last.seconds
    if last.outcome == Outcome.HR_ABORT:
        seconds *= 0.9
    return max(FIRST_S, round(seconds / 60) * 60.0)


def _weekly_start(
    past: Sequence[PastRun], start: dt.date, settings: Settings, base: float
) -> float:
    """The first week's time: the last four weeks' average, at least 20 minutes a run."""
    recent = [r.seconds for r in past if (start - r.day).days <= 28]
    floor = settings.runs_per_week * min(MIN_EASY_S, base)
    # A progression run every 12 days or so; the rest easy, `easy_share` of the whole.
    hard = min(FIRST_S, base) * max(plans.HARD_SHARE.values()) * 7 / TARGET_HARD_GAP_DAYS
    return max(floor, sum(recent) / 4, hard / max(0.05, 1 - settings.easy_share))


def _week(
    state: _Plan,
    week: int,
    days: list[dt.date],
    hard: set[dt.date],
    kinds: Iterator[str],
    progression: float,
    weekly: float,
    recovery: bool,
) -> float:
    """Plan one week's runs; returns the next progression run's length."""
    goal_hard, goal_long = GOAL_CAPS[state.settings.goal]
    easy_days = [d for d in days if d not in hard]
    long_day = easy_days[-1] if len(days) > 1 and easy_days else None
    wanted_hard = state.last_hard_s if recovery and state.last_hard_s else progression
    hard_s = min(wanted_hard, goal_hard) if any(d in hard for d in days) else 0.0
    share = LONG_SHARE[state.settings.runs_per_week] * GOAL_SHAPE[state.settings.goal][1]
    long_s = min(goal_long, weekly * share)
    others = [d for d in easy_days if d != long_day]
    if hard_s:  # the progression run is part of the week's time, not on top of it
        long_s = max(MIN_EASY_S, min(long_s, weekly - hard_s - MIN_EASY_S * len(others)))
    rest = weekly - hard_s - (long_s if long_day else 0.0)
    easy_s = min(max(MIN_EASY_S, rest / len(others)), long_s) if others else 0.0
    wanted = {d: easy_s for d in others}
    if long_day is not None:
        wanted[long_day] = max(long_s, easy_s)
    if recovery:
        wanted = _easier(wanted, hard_s, _week_total(state, week - 1))
    kind = next(kinds) if hard_s else ""
    label = " (an easier week)" if recovery else ""
    for day in days:
        if day in hard:
            kind = _hard_run(state, week, day, kind, hard_s, kinds, label)
        else:
            role = Role.LONG if day == long_day else Role.EASY
            _easy_run(state, week, day, role, wanted[day], label)
    if hard_s and not recovery:
        return min(goal_hard, state.last_hard_s + PROGRESSION_GROWTH_S)
    return progression


RECOVERY_MIN_EASY_S = 900.0
"""An easier week's easy runs may be as short as 15 minutes."""


def _week_total(state: _Plan, week: int) -> float:
    return sum(w.seconds for w in state.out if w.week == week)


def _easier(wanted: dict[dt.date, float], hard_s: float, before: float) -> dict[dt.date, float]:
    """An easier week is easier: with the week's progression run (kept whole, the quality
    session it is), its easy runs shrink until the week is at most `RECOVERY_FACTOR` of
    the week before, none below `RECOVERY_MIN_EASY_S`."""
    easy = sum(wanted.values())
    budget = before * RECOVERY_FACTOR - hard_s
    if not before or easy <= budget or easy <= 0:
        return wanted
    k = max(budget, 0.0) / easy
    return {d: max(RECOVERY_MIN_EASY_S, s * k) for d, s in wanted.items()}


def easy_share(workouts: Sequence[Workout]) -> float:
    """The estimated share of easy running in `workouts` (the view measures the real one)."""
    total = sum(w.seconds for w in workouts)
    hard = sum(w.seconds * plans.HARD_SHARE.get(_kind(w), 0.0) for w in workouts if w.hard)
    return (total - hard) / total if total else 1.0


def _kind(workout: Workout) -> str:
    kind = str(workout.plan.get("kind", ""))
    return plans.BEGINNER if kind == "custom" else kind


def _guarded(state: _Plan, day: dt.date, wanted: float) -> tuple[float, str]:
    """`wanted` or the guard's limit at `day`, and why, in whole minutes."""
    longest = longest_before(state.lengths, day)
    assert longest is not None  # the base run sits the day before the start
    cap = limit(longest)
    seconds = round(wanted / 60) * 60.0
    if seconds <= cap + 1e-6:
        return seconds, ""
    over = f"{round((seconds / longest - 1) * 100)} % over the longest of the last 30 days"
    if state.settings.allow_spike:
        return seconds, f"a spike, {over} ({clock(longest)}): allowed by --allow-spike"
    held = max(60.0, cap // 60 * 60)
    return held, f"held to {clock(held)}: {SPIKE_LIMIT:.2f}x the longest of the last 30 days"


def _easy_run(state: _Plan, week: int, day: dt.date, role: Role, wanted: float, label: str) -> None:
    seconds, why = _guarded(state, day, wanted)
    title = f"W{week} {'long easy run' if role == Role.LONG else 'easy run'}"
    plan = plans.easy_plan(title, seconds, state.offset_s)
    reason = why or ("the week's long run" if role == Role.LONG else "easy, between quality days")
    state.out.append(Workout(day, week, role, seconds, plan, reason + label))
    state.lengths.append((day, seconds))


def _hard_run(
    state: _Plan,
    week: int,
    day: dt.date,
    kind: str,
    wanted: float,
    kinds: Iterator[str],
    label: str,
) -> str:
    """One progression run of `kind` (the next kind when each mile faster does not fit)."""
    seconds, why = _guarded(state, day, wanted)
    title = f"W{week} {plans.KIND_TITLES[kind]}"
    try:
        plan, planned = plans.progression_plan(kind, title, seconds, state.paces, state.offset_s)
    except ValueError:
        why = f"each mile faster does not fit in {clock(seconds)}: {why or 'next kind'}"
        kind = next(kinds)
        title = f"W{week} {plans.KIND_TITLES[kind]}"
        plan, planned = plans.progression_plan(kind, title, seconds, state.paces, state.offset_s)
    first = "the first progression run: start easy, do not go out too hard"
    usual = "progression run: a quality workout, 10-14 days after the last"
    reason = why or (first if kind == plans.BEGINNER else usual)
    if "progressive_miles" in plan:
        reason += f" ({plan['progressive_miles']} faster mile(s) fit)"
    state.out.append(Workout(day, week, Role.PROGRESSION, planned, plan, reason + label))
    state.lengths.append((day, planned))
    state.last_hard_s = planned
    return kind
