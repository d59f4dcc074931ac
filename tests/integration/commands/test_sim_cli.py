"""`treadpace simulate`: exit codes, one-line errors, the model list and the sim log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from treadpace.cli import app


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "treadpace", "simulate", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_list_shows_every_model() -> None:
    result = _run("--list")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert "generic" in names and "slow-belt" in names and len(names) >= 16


def test_unknown_model_is_a_one_line_error() -> None:
    result = _run("--model", "warp-drive", "--duration", "1")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown treadmill model 'warp-drive'")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_bad_faults_file_names_file_line_and_field(tmp_path: Path) -> None:
    faults = tmp_path / "faults.yaml"
    faults.write_text("faults:\n  - at: 10\n    action: press_speed\n    delta: lots\n")
    result = _run("--faults", str(faults), "--duration", "1", "--virtual")
    assert result.returncode == 2
    assert result.stderr == f"error: {faults}:4: faults[0].delta: expected a number\n"


def test_bad_options_are_one_line_errors() -> None:
    for args, needle in (
        (("--virtual",), "--virtual: expected --duration"),
        (("--time-scale", "0"), "--time-scale: expected a number > 0"),
        (("--duration", "-5"), "--duration: expected a number of seconds > 0"),
    ):
        result = _run(*args)
        assert result.returncode == 2, args
        assert needle in result.stderr and result.stderr.count("\n") == 1


def test_headless_run_with_faults_writes_the_sim_log(tmp_path: Path) -> None:
    faults = tmp_path / "faults.yaml"
    faults.write_text(
        "faults:\n"
        "  - {at: 2, action: press_start}\n"
        "  - {at: 10, action: press_speed, delta: 2.0}\n"
        "  - {at: 40, action: pull_safety_key}\n"
    )
    log = tmp_path / "sim.jsonl"
    result = _run(
        "--model", "generic", "--faults", str(faults), "--sim-log", str(log),
        "--duration", "60", "--virtual", "--every", "30",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "console  press_start" in result.stdout
    assert "belt     running" in result.stdout and "belt     stopped" in result.stdout
    records = [json.loads(line) for line in log.read_text().splitlines()]
    belts = [r for r in records if r["event"] == "belt"]
    assert len(belts) == 60
    assert max(r["speed_kmh"] for r in belts) == 2.8  # 0.8 start speed + 2.0 on the console
    assert belts[-1]["state"] == "stopped" and belts[-1]["speed_kmh"] == 0


def test_cli_runner_scaled_clock_run(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"
    result = CliRunner().invoke(
        app, ["simulate", "--model", "slow-belt", "--time-scale", "50", "--duration", "3",
              "--sim-log", str(log)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "sim      start slow-belt" in result.output
    assert any(json.loads(line)["event"] == "belt" for line in log.read_text().splitlines())


def test_a_failing_front_end_ends_the_simulator_with_its_one_line_error() -> None:
    from treadpace.base.user_error import UserError
    from treadpace.commands.simulate import simulate
    from treadpace_sim.att_error import FrontEndError
    from treadpace_sim.treadmill import SimulatedTreadmill

    served: list[str] = []

    async def refused(sim: SimulatedTreadmill) -> None:
        served.append(sim.model.name)
        raise FrontEndError("--ble: cannot register with BlueZ on hci9: refused")

    with pytest.raises(UserError, match=r"^--ble: cannot register with BlueZ on hci9: refused$"):
        simulate("generic", duration=3600.0, virtual=True, front_ends=[refused])
    assert served == ["generic"]
