"""A profile whose limits the treadmill cannot keep is refused before the belt moves.

The setpoint grid never commands less than the machine's minimum, so a profile
max_speed below it would be broken by every command (safety rule 1): the run is
refused with one line instead, through the engine and through `treadpace run`.
Bad MQTT topic prefixes in a profile stop `run` the same way.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.run_proc import read_log, treadpace
from treadpace.base.clock import VirtualClock
from treadpace.base.user_error import UserError
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunState
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill

HIGH_MINIMUM = (
    "name: high-minimum\n"
    "description: a belt that cannot go slower than 3 km/h, incline from 2 %\n"
    "speed: {min: 3.0, max: 16.0, increment: 0.1, start: 3.0}\n"
    "incline: {min: 2.0, max: 12.0, increment: 1.0}\n"
)
WALK = CompiledPlan(
    name="walk", kind="custom", steps=(CompiledStep("walk", "time", 600, 2.5, incline_percent=2.0),)
)


def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "high-minimum.yaml"
    path.write_text(HIGH_MINIMUM)
    return path


async def _run(model: Path, config: EngineConfig) -> tuple[list[dict[str, object]], object]:
    clock = VirtualClock()
    records: list[dict[str, object]] = []
    sim = SimulatedTreadmill(str(model), clock, observers=[lambda _t, r: records.append(r)])
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    engine = Engine(treadmill, WALK, config, clock, EventHub())

    async def go() -> object:
        await sim.start()
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        try:
            return await task
        except UserError as exc:
            return exc
        finally:
            await clock.sleep(10)
            await treadmill.disconnect()
            await sim.close()

    outcome = await clock.drive(go())
    return records, outcome


def commands(records: list[dict[str, object]]) -> list[dict[str, object]]:
    return [r for r in records if r.get("event") == "command"]


async def test_a_max_speed_below_the_machine_minimum_refuses_the_run(tmp_path: Path) -> None:
    config = EngineConfig(countdown_s=0, max_speed_kmh=2.5, max_incline_percent=5.0)
    records, outcome = await _run(model_file(tmp_path), config)
    assert isinstance(outcome, UserError)
    assert str(outcome) == (
        "max_speed: expected at least this treadmill's minimum speed 3.0 km/h, got 2.5 km/h "
        "(the belt cannot go slower; raise the profile's max_speed or use another treadmill)"
    )
    assert commands(records) == []  # not even Request Control
    assert all(r.get("speed_kmh", 0.0) == 0.0 for r in records if r.get("event") == "belt")


async def test_imperial_profiles_read_the_limit_in_mph(tmp_path: Path) -> None:
    config = EngineConfig(countdown_s=0, max_speed_kmh=1.5 * 1.609344, imperial=True)
    _, outcome = await _run(model_file(tmp_path), config)
    assert isinstance(outcome, UserError)
    assert "minimum speed 1.9 mph, got 1.5 mph" in str(outcome)


async def test_a_max_incline_below_the_machine_minimum_refuses_the_run(tmp_path: Path) -> None:
    config = EngineConfig(countdown_s=0, max_speed_kmh=10.0, max_incline_percent=1.0)
    records, outcome = await _run(model_file(tmp_path), config)
    assert isinstance(outcome, UserError)
    assert str(outcome).startswith(
        "max_incline: expected at least this treadmill's minimum incline 2 %, got 1 %"
    )
    assert commands(records) == []


async def test_a_max_speed_at_the_machine_minimum_runs_at_it(tmp_path: Path) -> None:
    config = EngineConfig(countdown_s=0, max_speed_kmh=3.0, max_incline_percent=5.0)
    records, outcome = await _run(model_file(tmp_path), config)
    assert getattr(outcome, "state", None) == RunState.FINISHED
    speeds = [
        float(r["speed_kmh"])  # type: ignore[arg-type]
        for r in commands(records)
        if r.get("op") == "set_target_speed" and r.get("result") == "success"
    ]
    assert speeds and max(speeds) == pytest.approx(3.0)


def _files(tmp_path: Path, profile_extra: str) -> tuple[Path, Path]:
    plan = tmp_path / "walk.yaml"
    plan.write_text("kind: custom\nsegments:\n  - {duration: '10:00', speed: 2.5 km/h}\n")
    profile = tmp_path / "walker.yaml"
    profile.write_text(
        'name: walker\nrace: {distance: 5k, time: "25:00"}\n'
        f"recording: {{directory: {tmp_path / 'runs'}, auto_export: []}}\n" + profile_extra
    )
    return plan, profile


def test_run_refuses_a_max_speed_the_treadmill_cannot_keep(tmp_path: Path) -> None:
    plan, profile = _files(tmp_path, "max_speed: 2.5 km/h\n")
    log = tmp_path / "sim.jsonl"
    r = treadpace(
        tmp_path,
        "run",
        str(plan),
        "--profile",
        str(profile),
        "--model",
        str(model_file(tmp_path)),
        "--yes",
        "--virtual-clock",
        "--sim-log",
        str(log),
    )
    assert r.returncode == 2, r.stderr + r.stdout
    assert r.stderr == (
        "error: max_speed: expected at least this treadmill's minimum speed 3.0 km/h, "
        "got 2.5 km/h (the belt cannot go slower; raise the profile's max_speed or use "
        "another treadmill)\n"
    )
    records = read_log(log)
    assert records, "the simulator ran"
    assert not [x for x in records if x.get("event") == "command"]
    assert not list((tmp_path / "runs").glob("*.jsonl"))


def test_run_refuses_a_base_topic_no_broker_takes(tmp_path: Path) -> None:
    plan, profile = _files(tmp_path, "mqtt:\n  enabled: true\n  base_topic: $SYS/treadmill\n")
    r = treadpace(tmp_path, "run", str(plan), "--profile", str(profile), "--yes", "--virtual-clock")
    assert r.returncode == 2, r.stderr + r.stdout
    assert r.stderr.startswith(f"error: {profile}:6: mqtt.base_topic: expected a topic prefix")
    assert r.stderr.count("\n") == 1 and "not starting with $" in r.stderr
