"""`treadpace` as a runner starts it: a real subprocess, a private home, the simulator's log.

Shared by every test of the command line and of its exit paths, so that starting a
run, waiting on what the simulated belt did and reading its log are written once.
`treadpace()` runs a command to the end (`treadpace_async()` on a test's own loop,
beside the fake service the command talks to); `start_run()` starts `run` on the scaled
clock and returns at once, for a test that signals it part-way (`wait_for_belt`,
`wait_for_log`). `run_unprivileged()` runs a command as an ordinary user, for the
tests of files the user cannot read or write (root reads and writes anything).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STEADY = ROOT / "configs" / "plans" / "steady.yaml"
SHORT = 'name: Short\nkind: steady\nduration: "2:00"\npace: easy\n'
"""Two minutes at an easy pace (`write_plan`): for a run whose plan is not the point, a
tenth of the CPU of the shipped 40-minute `STEADY` on the virtual clock."""

Records = list[dict[str, object]]


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("TREADPACE_")}
    e.update(TREADPACE_HOME=str(tmp_path / "home"), TREADPACE_CONFIG_HOME=str(tmp_path / "cfg"))
    e.update(extra)
    return e


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """Nothing of this environment but a system PATH: a first start in `home` (its HOME,
    the configuration in home/config, the data in home/data)."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "TREADPACE_CONFIG_HOME": str(home / "config"),
        "TREADPACE_HOME": str(home / "data"),
        **extra,
    }


def treadpace(
    tmp_path: Path, *args: str, timeout: float = 60, **extra: str
) -> subprocess.CompletedProcess[str]:
    """`treadpace_in()` with a private home under `tmp_path` (`env()`), `extra` over it."""
    return treadpace_in(env(tmp_path, **extra), *args, timeout=timeout)


def treadpace_in(
    environ: Mapping[str, str],
    *args: str,
    timeout: float = 60,
    cwd: Path | None = ROOT,
    launch: Sequence[str] = ("-m", "treadpace"),
) -> subprocess.CompletedProcess[str]:
    """`python -m treadpace ARGS...` to its end in `environ`, standard input closed.

    `cwd=None` runs it where this process is; `launch` replaces `-m treadpace`.
    """
    return subprocess.run(
        [sys.executable, *launch, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(environ),
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        check=False,
    )


async def start_async_in(
    environ: Mapping[str, str], *args: str, cwd: Path | None = ROOT
) -> asyncio.subprocess.Process:
    """`python -m treadpace ARGS...` started on this loop, as `treadpace_in()` runs it."""
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "treadpace", *args),
        env=dict(environ),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def treadpace_async_in(
    environ: Mapping[str, str], *args: str, timeout: float = 60, cwd: Path | None = ROOT
) -> tuple[int, str, str]:
    """`treadpace_in()` for a test whose loop serves the command (a fake service, a bus):
    its exit code, standard output and standard error."""
    proc = await start_async_in(environ, *args, cwd=cwd)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def treadpace_async(tmp_path: Path, *args: str, **extra: str) -> tuple[int, str, str]:
    """`treadpace_async_in()` with a private home under `tmp_path`, `extra` over it."""
    return await treadpace_async_in(env(tmp_path, **extra), *args)


def read_log(path: Path) -> Records:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def write_plan(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "plan.yaml"
    p.write_text(text)
    return p


def quiet_profile(tmp_path: Path) -> Path:
    """A profile like the default, without the (slow) FIT/TCX exports after each run."""
    p = tmp_path / "profile.yaml"
    p.write_text(
        'name: tester\nrace: {distance: 5k, time: "25:00"}\n'
        f"recording: {{directory: {tmp_path / 'runs'}, auto_export: []}}\n"
    )
    return p


def start_run(
    tmp_path: Path, *args: str, scale: str = "20", plan: Path = STEADY, quiet: bool = True
) -> tuple[subprocess.Popen[str], Path]:
    """`run PLAN --yes` on the simulator at `scale`, logging to the returned sim log.

    `quiet` runs it with `quiet_profile` (runs in tmp_path/runs, no exports); without it
    the built-in default profile is used.
    """
    log = tmp_path / "sim.jsonl"
    cmd = [sys.executable, "-m", "treadpace", "run", str(plan), "--yes", "--time-scale", scale]
    if quiet:
        cmd += ["--profile", str(quiet_profile(tmp_path))]
    proc = subprocess.Popen(
        [*cmd, "--sim-log", str(log), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env(tmp_path),
        cwd=ROOT,
        text=True,
    )
    return proc, log


def wait_for_log(
    log: Path,
    seen: Callable[[Records], bool],
    what: str,
    *,
    timeout: float = 30,
    proc: subprocess.Popen[str] | None = None,
) -> None:
    """Poll the sim log until `seen(records)`; fail with `what` after `timeout` real seconds.

    With `proc`, a run that ends before that fails at once, with what it printed.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seen(read_log(log)):
            return
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the run ended early: {proc.communicate()}")
        time.sleep(0.05)
    pytest.fail(what)


def belt_faster_than(kmh: float) -> Callable[[Records], bool]:
    """A `wait_for_log` condition: the belt's last record shows it above `kmh`."""

    def seen(records: Records) -> bool:
        belts = [x for x in records if x.get("event") == "belt"]
        return bool(belts) and float(belts[-1]["speed_kmh"]) > kmh  # type: ignore[arg-type]

    return seen


def wait_for_belt(proc: subprocess.Popen[str], log: Path) -> None:
    wait_for_log(log, belt_faster_than(1.0), "the belt never started", timeout=60, proc=proc)


def journal_lines(tmp_path: Path) -> Records:
    (journal,) = (tmp_path / "runs").glob("*.jsonl")
    return read_log(journal)  # a journal cut short may end in a torn line


def run_unprivileged(
    cmd: Sequence[str], tmp_path: Path, *, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `cmd` from / as an ordinary user (nobody, when the tests run as root)."""
    import shutil

    argv = list(cmd)
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv is not None, "setpriv (util-linux) is needed to drop root here"
        argv = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(tmp_path),
        cwd="/",
        stdin=subprocess.DEVNULL,
    )
