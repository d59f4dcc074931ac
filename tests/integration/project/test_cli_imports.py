"""What the common commands import: only what they use, so they start fast.

Each command runs in a fresh interpreter (the import set is per process), on an empty
home, and reports the modules it loaded. `--help` needs the command line library
alone; `history`, `paces` and `plan list` read files and print, so the engine, the
Bluetooth and web stacks and the FIT encoder must stay out (`benchmarks/startup.py`
times them).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.run_proc import ROOT

PROBE = """
import contextlib, io, json, sys
sys.argv = ["treadpace", *json.loads(sys.argv[1])]
from treadpace.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main()
print(json.dumps(sorted(sys.modules)))
"""

RUN_ONLY = (
    "asyncio",  # nothing runs concurrently when a command only reads and prints
    "bleak",
    "aiohttp",
    "aiomqtt",
    "fit_tool",
    "matplotlib",
    "treadpace.engine.core",
    "treadpace.engine.engine",
    "treadpace.engine.hub",
    "treadpace.session",
    "treadpace.treadmill",
    "treadpace.record.fit_export",
    "treadpace.record.recorder",
)
"""Modules only a run (or an export, a chart) needs."""


def imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    return set(json.loads(done.stdout))


def test_help_loads_the_command_line_library_alone() -> None:
    loaded = imported("--help")
    assert "typer" in loaded  # the probe saw the command line run
    heavy = {"rich", "pydantic", "yaml", "treadpace.plans", "treadpace.engine", *RUN_ONLY}
    assert loaded & heavy == set()


@pytest.mark.parametrize(
    "args", [("history",), ("paces", "--race", "5k=25:00"), ("plan", "list")], ids=" ".join
)
def test_reading_commands_load_nothing_a_run_needs(args: tuple[str, ...]) -> None:
    loaded = imported(*args)
    assert "treadpace.plans" in loaded  # the command did its work
    assert loaded & set(RUN_ONLY) == set()
