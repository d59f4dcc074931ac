"""Treadmill garbage out of a recorded run, once, before anything is computed from it.

The journal keeps what the engine saw, glitches included: a treadmill may
report 300 km/h for one packet, a distance that jumps to 10^9 m or restarts at
zero, a heart rate of 0 or 400, an incline of 1000 %, or 65535 kcal (a
"not available" that was not flagged). Left in, one such value makes the FIT
writer fail ("... not in valid range") and the whole run unexportable.
`build_activity` therefore passes every telemetry sample and every total
through here, and every exporter (FIT, TCX, CSV, the report) reads the
cleaned model. Readings inside the bounds below are kept exactly as recorded;
the others are dropped, and each kind of repair is logged once per journal
with its count, not once per sample.

Plausible for a treadmill run:

- speed: 0 to 40 km/h (above the fastest sprint treadmills and any human
  top speed); a reading outside, or not a number, is replaced by the previous
  good speed (what the belt was last known to do); a target speed likewise
  (the one the plan last asked for);
- heart rate: 25 to 250 bpm, otherwise "not reported" (None);
- incline: -10 to +45 %, otherwise "not reported";
- distance: cumulative, never going back, and rising no faster than 40 km/h
  allows plus `DISTANCE_SLACK_M` (whole-metre counters, late packets), both
  from one reading to the next and since the belt started. A bad
  reading adds nothing; after it, the run goes on from the last good value by
  the readings' own increments, so a single spike costs nothing and a
  counter that restarts at zero costs only the metres of that one second;
- energy: cumulative, 0 to `MAX_ENERGY_KCAL`, rising no faster than
  `MAX_ENERGY_RATE_KCAL_S` plus `ENERGY_SLACK_KCAL`, repaired like distance;
  before a first good reading it stays "not reported". A counter that
  restarts (a treadmill reboot) is a new segment, not garbage: a reading that
  goes back to no more than a fresh counter could have counted since the last
  one, followed by one that carries on from it, is added on top of what the run
  had counted (like the engine's odometer); a drop that the next reading does
  not carry on from is a glitch, repaired;
- lap and run distances: kept when the belt could have covered them in
  their time (speed bound plus one slack), else measured from the cleaned
  samples;
- times (the engine's clock, not the treadmill, but a damaged journal can
  still hold anything): a sample with a non-finite time, or one earlier than
  the sample before it, is dropped, a
  non-finite, negative or longer than two days (`MAX_TIMER_S`: 10^306 s
  overflows the FIT encoder) timer falls back to the telemetry's.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from treadpace.record.sample import Sample

log = logging.getLogger(__name__)

MAX_SPEED_KMH = 40.0
MIN_HEART_RATE_BPM = 25
MAX_HEART_RATE_BPM = 250
MIN_INCLINE_PERCENT = -10.0
MAX_INCLINE_PERCENT = 45.0
DISTANCE_SLACK_M = 25.0
MAX_ENERGY_KCAL = 10_000.0
MAX_ENERGY_RATE_KCAL_S = 0.5
"""30 kcal/min: beyond an elite runner at race pace."""
ENERGY_SLACK_KCAL = 5.0
MAX_TIMER_S = 2 * 86_400.0
"""No run lasts two days (as `treadpace.record.repair` holds of its times)."""

# What each kind of repair did, for the one log line per kind.
_MESSAGES = {
    "time": "samples with no usable time (or going back in time) dropped",
    "speed": f"speed readings outside 0-{MAX_SPEED_KMH:g} km/h ignored (previous speed kept)",
    "target_speed": (
        f"target speeds outside 0-{MAX_SPEED_KMH:g} km/h ignored (previous target kept)"
    ),
    "heart_rate": (
        f"heart-rate readings outside {MIN_HEART_RATE_BPM}-{MAX_HEART_RATE_BPM} bpm dropped"
    ),
    "incline": (
        f"incline readings outside {MIN_INCLINE_PERCENT:g} to {MAX_INCLINE_PERCENT:g} % dropped"
    ),
    "distance": (
        "distance readings going back or jumping faster than a belt runs repaired"
        " (the run goes on from the last good distance)"
    ),
    "energy": f"energy readings going back, jumping or above {MAX_ENERGY_KCAL:g} kcal ignored",
    "energy_restart": "energy counter restarts (a treadmill reboot) counted on as new segments",
    "lap_distance": "lap distance(s) the belt cannot have covered replaced by the telemetry's",
    "run_distance": "run distance(s) the belt cannot have covered replaced by the telemetry's",
    "timer": "unusable timer values replaced by the telemetry's",
}


class Repairs:
    """Counts of dropped or replaced values, by kind, for one journal."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.kept: Counter[str] = Counter()
        """What was read right, not repaired, yet is worth a line (a counter's restart)."""

    def note(self, kind: str) -> None:
        self.counts[kind] += 1

    @property
    def total(self) -> int:
        """Values repaired so far, all kinds together."""
        return self.counts.total()

    def log(self, path: Path | str) -> None:
        for kind, count in self.counts.items():
            log.warning("%s: %d %s", path, count, _MESSAGES[kind])
        for kind, count in self.kept.items():
            log.info("%s: %d %s", path, count, _MESSAGES[kind])


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


