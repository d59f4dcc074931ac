"""What `run` (and `simulate`) check before anything moves, and how a run's end maps to an exit.

Everything here is decided before the countdown, so a run that could not be
recorded, a time scale the simulator cannot keep, or two options that contradict
each other are one line and exit 2 while the belt still stands. After the run,
`final_exit_code` turns a journal that stopped short into exit 4, loudly.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

from treadpace.base.user_error import UserError

MAX_TIME_SCALE = 1000.0
"""Above this the simulated belt's 10 Hz telemetry outruns one core (and the run's data)."""

EXIT_RECORDING_INCOMPLETE = 4
EXIT_STOP_UNCONFIRMED = 3

def signal_exit_code(signum: int) -> int:
    """The shell's convention: 128 + the signal (130 SIGINT, 143 SIGTERM, 129, 131)."""
    return 128 + signum


def check_time_scale(value: float, option: str = "--time-scale") -> None:
    if not math.isfinite(value) or value <= 0 or value > MAX_TIME_SCALE:
        raise UserError(
            f"{option}: expected a number > 0 and at most {MAX_TIME_SCALE:g}, got {value:g}"
        )


def check_seconds(value: float | None, option: str) -> None:
    """A duration option: a finite number of seconds > 0 (None: not given)."""
    if value is not None and (not math.isfinite(value) or value <= 0):
        raise UserError(f"{option}: expected a number of seconds > 0, got {value:g}")


def check_treadmill_options(*, simulate: bool, model: str | None, device: str | None) -> None:
    """`--device` names a real treadmill; `--simulate`/`--model` the software one."""
    if device is not None and (simulate or model is not None):
        which = "--model" if model is not None else "--simulate"
        raise UserError(f"{which}: not with --device (choose the simulator or a real treadmill)")


def check_runs_directory(directory: Path) -> None:
    """Write (and remove) a small probe file where the journal will go, before the belt starts.

    A read-only, missing-and-uncreatable, full or not-a-directory runs directory is
    found now, not after the belt has started and the run can no longer be recorded.
    """
    hint = "fix it, or run with --no-record"
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory}: the runs directory is not a directory; {hint}")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".treadpace-probe-", dir=directory)
        try:
            data = memoryview(b"\n" * 4096)  # about a journal's first lines
            while data:  # a nearly full file system takes part of it, then refuses
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise UserError(
            f"{directory}: the runs directory cannot be written ({why}); {hint}"
        ) from None


def check_sim_log(path: Path) -> None:
    """A `--sim-log` that cannot be created is refused before the simulator starts."""
    if path.is_dir():
        raise UserError(f"{path}: cannot write the sim log: it is a directory")
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UserError(f"{path}: cannot write the sim log: {exc.strerror or exc}") from None


def final_exit_code(code: int, *, journal_short: bool) -> int:
    """A run whose journal stopped short ends with exit 4 (a stop not confirmed stays 3)."""
    if journal_short and code != EXIT_STOP_UNCONFIRMED:
        return EXIT_RECORDING_INCOMPLETE
    return code
