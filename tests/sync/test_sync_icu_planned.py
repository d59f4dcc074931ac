"""Planned workouts from the intervals.icu calendar: `plan show`/`run icu:DAY` compile the
day's planned run with the runner's paces, exactly as the text importer reads the same
steps; what a treadmill cannot follow is refused by name; `plan list` shows the week."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_icu import API_KEY, FakeIcu
from tests.run_proc import treadpace_async

STEPS = """Warmup
- 10m Z1 Pace

Main set 3x
- 3m 95-100% Pace
- 2m Z2 Pace

Cooldown
- 5m Z1 Pace
"""
DAY = "2026-12-08"


def event(day: str, name: str, description: str, sport: str = "Run") -> dict[str, object]:
    return {
        "start_date_local": f"{day}T00:00:00",
        "category": "WORKOUT",
        "type": sport,
        "name": name,
        "description": description,
    }


@pytest.fixture
async def icu() -> AsyncIterator[FakeIcu]:
    fake = FakeIcu()
    await fake.start()
    yield fake
    await fake.close()
    assert fake.violations == []


def icu_env(fake: FakeIcu) -> dict[str, str]:
    return {"TREADPACE_ICU_URL": fake.url, "TREADPACE_ICU_API_KEY": API_KEY}


async def test_a_planned_run_compiles_as_the_text_importer_reads_it(
    icu: FakeIcu, tmp_path: Path
) -> None:
    icu.events.append(event(DAY, "Threshold 3x3", STEPS))
    code, out, err = await treadpace_async(
        tmp_path, "plan", "show", f"icu:{DAY}", "--json", **icu_env(icu)
    )
    assert code == 0, err
    planned = json.loads(out)
    text = tmp_path / "threshold.txt"
    text.write_text(STEPS)
    code, out, _ = await treadpace_async(tmp_path, "plan", "show", str(text), "--json")
    imported = json.loads(out)
    assert code == 0 and planned["steps"] == imported["steps"]
    assert len(planned["steps"]) == 8
    assert icu.calls == ["listEvents"]


async def test_icu_today_takes_todays_run_and_not_a_ride(icu: FakeIcu, tmp_path: Path) -> None:
    today = dt.date.today().isoformat()
    icu.events.append(event(today, "Spin", "- 30m Z2", sport="Ride"))
    icu.events.append(event(today, "Easy run", "- 20m Z1 Pace"))
    code, out, err = await treadpace_async(
        tmp_path, "plan", "show", "icu:today", "--json", **icu_env(icu)
    )
    assert code == 0, err
    shown = json.loads(out)
    [step] = shown["steps"]
    assert step["duration_s"] == 1200 and step["pace_label"] == "easy"
    assert shown["source"].startswith("icu:today (Easy run")


@pytest.mark.parametrize(
    ("steps", "sport", "words"),
    [
        ("- 10m 200w", "Run", "power targets are not supported"),
        ("- 10m Z2 HR", "Run", "heart-rate targets are not supported"),
        ("- 10m Z2", "Ride", "is Ride ("),
        ("", "Run", "has no steps in its description"),
    ],
)
async def test_what_a_treadmill_cannot_run_is_refused_by_name(
    icu: FakeIcu, tmp_path: Path, steps: str, sport: str, words: str
) -> None:
    icu.events.append(event(DAY, "Planned", steps, sport=sport))
    code, _, err = await treadpace_async(tmp_path, "plan", "show", f"icu:{DAY}", **icu_env(icu))
    assert code == 2
    [line] = err.strip().splitlines()
    assert line.startswith(f"error: icu:{DAY}: ") and words in line


async def test_nothing_planned_is_one_line(icu: FakeIcu, tmp_path: Path) -> None:
    code, _, err = await treadpace_async(tmp_path, "plan", "show", f"icu:{DAY}", **icu_env(icu))
    assert code == 2
    assert err.strip() == f"error: icu:{DAY}: no running workout planned on intervals.icu for {DAY}"


async def test_plan_list_shows_the_coming_week_and_one_line_offline(
    icu: FakeIcu, tmp_path: Path
) -> None:
    today = dt.date.today()
    icu.events.append(event((today + dt.timedelta(days=2)).isoformat(), "Long run", STEPS))
    code, out, _ = await treadpace_async(tmp_path, "plan", "list", **icu_env(icu))
    assert code == 0
    assert f"  {today + dt.timedelta(days=2)}  Long run" in out
    url = icu.url
    await icu.close()
    code, out, _ = await treadpace_async(
        tmp_path, "plan", "list", TREADPACE_ICU_URL=url, TREADPACE_ICU_API_KEY=API_KEY
    )
    assert code == 0
    [line] = [x for x in out.splitlines() if "intervals.icu" in x]
    assert line.startswith("planned on intervals.icu: not available (intervals.icu: cannot reach")
    await icu.start()


async def test_plan_list_says_nothing_of_icu_when_it_is_not_configured(tmp_path: Path) -> None:
    code, out, _ = await treadpace_async(tmp_path, "plan", "list")
    assert code == 0 and "intervals.icu" not in out


async def test_run_icu_date_runs_the_planned_workout_and_never_uploads_a_simulated_run(
    icu: FakeIcu, tmp_path: Path
) -> None:
    icu.events.append(event(DAY, "Short easy", "- 2m Z1 Pace\n- 1m 95% Pace"))
    profile = tmp_path / "profile.yaml"
    profile.write_text("race: {distance: 5k, time: '25:00'}\nsync: {after_run: true, to: [icu]}\n")
    code, out, err = await treadpace_async(
        tmp_path, "run", f"icu:{DAY}", "-p", str(profile), "--yes", "--virtual-clock",
        **icu_env(icu),
    )  # fmt: skip
    assert code == 0, err
    assert "run finished: plan complete" in out
    assert icu.calls == ["listEvents"]  # the run on the simulator is not training
    assert "sync:" not in out + err
