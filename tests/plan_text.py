"""A plan's YAML text compiled as a plan file would be, for a runner with set paces.

`compile_text(text)` parses, validates and compiles `text` as `plan.yaml` for
`RUNNER_A` (a 5k in 25:00, with its easy, marathon, threshold and interval paces
given), or for the profile passed.
"""

from __future__ import annotations

from treadpace.plans import Profile, compile_plan
from treadpace.plans.loader import plan_from_document
from treadpace.plans.steps import CompiledPlan
from treadpace.plans.yaml_document import parse_yaml

RUNNER_A = Profile.model_validate(
    {
        "name": "A",
        "race": {"distance": "5k", "time": "25:00"},
        "paces": {
            "easy": "6:30/km",
            "marathon": "5:45/km",
            "threshold": "5:19/km",
            "interval": "4:54/km",
        },
    }
)


def compile_text(text: str, profile: Profile = RUNNER_A) -> CompiledPlan:
    return compile_plan(plan_from_document(parse_yaml(text, "plan.yaml")), profile, "plan.yaml")
