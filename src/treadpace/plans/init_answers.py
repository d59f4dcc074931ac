"""A first profile from a few answers: what `treadpace init` writes.

Pure: answers in, the text of a commented `profile.yaml` out. The text is
checked by loading it back through the same loader every run uses, so `init`
can never write a profile that a run would refuse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from treadpace.base import display
from treadpace.base.units import KMH_PER_MPH
from treadpace.plans.loader import profile_from_document
from treadpace.plans.profile import MAX_SPEED_KMH, Profile
from treadpace.plans.yaml_document import parse_yaml

Units = Literal["metric", "imperial"]
DEFAULT_MAX_SPEED = {"metric": "16 km/h", "imperial": "10 mph"}
DEFAULT_MAX_INCLINE = "10%"


@dataclass
class Answers:
    """What the runner told `init` (text as written; the loader parses it)."""

    units: Units = "metric"
    name: str = "runner"
    race_distance: str | None = None
    race_time: str | None = None
    paces: dict[str, str] = field(default_factory=dict)
    max_speed: str | None = None
    max_incline: str | None = None
    max_bpm: int | None = None
    rest_bpm: int | None = None
    age: int | None = None
    treadmill_address: str | None = None
    treadmill_name: str | None = None
    footpod_address: str | None = None
    allow_remote_start: bool = False


def _q(text: str) -> str:
    """A YAML double-quoted scalar (paces and times must stay text)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def profile_text(a: Answers) -> str:
    lines = [
        "# Written by `treadpace init`; edit freely (docs/plans.md lists every setting).",
        f"name: {_q(a.name)}",
        f"units: {a.units}",
    ]
    if a.race_distance is not None and a.race_time is not None:
        lines.append("# training paces are derived from this race (VDOT); paces: below win")
        lines.append(f"race: {{distance: {_q(a.race_distance)}, time: {_q(a.race_time)}}}")
    if a.paces:
        lines.append("paces:")
        lines += [f"  {name}: {_q(pace)}" for name, pace in a.paces.items()]
    lines.append("# the belt never goes faster or steeper, whatever a plan says")
    lines.append(f"max_speed: {_q(a.max_speed or DEFAULT_MAX_SPEED[a.units])}")
    lines.append(f"max_incline: {_q(a.max_incline or DEFAULT_MAX_INCLINE)}")
    hr = {"max_bpm": a.max_bpm, "rest_bpm": a.rest_bpm, "age": a.age}
    given = {k: v for k, v in hr.items() if v is not None}
    if given:
        lines.append("heart_rate:")
        lines += [f"  {k}: {v}" for k, v in given.items()]
        if a.rest_bpm is not None and (a.max_bpm is not None or a.age is not None):
            lines.append("  zones: karvonen")
    if a.treadmill_address or a.treadmill_name:
        lines.append("treadmill:")
        if a.treadmill_address:
            lines.append(f"  address: {_q(a.treadmill_address)}")
        if a.treadmill_name:
            lines.append(f"  name: {_q(a.treadmill_name)}")
    if a.footpod_address:
        lines.append("# the footpod that measures your true pace (docs/true-pace.md)")
        lines.append(f"footpod: {{address: {_q(a.footpod_address)}}}")
    lines.append("mqtt:")
    lines.append("  # may a start from MQTT (Home Assistant) or the live page move the belt?")
    lines.append(f"  allow_remote_start: {'true' if a.allow_remote_start else 'false'}")
    return "\n".join(lines) + "\n"


SPEED_STEP = 0.5
"""The proposed cap is the fastest training pace rounded up to this, in the runner's unit."""


@dataclass(frozen=True)
class SpeedProposal:
    """The max_speed `init` proposes, and the one line that says where it comes from."""

    text: str
    why: str


def propose_max_speed(profile: Profile, machine_max_kmh: float | None = None) -> SpeedProposal:
    """Just above the runner's fastest training pace, and never above the treadmill's top.

    A fixed 16 km/h left a fast runner's threshold above the cap (every shipped plan
    ran capped) and a slow runner's belt free to go far faster than any pace they train.
    """
    imperial = profile.imperial
    per_unit = KMH_PER_MPH if imperial else 1.0
    named = profile.paces.named()
    fastest = min(named, key=lambda name: named[name])
    fastest_kmh = 3600.0 / named[fastest]
    value = math.ceil(fastest_kmh / per_unit / SPEED_STEP + 1e-9) * SPEED_STEP
    value = min(value, math.floor(MAX_SPEED_KMH / per_unit / SPEED_STEP) * SPEED_STEP)
    why = f"just above your {fastest} pace ({display.speed(fastest_kmh, imperial)})"
    if machine_max_kmh is not None and machine_max_kmh < value * per_unit:
        value = math.floor(machine_max_kmh / per_unit * 10 + 1e-9) / 10
        why = f"your treadmill's top speed (your {fastest} pace is faster)"
    unit = display.speed_unit(imperial)
    return SpeedProposal(text=f"{value:g} {unit}", why=why)


def check_answers(a: Answers) -> Profile:
    """The profile `a` makes, or the loader's one-line UserError (where: "profile")."""
    return check(profile_text(a), "profile")


def check(text: str, where: str) -> Profile:
    """The profile the text describes, or the loader's one-line UserError."""
    return profile_from_document(parse_yaml(text, where, expand_env=False))
