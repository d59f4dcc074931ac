"""`treadpace history | export | report` in a real process: exit codes, one-line errors, files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from garmin_fit_sdk import Decoder, Stream

from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events


def treadpace(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TREADPACE_HOME": str(home),
        "TREADPACE_CONFIG_HOME": str(home / "config"),
        "COLUMNS": "120",
    }
    env.pop("TREADPACE_PROFILE", None)
    return subprocess.run(
        [sys.executable, "-m", "treadpace", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with two runs in the default place (`$TREADPACE_HOME/runs`)."""
    home = tmp_path_factory.mktemp("home")
    base = SyntheticRun().start_wall
    for run in (
        SyntheticRun(plan_name="Easy", start_wall=base, stop_after_s=60),
        SyntheticRun(plan_name="Thirds", start_wall=base + 86_400.0, pause_at_s=30),
    ):
        recorder = Recorder(home / "runs")
        for event in synthetic_events(run):
            recorder.handle(event)
    return home


def test_history_json_lists_the_default_directory(home: Path) -> None:
    result = treadpace("history", "--json", home=home)
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)
    assert [r["plan"] for r in runs] == ["Easy", "Thirds"]
    assert [r["status"] for r in runs] == ["aborted", "finished"]
    assert runs[1]["start"] == "2026-01-02T07:30:03Z"  # when the belt started
    assert runs[1]["avg_pace"].endswith("/km") and runs[1]["distance_m"] > 1000


def test_history_table_and_report_in_the_terminal(home: Path, tmp_path: Path) -> None:
    result = treadpace("history", home=home)
    assert result.returncode == 0, result.stderr
    assert (
        "Thirds" in result.stdout
        and "finished" in result.stdout
        and "2026-01-02T07-30-03" in result.stdout
    )
    report = treadpace("report", "latest", home=home)
    assert report.returncode == 0, report.stderr
    assert "fast finish" in report.stdout and "target" in report.stdout and "HR" in report.stdout
    empty = treadpace("history", "--dir", str(tmp_path), home=home)
    assert empty.returncode == 0 and "No recorded runs" in empty.stdout


def test_export_writes_a_fit_file_that_garmin_reads(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "thirds.fit"
    result = treadpace("export", "2026-01-02", "--format", "fit", "-o", str(out), home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    messages, errors = Decoder(Stream.from_file(str(out))).read()
    assert errors == [] and len(messages["lap_mesgs"]) == 3
    by_name = treadpace("export", "latest", "-o", str(tmp_path / "latest.tcx"), home=home)
    assert by_name.returncode == 0, by_name.stderr
    assert (tmp_path / "latest.tcx").read_text().count("<Lap ") == 3
    several = treadpace("export", "latest", "-f", "tcx,csv", "-o", str(tmp_path), home=home)
    assert several.returncode == 0, several.stderr
    assert sorted(Path(p).suffix for p in several.stdout.split()) == [".csv", ".tcx"]


def test_report_writes_an_svg(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "chart.svg"
    result = treadpace("report", "latest", "-o", str(out), home=home)
    assert result.returncode == 0, result.stderr
    assert out.read_text().lstrip().startswith("<?xml") and out.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "2031-nope"), "2031-nope: no such run"),
        (("report", "2031-nope"), "2031-nope: no such run"),
        (("export", "latest", "--format", "gpx"), "gpx is not offered"),
        (("report", "latest", "-o", "chart.pdf"), "expected a .png or .svg"),
        (
            ("export", "latest", "-f", "fit,tcx", "-o", "one-file.fit"),
            "expected an existing directory",
        ),
    ],
)
def test_errors_exit_2_with_one_line(home: Path, args: tuple[str, ...], message: str) -> None:
    result = treadpace(*args, home=home)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
