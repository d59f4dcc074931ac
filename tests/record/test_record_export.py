"""FIT, TCX and CSV exports, read back by independent readers: Garmin's FIT SDK, the TCX schema."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.export_readers import AX, TCD, TCX_XSD, read_fit
from tests.journals import recorded
from treadpace.base.user_error import UserError
from treadpace.engine.events import RunFinished, RunState, StepFinished, Tick
from treadpace.record import export_run
from treadpace.record.journal import read_journal
from treadpace.record.synthetic import DEFAULT_STEPS, SyntheticRun


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    return recorded(tmp_path_factory.mktemp("runs"), SyntheticRun(pause_at_s=100))


@pytest.fixture(scope="module")
def exported(finished_run: tuple[Path, list[Any]]) -> dict[str, Path]:
    journal, _ = finished_run
    paths = export_run(journal, ["fit", "tcx", "csv"])
    return {p.suffix.lstrip("."): p for p in paths}


def test_export_names_files_after_the_run_beside_the_journal(
    finished_run: tuple[Path, list[Any]], exported: dict[str, Path]
) -> None:
    journal, _ = finished_run
    stem = journal.name.removesuffix(".jsonl")
    assert {p.name for p in exported.values()} == {f"{stem}.fit", f"{stem}.tcx", f"{stem}.csv"}
    assert all(p.parent == journal.parent for p in exported.values())
    assert not list(journal.parent.glob(".*.tmp"))


def test_fit_reads_back_with_garmins_sdk_with_the_same_totals(
    finished_run: tuple[Path, list[Any]], exported: dict[str, Path]
) -> None:
    _, events = finished_run
    finish = events[-1]
    assert isinstance(finish, RunFinished)
    messages = read_fit(exported["fit"])

    file_id = messages["file_id_mesgs"][0]
    assert file_id["type"] == "activity"
    assert messages["device_info_mesgs"]
    (session,) = messages["session_mesgs"]
    assert session["sport"] == "running" and session["sub_sport"] == "treadmill"
    assert session["total_distance"] == pytest.approx(finish.distance_m, abs=0.01)
    assert session["total_timer_time"] == pytest.approx(finish.elapsed_s, abs=0.001)
    # Elapsed includes the 20 s pause, timer time does not; neither counts the 3 s countdown.
    assert session["total_elapsed_time"] == pytest.approx(finish.t - 3.0, abs=0.001)
    assert session["total_elapsed_time"] > session["total_timer_time"] + 19
    laps = messages["lap_mesgs"]
    assert len(laps) == session["num_laps"] == len(DEFAULT_STEPS)
    assert all(lap["sport"] == "running" and lap["sub_sport"] == "treadmill" for lap in laps)
    step_done = [e for e in events if isinstance(e, StepFinished)]
    for lap, done in zip(laps, step_done, strict=True):
        assert lap["total_distance"] == pytest.approx(done.distance_m, abs=0.01)
        assert lap["total_timer_time"] == pytest.approx(done.elapsed_s, abs=0.001)
    assert [lap["lap_trigger"] for lap in laps] == ["time", "distance", "time"]
    assert laps[0]["intensity"] == "warmup"
    assert sum(lap["total_distance"] for lap in laps) == pytest.approx(
        session["total_distance"], abs=0.05
    )
    (activity,) = messages["activity_mesgs"]
    assert activity["num_sessions"] == 1
    assert activity["total_timer_time"] == pytest.approx(finish.elapsed_s, abs=0.001)

    records = messages["record_mesgs"]
    journal_ticks = read_journal(finished_run[0]).ticks
    moving = [t for t in journal_ticks if t.state == RunState.RUNNING]
    assert len(records) == len(moving) > 400
    stamps = [r["timestamp"] for r in records]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert records[-1]["distance"] == pytest.approx(finish.distance_m, abs=0.01)
    assert all({"heart_rate", "speed", "distance", "grade"} <= r.keys() for r in records)
    assert max(r["grade"] for r in records) == pytest.approx(1.0)
    # The pause is in timer events, not just a gap.
    timer = [(e["event"], e["event_type"]) for e in messages["event_mesgs"]]
    assert timer == [
        ("timer", "start"),
        ("timer", "stop_all"),
        ("timer", "start"),
        ("timer", "stop_all"),
    ]


def test_fit_of_an_interrupted_run_reads_back(tmp_path: Path) -> None:
    journal, _events = recorded(tmp_path, SyntheticRun(), drop_finish=True)
    # Cut inside step 2, and tear the last line as a crash would.
    lines = journal.read_bytes().splitlines(keepends=True)
    cut = next(
        i for i, line in enumerate(lines) if b'"step_started"' in line and b'"index":1' in line
    )
    journal.write_bytes(b"".join(lines[: cut + 40]) + lines[cut + 40][:25])
    (fit,) = export_run(journal, ["fit"])
    messages = read_fit(fit)
    laps = messages["lap_mesgs"]
    assert len(laps) == 2
    assert laps[-1]["lap_trigger"] == "session_end"
    (session,) = messages["session_mesgs"]
    assert session["total_distance"] == pytest.approx(
        messages["record_mesgs"][-1]["distance"], abs=0.01
    )


def test_fit_of_an_imperial_run_without_heart_rate(tmp_path: Path) -> None:
    journal, _ = recorded(tmp_path, SyntheticRun(heart_rate=False, imperial=True, stop_after_s=60))
    messages = read_fit(export_run(journal, ["fit"])[0])
    assert not any("heart_rate" in r for r in messages["record_mesgs"])
    assert "avg_heart_rate" not in messages["session_mesgs"][0]


@pytest.mark.skipif(
    not TCX_XSD.is_file(), reason="TCX schema not available: ../shared is not beside this clone"
)
def test_tcx_is_valid_against_the_training_center_v2_schema(exported: dict[str, Path]) -> None:
    import xmlschema

    schema = xmlschema.XMLSchema(str(TCX_XSD))
    # Extensions are `processContents="lax"`: the TPX/LX elements are checked only
    # if their schema is known, so the TCD schema alone validates the file.
    schema.validate(str(exported["tcx"]))


def test_tcx_content(finished_run: tuple[Path, list[Any]], exported: dict[str, Path]) -> None:
    _, events = finished_run
    root = ET.parse(exported["tcx"]).getroot()
    (activity,) = root.iter(f"{TCD}Activity")
    assert activity.get("Sport") == "Running"
    laps = activity.findall(f"{TCD}Lap")
    assert len(laps) == len(DEFAULT_STEPS)
    done = [e for e in events if isinstance(e, StepFinished)]
    for lap, step in zip(laps, done, strict=True):
        assert float(lap.findtext(f"{TCD}DistanceMeters", "nan")) == pytest.approx(
            step.distance_m, abs=0.001
        )
        assert float(lap.findtext(f"{TCD}TotalTimeSeconds", "nan")) == pytest.approx(
            step.elapsed_s, abs=0.001
        )
        assert lap.find(f"{TCD}Extensions/{AX}LX/{AX}AvgSpeed") is not None
    points = list(activity.iter(f"{TCD}Trackpoint"))
    assert points
    for point in points:
        assert point.find(f"{TCD}Position") is None  # no GPS on a treadmill
        assert point.find(f"{TCD}Cadence") is None
        assert point.find(f"{TCD}HeartRateBpm/{TCD}Value") is not None
        assert float(point.findtext(f"{TCD}Extensions/{AX}TPX/{AX}Speed", "nan")) >= 0
    distances = [float(p.findtext(f"{TCD}DistanceMeters", "nan")) for p in points]
    assert distances == sorted(distances)
    assert distances[-1] == pytest.approx(events[-1].distance_m, abs=0.01)


def test_csv_has_one_row_per_second_with_pace_in_the_runners_units(
    finished_run: tuple[Path, list[Any]], exported: dict[str, Path], tmp_path: Path
) -> None:
    _, events = finished_run
    with exported["csv"].open() as handle:
        rows = list(csv.DictReader(handle))
    seconds = {int(e.wall) for e in events if isinstance(e, Tick)}
    assert len(rows) == len(seconds)
    assert len({r["time"] for r in rows}) == len(rows)
    assert list(rows[0]) == [
        "time",
        "elapsed_s",
        "distance_m",
        "speed_kmh",
        "pace_per_km",
        "incline_percent",
        "heart_rate_bpm",
        "step",
        "step_name",
        "state",
    ]
    steady = [r for r in rows if r["step_name"] == "steady" and r["speed_kmh"] == "11.00"]
    assert steady and all(r["pace_per_km"] == "5:27" and r["step"] == "2" for r in steady)
    assert {r["state"] for r in rows} == {"running", "paused"}
    assert float(rows[-1]["distance_m"]) == pytest.approx(events[-1].distance_m, abs=0.01)

    journal, _ = recorded(tmp_path, SyntheticRun(imperial=True, stop_after_s=200))
    (imperial_csv,) = export_run(journal, ["csv"])
    with imperial_csv.open() as handle:
        miles = [r for r in csv.DictReader(handle) if r["speed_kmh"] == "11.00"]
    assert miles and miles[0]["pace_per_mi"] == "8:47"


def test_unknown_and_gpx_formats_are_refused_in_one_line(
    finished_run: tuple[Path, list[Any]],
) -> None:
    journal, _ = finished_run
    with pytest.raises(UserError, match="gpx is not offered"):
        export_run(journal, ["gpx"])
    with pytest.raises(UserError, match="expected one of fit, tcx, csv"):
        export_run(journal, ["xlsx"])


def test_export_to_another_directory(finished_run: tuple[Path, list[Any]], tmp_path: Path) -> None:
    journal, _ = finished_run
    paths = export_run(journal, ["tcx", "fit", "tcx"], out_dir=tmp_path / "exports")
    assert [p.suffix for p in paths] == [".tcx", ".fit"]
    assert all(p.parent == tmp_path / "exports" and p.stat().st_size > 1000 for p in paths)
