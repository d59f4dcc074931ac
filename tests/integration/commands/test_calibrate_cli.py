"""`treadpace calibrate` on the simulated slow belt: measured, saved, checked, and used."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.run_proc import treadpace
from treadpace.base.user_error import UserError
from treadpace.plans.calibration_file import write_calibration
from treadpace.plans.loader import load_profile
from treadpace.plans.true_pace_settings import CalibrationRecord

PROFILE = """\
# the runner's own comment
name: tester   # keep me
race: {distance: 5k, time: "25:00"}
true_pace:
  footpod_trim: false
recording:
  auto_export: []
"""


def _profile(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE + f"  directory: {tmp_path / 'runs'}\n", encoding="utf-8")
    return path


def test_calibrate_saves_the_belt_and_a_run_uses_it(tmp_path: Path) -> None:
    path = _profile(tmp_path)
    args = ("--profile", str(path), "--model", "slow-truth", "--yes", "--virtual-clock")
    done = treadpace(tmp_path, "calibrate", *args)
    assert done.returncode == 0, done.stderr
    assert "saved in" in done.stdout and "-6.1 %" in done.stdout  # 7 % slow at 8, 3 % at 14
    assert "factor to 100 % (1.000) first" in done.stdout  # said before the belt moves
    text = path.read_text(encoding="utf-8")
    assert "# the runner's own comment" in text and "# keep me" in text
    prof = load_profile(path)
    record = prof.true_pace.calibrations["simulator:slow-truth"]
    assert prof.true_pace.footpod_trim is False  # the runner's own setting kept
    assert len(record.points) >= 3 and max(abs(r) for r in record.residuals_percent) < 0.5
    check = treadpace(tmp_path, "calibrate", "--check", *args)
    assert check.returncode == 0 and "holds" in check.stdout
    run = treadpace(
        tmp_path, "run", "thirds", "--profile", str(path), "--model", "slow-truth",
        "--yes", "--virtual-clock", "--no-record",
    )
    assert run.returncode == 0, run.stderr
    assert "true distance:" in run.stdout


def test_calibrate_without_a_footpod_is_one_line(tmp_path: Path) -> None:
    path = _profile(tmp_path)
    done = treadpace(tmp_path, "calibrate", "--profile", str(path), "--model", "generic",
                     "--yes", "--virtual-clock")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "expected a footpod" in done.stderr


def _record() -> CalibrationRecord:
    return CalibrationRecord.model_validate(
        {"date": "2026-12-07", "points": [[8, 0.93], [14, 0.97]], "residuals_percent": [0.1]}
    )


def test_a_calibration_replaces_only_the_true_pace_section(tmp_path: Path) -> None:
    path = _profile(tmp_path)
    write_calibration(path, "AA:BB", _record())
    write_calibration(path, "CC:DD", _record())
    text = path.read_text(encoding="utf-8")
    assert text.count("true_pace:") == 1 and "recording:" in text
    assert set(load_profile(path).true_pace.calibrations) == {"AA:BB", "CC:DD"}


def test_a_calibration_that_would_break_the_profile_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text('race: {distance: 5k, time: "25:00"}\nmax_speed: "nonsense"\n')
    before = path.read_text()
    with pytest.raises(UserError):
        write_calibration(path, "AA:BB", _record())
    assert path.read_text() == before and not list(tmp_path.glob(".*calibrated"))
