"""Zwift .zwo running workouts, read and written.

In a run workout (`sportType` run) a block's `Power` is a fraction of the speed
of a reference pace, not watts. Which reference: a `thresholdSecPerKm` element
when the file has one (its pace, in seconds per km, as other tools write it);
else the block's `pace` attribute, which we map to the runner's race paces
predicted from the profile's VDOT: 0 = mile, 1 = 5K, 2 = 10K, 3 = half
marathon, 4 = marathon, and no attribute = 5K. Zwift numbers these zones in its
own settings; `plan show` on the file shows the speeds before the belt moves.

Lengths are seconds, or metres when `durationType` is `distance` (no
`durationType` means time). Warmup, Cooldown and Ramp are speed ramps (one
pace when both ends are the same), SteadyState one pace, IntervalsT a repeat of
an on and an off part, FreeRide an easy run of its length the runner may change
on the console. Warmup and Cooldown give their step that role, IntervalsT's off
part is a recovery; a warm-up or cool-down step is written back as a Warmup or
Cooldown block (a .zwo has no recovery outside IntervalsT, so a recovery step is
written as a SteadyState and reads back as an effort). Cadence and
slope targets and MaxEffort are refused by name; text events are noted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape

from treadpace.plans.steps import CompiledPlan, CompiledStep, StepRole
from treadpace.workouts.common import (
    Imported,
    WorkoutError,
    check_size,
    custom_plan,
    distance_field,
    duration_field,
    kmh_text,
)

ZONE_PACES = {"0": "mile", "1": "5k", "2": "10k", "3": "half", "4": "marathon"}
DEFAULT_PACE = "5k"
_ATTRS = {
    "SteadyState": {"Duration", "Power", "pace"},
    "Warmup": {"Duration", "PowerLow", "PowerHigh", "pace"},
    "Cooldown": {"Duration", "PowerLow", "PowerHigh", "pace"},
    "Ramp": {"Duration", "PowerLow", "PowerHigh", "pace"},
    "IntervalsT": {"Repeat", "OnDuration", "OffDuration", "OnPower", "OffPower", "pace"},
    "FreeRide": {"Duration", "FlatRoad", "pace"},
}
_TARGET_WORDS = {"Cadence": "cadence", "Slope": "slope", "Power": "power"}
_ROLES_READ = {"Warmup": StepRole.WARMUP, "Cooldown": StepRole.COOLDOWN}
"""The blocks that say what they are for; the others are efforts (IntervalsT's off part
is a recovery)."""
_ROLE_TAGS = {StepRole.WARMUP: "Warmup", StepRole.COOLDOWN: "Cooldown"}


class _Reader:
    def __init__(self, root: ET.Element) -> None:
        self.root = root
        self.distance = (root.findtext("durationType") or "time").strip().lower() == "distance"
        thr = root.findtext("thresholdSecPerKm")
        self.threshold_s: float | None = None
        if thr is not None:
            self.threshold_s = _number(thr, "thresholdSecPerKm", positive=True)
        self.notes: list[str] = []
        self.text_events = 0

    def length(self, block: ET.Element, attr: str) -> dict[str, str]:
        where = f"{block.tag} {attr}"
        value = _number(block.get(attr), where, positive=True)
        if self.distance:
            return distance_field(value, where)
        return duration_field(value, where)

    def pace(self, block: ET.Element, attr: str) -> str:
        fraction = _number(block.get(attr), f"{block.tag} {attr}", positive=True)
        if self.threshold_s is not None:
            return kmh_text(fraction * 3600.0 / self.threshold_s)
        zone = block.get("pace")
        if zone is not None and zone.strip() not in ZONE_PACES:
            raise WorkoutError(f"{block.tag} pace: expected 0-4 (a Zwift pace zone), got {zone!r}")
        name = ZONE_PACES[zone.strip()] if zone is not None else DEFAULT_PACE
        return f"{round(fraction * 100.0, 2):g}% {name}"

    def block(self, block: ET.Element, index: int) -> dict[str, Any]:
        tag = block.tag
        if tag not in _ATTRS:
            what = "an all-out effort has no target pace" if tag == "MaxEffort" else "unknown here"
            raise WorkoutError(
                f"{tag} (block {index + 1}): expected SteadyState, Warmup, Cooldown, Ramp, "
                f"IntervalsT or FreeRide ({what})"
            )
        for attr in sorted(block.attrib):
            if attr not in _ATTRS[tag]:
                word = next((w for k, w in _TARGET_WORDS.items() if attr.startswith(k)), None)
                why = f"{word} targets are not supported" if word else "not supported"
                raise WorkoutError(f"{tag} {attr} (block {index + 1}): {why}")
        self.text_events += sum(1 for child in block if child.tag == "textevent")
        name = f"{tag.lower()} {index + 1}"
        if tag == "SteadyState":
            return {
                "name": name,
                **self.length(block, "Duration"),
                "pace": self.pace(block, "Power"),
            }
        if tag == "FreeRide":  # the runner's own pace: a free step
            return {"name": name, **self.length(block, "Duration"), "free": True}
        if tag == "IntervalsT":
            times = int(_number(block.get("Repeat"), "IntervalsT Repeat", positive=True))
            on = {
                "name": "on",
                **self.length(block, "OnDuration"),
                "pace": self.pace(block, "OnPower"),
            }
            off = {"name": "off", **self.length(block, "OffDuration"), "role": "recovery"}
            off["pace"] = self.pace(block, "OffPower")
            return {"repeat": {"times": times, "segments": [on, off]}}
        low, high = self.pace(block, "PowerLow"), self.pace(block, "PowerHigh")
        target = {"pace": low} if low == high else {"from": low, "to": high}
        ramp = {"name": name, **self.length(block, "Duration"), **target}
        if tag in _ROLES_READ:
            ramp["role"] = _ROLES_READ[tag].value
        return ramp


def _number(text: str | None, where: str, positive: bool = False) -> float:
    try:
        value = float(text) if text is not None else float("nan")
    except ValueError:
        raise WorkoutError(f"{where}: expected a number, got {text!r}") from None
    if text is None:
        raise WorkoutError(f"{where}: expected a number, got nothing")
    if not value == value or value in (float("inf"), float("-inf")) or (positive and value <= 0):
        raise WorkoutError(f"{where}: expected a number above zero, got {text!r}")
    return value


def read_zwo(data: bytes, name: str) -> Imported:
    check_size(data)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise WorkoutError(f"(xml): expected a Zwift workout (XML), {exc}") from None
    if root.tag != "workout_file":
        raise WorkoutError(f"<{root.tag}>: expected <workout_file> as the root element")
    sport = (root.findtext("sportType") or "").strip().lower()
    if sport != "run":
        raise WorkoutError(
            f"sportType: expected run (a running workout), got {sport or 'nothing'!r}"
        )
    workout = root.find("workout")
    if workout is None:
        raise WorkoutError("workout: expected a <workout> element with the blocks")
    reader = _Reader(root)
    segments = [reader.block(block, i) for i, block in enumerate(workout)]
    if reader.text_events:
        reader.notes.append(f"{reader.text_events} text events not imported (no cues yet)")
    title = (root.findtext("name") or "").strip() or name
    plan = custom_plan(title, f"Imported from {name} (Zwift workout)", segments)
    return Imported(plan, reader.notes)


def write_zwo(plan: CompiledPlan, reference_s_per_km: float, pace_zone: str | None) -> str:
    """A .zwo of the compiled steps, Power relative to `reference_s_per_km`.

    The reference is written as `thresholdSecPerKm` too, so readers that honour
    it (treadpace among them) get the exact speeds; Zwift uses the runner's own
    pace for the `pace` zone instead.
    """
    opened = next((s for s in plan.steps if s.open), None)
    if opened is not None:
        raise WorkoutError(
            f"step {opened.name!r} is open (ended by a skip), which a .zwo cannot say: "
            "export it as FIT"
        )
    kinds = {s.kind for s in plan.steps}
    if len(kinds) > 1:
        raise WorkoutError(
            "expected every step by time or every step by distance for a .zwo (it has one "
            "durationType per file); this plan has both: export it as FIT"
        )
    distance = kinds == {"distance"}
    ref_ms = 1000.0 / reference_s_per_km
    zone = f' pace="{pace_zone}"' if pace_zone is not None else ""
    lines = [
        "<workout_file>",
        "  <author>treadpace</author>",
        f"  <name>{escape(plan.name)}</name>",
        f"  <description>{escape('Exported by treadpace')}</description>",
        "  <sportType>run</sportType>",
        f"  <durationType>{'distance' if distance else 'time'}</durationType>",
        f"  <thresholdSecPerKm>{reference_s_per_km:.3f}</thresholdSecPerKm>",
        "  <tags/>",
        "  <workout>",
    ]
    for step in plan.steps:
        lines.append("    " + _block(step, ref_ms, zone))
    lines += ["  </workout>", "</workout_file>", ""]
    return "\n".join(lines)


def _block(step: CompiledStep, ref_ms: float, zone: str) -> str:
    length = f'Duration="{step.amount:.3f}"'
    if step.free:
        return f"<FreeRide {length}/>"
    start = step.speed_kmh / 3.6 / ref_ms
    tag = _ROLE_TAGS.get(step.role)
    if step.end_speed_kmh is not None or tag is not None:
        # A warm-up or cool-down is a Warmup/Cooldown block (a ramp, flat when the step is).
        end = (step.end_speed_kmh or step.speed_kmh) / 3.6 / ref_ms
        return f'<{tag or "Ramp"} {length} PowerLow="{start:.6f}" PowerHigh="{end:.6f}"{zone}/>'
    return f'<SteadyState {length} Power="{start:.6f}"{zone}/>'
