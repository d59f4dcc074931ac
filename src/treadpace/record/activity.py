"""A recorded run as exporters see it: samples, one lap per plan step, totals, pauses.

Built from a `Journal` (so from the engine's own events), the same way for a
finished, an aborted and an interrupted run. Laps come from StepStarted /
StepFinished; a step still open when the journal ends (a crash) is closed at
the last telemetry sample. Every exporter (FIT, TCX, CSV, the report) reads
this one model, so they agree on totals. Treadmill garbage in the journal
(300 km/h, a distance that jumps or goes back, a heart rate of 400) is
dropped here, once, by `treadpace.record.sanitise`, so every exporter gets
values a FIT, TCX or CSV reader accepts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from treadpace.engine.events import (
    Notice,
    RunState,
    StateChanged,
    StepFinished,
    StepStarted,
    Tick,
)
from treadpace.plans.steps import CompiledStep
from treadpace.record.journal import Journal, RunStatus
from treadpace.record.sample import Sample as Sample
from treadpace.record.sanitise import (
    MAX_SPEED_KMH,
    Repairs,
    clean_timer,
    plausible_distance,
    sanitise_samples,
)


@dataclass(frozen=True)
class Lap:
    index: int
    name: str
    step: CompiledStep | None
    start_wall: float
    end_wall: float
    timer_s: float
    """Plan time spent in the step (pauses excluded)."""
    distance_m: float
    skipped: bool
    closed: bool
    """False when the journal ended inside this step (interrupted run)."""
    samples: tuple[Sample, ...]
    cut_short: bool = False
    """The run stopped inside this step before its length was done (the last lap of an
    aborted or interrupted run): it did not end by time or distance."""

    @property
    def elapsed_s(self) -> float:
        return max(0.0, self.end_wall - self.start_wall)

    @property
    def avg_speed_kmh(self) -> float:
        return _avg_speed(self.distance_m, self.timer_s)

    @property
    def target_speed_kmh(self) -> float | None:
        return self.step.mean_speed_kmh if self.step is not None else None

    @property
    def max_speed_kmh(self) -> float:
        # Samples are once a second and the belt's speed reading can lag its distance:
        # the average (from distance) is a speed the belt reached, so the max is never below.
        return max([self.avg_speed_kmh, *(s.speed_kmh for s in self.samples)])

    @property
    def avg_heart_rate(self) -> int | None:
        return _avg_hr(self.samples)

    @property
    def max_heart_rate(self) -> int | None:
        return _max_hr(self.samples)

    @property
    def energy_kcal(self) -> float | None:
        values = [s.energy_kcal for s in self.samples if s.energy_kcal is not None]
        return values[-1] - values[0] if len(values) >= 2 else None

    @property
    def trigger(self) -> str:
        """How the lap ended: time | distance | manual (skipped) | end (run stopped)."""
        if not self.closed or self.cut_short:
            return "end"
        if self.skipped:
            return "manual"
        return self.step.kind if self.step is not None else "end"


@dataclass(frozen=True)
class Activity:
    id: str
    plan_name: str
    plan_kind: str
    plan_source: str
    device: str
    imperial: bool
    status: RunStatus
    reason: str
    start_wall: float
    end_wall: float
    timer_s: float
    distance_m: float
    planned_steps: tuple[CompiledStep, ...]
    samples: tuple[Sample, ...]
    laps: tuple[Lap, ...]
    pauses: tuple[tuple[float, float], ...]
    """(start, end) wall times of pauses; an open pause ends at the run's end."""
    notices: tuple[str, ...] = field(default_factory=tuple)

    @property
    def elapsed_s(self) -> float:
        return max(0.0, self.end_wall - self.start_wall)

    @property
    def true_pace(self) -> bool:
        """Distance and speed are the runner's true ones (a calibration or a footpod)."""
        return any(s.belt_distance_m is not None for s in self.samples)

    @property
    def avg_speed_kmh(self) -> float:
        return _avg_speed(self.distance_m, self.timer_s)

    @property
    def max_speed_kmh(self) -> float:
        return max([self.avg_speed_kmh, *(s.speed_kmh for s in self.samples)])

    @property
    def moving_samples(self) -> tuple[Sample, ...]:
        """Samples with the plan clock running: what FIT records and TCX trackpoints hold."""
        return tuple(s for s in self.samples if s.state == RunState.RUNNING)

    @property
    def avg_heart_rate(self) -> int | None:
        return _avg_hr(self.moving_samples)

    @property
    def max_heart_rate(self) -> int | None:
        return _max_hr(self.samples)

    @property
    def energy_kcal(self) -> float | None:
        values = [s.energy_kcal for s in self.samples if s.energy_kcal is not None]
        return values[-1] if values else None


def _avg_speed(distance_m: float, timer_s: float) -> float:
    # A few metres over a timer of a fraction of a second is no speed a belt runs at.
    return min(MAX_SPEED_KMH, distance_m / timer_s * 3.6) if timer_s > 0 else 0.0


