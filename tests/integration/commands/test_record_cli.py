"""`treadpace history | export | report`: exit codes, one-line errors, files.

In this process (`cli_runner`), but for the binary FIT on standard output, which a
real pipe carries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

import pytest
from garmin_fit_sdk import Decoder, Stream

from tests.cli_runner import invoke_home
from treadpace.base.user_error import UserError
from treadpace.record.output import write_atomically
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events


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
    result = invoke_home("history", "--json", home=home)
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)
    assert [r["plan"] for r in runs] == ["Easy", "Thirds"]
    assert [r["status"] for r in runs] == ["aborted", "finished"]
    assert runs[1]["start"] == "2026-01-02T07:30:03Z"  # when the belt started
    assert runs[1]["avg_pace"].endswith("/km") and runs[1]["distance_m"] > 1000


def test_history_table_and_report_in_the_terminal(home: Path, tmp_path: Path) -> None:
    result = invoke_home("history", home=home)
    assert result.returncode == 0, result.stderr
    assert (
        "Thirds" in result.stdout
        and "finished" in result.stdout
        and "2026-01-02T07-30-03" in result.stdout
    )
    report = invoke_home("report", "latest", home=home)
    assert report.returncode == 0, report.stderr
    assert "fast finish" in report.stdout and "target" in report.stdout and "HR" in report.stdout
    empty = invoke_home("history", "--dir", str(tmp_path), home=home)
    assert empty.returncode == 0 and "No recorded runs" in empty.stdout


def test_export_writes_a_fit_file_that_garmin_reads(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "thirds.fit"
    result = invoke_home("export", "2026-01-02", "--format", "fit", "-o", str(out), home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    messages, errors = Decoder(Stream.from_file(str(out))).read()
    assert errors == [] and len(messages["lap_mesgs"]) == 3
    by_name = invoke_home("export", "latest", "-o", str(tmp_path / "latest.tcx"), home=home)
    assert by_name.returncode == 0, by_name.stderr
    assert (tmp_path / "latest.tcx").read_text().count("<Lap ") == 3
    several = invoke_home("export", "latest", "-f", "tcx,csv", "-o", str(tmp_path), home=home)
    assert several.returncode == 0, several.stderr
    assert sorted(Path(p).suffix for p in several.stdout.split()) == [".csv", ".tcx"]


def test_report_writes_an_svg(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "chart.svg"
    result = invoke_home("report", "latest", "-o", str(out), home=home)
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
    result = invoke_home(*args, home=home)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-o", "run.gpx"), "expected a file name ending in .fit, .tcx or .csv"),
        (("-f", "tcx", "-o", "run.fit"), "a tcx export needs a file name ending in .tcx"),
        (("-f", "fit", "-o", "run"), "a fit export needs a file name ending in .fit"),
        (("-f", ""), "expected one of fit, tcx, csv"),
        (("-f", ","), "expected one of fit, tcx, csv"),
        (("-f", "fit,tcx", "-o", "-"), "expected an existing directory"),
    ],
)
def test_export_names_say_their_format(
    home: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = invoke_home("export", "latest", *args, home=home, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written, not even under another name


def test_export_never_writes_through_a_symlink_or_into_a_fifo(home: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "link.fit"
    link.symlink_to(victim)
    fifo = tmp_path / "pipe.tcx"
    os.mkfifo(fifo)
    for target, kind in ((link, "a symbolic link"), (fifo, "a FIFO")):
        result = invoke_home("export", "latest", "-o", str(target), home=home)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: {target}") and kind in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert victim.read_text() == "keep me\n" and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["victim.txt", "link.fit", "pipe.tcx"]
    )


def _write_x(out: BinaryIO) -> None:
    out.write(b"x")


@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"])
def test_a_device_node_is_never_replaced(device: str) -> None:
    before = os.lstat(device)
    with pytest.raises(UserError, match=f"^{device}: is a device; expected a regular file"):
        write_atomically(Path(device), _write_x)
    after = os.lstat(device)
    assert (after.st_ino, after.st_rdev, after.st_mode) == (
        before.st_ino,
        before.st_rdev,
        before.st_mode,
    )
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(f".{Path(device).name}.")]


def test_report_chart_never_writes_through_a_symlink(home: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "chart.svg"
    link.symlink_to(victim)
    result = invoke_home("report", "latest", "-o", str(link), home=home)
    assert result.returncode == 2 and "is a symbolic link" in result.stderr
    assert victim.read_text() == "keep me\n" and link.is_symlink()


def test_export_into_a_directory_refuses_what_is_in_the_way(home: Path, tmp_path: Path) -> None:
    first = invoke_home("export", "latest", "-o", str(tmp_path), home=home)
    assert first.returncode == 0, first.stderr
    fit = Path(first.stdout.strip())
    fit.unlink()
    fit.mkdir()
    result = invoke_home("export", "latest", "-o", str(tmp_path), home=home)
    assert result.returncode == 2 and "is a directory" in result.stderr
    assert result.stderr.count("\n") == 1


def test_export_replaces_a_regular_file_and_ignores_planted_temp_names(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    # The temporary name an older version used: a link planted there is never followed.
    (tmp_path / ".run.csv.tmp").symlink_to(victim)
    result = invoke_home("export", "latest", "-o", str(out), home=home)
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("time,elapsed_s,") and (out.stat().st_mode & 0o777) == 0o640
    assert victim.read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.csv.tmp", "run.csv", "victim.txt"]


def test_export_to_standard_output(home: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TREADPACE_HOME": str(home), "TREADPACE_CONFIG_HOME": str(home)}
    fit = subprocess.run(
        [sys.executable, "-m", "treadpace", "export", "latest", "-o", "-"],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert fit.returncode == 0, fit.stderr
    messages, errors = Decoder(Stream.from_byte_array(bytearray(fit.stdout))).read()
    assert errors == [] and len(messages["lap_mesgs"]) == 3
    csv_text = invoke_home("export", "latest", "-f", "csv", "-o", "-", home=home)
    assert csv_text.returncode == 0, csv_text.stderr
    assert csv_text.stdout.startswith("time,elapsed_s,") and csv_text.stdout.count("\n") > 100
