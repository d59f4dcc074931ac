"""Options more than one command takes, declared once so they read the same in every `--help`.

Each is an `Annotated` type: a command writes `profile: ProfileOption = None` and
typer shows the same flags and words wherever it appears.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ProfileOption = Annotated[
    Path | None,
    typer.Option(
        "--profile", "-p", help="Runner profile YAML (default: $TREADPACE_PROFILE, the user's)."
    ),
]

ModelOption = Annotated[
    str | None,
    typer.Option("--model", help="Simulator model name or YAML (implies --simulate)."),
]

DeviceOption = Annotated[
    str | None, typer.Option("--device", help="Bluetooth address or name of the treadmill.")
]
