"""`treadpace run` as a runner uses it: real subprocesses, exit codes, the sim log.

The fast runs use the hidden virtual clock (an hour-long plan takes a fraction of
a second); the SIGINT test uses a scaled clock and polls the simulator's log file
(no fixed sleeps) until the belt runs, then interrupts and checks that the log
ends with the belt stopped and the exit code is 130.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("TREADPACE_")}
    e.update(TREADPACE_HOME=str(tmp_path / "home"), TREADPACE_CONFIG_HOME=str(tmp_path / "cfg"))
    e.update(extra)
    return e


def treadpace(
    tmp_path: Path, *args: str, timeout: float = 60, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "treadpace", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(tmp_path, **extra),
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
    )


def read_log(path: Path) -> list[dict[str, object]]:
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


def test_missing_plan_is_one_line_and_exit_2(tmp_path: Path) -> None:
    r = treadpace(tmp_path, "run", str(tmp_path / "nope.yaml"), "--yes", "--virtual-clock")
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr


def quiet_profile(tmp_path: Path) -> Path:
    """A profile like the default, without the (slow) FIT/TCX exports after each run."""
    p = tmp_path / "profile.yaml"
    p.write_text(
        'name: tester\nrace: {distance: 5k, time: "25:00"}\n'
        f"recording: {{directory: {tmp_path / 'runs'}, auto_export: []}}\n"
    )
    return p


def test_thirds_runs_with_no_options_on_the_default_setup(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"
    plan = ROOT / "configs" / "plans" / "thirds.yaml"
    r = treadpace(tmp_path, "run", str(plan), "--yes", "--virtual-clock", "--sim-log", str(log))
    assert r.returncode == 0, r.stderr + r.stdout
    assert "profile: built-in default (metric, paces from a 25:00 5K)" in r.stdout
    assert "treadmill: simulated 'generic' (no device configured)" in r.stdout
    assert "run finished: plan complete" in r.stdout
    assert "target pace" in r.stdout and "total:" in r.stdout
    records = read_log(log)
    assert any(x.get("op") == "start_or_resume" for x in records)
    belts = [x for x in records if x.get("event") == "belt"]
    assert belts[-1]["speed_kmh"] == 0.0
    runs = tmp_path / "home" / "runs"
    assert list(runs.glob("*.jsonl")) and list(runs.glob("*.tcx")), "recorded and exported"


def test_a_profile_is_named_and_a_distance_plan_runs(tmp_path: Path) -> None:
    plan = ROOT / "configs" / "plans" / "each-mile-faster.yaml"
    r = treadpace(
        tmp_path,
        "run",
        str(plan),
        "--profile",
        str(quiet_profile(tmp_path)),
        "--yes",
        "--virtual-clock",
    )
    assert r.returncode == 0, r.stderr + r.stdout
    assert "profile: tester" in r.stdout
    assert "run finished: plan complete" in r.stdout
    assert list((tmp_path / "runs").glob("*.jsonl"))


def test_bad_time_scale_is_exit_2(tmp_path: Path) -> None:
    plan = ROOT / "configs" / "plans" / "thirds.yaml"
    r = treadpace(tmp_path, "run", str(plan), "--time-scale", "0")
    assert r.returncode == 2 and r.stderr.startswith("error: --time-scale")


@pytest.mark.parametrize("mqtt", ["{enabled: true}", "{allow_remote_start: true}"])
def test_waiting_for_a_remote_start_the_gate_would_refuse_is_exit_2(
    tmp_path: Path, mqtt: str
) -> None:
    profile = quiet_profile(tmp_path)
    profile.write_text(profile.read_text() + f"mqtt: {mqtt}\n")
    plan = ROOT / "configs" / "plans" / "thirds.yaml"
    r = treadpace(tmp_path, "run", str(plan), "-p", str(profile), "--remote-start", "--yes")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "error: --remote-start: the profile must set mqtt.enabled and mqtt.allow_remote_start"
    ]
    assert "treadmill:" not in r.stdout  # refused before anything was set up


def test_sigint_stops_the_belt_and_exits_130(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"
    plan = ROOT / "configs" / "plans" / "thirds.yaml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "treadpace",
            "run",
            str(plan),
            "--yes",
            "--time-scale",
            "20",
            "--sim-log",
            str(log),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env(tmp_path),
        cwd=ROOT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            belts = [x for x in read_log(log) if x.get("event") == "belt"]
            if belts and float(belts[-1]["speed_kmh"]) > 1.0:  # type: ignore[arg-type]
                break
            time.sleep(0.05)
        else:
            pytest.fail("the belt never started")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    records = read_log(log)
    stops = [x for x in records if x.get("op") == "stop_or_pause" and x.get("result") == "success"]
    assert stops and stops[-1].get("control") == "stop"
    last_belt = [x for x in records if x.get("event") == "belt"][-1]
    assert last_belt["speed_kmh"] == 0.0
    assert last_belt["state"] in ("stopped", "idle")
    assert "interrupted (SIGINT)" in out


def test_headless_without_yes_counts_down_and_runs(tmp_path: Path) -> None:
    plan = ROOT / "configs" / "plans" / "negative-split.yaml"
    r = treadpace(
        tmp_path, "run", str(plan), "--profile", str(quiet_profile(tmp_path)), "--virtual-clock"
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    countdown = [i for i, x in enumerate(lines) if "starting in" in x]
    running = next(i for i, x in enumerate(lines) if x.endswith("running (started)"))
    assert len(countdown) == 3 and countdown[-1] < running
    assert "[   0:03] running (started)" in r.stdout


def test_sigterm_stops_the_belt_and_exits_143(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"
    plan = ROOT / "configs" / "plans" / "steady.yaml"
    cmd = [sys.executable, "-m", "treadpace", "run", str(plan), "--yes", "--time-scale", "20"]
    proc = subprocess.Popen(
        [*cmd, "--profile", str(quiet_profile(tmp_path)), "--sim-log", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env(tmp_path),
        cwd=ROOT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(x.get("op") == "set_target_speed" for x in read_log(log)):
                break
            time.sleep(0.05)
        else:
            pytest.fail("no setpoint was ever sent")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    records = read_log(log)
    assert [x for x in records if x.get("op") == "stop_or_pause"][-1]["result"] == "success"
    assert [x for x in records if x.get("event") == "belt"][-1]["speed_kmh"] == 0.0
