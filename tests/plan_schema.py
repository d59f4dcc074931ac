"""The plan file's published JSON Schema, and a validator for it.

`errors(data)` is every way `data` breaks the schema the project publishes
(`plan_json_schema`, draft 2020-12), so a test can hold the schema and the loader together.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from treadpace.plans.json_schema import plan_json_schema

SCHEMA = plan_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def errors(data: Any) -> list[jsonschema.ValidationError]:
    return list(VALIDATOR.iter_errors(data))
