"""Run distance on treadmills whose Total Distance is not the run's (engine + simulator).

The models: `odometer-power-on` (8.35 km on the counter before the run),
`odometer-lifetime` (1234.567 km, never reset), `odometer-jump` (+4.2 km at 2:00
and -3 km at 4:00 after the belt starts). On every path into counting (no
countdown, a countdown, a reconnect, a reboot, a pause and resume) the run's
distance must be the distance the belt ran while the plan was active: compared
here against the simulator's own belt log, not against the engine's figures.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.run_proc import quiet_profile, read_log, treadpace
from tests.sim_engine import Outcome, Record, plan, run_sim
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, RunState
from treadpace.engine.odometer import Odometer
from treadpace.plans.steps import CompiledStep
from treadpace_sim.treadmill import SimulatedTreadmill

MODELS = ["odometer-power-on", "odometer-lifetime", "odometer-jump"]
PLAN = plan(
    CompiledStep("first km", "distance", 1000, 10.0),
    CompiledStep("then", "distance", 500, 11.0),
)
PLAN_M = 1500.0


def belt_ran(records: list[Record], t0: float, t1: float) -> float:
    """Metres the simulated belt ran between t0 and t1 (a reboot zeroes its counter)."""
    inside = [r.belt_m for r in records if t0 <= r.t <= t1]
    return sum(max(0.0, b - a) for a, b in itertools.pairwise(inside))


def window(o: Outcome) -> tuple[float, float]:
    start = next(x.t for x in o.commands("start_or_resume") if x.r.get("result") == "success")
    stop = o.commands("stop_or_pause")[-1].t
    return start, stop


def assert_ran_the_plan(o: Outcome, *, uncounted_m: float = 0.0) -> None:
    assert o.result.state == RunState.FINISHED, o.result.reason
    assert o.result.distance_m == pytest.approx(PLAN_M, abs=2.0)
    t0, t1 = window(o)
    ran = belt_ran(o.records, t0, t1)
    # The belt ran the plan (and what it ran while the plan was not counting).
    assert PLAN_M - 3 <= ran <= PLAN_M + uncounted_m + 5, ran
    assert o.result.elapsed_s > PLAN_M / (11.0 / 3.6)


@pytest.mark.parametrize("model", MODELS)
async def test_no_countdown_counts_from_the_first_reading_after_the_start(model: str) -> None:
    o = await run_sim(PLAN, model=model, config=EngineConfig(countdown_s=0))
    assert_ran_the_plan(o)


@pytest.mark.parametrize("model", MODELS)
async def test_with_a_countdown(model: str) -> None:
    o = await run_sim(PLAN, model=model, config=EngineConfig(countdown_s=3))
    assert_ran_the_plan(o)


@pytest.mark.parametrize("model", MODELS)
async def test_a_reconnect_counts_on_from_the_first_reading(model: str) -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(150)
        sim.drop_link(down_for=6.0)  # the belt runs on while nobody counts

    o = await run_sim(PLAN, model=model, script=script)
    assert any(x.r.get("action") == "drop" for x in o.records)
    assert_ran_the_plan(o, uncounted_m=40)


@pytest.mark.parametrize("model", MODELS)
async def test_a_pause_and_resume(model: str) -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        await engine.command(Command.PAUSE)
        await clock.sleep(60)
        await engine.command(Command.RESUME)

    o = await run_sim(PLAN, model=model, script=script)
    # the belt winds down from 10 km/h after the pause: ~25 m the plan does not count
    assert_ran_the_plan(o, uncounted_m=30)
    assert o.result.elapsed_s < window(o)[1] - window(o)[0] - 50


@pytest.mark.parametrize("model", ["odometer-power-on", "odometer-lifetime"])
async def test_a_reboot_of_the_machine(model: str) -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(150)
        sim.reboot(down_for=5.0)  # the belt stops dead; a power-on counter restarts at 0
        await clock.sleep(30)
        await engine.command(Command.RESUME)
        await clock.sleep(1)
        if engine.guided:
            sim.press_start()

    o = await run_sim(PLAN, model=model, script=script)
    assert any(x.r.get("action") == "reboot" for x in o.records)
    assert o.result.state == RunState.FINISHED, o.result.reason
    assert o.result.distance_m == pytest.approx(PLAN_M, abs=2.0)
    t0 = window(o)[0]
    ran = belt_ran(o.records, t0, o.records[-1].t)
    assert ran >= PLAN_M - 3


def test_a_jump_is_no_distance_and_a_fast_belt_is() -> None:
    odo = Odometer(max_kmh=20.0)
    odo.set_counting(True, 0.0)
    for i in range(11):
        odo.update(float(i), 10.0, 5000 + i * 2.78, 10.0)
    assert odo.run_at(10.0) == pytest.approx(27.8, abs=1.0)
    odo.update(11.0, 10.0, 5000 + 30.6 + 4200, 10.0)  # +4.2 km in one second
    odo.update(12.0, 10.0, 5000 + 33.4 + 4200, 10.0)
    assert odo.run_at(12.0) == pytest.approx(33.4, abs=1.0)
    assert odo.discontinuities == 1
    odo.update(13.0, 20.0, 5000 + 33.4 + 4200 + 8.0, 20.0)  # 8 m/s is within 2x max
    assert odo.discontinuities == 1


def test_the_cli_run_does_not_finish_early_on_a_lifetime_odometer(tmp_path: Path) -> None:
    p = tmp_path / "plan.yaml"
    p.write_text("name: a kilometre\nkind: steady\ndistance: 1 km\npace: '6:00/km'\n")
    log = tmp_path / "sim.jsonl"
    r = treadpace(
        tmp_path,
        *("run", str(p), "--yes", "--simulate", "--model", "odometer-lifetime"),
        *("--profile", str(quiet_profile(tmp_path)), "--virtual-clock", "--sim-log", str(log)),
    )
    assert r.returncode == 0, r.stderr + r.stdout
    records = read_log(log)
    belts = [x for x in records if x.get("event") == "belt" and not x.get("projected")]
    assert max(float(x["distance_m"]) for x in belts) >= 999  # type: ignore[arg-type]
    started = next(float(x["t"]) for x in records if x.get("op") == "start_or_resume")  # type: ignore[arg-type]
    stopped = [float(x["t"]) for x in records if x.get("op") == "stop_or_pause"][-1]  # type: ignore[arg-type]
    assert stopped - started > 300  # 1 km at 10 km/h is six minutes, not a second
