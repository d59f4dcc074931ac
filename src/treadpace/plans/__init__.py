"""Plans and profiles: YAML in, validated pydantic models, exact compiled steps out.

The public names are loaded on first use (PEP 562) so that importing
`treadpace.plans.steps` - which the engine and recorder do - never pulls in
pydantic and keeps `treadpace --help` fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from treadpace.base.lazy_names import lazy_names

if TYPE_CHECKING:
    from treadpace.plans.json_schema import (
        plan_json_schema as plan_json_schema,
    )
    from treadpace.plans.loader import (
        compile_plan as compile_plan,
    )
    from treadpace.plans.loader import (
        load_plan as load_plan,
    )
    from treadpace.plans.loader import (
        load_profile as load_profile,
    )
    from treadpace.plans.models import (
        CustomPlan as CustomPlan,
    )
    from treadpace.plans.models import (
        EachMileFasterPlan as EachMileFasterPlan,
    )
    from treadpace.plans.models import (
        FastFinishPlan as FastFinishPlan,
    )
    from treadpace.plans.models import (
        NegativeSplitPlan as NegativeSplitPlan,
    )
    from treadpace.plans.models import (
        Plan as Plan,
    )
    from treadpace.plans.models import (
        SteadyPlan as SteadyPlan,
    )
    from treadpace.plans.models import (
        ThirdsPlan as ThirdsPlan,
    )
    from treadpace.plans.paces import (
        PaceExpr as PaceExpr,
    )
    from treadpace.plans.paces import (
        parse_distance as parse_distance,
    )
    from treadpace.plans.paces import (
        parse_duration as parse_duration,
    )
    from treadpace.plans.paces import (
        parse_pace as parse_pace,
    )
    from treadpace.plans.profile import (
        HeartRateSettings as HeartRateSettings,
    )
    from treadpace.plans.profile import (
        MqttSettings as MqttSettings,
    )
    from treadpace.plans.profile import (
        Paces as Paces,
    )
    from treadpace.plans.profile import (
        Profile as Profile,
    )
    from treadpace.plans.profile import (
        RaceResult as RaceResult,
    )
    from treadpace.plans.profile import (
        RecordingSettings as RecordingSettings,
    )
    from treadpace.plans.profile import (
        TlsSettings as TlsSettings,
    )
    from treadpace.plans.profile import (
        TreadmillSettings as TreadmillSettings,
    )
    from treadpace.plans.profile import (
        default_profile as default_profile,
    )
    from treadpace.plans.steps import (
        CompiledPlan as CompiledPlan,
    )
    from treadpace.plans.steps import (
        CompiledStep as CompiledStep,
    )
    from treadpace.plans.vdot import (
        TrainingPaces as TrainingPaces,
    )
    from treadpace.plans.vdot import (
        training_paces as training_paces,
    )
    from treadpace.plans.vdot import (
        vdot_from_race as vdot_from_race,
    )

_WHERE = {
    "compile_plan": "loader",
    "load_plan": "loader",
    "load_profile": "loader",
    "CustomPlan": "models",
    "EachMileFasterPlan": "models",
    "FastFinishPlan": "models",
    "NegativeSplitPlan": "models",
    "Plan": "models",
    "SteadyPlan": "models",
    "ThirdsPlan": "models",
    "plan_json_schema": "json_schema",
    "PaceExpr": "paces",
    "parse_distance": "paces",
    "parse_duration": "paces",
    "parse_pace": "paces",
    "HeartRateSettings": "profile",
    "MqttSettings": "profile",
    "Paces": "profile",
    "Profile": "profile",
    "RaceResult": "profile",
    "RecordingSettings": "profile",
    "TlsSettings": "profile",
    "TreadmillSettings": "profile",
    "default_profile": "profile",
    "CompiledPlan": "steps",
    "CompiledStep": "steps",
    "TrainingPaces": "vdot",
    "training_paces": "vdot",
    "vdot_from_race": "vdot",
}

__all__ = sorted(_WHERE)

__getattr__, __dir__ = lazy_names(__name__, _WHERE)
