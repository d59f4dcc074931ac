"""The run summary: per-step table, the terminal chart, and PNG/SVG images."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from treadpace.base.user_error import UserError
from treadpace.record.activity import Activity, build_activity
from treadpace.record.journal import read_journal
from treadpace.record.recorder import Recorder
from treadpace.record.run_chart import write_chart
from treadpace.record.run_report import headline, step_rows, text_chart
from treadpace.record.synthetic import SyntheticRun, synthetic_events


def activity_of(tmp_path: Path, run: SyntheticRun) -> Activity:
    recorder = Recorder(tmp_path)
    for event in synthetic_events(run):
        recorder.handle(event)
    assert recorder.path is not None
    return build_activity(read_journal(recorder.path))


@pytest.fixture(scope="module")
def activity(tmp_path_factory: pytest.TempPathFactory) -> Activity:
    return activity_of(tmp_path_factory.mktemp("runs"), SyntheticRun(pause_at_s=100))


def test_step_table_compares_target_and_achieved_pace(activity: Activity) -> None:
    rows = step_rows(activity, imperial=False)
    assert [r.name for r in rows] == ["warm-up", "steady", "fast finish"]
    steady = rows[1]
    assert steady.target_pace == "5:27/km"  # 11 km/h
    assert steady.actual_pace == "5:28/km"  # the belt needed a few seconds to get there
    assert steady.distance == "600 m"
    assert steady.avg_hr.isdigit()
    assert rows[2].target_pace == "4:42/km"  # mean of the 12 → 13.5 km/h ramp
    imperial = step_rows(activity, imperial=True)
    assert imperial[1].target_pace == "8:47/mi" and imperial[1].distance == "0.37 mi"
    expected = "Synthetic progression: 1.20 km in 6:46, average 5:40/km (finished)"
    assert headline(activity, False) == expected


def test_terminal_chart_shows_target_actual_steps_and_heart_rate(activity: Activity) -> None:
    lines = text_chart(activity, imperial=False, width=60, height=8)
    plot = lines[:8]
    assert all(len(line) == len(plot[0]) for line in plot)
    body = "".join(plot)
    assert "─" in body and ("•" in body or "●" in body)
    step_line = next(line for line in lines if line.lstrip().startswith("step"))
    assert [c for c in step_line.split("step", 1)[1] if c.isdigit()] == ["1", "2", "3"]
    assert any(line.lstrip().startswith("HR") for line in lines)
    assert "km/h" in lines[-1] and "bpm" in lines[-1]
    assert max(len(line) for line in lines) <= 80


def test_terminal_chart_without_telemetry_says_so(tmp_path: Path) -> None:
    empty = activity_of(tmp_path, SyntheticRun(stop_after_s=0))
    assert text_chart(empty, imperial=False) == ["(no telemetry recorded)"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (
        zlib.crc32(data[12 : 16 + length])
        == struct.unpack(">I", data[16 + length : 20 + length])[0]
    )
    assert data.endswith(b"IEND\xaeB`\x82")
    return width, height


def test_png_chart_is_a_real_picture(activity: Activity, tmp_path: Path) -> None:
    path = write_chart(activity, tmp_path / "chart.png", imperial=False)
    width, height = png_size(path)
    assert width > 600 and height > 400
    assert path.stat().st_size > 20_000  # lines, shading and a table, not a blank canvas


def test_svg_chart_has_the_series_and_the_table(activity: Activity, tmp_path: Path) -> None:
    path = write_chart(activity, tmp_path / "chart.svg", imperial=True)
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    paths = list(root.iter("{http://www.w3.org/2000/svg}path"))
    assert len(paths) > 50
    text = path.read_text()
    for label in ("target", "actual", "heart rate", "speed (mph)", "steady", "/mi"):
        assert label in text, label


def test_chart_refuses_other_file_types(activity: Activity, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"expected a \.png or \.svg"):
        write_chart(activity, tmp_path / "chart.pdf", imperial=False)
