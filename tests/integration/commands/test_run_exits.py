"""Every way out of `treadpace run` stops the belt and says what became of the recording.

Real subprocesses where a process is what is tested, as a runner meets them: SIGHUP (the
terminal closed) and SIGQUIT (Ctrl+\\) end a run like SIGTERM, with the belt stopped in
the simulator's own log and the journal finished; a journal that stops short mid-run
(the file system refuses more: RLIMIT_FSIZE stands in for a full disk) is exit 4 and a
loud warning, never "recorded:"; files only an ordinary user cannot read or write.
In the test's own process (`cli_runner`, the same `main()`), where a process of its own
would prove nothing more: time scales the simulator cannot keep and contradictory
options are one line and exit 2 before anything moves; a runs directory that cannot
be written is refused before the countdown (`--no-record` runs anyway).
"""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_runner import Ran, invoke_at
from tests.run_proc import (
    ROOT,
    SHORT,
    STEADY,
    env,
    journal_lines,
    quiet_profile,
    read_log,
    run_unprivileged,
    start_run,
    treadpace,
    wait_for_belt,
    write_plan,
)
from treadpace.commands.run_checks import MAX_TIME_SCALE


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGHUP, 129), (signal.SIGQUIT, 131)])
def test_sighup_and_sigquit_stop_the_belt_and_finish_the_journal(
    tmp_path: Path, signum: signal.Signals, code: int
) -> None:
    proc, log = start_run(tmp_path)
    try:
        wait_for_belt(proc, log)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    records = read_log(log)
    stops = [x for x in records if x.get("op") == "stop_or_pause" and x.get("result") == "success"]
    assert stops and stops[-1].get("control") == "stop"
    assert [x for x in records if x.get("event") == "belt"][-1]["speed_kmh"] == 0.0
    lines = journal_lines(tmp_path)
    assert lines[-1]["type"] == "run_finished"
    assert f"interrupted ({signum.name})" in out and "recorded:" in out


def test_a_run_at_the_largest_time_scale_ends_promptly_on_sigint(tmp_path: Path) -> None:
    proc, log = start_run(tmp_path, scale=f"{MAX_TIME_SCALE:g}")
    try:
        wait_for_belt(proc, log)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert [x for x in read_log(log) if x.get("event") == "belt"][-1]["speed_kmh"] == 0.0


@pytest.mark.parametrize("value", ["abc", "nan", "inf", "-inf", "1e308", "14000", "0", "-1"])
@pytest.mark.parametrize("command", ["run", "simulate"])
def test_impossible_time_scales_are_one_line_and_exit_2(
    tmp_path: Path, command: str, value: str
) -> None:
    args = [command, str(STEADY)] if command == "run" else [command, "--duration", "1"]
    r = invoke_at(tmp_path, *args, f"--time-scale={value}")
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "--time-scale" in r.stderr
    if value not in ("abc",):
        assert f"at most {MAX_TIME_SCALE:g}" in r.stderr
    assert "running" not in r.stdout


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--duration", "nan"),
        ("--duration", "inf"),
        ("--every", "0"),
        ("--every", "nan"),
        ("--every", "-2"),
        ("--every", "abc"),
    ],
)
def test_simulate_refuses_durations_it_could_never_keep(
    tmp_path: Path, option: str, value: str
) -> None:
    args = ["simulate", "--virtual", f"{option}={value}"]
    if option != "--duration":
        args.append("--duration=5")
    r = invoke_at(tmp_path, *args)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: ") and option in r.stderr
    assert r.stderr.count("\n") == 1, r.stderr


@pytest.mark.parametrize("which", [["--simulate"], ["--model", "generic"]])
def test_the_simulator_and_a_device_together_are_exit_2(tmp_path: Path, which: list[str]) -> None:
    r = invoke_at(tmp_path, "run", str(STEADY), *which, "--device", "AA:BB:CC:DD:EE:FF")
    assert r.returncode == 2
    assert (
        r.stderr
        == f"error: {which[0]}: not with --device (choose the simulator or a real treadmill)\n"
    )
    assert "treadmill:" not in r.stdout