class _Cumulative:
    """A counter that may only rise, no faster than `rate` per second plus `slack`.

    With `origin` (the wall time it was zero), it also never exceeds what
    `rate` allows since then plus one `slack`: the slack of every reading must
    not add up to a rise no belt can make. With `segments`, a restart of the
    counter (it goes back to what a fresh one could hold, and the next reading
    carries on from there) starts a new segment on top of the value so far.
    """

    segments = False
    restarts = 0
    _base = 0.0  # what the segments before the current one counted
    _dropped: float | None = None  # a reading that went back: a restart, or a glitch

    def __init__(
        self,
        rate: float,
        slack: float,
        ceiling: float,
        value: float | None,
        wall: float,
        origin: float | None = None,
    ) -> None:
        self.rate, self.slack, self.ceiling, self.origin = rate, slack, ceiling, origin
        self.value = value  # last good (or repaired) value; None before the first
        self.raw = value  # the last reading that was a number in range, good or not
        self.wall = wall

    def feed(self, raw: float | None, wall: float) -> tuple[float | None, bool]:
        """(the value to keep, whether `raw` was rejected). None (not reported) stays None."""
        if raw is None:
            return None, False
        bound = self.rate * max(0.0, wall - self.wall) + self.slack
        top = self.ceiling
        if self.origin is not None:
            top = min(top, self.rate * max(0.0, wall - self.origin) + self.slack)
        in_range = math.isfinite(raw) and 0.0 <= raw <= self.ceiling
        self.wall = wall
        if self.value is None:
            if not (in_range and raw <= top):
                return None, True
            self.value = self.raw = raw
            return raw, False
        glitch = False
        if self.segments and in_range:
            dropped, self._dropped = self._dropped, None
            rise = raw + self._base - self.value
            if dropped is not None:
                if 0.0 <= raw - dropped <= bound and not 0.0 <= rise <= bound:
                    self._base = self.value  # it carries on from the drop: a new segment
                    self.value, self.raw = self._base + raw, raw
                    self.restarts += 1
                    return self.value, False
                glitch = True  # the drop was one bad reading
            if rise < 0.0 and raw <= bound:
                # Back to what a fresh counter could hold: the next reading tells which.
                self._dropped = raw
                return self.value, glitch
        value, rejected = self._rise(raw, bound, top, in_range)
        return value, rejected or glitch

    def _rise(
        self, raw: float, bound: float, top: float, in_range: bool
    ) -> tuple[float | None, bool]:
        assert self.value is not None
        counted = raw + self._base
        if in_range and 0.0 <= counted - self.value <= bound and counted <= top:
            self.value, self.raw = counted, raw
            return counted, False
        if in_range:
            # Rejected, but its rise from the previous reading may still be real
            # (a counter that restarted): carry that on from the last good value.
            step = raw - self.raw if self.raw is not None else -1.0
            if 0.0 <= step <= bound and self.value + step <= top:
                self.value += step
            self.raw = raw
        return self.value, True


