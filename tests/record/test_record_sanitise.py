"""Treadmill garbage in a journal (300 km/h, HR 400, a distance that jumps or goes back, ...).

The runner still gets valid FIT, TCX and CSV files with sane totals; good
readings are kept exactly; what was dropped is logged once per kind.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
import math
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_runner import invoke_home
from tests.export_readers import AX, TCD, TCX_XSD, read_fit
from tests.journals import write_journal
from treadpace.engine.events import (
    EngineEvent,
    RunFinished,
    RunState,
    StepFinished,
    Tick,
)
from treadpace.record import export_run
from treadpace.record.activity import Activity, Sample, build_activity
from treadpace.record.journal import read_journal
from treadpace.record.sanitise import (
    DISTANCE_SLACK_M,
    MAX_SPEED_KMH,
    Repairs,
    sanitise_samples,
)
from treadpace.record.synthetic import SyntheticRun, synthetic_events

MAX_SPEED_MS = MAX_SPEED_KMH / 3.6
RUN = SyntheticRun(hz=1.0, pause_at_s=150)  # one tick a second, as the recorder keeps them
RESTART_AT = 50  # from this running tick on, the treadmill's distance counter restarted at 0

# Running-tick ordinal -> what the treadmill reported instead of the truth.
GARBAGE: dict[int, dict[str, Any]] = {
    10: {"speed_kmh": 300.0},
    11: {"speed_kmh": -4.0},
    12: {"speed_kmh": math.nan},
    20: {"distance_m": 1e12},
    30: {"distance_m": -5e6},
    40: {"distance_m": math.inf},
    60: {"heart_rate_bpm": 0},
    61: {"heart_rate_bpm": 400},
    62: {"heart_rate_bpm": -3},
    70: {"incline_percent": 1000.0},
    71: {"incline_percent": math.nan},
    72: {"incline_percent": -50.0},
    80: {"energy_kcal": 65535.0},
    81: {"energy_kcal": -1.0},
    82: {"energy_kcal": math.nan},
}


def garbled(events: list[EngineEvent]) -> list[EngineEvent]:
    """`events` with GARBAGE, a distance counter restart, and absurd step and run totals."""
    out: list[EngineEvent] = []
    running = 0
    offset = 0.0
    for event in events:
        if isinstance(event, Tick):
            if event.state == RunState.RUNNING:
                if running == RESTART_AT:
                    offset = event.distance_m
                event = dataclasses.replace(event, **GARBAGE.get(running, {}))
                running += 1
            if offset and math.isfinite(event.distance_m):
                event = dataclasses.replace(event, distance_m=event.distance_m - offset)
        elif isinstance(event, StepFinished) and event.index == 0:
            event = dataclasses.replace(event, distance_m=math.nan)
        elif isinstance(event, RunFinished):
            event = dataclasses.replace(event, distance_m=1e12)
        out.append(event)
    return out


@pytest.fixture(scope="module")
def clean_events() -> list[EngineEvent]:
    return synthetic_events(RUN)


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory, clean_events: list[EngineEvent]
) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("garbage")
    (directory / "clean").mkdir()
    (directory / "bad").mkdir()
    return {
        "clean": write_journal(directory / "clean", clean_events),
        "bad": write_journal(directory / "bad", garbled(clean_events)),
    }


@pytest.fixture(scope="module")
def activities(runs: dict[str, Path]) -> dict[str, Activity]:
    return {name: build_activity(read_journal(path)) for name, path in runs.items()}


@pytest.fixture(scope="module")
def exported(runs: dict[str, Path]) -> dict[str, Path]:
    paths = export_run(runs["bad"], ["fit", "tcx", "csv"])
    return {p.suffix.lstrip("."): p for p in paths}


def test_garbage_run_exports_a_fit_file_garmin_reads_with_sane_totals(
    activities: dict[str, Activity], exported: dict[str, Path]
) -> None:
    clean = activities["clean"]
    messages = read_fit(exported["fit"])  # integrity checked, no decoding errors
    records = messages["record_mesgs"]
    assert len(records) == len(clean.moving_samples)
    assert all(0 <= r["speed"] <= MAX_SPEED_MS for r in records)
    distances = [r["distance"] for r in records]
    assert distances == sorted(distances)
    heart_rates = [r["heart_rate"] for r in records if "heart_rate" in r]
    assert len(heart_rates) == len(records) - 3 and all(25 <= hr <= 250 for hr in heart_rates)
    grades = [r["grade"] for r in records if "grade" in r]
    assert len(grades) == len(records) - 3 and all(-10 <= g <= 45 for g in grades)

    session = messages["session_mesgs"][0]
    # What is lost: the metres of the second the counter restarted, nothing more.
    assert session["total_distance"] == pytest.approx(clean.distance_m, abs=5.0)
    assert session["avg_speed"] == pytest.approx(clean.avg_speed_kmh / 3.6, abs=0.02)
    assert session["max_speed"] == pytest.approx(clean.max_speed_kmh / 3.6, abs=1e-3)
    assert session["max_heart_rate"] == clean.max_heart_rate
    assert session["total_calories"] == round(clean.energy_kcal or 0)
    laps = messages["lap_mesgs"]
    assert len(laps) == 3
    assert sum(lap["total_distance"] for lap in laps) == pytest.approx(clean.distance_m, abs=5.0)
    assert all(lap["max_speed"] <= MAX_SPEED_MS for lap in laps)


@pytest.mark.skipif(
    not TCX_XSD.is_file(), reason="TCX schema not available: ../shared is not beside this clone"
)
def test_garbage_run_tcx_is_schema_valid(exported: dict[str, Path]) -> None:
    import xmlschema

    xmlschema.XMLSchema(str(TCX_XSD)).validate(str(exported["tcx"]))


def test_garbage_run_tcx_holds_only_plausible_numbers(
    activities: dict[str, Activity], exported: dict[str, Path]
) -> None:
    root = ET.parse(exported["tcx"]).getroot()
    distances = [float(e.text or "") for e in root.iter(f"{TCD}DistanceMeters")]
    points = [
        float(e.text or "")
        for p in root.iter(f"{TCD}Trackpoint")
        for e in p.iter(f"{TCD}DistanceMeters")
    ]
    speeds = [float(e.text or "") for e in root.iter(f"{AX}Speed")]
    bpm = [int(e.text or "") for e in root.iter(f"{TCD}Value")]
    assert all(math.isfinite(d) and d >= 0 for d in distances)
    assert points == sorted(points) and points[-1] <= activities["clean"].distance_m
    assert all(0 <= s <= MAX_SPEED_MS for s in speeds)
    assert all(25 <= b <= 250 for b in bpm)


def test_garbage_run_csv_rows_are_plausible(
    activities: dict[str, Activity], exported: dict[str, Path]
) -> None:
    with exported["csv"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(activities["clean"].samples)
    assert all(0 <= float(r["speed_kmh"]) <= MAX_SPEED_KMH for r in rows)
    assert sum(1 for r in rows if r["heart_rate_bpm"] == "") == 3
    assert all(25 <= int(r["heart_rate_bpm"]) <= 250 for r in rows if r["heart_rate_bpm"])
    assert sum(1 for r in rows if r["incline_percent"] == "") == 3
    metres = [float(r["distance_m"]) for r in rows]
    assert metres == sorted(metres)


def test_good_readings_are_kept_exactly(activities: dict[str, Activity]) -> None:
    clean, bad = activities["clean"], activities["bad"]
    running = [i for i, s in enumerate(bad.samples) if s.state == RunState.RUNNING]
    for ordinal, index in enumerate(running):
        was, now = clean.samples[index], bad.samples[index]
        touched = GARBAGE.get(ordinal, {})
        if "speed_kmh" not in touched:
            assert now.speed_kmh == was.speed_kmh
        if "heart_rate_bpm" not in touched:
            assert now.heart_rate_bpm == was.heart_rate_bpm
        else:
            assert now.heart_rate_bpm is None
        if "incline_percent" not in touched:
            assert now.incline_percent == was.incline_percent
        if ordinal < RESTART_AT and "distance_m" not in touched:
            assert now.distance_m == was.distance_m
        if "energy_kcal" not in touched:
            assert now.energy_kcal == was.energy_kcal
    # A bad speed reading keeps the belt at its last good speed.
    assert bad.samples[running[12]].speed_kmh == clean.samples[running[9]].speed_kmh
    # Step 1 and 2 distances (good) are the engine's own; step 0's (nan) comes from telemetry.
    assert [lap.distance_m for lap in bad.laps[1:]] == [lap.distance_m for lap in clean.laps[1:]]
    assert bad.laps[0].distance_m == pytest.approx(clean.laps[0].distance_m, abs=5.0)


def test_a_clean_run_is_not_touched_and_logs_nothing(
    clean_events: list[EngineEvent], runs: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="treadpace.record"):
        activity = build_activity(read_journal(runs["clean"]))
    assert caplog.records == []
    ticks = [e for e in clean_events if isinstance(e, Tick)]
    finish = clean_events[-1]
    assert isinstance(finish, RunFinished)
    assert [s.speed_kmh for s in activity.samples] == [t.speed_kmh for t in ticks]
    assert [s.heart_rate_bpm for s in activity.samples] == [t.heart_rate_bpm for t in ticks]
    assert [s.distance_m for s in activity.samples] == [
        pytest.approx(t.distance_m, abs=5e-4) for t in ticks
    ]
    assert activity.distance_m == pytest.approx(finish.distance_m, abs=5e-4)


def test_what_was_dropped_is_logged_once_per_kind(
    runs: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="treadpace.record"):
        build_activity(read_journal(runs["bad"]))
    messages = [r.getMessage() for r in caplog.records]
    assert all(m.startswith(str(runs["bad"])) for m in messages)
    expected = {
        "3 speed readings outside 0-40 km/h",
        "3 heart-rate readings outside 25-250 bpm",
        "3 incline readings outside -10 to 45 %",
        "3 energy readings",
        "distance readings going back",
        "1 lap distance(s)",
        "1 run distance(s)",
    }
    assert len(messages) == len(expected)
    for fragment in expected:
        assert sum(fragment in m for m in messages) == 1, (fragment, messages)


def samples_at(distances: list[float]) -> tuple[Sample, ...]:
    return tuple(
        Sample(
            t=float(i),
            wall=1000.0 + i,
            state=RunState.RUNNING,
            elapsed_s=float(i),
            distance_m=d,
            speed_kmh=10.8,
            target_speed_kmh=10.8,
            incline_percent=1.0,
            heart_rate_bpm=140,
            step_index=0,
            step_name="steady",
            energy_kcal=None,
        )
        for i, d in enumerate(distances)
    )


@pytest.mark.parametrize(
    ("raw", "kept", "repaired"),
    [
        ([3, 6, 9, 12], [3, 6, 9, 12], 0),
        # one spike up, one glitch down: each costs nothing, the run goes on
        ([3, 6, 1e9, 12, 15], [3, 6, 6, 12, 15], 1),
        ([3, 6, 0, 12, 15], [3, 6, 6, 12, 15], 1),
        # the counter restarts at zero: the run goes on by its increments
        ([3, 6, 9, 0, 3, 6], [3, 6, 9, 9, 12, 15], 3),
        # a counter that jumps for good: only the jump is lost
        ([3, 6, 5006, 5009, 5012], [3, 6, 6, 9, 12], 3),
        # not a number, or negative
        ([3, math.nan, 9, -math.inf, 12], [3, 3, 9, 9, 12], 2),
        # faster than 40 km/h (11.1 m/s) plus the slack, from one reading to the next
        ([3, 6, 6 + 11.2 + DISTANCE_SLACK_M, 9], [3, 6, 6, 9], 1),
        # 130 km/h for good, each second within the slack: stopped once the slack is spent
        ([36.0, 72.0, 108.0, 144.0], [36.0, 36.0, 36.0, 36.0], 3),
    ],
)
def test_distance_never_goes_back_nor_runs_faster_than_a_belt(
    raw: list[float], kept: list[float], repaired: int
) -> None:
    repairs = Repairs()
    out = sanitise_samples(samples_at(raw), 999.0, repairs)
    assert [s.distance_m for s in out] == kept
    assert repairs.counts["distance"] == repaired
    assert [s.speed_kmh for s in out] == [10.8] * len(raw)  # the rest is left alone


finite_or_not = st.one_of(
    st.floats(),  # nan, ±inf, huge, tiny, negative
    st.floats(-50, 50),
    st.floats(0, 20),
)


@st.composite
def readings(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "speed_kmh": draw(finite_or_not),
        "distance_m": draw(st.one_of(st.floats(), st.floats(0, 10_000))),
        "heart_rate_bpm": draw(st.one_of(st.none(), st.integers(-(2**40), 2**40))),
        "incline_percent": draw(st.one_of(st.none(), finite_or_not)),
        "energy_kcal": draw(st.one_of(st.none(), st.floats(), st.integers(0, 70_000))),
    }


@pytest.fixture(scope="module")
def tcx_schema() -> Any:
    if not TCX_XSD.is_file():
        return None
    import xmlschema

    return xmlschema.XMLSchema(str(TCX_XSD))


SHORT = SyntheticRun(hz=1.0, stop_after_s=12)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.lists(readings(), min_size=1, max_size=16), total=st.floats())
def test_random_treadmill_values_never_break_an_export(
    values: list[dict[str, Any]], total: float, tcx_schema: Any
) -> None:
    events: list[EngineEvent] = []
    n = 0
    for event in synthetic_events(SHORT):
        if isinstance(event, Tick):
            event = dataclasses.replace(event, **values[n % len(values)])
            n += 1
        elif isinstance(event, RunFinished | StepFinished):
            event = dataclasses.replace(event, distance_m=total)
        events.append(event)
    with tempfile.TemporaryDirectory() as tmp:
        journal = write_journal(Path(tmp), events)
        paths = {p.suffix: p for p in export_run(journal, ["fit", "tcx", "csv"])}
        messages = read_fit(paths[".fit"])
        session = messages["session_mesgs"][0]
        span = session["total_elapsed_time"]
        assert 0 <= session["total_distance"] <= MAX_SPEED_MS * span + DISTANCE_SLACK_M + 0.01
        assert 0 <= session["max_speed"] <= MAX_SPEED_MS
        for record in messages["record_mesgs"]:
            assert 0 <= record["speed"] <= MAX_SPEED_MS
            since = (record["timestamp"] - session["start_time"]).total_seconds()
            assert record["distance"] <= MAX_SPEED_MS * (since + 1) + DISTANCE_SLACK_M
        if tcx_schema is not None:
            tcx_schema.validate(str(paths[".tcx"]))
        else:
            ET.parse(paths[".tcx"])
        with paths[".csv"].open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert rows and all(math.isfinite(float(r["distance_m"])) for r in rows)


def test_treadpace_export_and_history_of_a_garbage_run(
    runs: dict[str, Path], activities: dict[str, Activity], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / "runs").mkdir(parents=True)
    journal = home / "runs" / runs["bad"].name
    journal.write_bytes(runs["bad"].read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    result = invoke_home("export", "latest", "-f", "fit,tcx,csv", "-o", str(out), home=home)
    assert result.returncode == 0, result.stderr
    assert sorted(p.suffix for p in out.iterdir()) == [".csv", ".fit", ".tcx"]
    history = invoke_home("history", "--json", home=home)
    assert history.returncode == 0, history.stderr
    (summary,) = json.loads(history.stdout)
    assert summary["distance_m"] == pytest.approx(activities["clean"].distance_m, abs=5.0)