def test_usage_errors_are_one_line_not_a_box(tmp_path: Path) -> None:
    for args in (["--time-scale", "abc"], ["--bogus"]):
        r = treadpace(tmp_path, "run", str(STEADY), *args)
        assert r.returncode == 2
        assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.stderr
        assert "╭" not in r.stderr and "treadpace run --help" in r.stderr


def profile_with_runs(tmp_path: Path, runs: Path) -> Path:
    p = tmp_path / "profile.yaml"
    p.write_text(
        'name: tester\nrace: {distance: 5k, time: "25:00"}\n'
        f"recording: {{directory: {runs}, auto_export: []}}\n"
    )
    return p


def run_virtual(tmp_path: Path, runs: Path, *args: str) -> Ran:
    prof = profile_with_runs(tmp_path, runs)
    return invoke_at(
        tmp_path,
        "run",
        str(write_plan(tmp_path, SHORT)),
        "--yes",
        "--profile",
        str(prof),
        "--virtual-clock",
        "--sim-log",
        str(tmp_path / "sim.jsonl"),
        *args,
    )


@pytest.mark.parametrize("kind", ["a file", "under a file"])
def test_an_unusable_runs_directory_is_refused_before_the_belt_moves(
    tmp_path: Path, kind: str
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory\n")
    runs = blocker if kind == "a file" else blocker / "runs"
    r = run_virtual(tmp_path, runs)
    assert r.returncode == 2
    assert r.stderr.startswith(f"error: {runs}: the runs directory") and "--no-record" in r.stderr
    assert r.stderr.count("\n") == 1
    assert not (tmp_path / "sim.jsonl").exists() or not read_log(tmp_path / "sim.jsonl")

    anyway = run_virtual(tmp_path, runs, "--no-record")
    assert anyway.returncode == 0, anyway.stderr
    assert "recording: off (--no-record)" in anyway.stdout and "recorded:" not in anyway.stdout


def limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def run_limited(tmp_path: Path, limit: int) -> subprocess.CompletedProcess[str]:
    prof = profile_with_runs(tmp_path, tmp_path / "runs")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "treadpace",
            "run",
            str(write_plan(tmp_path, SHORT)),
            "--yes",
            "--profile",
            str(prof),
            "--virtual-clock",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env(tmp_path),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: limit_file_size(limit),
    )


def test_a_file_system_refusing_writes_is_found_before_the_countdown(tmp_path: Path) -> None:
    r = run_limited(tmp_path, 1000)  # not even a journal's first lines fit
    assert r.returncode == 2, r.stderr
    assert "the runs directory cannot be written (File too large)" in r.stderr
    assert "running" not in r.stdout


def test_a_journal_that_stops_short_is_exit_4_and_never_recorded(tmp_path: Path) -> None:
    # The first 40 s or so of the 2-minute plan (about 60 KB when whole): past the check
    # of the runs directory (4 KB), short of the end.
    r = run_limited(tmp_path, 20_000)
    assert r.returncode == 4, r.stderr
    assert "finished: plan complete" in r.stdout  # the run itself went on
    assert "recorded:" not in r.stdout
    assert "WARNING: the recording stopped short" in r.stderr
    assert "Traceback" not in r.stderr
    lines = journal_lines(tmp_path)
    assert lines[-1]["type"] != "run_finished"


def test_an_unwritable_sim_log_is_one_line_and_never_breaks_the_simulator(tmp_path: Path) -> None:
    prof = quiet_profile(tmp_path)
    plan = write_plan(tmp_path, SHORT)
    base = ["run", str(plan), "--yes", "--profile", str(prof), "--virtual-clock"]
    r = invoke_at(tmp_path, *base, "--sim-log", str(tmp_path))
    assert (
        r.returncode == 2
        and r.stderr == f"error: {tmp_path}: cannot write the sim log: it is a directory\n"
    )
    full = invoke_at(tmp_path, *base, "--sim-log", "/dev/full")
    assert full.returncode == 0, full.stderr
    assert full.stderr == "/dev/full: the sim log stops here: No space left on device\n"
    assert "finished: plan complete" in full.stdout


