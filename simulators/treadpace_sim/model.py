"""Treadmill models: a YAML file per machine behaviour, in `configs/treadmills/`.

A model says what the machine is (ranges, belt rates, what its telemetry carries)
and how it bends the protocol (quirk flags, from ftms.md §8). `load_model` takes a
shipped name (`generic`, `slow-belt`, ...) or a path to a user's own file, and
reports every mistake as one line: `file:line: field: expected ...`. The file's
schema is the pydantic model in `model_file.py`, read like a plan.

All fields but `name` have defaults: the defaults are the strict, spec-compliant
machine of `generic.yaml`, so a user's file only lists what differs.
"""

from __future__ import annotations

from pathlib import Path

from treadpace.base.paths import config_home, configs_dir
from treadpace.base.user_error import UserError
from treadpace_sim.model_spec import DEFAULT_FIELDS, TELEMETRY_FIELDS, TreadmillModel

__all__ = [
    "DEFAULT_FIELDS",
    "TELEMETRY_FIELDS",
    "TreadmillModel",
    "list_models",
    "load_model",
    "models_dir",
    "user_models_dir",
]

# --- loading ------------------------------------------------------------------------


def models_dir() -> Path:
    """The shipped models."""
    return configs_dir() / "treadmills"


def user_models_dir() -> Path:
    """The runner's own models, found by name like the shipped ones."""
    return config_home() / "treadmills"


def _model_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for folder in (user_models_dir(), models_dir()):  # a shipped name wins over a user's
        if folder.is_dir():
            files.update({p.stem: p for p in folder.glob("*.yaml")})
    return files


def list_models() -> list[str]:
    """Names of the shipped models (configs/treadmills/) and of the user's own."""
    return sorted(_model_files())


def load_model(name_or_path: str | Path) -> TreadmillModel:
    """A model by name, or a model file by path. Bad input raises a one-line UserError."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text):
        found = _model_files().get(text)
        if found is None:
            known = ", ".join(list_models())
            raise UserError(f"unknown treadmill model {text!r}: expected one of {known}, or a path")
        path = found
    elif not path.exists():
        raise UserError(f"{path}: no such model file")
    # the file schema (model_file.py) is imported on first use: no pydantic at import time
    from treadpace_sim.model_file import load_model_file

    return load_model_file(path)
