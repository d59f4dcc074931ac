"""What every plan kind's builder shares: the runner's paces, and steps not yet checked.

A builder turns a plan into `Draft`s: a compiled step plus the plan field that
set its target, so a broken rule found later names the field the runner wrote.
Split out of `compile.py` so the builders of newer kinds can live in their own
modules without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from treadpace.base.display import pace as format_pace
from treadpace.base.units import METRES_PER_MILE
from treadpace.plans.paces import PaceExpr
from treadpace.plans.profile import Profile
from treadpace.plans.steps import CompiledStep, StepKind, StepRole
from treadpace.plans.vdot import race_time_s
from treadpace.plans.yaml_document import FieldError, Loc

EPS_KMH = 1e-9
RACE_DISTANCES_M = {"mile": METRES_PER_MILE, "5k": 5000.0, "10k": 10000.0, "half": 21097.5}


@dataclass(frozen=True)
class Draft:
    step: CompiledStep
    loc: Loc
    """The plan field that set this step's target (for error messages)."""


@dataclass
class Ctx:
    """The runner a plan is compiled for, and the notes the builders leave."""

    profile: Profile
    paces: dict[str, float] = field(init=False)
    imperial: bool = field(init=False)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.paces = self.profile.paces.named()
        self.imperial = self.profile.imperial
        vdot = self.profile.vdot
        if vdot is not None:
            # Race paces come from the race the profile gives (none without one).
            for name, metres in RACE_DISTANCES_M.items():
                self.paces[name] = race_time_s(vdot, metres) / (metres / 1000.0)

    def speed(self, expr: PaceExpr, loc: Loc) -> float:
        try:
            return expr.speed_kmh(self.paces, self.imperial)
        except ValueError as exc:
            raise FieldError(loc, str(exc)) from None

    def pace(self, kmh: float) -> str:
        return format_pace(kmh, self.imperial)

    def named_kmh(self, name: str) -> float:
        return 3600.0 / self.paces[name]


def make_step(
    name: str, kind: StepKind, amount: float, kmh: float, label: str, incline: float,
    role: StepRole = StepRole.ACTIVE,
) -> CompiledStep:  # fmt: skip
    return CompiledStep(
        name=name,
        kind=kind,
        amount=amount,
        speed_kmh=kmh,
        incline_percent=incline,
        pace_label=label,
        role=role,
    )
