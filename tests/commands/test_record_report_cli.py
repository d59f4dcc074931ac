"""`treadpace report`: no blank unnamed column, no crushed table in a pipe, and no report
printed before `-o x.png` finds matplotlib missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from treadpace.base.user_error import UserError
from treadpace.cli import app
from treadpace.record.recorder import Recorder
from treadpace.record.run_report import IMAGE_COLUMNS, StepRow, step_table
from treadpace.record.synthetic import SyntheticRun, synthetic_events

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TREADPACE_PROFILE", raising=False)
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(tmp_path / "config"))


def journal(tmp_path: Path, run: SyntheticRun) -> Path:
    recorder = Recorder(tmp_path / "runs")
    for event in synthetic_events(run):
        recorder.handle(event)
    assert recorder.path is not None
    return recorder.path


def row(number: int, note: str = "", zones: str = "") -> StepRow:
    return StepRow(number, f"step {number}", "5:00/km", "5:01/km", "1.00 km", "5:01", "140",
                   "150", zones, note)  # fmt: skip


def test_the_table_has_a_named_column_for_notes_and_zones_only_when_a_step_has_one() -> None:
    plain, _ = step_table([row(1), row(2)])
    assert "" not in plain and "note" not in plain and "zones" not in plain
    noted, cells = step_table([row(1), row(2, note="skipped")])
    assert noted[-1] == "note" and cells[1][-1] == "skipped"
    image, _ = step_table([row(1), row(2)], IMAGE_COLUMNS)
    assert all(image) and image[0] == "#"


def header_cells(output: str) -> list[list[str]]:
    """The header rows of a rich table: the cells between the ┃ rules."""
    lines = [line for line in output.splitlines() if line.startswith("┃")]
    return [[cell.strip() for cell in line.strip("┃").split("┃")] for line in lines]


def test_piped_the_table_is_one_header_line_with_no_blank_column(tmp_path: Path) -> None:
    path = journal(tmp_path, SyntheticRun())
    result = runner.invoke(app, ["report", str(path)])  # not a terminal: as in a pipe
    assert result.exit_code == 0, result.output
    headers = header_cells(result.output)
    assert len(headers) == 1, result.output  # nothing wrapped onto a second header line
    assert headers[0][:3] == ["#", "step", "target pace"] and "" not in headers[0]


def test_a_stopped_run_names_its_note_column(tmp_path: Path) -> None:
    path = journal(tmp_path, SyntheticRun(stop_after_s=200))
    result = runner.invoke(app, ["report", str(path)])
    assert result.exit_code == 0, result.output
    assert header_cells(result.output)[0][-1] == "note"


def test_an_image_without_matplotlib_is_refused_before_anything_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = journal(tmp_path, SyntheticRun())
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib: ImportError
    result = runner.invoke(app, ["report", str(path), "-o", str(tmp_path / "x.png")])
    assert isinstance(result.exception, UserError)
    assert "matplotlib" in str(result.exception) and "\n" not in str(result.exception)
    assert result.output == ""
    assert not (tmp_path / "x.png").exists()
