"""`treadpace run` as a runner uses it: exit codes, what it prints, the sim log.

The runs to the end and the refusals go through the same `main()` in the test's own
process (`cli_runner`; a process of its own would prove nothing more about what is
printed, written or returned), on the hidden virtual clock (an hour-long plan takes a
fraction of a second). The signals need a real process: the SIGINT and SIGTERM tests
use a scaled clock and poll the simulator's log file (no fixed sleeps) until the belt
runs, then interrupt and check that the log ends with the belt stopped and the exit
code is 130 or 143.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.cli_runner import invoke_at
from tests.run_proc import (
    ROOT,
    SHORT,
    belt_faster_than,
    quiet_profile,
    read_log,
    start_run,
    wait_for_log,
    write_plan,
)
from treadpace.record.journal import read_journal

THIRDS = ROOT / "configs" / "plans" / "thirds.yaml"


def test_missing_plan_is_one_line_and_exit_2(tmp_path: Path) -> None:
    r = invoke_at(tmp_path, "run", str(tmp_path / "nope.yaml"), "--yes", "--virtual-clock")
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr


def test_thirds_runs_with_no_options_on_the_default_setup(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"
    plan = THIRDS
    r = invoke_at(tmp_path, "run", str(plan), "--yes", "--virtual-clock", "--sim-log", str(log))
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


DISTANCE_PLAN = """\
name: Two laps
kind: custom
segments:
  - {name: easy, distance: 0.4 km, pace: easy}
  - {name: faster, distance: 0.4 km, pace: marathon}
"""
"""Steps that end by distance, not time: two laps of a track (the shipped 5-mile plans run
such steps too, ten times longer on the virtual clock for nothing more proven here)."""


def test_a_profile_is_named_and_a_distance_plan_runs(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, DISTANCE_PLAN)
    r = invoke_at(
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
    (journal,) = (tmp_path / "runs").glob("*.jsonl")
    finished = read_journal(journal).finished
    assert finished is not None and finished.distance_m == pytest.approx(800, abs=10)


def test_bad_time_scale_is_exit_2(tmp_path: Path) -> None:
    plan = THIRDS
    r = invoke_at(tmp_path, "run", str(plan), "--time-scale", "0")
    assert r.returncode == 2 and r.stderr.startswith("error: --time-scale")


@pytest.mark.parametrize("mqtt", ["{enabled: true}", "{allow_remote_start: true}"])
def test_waiting_for_a_remote_start_the_gate_would_refuse_is_exit_2(
    tmp_path: Path, mqtt: str
) -> None:
    profile = quiet_profile(tmp_path)
    profile.write_text(profile.read_text() + f"mqtt: {mqtt}\n")
    plan = THIRDS
    r = invoke_at(tmp_path, "run", str(plan), "-p", str(profile), "--remote-start", "--yes")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "error: --remote-start: the profile must set mqtt.enabled and mqtt.allow_remote_start"
    ]
    assert "treadmill:" not in r.stdout  # refused before anything was set up


def test_sigint_stops_the_belt_and_exits_130(tmp_path: Path) -> None:
    proc, log = start_run(tmp_path, plan=THIRDS, quiet=False)
    try:
        wait_for_log(log, belt_faster_than(1.0), "the belt never started", proc=proc)
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
    plan = write_plan(tmp_path, SHORT)
    r = invoke_at(
        tmp_path, "run", str(plan), "--profile", str(quiet_profile(tmp_path)), "--virtual-clock"
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    countdown = [i for i, x in enumerate(lines) if "starting in" in x]
    running = next(i for i, x in enumerate(lines) if x.endswith("running (started)"))
    assert len(countdown) == 3 and countdown[-1] < running
    assert "[   0:03] running (started)" in r.stdout


def test_sigterm_stops_the_belt_and_exits_143(tmp_path: Path) -> None:
    proc, log = start_run(tmp_path)
    try:
        wait_for_log(
            log,
            lambda records: any(x.get("op") == "set_target_speed" for x in records),
            "no setpoint was ever sent",
            proc=proc,
        )
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    records = read_log(log)
    assert [x for x in records if x.get("op") == "stop_or_pause"][-1]["result"] == "success"
    assert [x for x in records if x.get("event") == "belt"][-1]["speed_kmh"] == 0.0
