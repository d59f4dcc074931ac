"""The run's FIT carries its plan as Workout / Workout Step messages; lap speeds are
consistent; the last lap of a run stopped early says so."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.export_readers import read_fit
from tests.journals import recorded
from treadpace.engine.events import EngineEvent, StepFinished, Tick
from treadpace.record import export_run
from treadpace.record.activity import build_activity
from treadpace.record.journal import read_journal
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import DEFAULT_STEPS, SyntheticRun, synthetic_events


def _record(directory: Path, events: list[EngineEvent]) -> Path:
    recorder = Recorder(directory)
    for event in events:
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def test_the_activity_carries_the_workout_and_each_lap_points_at_its_step(tmp_path: Path) -> None:
    journal, _ = recorded(tmp_path, SyntheticRun())
    (fit,) = export_run(journal, ["fit"])
    messages = read_fit(fit)
    (workout,) = messages["workout_mesgs"]
    assert workout["wkt_name"] == "Synthetic progression"
    assert workout["sport"] == "running" and workout["num_valid_steps"] == len(DEFAULT_STEPS)
    steps = messages["workout_step_mesgs"]
    assert [s["wkt_step_name"] for s in steps] == [s.name for s in DEFAULT_STEPS]
    assert [s["duration_type"] for s in steps] == ["time", "distance", "time"]
    assert steps[0]["duration_time"] == 120.0 and steps[1]["duration_distance"] == 600.0
    for message, step in zip(steps, DEFAULT_STEPS, strict=True):
        assert message["target_type"] == "speed"
        low, high = message["custom_target_speed_low"], message["custom_target_speed_high"]
        assert low * 3.6 < step.speed_kmh < high * 3.6
        assert low * 3.6 < (step.end_speed_kmh or step.speed_kmh) < high * 3.6
    laps = messages["lap_mesgs"]
    assert [lap["wkt_step_index"] for lap in laps] == [0, 1, 2]


def _under_reading(events: list[EngineEvent]) -> list[EngineEvent]:
    # A belt whose speed reading is 8 % low against the distance it counts.
    return [
        replace(e, speed_kmh=round(e.speed_kmh * 0.92, 2)) if isinstance(e, Tick) else e
        for e in events
    ]


def test_lap_and_session_max_speed_are_never_below_their_average(tmp_path: Path) -> None:
    journal = _record(tmp_path, _under_reading(synthetic_events(SyntheticRun())))
    activity = build_activity(read_journal(journal))
    steady = activity.laps[1]
    sampled = max(s.speed_kmh for s in steady.samples)
    assert steady.avg_speed_kmh > sampled  # the case this guards
    assert steady.max_speed_kmh == pytest.approx(steady.avg_speed_kmh)
    (fit,) = export_run(journal, ["fit"])
    messages = read_fit(fit)
    summaries: list[dict[str, Any]] = [*messages["lap_mesgs"], *messages["session_mesgs"]]
    for message in summaries:
        assert message["max_speed"] >= message["avg_speed"], message


def test_the_last_lap_of_a_stopped_run_is_marked_as_ended_by_the_stop(tmp_path: Path) -> None:
    # The engine closes the step it was in when the runner stops (not as a skip).
    events = [
        replace(e, skipped=False) if isinstance(e, StepFinished) else e
        for e in synthetic_events(SyntheticRun(stop_after_s=200))
    ]
    journal = _record(tmp_path, events)
    activity = build_activity(read_journal(journal))
    assert activity.status == "aborted"
    assert [lap.cut_short for lap in activity.laps] == [False, True]
    assert [lap.trigger for lap in activity.laps] == ["time", "end"]
    (fit,) = export_run(journal, ["fit"])
    laps = read_fit(fit)["lap_mesgs"]
    assert [lap["lap_trigger"] for lap in laps] == ["time", "session_end"]


def test_a_finished_run_has_no_lap_marked(tmp_path: Path) -> None:
    journal, _ = recorded(tmp_path, SyntheticRun())
    activity = build_activity(read_journal(journal))
    assert not any(lap.cut_short for lap in activity.laps)