def test_closing_the_terminal_stops_the_belt_and_keeps_the_run(tmp_path: Path) -> None:
    """A real terminal that goes away (pty closed: SIGHUP, then EIO on every write)."""
    import os
    import pty
    import select

    log = tmp_path / "sim.jsonl"
    prof = tmp_path / "profile.yaml"
    prof.write_text(
        'name: tester\nrace: {distance: 5k, time: "25:00"}\n'
        f"recording: {{directory: {tmp_path / 'runs'}, auto_export: [tcx]}}\n"
    )
    args = ["run", str(STEADY), "--yes", "--time-scale", "20", "--profile", str(prof)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the live view, keys and all, on the pty
        os.chdir(ROOT)
        os.execve(
            sys.executable,
            [sys.executable, "-m", "treadpace", *args, "--sim-log", str(log)],
            env(tmp_path),
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.05)[0]:
                os.read(fd, 65536)
            belts = [x for x in read_log(log) if x.get("event") == "belt"]
            if belts and float(belts[-1]["speed_kmh"]) > 1.0:  # type: ignore[arg-type]
                break
        else:
            pytest.fail("the belt never started")
    finally:
        os.close(fd)  # the terminal is gone: the kernel hangs up the session
    deadline = time.monotonic() + 30
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the run did not end when its terminal went away")
    assert os.waitstatus_to_exitcode(done[1]) == 129
    assert [x for x in read_log(log) if x.get("event") == "belt"][-1]["speed_kmh"] == 0.0
    assert journal_lines(tmp_path)[-1]["type"] == "run_finished"
    assert list((tmp_path / "runs").glob("*.tcx"))  # the run's end was not lost either


def test_an_unreadable_profile_is_one_line_not_a_box(tmp_path: Path) -> None:
    import shutil
    import tempfile

    # Outside pytest's own (private, 0700) temporary tree, so the user can reach it.
    where = Path(tempfile.mkdtemp(prefix="treadpace-unreadable-"))
    where.chmod(0o755)
    secret = where / "secret.yaml"
    secret.write_text("name: tester\n")
    secret.chmod(0)
    cmd = [sys.executable, "-m", "treadpace", "run", str(STEADY), "--profile", str(secret)]
    r = run_unprivileged(cmd, tmp_path)  # root reads anything: asked as an ordinary user
    shutil.rmtree(where)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.stderr
    assert str(secret) in r.stderr and "not readable" in r.stderr and "╭" not in r.stderr


def test_a_read_only_runs_directory_is_refused_before_the_belt_moves(tmp_path: Path) -> None:
    import shutil
    import tempfile

    where = Path(tempfile.mkdtemp(prefix="treadpace-read-only-"))
    runs = where / "runs"
    runs.mkdir()
    for d in (where, runs):
        d.chmod(0o555)
    prof = where / "profile.yaml"
    where.chmod(0o755)
    prof.write_text(
        f'name: tester\nrace: {{distance: 5k, time: "25:00"}}\nrecording: {{directory: {runs}}}\n'
    )
    where.chmod(0o555)
    cmd = [sys.executable, "-m", "treadpace", "run", str(STEADY), "--yes", "--virtual-clock"]
    cmd += ["--profile", str(prof)]
    r = run_unprivileged(cmd, tmp_path)  # root writes anywhere: asked as an ordinary user
    where.chmod(0o755)
    shutil.rmtree(where)
    assert r.returncode == 2, r.stderr
    assert r.stderr == (
        f"error: {runs}: the runs directory cannot be written (Permission denied);"
        " fix it, or run with --no-record\n"
    )
    assert "running" not in r.stdout
