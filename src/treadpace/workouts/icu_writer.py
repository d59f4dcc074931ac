"""intervals.icu plain-text workouts, written: a compiled plan as the site's step lines.

What `treadpace sync push` puts in a calendar event's description, so the site
shows the steps and forwards them to a watch. Each step is `- name length target`
with an absolute pace (`5:00/km Pace`, a `ramp 6:00-5:00/km Pace`, or `freeride`
for a free step); warm-up and cool-down steps go under the site's own `Warmup`
and `Cooldown` sections (the rest under `Main set`). Read back by
`treadpace.workouts.icu_reader`, the paces come out within a second per km. Incline has
no place in the format and is left out.
"""

from __future__ import annotations

from treadpace.base.printable import printable
from treadpace.plans.steps import CompiledPlan, CompiledStep, StepRole
from treadpace.workouts.common import WorkoutError
from treadpace.workouts.icu_reader import _length

_SECTIONS = {StepRole.WARMUP: "Warmup", StepRole.COOLDOWN: "Cooldown"}


def pace_text(kmh: float) -> str:
    """Minutes and seconds per km, to the second."""
    whole = round(3600.0 / kmh)
    return f"{whole // 60}:{whole % 60:02d}"


def length_text(step: CompiledStep) -> str:
    if step.kind == "distance":
        metres = round(step.amount)
        return f"{metres // 1000}km" if metres % 1000 == 0 else f"{metres}mtr"
    seconds = round(step.amount)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    text = (f"{h}h" if h else "") + (f"{m}m" if m else "") + (f"{s}s" if s else "")
    return text or "1s"


def target_text(step: CompiledStep) -> str:
    if step.free:
        return "freeride"
    if step.is_ramp and step.end_speed_kmh is not None:
        return f"ramp {pace_text(step.speed_kmh)}-{pace_text(step.end_speed_kmh)}/km Pace"
    return f"{pace_text(step.speed_kmh)}/km Pace"


def cue_text(name: str) -> str:
    """The step's name as cue words: none the importer would take for a length or a line."""
    words = printable(name).replace("-", " ").split()
    return " ".join(w for w in words if not _reads_as_length(w))


def _reads_as_length(word: str) -> bool:
    """The importer would take `word` for a step's length (or refuse it as one too long)."""
    try:
        return _length(word, "cue") is not None
    except WorkoutError:
        return True


def step_line(step: CompiledStep) -> str:
    cue = cue_text(step.name)
    return " ".join(part for part in ("-", cue, length_text(step), target_text(step)) if part)


def write_icu(plan: CompiledPlan) -> str:
    lines: list[str] = []
    section: str | None = None
    for step in plan.steps:
        wanted = _SECTIONS.get(step.role)
        if wanted != section:
            if lines:
                lines.append("")
                # A section lasts until the next header: the main part needs one of its own.
                lines.append(wanted or "Main set")
            elif wanted is not None:
                lines.append(wanted)
            section = wanted
        lines.append(step_line(step))
    return "\n".join(lines) + "\n"
