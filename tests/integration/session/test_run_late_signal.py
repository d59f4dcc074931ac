"""A second signal after the run has ended never costs the recording or the exit code.

SIGTERM ends the run; the belt is stopped and confirmed; then, while the session is
letting go of the simulator and the exports are still to be written, a second
signal arrives (the impatient Ctrl+C, a hang-up, a supervisor's repeat). The
exports are still written and reported, and the exit code is the first signal's.

The second signal is sent when the simulator's own log says it was closed: the last
thing the session does before the exports, so the signal always lands in the
stretch that used to be left to Python's default handlers (exit 130 with nothing
reported for SIGINT, the process killed outright for SIGTERM and SIGHUP).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.run_proc import ROOT, STEADY, env, read_log, wait_for_belt


def exporting_profile(tmp_path: Path) -> Path:
    p = tmp_path / "profile.yaml"
    p.write_text(
        'name: tester\nrace: {distance: 5k, time: "25:00"}\n'
        f"recording: {{directory: {tmp_path / 'runs'}, auto_export: [fit, tcx]}}\n"
    )
    return p


def wait_for_sim_closed(proc: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(r.get("event") == "stop" for r in read_log(log)):
            return
        if proc.poll() is not None:
            pytest.fail("the run ended before the signal could be sent")
        time.sleep(0.005)
    pytest.fail("the simulator was never closed")


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=str)
def test_a_signal_after_the_run_ended_still_exports_and_keeps_the_first_exit_code(
    tmp_path: Path, second: signal.Signals
) -> None:
    log = tmp_path / "sim.jsonl"
    cmd = [sys.executable, "-m", "treadpace", "run", str(STEADY), "--yes"]
    cmd += ["--time-scale", "20", "--profile", str(exporting_profile(tmp_path))]
    proc = subprocess.Popen(
        [*cmd, "--sim-log", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env(tmp_path),
        cwd=ROOT,
        text=True,
    )
    try:
        wait_for_belt(proc, log)
        proc.send_signal(signal.SIGTERM)
        wait_for_sim_closed(proc, log)
        proc.send_signal(second)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 143, (out, err)
    assert "Traceback" not in err
    runs = tmp_path / "runs"
    (fit,) = runs.glob("*.fit")
    (tcx,) = runs.glob("*.tcx")
    assert f"exported: {fit}" in out and f"exported: {tcx}" in out
    assert "recorded: " in out and "interrupted (SIGTERM)" in out