def _avg_hr(samples: tuple[Sample, ...]) -> int | None:
    values = [s.heart_rate_bpm for s in samples if s.heart_rate_bpm]
    return round(sum(values) / len(values)) if values else None


def _max_hr(samples: tuple[Sample, ...]) -> int | None:
    values = [s.heart_rate_bpm for s in samples if s.heart_rate_bpm]
    return max(values) if values else None


def _sample(tick: Tick) -> Sample:
    """A tick as exported: the runner's true distance and speed when the run knew them."""
    true = tick.true_distance_m is not None and tick.true_speed_kmh is not None
    return Sample(
        t=tick.t,
        wall=tick.wall,
        state=tick.state,
        elapsed_s=tick.elapsed_s,
        distance_m=tick.true_distance_m if true else tick.distance_m,  # type: ignore[arg-type]
        speed_kmh=tick.true_speed_kmh if true else tick.speed_kmh,  # type: ignore[arg-type]
        belt_distance_m=tick.distance_m if true else None,
        belt_speed_kmh=tick.speed_kmh if true else None,
        target_speed_kmh=tick.target_speed_kmh,
        incline_percent=tick.incline_percent,
        heart_rate_bpm=tick.heart_rate_bpm,
        step_index=tick.step_index,
        step_name=tick.step_name,
        energy_kcal=tick.energy_kcal,
        hr_zone=tick.hr_zone,
    )


_RawLap = tuple[int, str, CompiledStep | None, float, float, float, float, bool, bool]
"""index, name, planned step, start wall, end wall, timer, distance, skipped, closed."""


def build_activity(journal: Journal) -> Activity:
    header = journal.header
    finished = journal.finished
    start_wall, end_wall = _run_window(journal)
    repairs = Repairs()
    samples = sanitise_samples((_sample(t) for t in journal.ticks), start_wall, repairs)
    raw_laps = _raw_laps(journal, end_wall)
    distance, timer = _totals(journal, samples, end_wall - start_wall, repairs)
    if not raw_laps and (samples or finished is not None):
        # No step events (an engine that failed early): one lap for the whole run.
        raw_laps.append(
            (0, header.plan_name, None, start_wall, end_wall, timer, distance, False, False)
        )
    laps = _laps(raw_laps, samples, repairs)
    if laps and journal.status != RunStatus.FINISHED:
        laps = (*laps[:-1], _mark_cut_short(laps[-1]))
    repairs.log(journal.path)
    return Activity(
        id=journal.id,
        plan_name=header.plan_name,
        plan_kind=header.plan_kind,
        plan_source=header.plan_source,
        device=header.device,
        imperial=header.imperial,
        status=journal.status,
        reason=finished.reason if finished is not None else "the journal ends without a finish",
        start_wall=start_wall,
        end_wall=max(end_wall, start_wall),
        timer_s=timer,
        distance_m=distance,
        planned_steps=header.steps,
        samples=samples,
        laps=laps,
        pauses=_pauses(journal, end_wall),
        notices=tuple(f"{e.level}: {e.message}" for e in journal.events if isinstance(e, Notice)),
    )


def _run_window(journal: Journal) -> tuple[float, float]:
    """Wall times the run starts and ends at."""
    end_t = journal.header.t
    for event in journal.events:
        end_t = max(end_t, event.t)
    finished = journal.finished
    end_wall = finished.wall if finished is not None else journal.wall_at(end_t)
    # The activity starts when the belt does: a countdown is not part of the run.
    start_wall = journal.header.wall
    for event in journal.events:
        if isinstance(event, StateChanged) and event.state == RunState.RUNNING:
            start_wall = journal.wall_at(event.t)
            break
    return start_wall, end_wall


def _raw_laps(journal: Journal, end_wall: float) -> list[_RawLap]:
    """Laps open on StepStarted and close on StepFinished (or at the journal's end)."""
    open_steps: dict[int, StepStarted] = {}
    raw_laps: list[_RawLap] = []
    for event in journal.events:
        if isinstance(event, StepStarted):
            open_steps[event.index] = event
        elif isinstance(event, StepFinished):
            started = open_steps.pop(event.index, None)
            start_t = started.t if started is not None else event.t - event.elapsed_s
            raw_laps.append(
                (
                    event.index,
                    event.step.name,
                    _planned(journal, event.index),
                    journal.wall_at(start_t),
                    journal.wall_at(event.t),
                    event.elapsed_s,
                    event.distance_m,
                    event.skipped,
                    True,
                )
            )
    last_of_step = {t.step_index: t for t in journal.ticks} if open_steps else {}
    for index, started in sorted(open_steps.items()):
        last = last_of_step.get(index)
        raw_laps.append(
            (
                index,
                started.step.name,
                _planned(journal, index),
                journal.wall_at(started.t),
                end_wall,
                last.step_elapsed_s if last is not None else 0.0,
                last.step_distance_m if last is not None else 0.0,
                False,
                False,
            )
        )
    raw_laps.sort(key=lambda lap: (lap[3], lap[0]))
    return raw_laps