def _target_or(kmh: float, previous: float, repairs: Repairs) -> float:
    """A target speed a belt can run, else the previous one (a damaged journal line)."""
    if _finite(kmh) and 0.0 <= kmh <= MAX_SPEED_KMH:
        return kmh
    repairs.note("target_speed")
    return previous


def sanitise_samples(
    samples: Iterable[Sample], start_wall: float, repairs: Repairs
) -> tuple[Sample, ...]:
    """`samples` with implausible readings dropped or repaired (bounds: module docstring)."""
    distance = _Cumulative(
        MAX_SPEED_KMH / 3.6, DISTANCE_SLACK_M, math.inf, 0.0, start_wall, origin=start_wall
    )
    energy = _Cumulative(
        MAX_ENERGY_RATE_KCAL_S, ENERGY_SLACK_KCAL, MAX_ENERGY_KCAL, None, start_wall
    )
    energy.segments = True  # a reboot restarts it: what came before still counts
    good_speed = good_target = 0.0
    out: list[Sample] = []
    last_wall = -math.inf
    for sample in samples:
        if not (_finite(sample.wall) and _finite(sample.elapsed_s) and _finite(sample.t)):
            repairs.note("time")
            continue
        if sample.wall < last_wall:
            repairs.note("time")  # telemetry never goes back in time: a damaged line
            continue
        last_wall = sample.wall
        before = repairs.total
        speed = sample.speed_kmh
        if _finite(speed) and 0.0 <= speed <= MAX_SPEED_KMH:
            good_speed = speed
        else:
            repairs.note("speed")
            speed = good_speed
        target = good_target = _target_or(sample.target_speed_kmh, good_target, repairs)
        hr = sample.heart_rate_bpm
        if hr is not None and not MIN_HEART_RATE_BPM <= hr <= MAX_HEART_RATE_BPM:
            repairs.note("heart_rate")
            hr = None
        incline = sample.incline_percent
        if incline is not None and not (
            math.isfinite(incline) and MIN_INCLINE_PERCENT <= incline <= MAX_INCLINE_PERCENT
        ):
            repairs.note("incline")
            incline = None
        metres, rejected = distance.feed(sample.distance_m, sample.wall)
        if rejected:
            repairs.note("distance")
        kcal, rejected = energy.feed(sample.energy_kcal, sample.wall)
        if rejected:
            repairs.note("energy")
        if repairs.total == before and kcal == sample.energy_kcal:
            out.append(sample)  # a good sample is kept as recorded, to the bit
            continue
        out.append(
            dataclasses.replace(
                sample,
                speed_kmh=speed,
                target_speed_kmh=target,
                heart_rate_bpm=hr,
                incline_percent=incline,
                distance_m=metres if metres is not None else 0.0,
                energy_kcal=kcal,
            )
        )
    if energy.restarts:
        repairs.kept["energy_restart"] += energy.restarts
    return tuple(out)


def plausible_distance(metres: float, seconds: float) -> bool:
    """Could the belt have covered `metres` in `seconds` (wall time, pauses included)?"""
    bound = MAX_SPEED_KMH / 3.6 * max(0.0, seconds) + DISTANCE_SLACK_M
    return math.isfinite(metres) and 0.0 <= metres <= bound


def _plausible_timer(seconds: float) -> bool:
    return math.isfinite(seconds) and 0.0 <= seconds <= MAX_TIMER_S


def clean_timer(seconds: float, fallback: float, repairs: Repairs) -> float:
    if _plausible_timer(seconds):
        return seconds
    repairs.note("timer")
    return fallback if _plausible_timer(fallback) else 0.0
