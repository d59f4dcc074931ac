"""Ctrl+C while `treadpace` is still loading ends with exit 130 and no traceback.

The interrupt is made to land at a known point of the start-up, deterministically:
the child installs an import hook that sends itself SIGINT when a given module is
first imported (typer while the command line loads, a command's module while the
invoked command is built, the engine while a command runs), then starts treadpace the way
the installed console script does (its entry point read from pyproject.toml) or as
`python -m treadpace`.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.run_proc import ROOT, env

TRIP = """\
import os, signal, sys

class Trip:
    def find_spec(self, name, path=None, target=None):
        if name == {target!r}:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Trip())
sys.argv = ["treadpace", *sys.argv[1:]]
"""


def console_script() -> str:
    """What the installed `treadpace` script runs, from the project's own declaration."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    module, func = project["project"]["scripts"]["treadpace"].split(":")
    return f"from {module} import {func}\nsys.exit({func}())\n"


STARTS = {
    "script": console_script(),
    "python -m": "import runpy\nrunpy.run_module('treadpace', run_name='__main__')\n",
}
STAGES = {
    "typer": ["--help"],  # the command line loading
    "treadpace.commands.simulate": ["simulate", "--help"],  # the invoked command being built
    "treadpace.library": ["plan", "show", "steady"],  # a command at work
}


@pytest.mark.parametrize("start", list(STARTS))
@pytest.mark.parametrize("module", list(STAGES))
def test_ctrl_c_during_start_up_is_exit_130_without_a_traceback(
    tmp_path: Path, start: str, module: str
) -> None:
    code = TRIP.format(target=module) + STARTS[start]
    done = subprocess.run(
        [sys.executable, "-c", code, *STAGES[module]],
        capture_output=True,
        text=True,
        timeout=60,
        env=env(tmp_path),
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert "KeyboardInterrupt" not in done.stderr
    assert done.returncode == 130, (done.stdout, done.stderr)
