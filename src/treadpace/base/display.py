"""Numbers as a runner reads them: one rule per quantity, for every screen and file.

The live view, the plain log, the summary, spoken and shown cues, MQTT payloads, the
web pages, run reports, CSV exports and plan tables all format through here, so a
distance reads the same wherever the runner meets it. The rules:

- **distance**: metric below 1 km in whole metres (`"850 m"`), from 1 km in kilometres
  with two decimals (`"1.25 km"`); the switch is made on the rounded metres, so 999.6 m
  reads `"1.00 km"`, never `"1000 m"`. Imperial is always miles with two decimals
  (`"0.53 mi"`): treadmill consoles in miles show no yards.
- **speed**: one decimal in the runner's unit (`"12.0 km/h"`, `"7.5 mph"`).
- **target**: a speed and its pace side by side (`"9.3 km/h (6:27/km)"`), both worked out
  from the one value the engine commands (on the machine's grid, under the cap): the
  engine hands every screen its steps as commanded, so no screen shows the pace of a
  plan speed the belt never runs.
- **speed change** (a nudge, an offset): signed, in the runner's unit, as fine as the
  machine's grid (`"+0.1 km/h"`, `"-0.05 km/h"`, `"+0.1 mph"`).
- **pace**: minutes and whole seconds per unit (`"5:00/km"`, `"8:03/mi"`); below
  1 km/h (an hour per kilometre) the belt is starting or stopping and no pace is
  useful: `"--:--"`.
- **incline**: a reading with one decimal (`"2.0 %"`, `"--"` without one).
- **duration**: `m:ss` below an hour, `h:mm:ss` from an hour, rounded to the nearest
  second; a negative duration (a clock that ran past its target) reads `"0:00"`.
- A non-finite number (a sensor that sent nothing usable) reads as a dash, never `nan`.

This module sits beside `units` at the bottom of the package so plans, record, mqtt,
ui, cues and web can all use it without an upward import. Conversions live in `units`.
"""

from __future__ import annotations

import math

from treadpace.base.units import METRES_PER_MILE, kmh_to_mph, pace_s_per_km, pace_s_per_mi

NO_PACE = "--:--"
MIN_PACE_KMH = 1.0
"""Below this the belt is starting or stopping: no pace is shown."""


def speed_unit(imperial: bool) -> str:
    return "mph" if imperial else "km/h"


def pace_unit(imperial: bool) -> str:
    return "/mi" if imperial else "/km"


def speed(kmh: float, imperial: bool) -> str:
    """`"12.0 km/h"` or `"7.5 mph"`."""
    if not math.isfinite(kmh):
        return f"-- {speed_unit(imperial)}"
    value = kmh_to_mph(kmh) if imperial else kmh
    return f"{value:.1f} {speed_unit(imperial)}"


def target(kmh: float, imperial: bool) -> str:
    """`"9.3 km/h (6:27/km)"`: a commanded speed and its pace, from the same value."""
    return f"{speed(kmh, imperial)} ({pace(kmh, imperial)})"


def speed_change(delta_kmh: float, imperial: bool) -> str:
    """`"+0.1 km/h"`, `"-0.05 km/h"`, `"+0.1 mph"`: hundredths only when the grid has them."""
    if not math.isfinite(delta_kmh):
        return f"-- {speed_unit(imperial)}"
    value = kmh_to_mph(delta_kmh) if imperial else delta_kmh
    text = f"{value:+.2f}"
    if text.endswith("0"):
        text = text[:-1]
    if text in ("-0.0", "+0.0"):
        text = "0.0"
    return f"{text} {speed_unit(imperial)}"


def incline(percent: float | None) -> str:
    """A measured incline: `"2.0 %"`; `"--"` when the treadmill reports none."""
    if percent is None or not math.isfinite(percent):
        return "--"
    return f"{percent:.1f} %"


def duration(seconds: float) -> str:
    """`m:ss` or `h:mm:ss`, rounded to the nearest second; negative reads `0:00`."""
    if not math.isfinite(seconds):
        return NO_PACE
    total = round(max(0.0, seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def has_pace(kmh: float) -> bool:
    """Whether `kmh` is a pace at all (not a belt starting, stopping or standing)."""
    return math.isfinite(kmh) and kmh >= MIN_PACE_KMH


def pace(kmh: float, imperial: bool) -> str:
    """`m:ss/km` or `m:ss/mi`; `--:--` below 1 km/h."""
    if not has_pace(kmh):
        return NO_PACE
    secs = pace_s_per_mi(kmh) if imperial else pace_s_per_km(kmh)
    return duration(secs) + pace_unit(imperial)


def distance(metres: float, imperial: bool) -> str:
    """`"850 m"` / `"1.25 km"` metric, `"0.53 mi"` imperial."""
    if not math.isfinite(metres):
        return "-- mi" if imperial else "-- km"
    metres = max(0.0, metres)
    if imperial:
        return f"{metres / METRES_PER_MILE:.2f} mi"
    if round(metres) < 1000:
        return f"{round(metres)} m"
    return f"{metres / 1000:.2f} km"


def step_amount(kind: str, amount: float, imperial: bool) -> str:
    """A step's length: a duration for a timed step, a distance otherwise."""
    return duration(amount) if kind == "time" else distance(amount, imperial)


def remaining(kind: str, amount: float, imperial: bool) -> str:
    return step_amount(kind, amount, imperial) + " left"
