"""`treadpace run` on treadmills whose stop does not get through: exit 3, said loudly.

Real subprocesses on the hidden virtual clock, with a simulator model file that
carries the fault (as a runner's own model file could).
"""

from __future__ import annotations

from pathlib import Path

from tests.run_proc import ROOT, SHORT, quiet_profile, read_log, treadpace, write_plan


def model(tmp_path: Path, faults: str, base: str = "generic") -> Path:
    text = (ROOT / "configs" / "treadmills" / f"{base}.yaml").read_text()
    p = tmp_path / "model.yaml"
    p.write_text(f"{text}\nfaults:\n{faults}")
    return p


def run(tmp_path: Path, model_file: Path, plan: str = "") -> tuple[int, str, str, list]:  # type: ignore[type-arg]
    """Run shipped `plan`, or (none named) two minutes at an easy pace: enough to be at speed."""
    log = tmp_path / "sim.jsonl"
    shipped = ROOT / "configs" / "plans" / f"{plan}.yaml"
    plan_file = shipped if plan else write_plan(tmp_path, SHORT)
    r = treadpace(
        tmp_path,
        "run",
        str(plan_file),
        "--profile",
        str(quiet_profile(tmp_path)),
        "--model",
        str(model_file),
        "--yes",
        "--virtual-clock",
        "--sim-log",
        str(log),
    )
    return r.returncode, r.stdout, r.stderr, read_log(log)


def test_a_stop_refused_for_good_exits_3_and_says_the_belt_may_be_running(
    tmp_path: Path,
) -> None:
    faults = "  - {at: 0, action: refuse_write, op: stop_or_pause, count: 100000}\n"
    code, out, err, log = run(tmp_path, model(tmp_path, faults))
    assert code == 3, err + out
    assert err.rstrip().splitlines()[-1].startswith("error: THE BELT MAY STILL BE RUNNING")
    belts = [x for x in log if x.get("event") == "belt" and not x.get("projected")]
    assert float(belts[-1]["speed_kmh"]) > 5  # and so it is


def test_a_stop_refused_twice_is_retried_and_the_run_ends_0(tmp_path: Path) -> None:
    faults = "  - {at: 0, action: refuse_write, op: stop_or_pause, count: 2}\n"
    code, out, err, log = run(tmp_path, model(tmp_path, faults))
    assert code == 0, err + out
    assert "THE BELT MAY STILL BE RUNNING" not in err + out
    results = [
        x.get("result")
        for x in log
        if x.get("event") == "command" and x.get("op") == "stop_or_pause"
    ]
    assert results == ["att_error_0x80", "att_error_0x80", "success"]
    belts = [x for x in log if x.get("event") == "belt"]
    assert belts[-1]["speed_kmh"] == 0.0


def test_a_control_point_silent_mid_run_is_not_plan_complete_and_exits_3(tmp_path: Path) -> None:
    faults = "  - {at: 60, action: control_point_silent, since: belt_start}\n"
    code, out, err, _ = run(tmp_path, model(tmp_path, faults), plan="thirds")
    assert code == 3, err + out
    assert "plan complete" not in out
    assert "not answering commands" in out
    assert "THE BELT MAY STILL BE RUNNING" in err
