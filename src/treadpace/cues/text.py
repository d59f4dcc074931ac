"""A cue in words: for the voice (`speech`) and for the screen (`display`).

Rendered from the cue's kind and data in the runner's units (per kilometre or
per mile); nothing reads these strings back. Paces and distances come from the
live view's own formatting helpers, so a cue and the screen agree to the digit.
"""

from __future__ import annotations

from treadpace.base import display as fmt
from treadpace.base.printable import printable
from treadpace.base.units import METRES_PER_MILE
from treadpace.engine.events import Cue, CueChange, CueKind

_VERB = {
    CueChange.FASTER: "Speeding up",
    CueChange.SLOWER: "Slowing down",
    CueChange.STEEPER: "Incline up",
    CueChange.FLATTER: "Incline down",
    CueChange.END: "Run ends",
}


def speech(cue: Cue) -> str:
    """What the voice says."""
    return _render(cue, spoken=True)


def display(cue: Cue) -> str:
    """The same cue for a screen (MQTT, the web page, the journal reader)."""
    return _render(cue, spoken=False)


def _render(cue: Cue, spoken: bool) -> str:
    kind = cue.kind
    if kind == CueKind.COUNTDOWN:
        return str(cue.seconds)
    if kind == CueKind.HALFWAY:
        return "Halfway"
    if kind == CueKind.FINISH:
        return (
            f"Run complete: {distance(cue.distance_m, cue.imperial, spoken)}"
            f" in {duration(cue.elapsed_s, spoken)}"
        )
    if kind == CueKind.UPCOMING:
        verb = _VERB.get(cue.change or CueChange.END, "Change")
        when = f"{cue.seconds} seconds" if spoken else f"{cue.seconds} s"
        if cue.change == CueChange.END:
            return f"{verb} in {when}"
        if cue.change in (CueChange.STEEPER, CueChange.FLATTER):
            return f"{verb} in {when}: {_incline(cue.incline_percent, spoken)}"
        return f"{verb} in {when}: {target(cue, spoken)}"
    amount = _amount(cue, spoken)
    if kind == CueKind.LAST_STEP:
        if not _plain_word(cue.pace_label):
            return f"Last step: {amount} at {target(cue, spoken)}"
        label = cue.pace_label
        if cue.incline_percent or cue.incline_changes:
            label += f", incline {_incline(cue.incline_percent, spoken)}"
        return f"Last step: {amount} at {label}"
    name = printable(cue.step_name) or f"step {cue.step_index + 1}"
    return f"{name[:1].upper()}{name[1:]}: {amount} at {target(cue, spoken)}"


def target(cue: Cue, spoken: bool) -> str:
    """The pace (and incline, when there is one) the change goes to."""
    imp = cue.imperial
    out = pace(cue.speed_kmh, imp, spoken)
    if cue.end_speed_kmh is not None:
        out = f"{out} rising to " if cue.end_speed_kmh > cue.speed_kmh else f"{out} easing to "
        out += pace(cue.end_speed_kmh, imp, spoken)
    if not spoken:
        out += f" ({fmt.speed(cue.speed_kmh, imp)})"
    if cue.incline_percent or cue.incline_changes:
        # A change back to a flat belt is said too: the runner feels it as much.
        out += f", incline {_incline(cue.incline_percent, spoken)}"
    return out


def pace(kmh: float, imperial: bool, spoken: bool) -> str:
    shown = fmt.pace(kmh, imperial)
    if not spoken:
        return shown
    return shown.replace("/km", " per kilometre").replace("/mi", " per mile")


def distance(metres: float, imperial: bool, spoken: bool) -> str:
    if not spoken:
        return fmt.distance(metres, imperial)
    if imperial:
        return _count(metres / METRES_PER_MILE, "mile")
    if metres < 1000.0:
        return _count(round(metres), "metre")
    return _count(metres / 1000.0, "kilometre")


def duration(seconds: float, spoken: bool) -> str:
    if not spoken:
        return fmt.duration(seconds)
    h, rest = divmod(round(max(0.0, seconds)), 3600)
    m, s = divmod(rest, 60)
    parts = [_count(v, unit) for v, unit in ((h, "hour"), (m, "minute"), (s, "second")) if v]
    return " ".join(parts) or "0 seconds"


def _amount(cue: Cue, spoken: bool) -> str:
    if cue.step_kind == "time":
        return duration(cue.step_amount, spoken)
    return distance(cue.step_amount, cue.imperial, spoken)


def _incline(percent: float, spoken: bool) -> str:
    return f"{percent:g} percent" if spoken else f"{percent:g} %"


def _count(value: float, unit: str) -> str:
    number = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{number} {unit}" + ("" if number == "1" else "s")


def _plain_word(label: str) -> bool:
    """A pace named in words ("threshold", "easy"), not arithmetic on a pace."""
    return bool(label) and all(c.isalpha() or c in " -" for c in label)