def _pauses(journal: Journal, end_wall: float) -> tuple[tuple[float, float], ...]:
    """(start, end) wall times of each pause; one still open ends with the run."""
    pauses: list[tuple[float, float]] = []
    pause_start: float | None = None
    for event in journal.events:
        if not isinstance(event, StateChanged):
            continue
        if event.state == RunState.PAUSED and pause_start is None:
            pause_start = journal.wall_at(event.t)
        elif event.previous == RunState.PAUSED and pause_start is not None:
            pauses.append((pause_start, journal.wall_at(event.t)))
            pause_start = None
    if pause_start is not None:
        pauses.append((pause_start, end_wall))
    return tuple(pauses)


def _totals(
    journal: Journal, samples: Sequence[Sample], span_s: float, repairs: Repairs
) -> tuple[float, float]:
    """The run's distance and timer: the engine's own figures, repaired if implausible."""
    finished = journal.finished
    last_tick = journal.ticks[-1] if journal.ticks else None
    if finished is not None:
        true = finished.true_distance_m
        distance = true if true is not None else finished.distance_m
        timer = finished.elapsed_s
    elif last_tick is not None:
        true = last_tick.true_distance_m
        distance = true if true is not None else last_tick.distance_m
        timer = last_tick.elapsed_s
    else:
        distance, timer = 0.0, 0.0
    timer = clean_timer(timer, samples[-1].elapsed_s if samples else 0.0, repairs)
    if not plausible_distance(distance, span_s):
        repairs.note("run_distance")
        distance = samples[-1].distance_m if samples else 0.0
    return distance, timer


def _laps(raw_laps: list[_RawLap], samples: Sequence[Sample], repairs: Repairs) -> tuple[Lap, ...]:
    # Each lap takes its step's samples inside its time window, found by bisection
    # in that step's samples (in time order): linear in the run, not laps x samples.
    every = _Window(samples)
    by_step = every.by_step() if len(raw_laps) > 1 else {}
    return tuple(
        Lap(
            index=index,
            name=name,
            step=step,
            start_wall=start,
            end_wall=end,
            timer_s=clean_timer(timer_s, max(0.0, end - start), repairs),
            distance_m=_lap_distance(dist, start, end, every, repairs)
            * _true_ratio(every.between(start, end)),
            skipped=skipped,
            closed=closed,
            samples=by_step.get(index, _NO_SAMPLES).between(start, end)
            if by_step
            else every.between(start, end),
        )
        for index, name, step, start, end, timer_s, dist, skipped, closed in raw_laps
    )


def _true_ratio(samples: Sequence[Sample]) -> float:
    """True distance per belt distance over a lap's samples (1 when the run knew no truth)."""
    first, last = (samples[0], samples[-1]) if samples else (None, None)
    if first is None or last is None or first.belt_distance_m is None:
        return 1.0
    belt = (last.belt_distance_m or 0.0) - first.belt_distance_m
    return (last.distance_m - first.distance_m) / belt if belt > 1.0 else 1.0


class _Window:
    """Samples in time order, cut by wall time with bisection."""

    def __init__(self, samples: Sequence[Sample]) -> None:
        self.samples = tuple(samples)
        self.walls = [s.wall for s in self.samples]

    def between(self, start: float, end: float) -> tuple[Sample, ...]:
        """The samples with start <= wall <= end."""
        return self.samples[bisect_left(self.walls, start) : bisect_right(self.walls, end)]

    def distance_at(self, wall: float) -> float:
        """Cleaned run distance at `wall`: that of the last sample at or before it."""
        at = bisect_right(self.walls, wall)
        return self.samples[at - 1].distance_m if at else 0.0

    def by_step(self) -> dict[int, _Window]:
        groups: dict[int, list[Sample]] = {}
        for sample in self.samples:
            groups.setdefault(sample.step_index, []).append(sample)
        return {index: _Window(group) for index, group in groups.items()}


_NO_SAMPLES = _Window(())


def _lap_distance(
    metres: float, start: float, end: float, samples: _Window, repairs: Repairs
) -> float:
    if plausible_distance(metres, end - start):
        return metres
    repairs.note("lap_distance")
    return max(0.0, samples.distance_at(end) - samples.distance_at(start))


def _mark_cut_short(lap: Lap) -> Lap:
    """The last lap of a run that did not finish, unless its step's length was done."""
    step = lap.step
    done = step is not None and lap.closed and (
        lap.timer_s >= step.amount - 1e-6 if step.kind == "time"
        else lap.distance_m >= step.amount - 1e-3
    )  # fmt: skip
    return lap if done else replace(lap, cut_short=True)


def _planned(journal: Journal, index: int) -> CompiledStep | None:
    steps = journal.header.steps
    return steps[index] if 0 <= index < len(steps) else None
