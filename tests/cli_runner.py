"""`treadpace` run inside the test's own process: arguments in; exit code, stdout, stderr out.

For what the command line does where a real process proves nothing more (parsing,
messages, exit codes and files of commands that read and write and print): an
interpreter started for each call costs a test far more than the command itself.
`invoke` goes through the same `main()` as the `treadpace` script, in typer's
test runner's isolation (its own stdin, stdout, stderr and environment), and gives
back what `subprocess.run` would. Signals, terminals, what a child inherits and a
run's own process stay in real subprocesses (`run_proc.py`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from treadpace.cli import main


@dataclass(frozen=True)
class Ran:
    """What a finished command left: as `subprocess.CompletedProcess` names it."""

    returncode: int
    stdout: str
    stderr: str


def _as_new_process() -> None:
    """Forget what this process already said once: a new process says it again (the
    journals called repaired, if the journal reader is loaded)."""
    journal = sys.modules.get("treadpace.record.journal")
    if journal is not None:
        journal._said_repaired.clear()


@contextlib.contextmanager
def _no_log_handlers() -> Iterator[None]:
    """The root logger as a fresh process has it: no handlers, so a warning goes to
    standard error (logging's last resort) as the command's user sees it, not to the
    test runner's capture."""
    root = logging.getLogger()
    handlers = root.handlers[:]
    root.handlers.clear()
    try:
        yield
    finally:
        root.handlers[:] = handlers


@contextlib.contextmanager
def _inside(cwd: Path | None) -> Iterator[None]:
    before = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(before)


def invoke(
    *args: str,
    env: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
    answers: str = "",
) -> Ran:
    """`treadpace ARGS...` with `env` over the current environment, run from `cwd`, with
    `answers` on its standard input."""
    runner = CliRunner()
    argv = sys.argv
    isolated = runner.isolation(input=answers, env=env)
    with isolated as (out, err, _), _inside(cwd), _no_log_handlers():
        sys.argv = ["treadpace", *args]
        _as_new_process()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        finally:
            sys.argv = argv
            sys.stdout.flush()
            sys.stderr.flush()
        return Ran(code, out.getvalue().decode(), err.getvalue().decode())


def invoke_home(*args: str, home: Path, cwd: Path | None = None) -> Ran:
    """`invoke` with the data in `home`, the configuration in home/config, no profile
    named by the environment and 120 columns: what the history and export commands print."""
    env = {
        "TREADPACE_HOME": str(home),
        "TREADPACE_CONFIG_HOME": str(home / "config"),
        "COLUMNS": "120",
        "TREADPACE_PROFILE": None,
    }
    return invoke(*args, env=env, cwd=cwd)


def invoke_at(tmp_path: Path, *args: str, **extra: str) -> Ran:
    """`invoke` with the homes `run_proc.treadpace` gives a subprocess (the data in
    tmp_path/home, the configuration in tmp_path/cfg), `extra` over them."""
    env: dict[str, str | None] = {
        "TREADPACE_HOME": str(tmp_path / "home"),
        "TREADPACE_CONFIG_HOME": str(tmp_path / "cfg"),
        "TREADPACE_PROFILE": None,
        **extra,
    }
    return invoke(*args, env=env)


async def invoke_beside(tmp_path: Path, *args: str, **extra: str) -> tuple[int, str, str]:
    """`invoke_at` off this loop (in a thread), for a test whose loop serves the command (a
    fake service): its exit code, standard output and standard error."""
    import asyncio

    ran = await asyncio.to_thread(invoke_at, tmp_path, *args, **extra)
    return ran.returncode, ran.stdout, ran.stderr
