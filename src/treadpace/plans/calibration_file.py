"""Saving a belt's calibration into the runner's profile file, and nothing else of it.

The profile is YAML the runner edits, with comments worth keeping: only its
`true_pace:` section is rewritten (appended when there is none), and the result is
loaded with the profile's own loader before it replaces the file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from treadpace.plans.loader import load_profile
from treadpace.plans.true_pace_settings import CalibrationRecord
from treadpace.plans.yaml_document import read_yaml

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def write_calibration(path: Path, machine: str, record: CalibrationRecord) -> None:
    """Save `record` under `true_pace.calibrations[machine]` in the profile at `path`.

    Only the `true_pace:` section is rewritten: the runner's comments and the order of
    everything else stay as they were. The new file is checked with the profile's own
    loader before it replaces the old one, so a calibration never breaks a profile.
    """
    import yaml

    data = read_yaml(path, "profile", expand_env=False).data
    section = dict(data.get("true_pace") or {}) if isinstance(data, dict) else {}
    calibrations = dict(section.get("calibrations") or {})
    calibrations[machine] = record.model_dump(mode="json")
    section["calibrations"] = calibrations
    block = yaml.safe_dump({"true_pace": section}, sort_keys=False, default_flow_style=None)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("true_pace:")), None)
    if start is None:
        text = "".join(lines).rstrip("\n") + "\n\n" + block
    else:
        end = next(
            (j for j in range(start + 1, len(lines)) if _TOP_KEY.match(lines[j])), len(lines)
        )
        text = "".join(lines[:start]) + block + "".join(lines[end:])
    tmp = path.with_name(f".{path.name}.calibrated")
    tmp.write_text(text, encoding="utf-8")
    try:
        load_profile(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
