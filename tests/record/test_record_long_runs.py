"""Long runs with many laps: the FIT file streamed message by message is the one fit-tool builds.

Figures (time, memory) live in `benchmarks/export_long_run.py`; here, what
must not change while the exporters got linear: the bytes of the FIT file,
the totals Garmin's own SDK reads back, and which samples make up each lap.
"""

from __future__ import annotations

import dataclasses
import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from garmin_fit_sdk import Decoder, Stream

from treadpace.engine.events import EngineEvent, RunFinished, Tick
from treadpace.plans.steps import CompiledStep
from treadpace.record import fit_export
from treadpace.record.activity import Activity, build_activity
from treadpace.record.csv_export import write_csv
from treadpace.record.fit_packed import Packed
from treadpace.record.journal import read_journal
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events
from treadpace.record.tcx_export import write_tcx

TCD = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
LAPS = 300


def patchy(events: list[EngineEvent]) -> list[EngineEvent]:
    """Heart rate and incline dropping out now and then, so record shapes change mid-file."""
    out: list[EngineEvent] = []
    for n, event in enumerate(events):
        if isinstance(event, Tick) and n % 37 < 5:
            event = dataclasses.replace(event, heart_rate_bpm=None)
        if isinstance(event, Tick) and n % 53 < 3:
            event = dataclasses.replace(event, incline_percent=None)
        out.append(event)
    return out


def journal_of(directory: Path, events: Sequence[EngineEvent]) -> Path:
    recorder = Recorder(directory)
    for event in events:
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


@pytest.fixture(scope="module")
def many_laps(tmp_path_factory: pytest.TempPathFactory) -> Activity:
    steps = tuple(
        CompiledStep(
            f"{'rest' if i % 3 == 0 else 'rep'} {i}",
            "distance" if i % 4 == 0 else "time",
            40.0 if i % 4 == 0 else 12.0,
            9.0 + i % 5,
            incline_percent=float(i % 3),
        )
        for i in range(LAPS)
    )
    # Zones recorded: each lap has its Time In Zone message.
    zones = (120, 140, 160, 175, 190)
    run = SyntheticRun(steps=steps, hz=2.0, pause_at_s=600, stop_after_s=3000, zones=zones)
    # An interrupted run: the open step is closed at the last sample.
    events = [e for e in patchy(synthetic_events(run)) if not isinstance(e, RunFinished)][:-40]
    return build_activity(read_journal(journal_of(tmp_path_factory.mktemp("runs"), events)))


def built_by_fit_tool(activity: Activity) -> bytes:
    """The file as fit-tool's own builder makes it, from a fresh fit-tool message for every
    one (a packed record or lap too: its values set by fit-tool's field encoder)."""
    from fit_tool.fit_file_builder import FitFileBuilder

    builder = FitFileBuilder(auto_define=True, min_string_size=32)
    for message in fit_export._messages(activity):
        if isinstance(message, Packed):
            message = message.layout.message(message.values)
        builder.add(message)
    return bytes(builder.build().to_bytes())


def streamed(activity: Activity) -> bytes:
    out = io.BytesIO()
    fit_export.write_fit(activity, out)
    return out.getvalue()


def garmin(data: bytes) -> dict[str, list[dict[str, Any]]]:
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return cast(dict[str, list[dict[str, Any]]], messages)


def test_streamed_fit_is_the_file_fit_tool_builds(many_laps: Activity) -> None:
    reference = built_by_fit_tool(many_laps)
    data = streamed(many_laps)
    assert data == reference
    # Byte for byte the same, so what one reader makes of them it makes of both: read
    # once, by the reference decoder (the totals are checked in the next test).
    messages = garmin(data)
    assert len(messages["lap_mesgs"]) == len(messages["time_in_zone_mesgs"]) == len(many_laps.laps)


def test_fit_laps_and_records_keep_the_activity_totals(many_laps: Activity) -> None:
    messages = garmin(streamed(many_laps))
    laps, records = messages["lap_mesgs"], messages["record_mesgs"]
    assert len(laps) == len(many_laps.laps) > 200
    for lap, message in zip(many_laps.laps, laps, strict=True):
        assert message["total_distance"] == pytest.approx(lap.distance_m, abs=0.01)
        assert message["total_timer_time"] == pytest.approx(lap.timer_s, abs=0.001)
        assert message.get("avg_heart_rate") == lap.avg_heart_rate
    assert len(records) == len({s.second for s in many_laps.moving_samples})
    with_hr = [r for r in records if "heart_rate" in r]
    assert 0 < len(with_hr) < len(records)  # the shape changed, and changed back
    assert sum("grade" not in r for r in records) > 0
    session = messages["session_mesgs"][0]
    assert session["total_distance"] == pytest.approx(many_laps.distance_m, abs=0.01)
    assert session["num_laps"] == len(laps)


def test_each_lap_holds_its_steps_samples_in_its_window(many_laps: Activity) -> None:
    for lap in many_laps.laps:
        naive = tuple(
            s
            for s in many_laps.samples
            if s.step_index == lap.index and lap.start_wall <= s.wall <= lap.end_wall
        )
        assert lap.samples == naive
    assert sum(len(lap.samples) for lap in many_laps.laps) == len(many_laps.samples)


def test_streamed_tcx_and_csv_hold_every_lap_and_second(many_laps: Activity) -> None:
    tcx = io.BytesIO()
    write_tcx(dataclasses.replace(many_laps, plan_name='A & B <"fast">'), tcx)
    root = ET.fromstring(tcx.getvalue())
    laps = root.findall(f".//{TCD}Lap")
    assert len(laps) == len(many_laps.laps)
    points = root.findall(f".//{TCD}Trackpoint")
    assert len(points) == len({s.second for s in many_laps.moving_samples})
    notes = root.find(f"{TCD}Activities/{TCD}Activity/{TCD}Notes")
    assert notes is not None and notes.text is not None
    assert notes.text.startswith('A & B <"fast"> on a treadmill')
    table = io.BytesIO()
    write_csv(many_laps, table)
    assert table.getvalue().decode().count("\r\n") == len(many_laps.samples) + 1
