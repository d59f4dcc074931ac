"""Guided mode as the runner meets it: what the prompts ask for, and what the run says after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.run_proc import quiet_profile, treadpace
from tests.sim_engine import run_sim
from treadpace.base.clock import VirtualClock
from treadpace.base.notice_level import NoticeLevel
from treadpace.engine import Engine, EngineConfig, RunFinished, RunState
from treadpace.engine.causes import Departure, GuidedCause
from treadpace.engine.events import Notice
from treadpace.mqtt.payloads import run_finished
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.record.codec import decode_event, encode_event
from treadpace.ui.summary_table import outcome_text, summary_text
from treadpace_sim.treadmill import SimulatedTreadmill


def _plan(*steps: CompiledStep) -> CompiledPlan:
    return CompiledPlan(name="guided test", kind="custom", steps=steps)


async def _press_start(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
    await clock.sleep(5)
    sim.press_start()


@pytest.mark.parametrize("model", ["read-only", "locked"])
async def test_the_start_prompt_asks_for_step_one_not_the_machine_minimum(model: str) -> None:
    p = _plan(CompiledStep("easy", "time", 30, 10.0), CompiledStep("on", "time", 30, 12.0))
    o = await run_sim(p, model=model, script=_press_start)
    assert o.result.state == RunState.FINISHED
    prompts = [
        e.message for e in o.events if isinstance(e, Notice) and "start the belt" in e.message
    ]
    assert prompts, "no start prompt in guided mode"
    assert "set 10.0 km/h" in prompts[0]
    assert "0.8 km/h" not in prompts[0]


async def test_a_guided_run_says_so_in_its_outcome() -> None:
    p = _plan(CompiledStep("easy", "time", 60, 10.0), CompiledStep("on", "time", 60, 12.0))
    o = await run_sim(p, model="locked", script=_press_start)
    r = o.result
    assert r.state == RunState.FINISHED and r.reason == "plan complete"
    assert r.departures == (Departure.GUIDED,)
    assert r.guided_cause == GuidedCause.CONTROL_REFUSED
    assert r.guided_s == pytest.approx(r.elapsed_s, abs=1.0)
    assert outcome_text(r).startswith("finished: plan complete, not as planned: 2:00 in guided")
    assert "not as planned" in summary_text(r, imperial=False)
    notices = [e for e in o.events if isinstance(e, Notice) and e.guided is not None]
    assert [n.guided for n in notices] == [GuidedCause.CONTROL_REFUSED]


async def test_a_run_as_planned_has_no_departures() -> None:
    p = _plan(CompiledStep("easy", "time", 60, 10.0))
    o = await run_sim(p)
    assert o.result.departures == ()
    assert outcome_text(o.result) == "finished: plan complete"


async def test_a_capped_run_counts_the_time_above_the_maximum() -> None:
    p = _plan(CompiledStep("easy", "time", 60, 10.0), CompiledStep("fast", "time", 90, 13.0))
    o = await run_sim(p, config=EngineConfig(countdown_s=0, max_speed_kmh=12.0))
    r = o.result
    assert r.departures == (Departure.CAPPED,)
    assert r.capped_s == pytest.approx(90, abs=1.5)
    assert max(float(x.r["speed_kmh"]) for x in o.speeds()) == 12.0  # type: ignore[arg-type]
    assert "1:30 capped at the maximum speed" in outcome_text(r)


async def test_a_console_speed_held_for_the_step_is_counted() -> None:
    p = _plan(CompiledStep("easy", "time", 120, 10.0), CompiledStep("next", "time", 60, 11.0))

    async def press(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(60)
        sim.press_speed(-1.0)

    # (the obeyed-watchdog is kept out of the way: this is about the accounting)
    cfg = EngineConfig(countdown_s=0, manual_change="hold", obey_timeout_s=1000)
    o = await run_sim(p, config=cfg, script=press)
    r = o.result
    assert r.departures == (Departure.HELD,)
    assert 55 <= r.held_s <= 62  # the rest of the first step only
    assert "held by a console speed change" in outcome_text(r)


def test_departures_survive_the_journal() -> None:
    r = RunFinished(
        t=1.0,
        wall=2.0,
        state=RunState.FINISHED,
        reason="plan complete",
        distance_m=100.0,
        elapsed_s=60.0,
        steps=(),
        guided_s=30.0,
        capped_s=12.5,
        guided_cause=GuidedCause.UNIT_MISMATCH,
    )
    back = decode_event(encode_event(r))
    assert isinstance(back, RunFinished)
    assert back.departures == (Departure.GUIDED, Departure.CAPPED)
    assert back.guided_cause is GuidedCause.UNIT_MISMATCH and back.capped_s == 12.5
    n = decode_event(
        encode_event(Notice(1.0, NoticeLevel.WARNING, "x", guided=GuidedCause.READ_ONLY))
    )
    assert isinstance(n, Notice) and n.guided is GuidedCause.READ_ONLY
    old = decode_event(encode_event(r).replace('"guided_cause":"unit_mismatch"', '"x":1'))
    assert isinstance(old, RunFinished) and old.guided_cause is None
    newer = decode_event(encode_event(r).replace("unit_mismatch", "gremlins"))
    assert isinstance(newer, RunFinished) and newer.guided_cause is None
    assert newer.departures == (Departure.GUIDED, Departure.CAPPED)


def test_history_and_the_summary_say_a_capped_run_was_capped(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text("name: fast\nkind: steady\nduration: '2:00'\npace: '5:00/km'\n")
    model = tmp_path / "slow-top.yaml"
    model.write_text("name: slow-top\nspeed: {min: 0.8, max: 11.0, increment: 0.1}\n")
    prof = str(quiet_profile(tmp_path))
    r = treadpace(
        tmp_path,
        *("run", str(plan_file), "--profile", prof, "--simulate", "--model", str(model)),
        *("--yes", "--virtual-clock"),
    )
    assert r.returncode == 0, r.stderr + r.stdout
    assert "not as planned: 2:00 capped at the maximum speed" in r.stdout
    h = treadpace(tmp_path, "history", "--profile", prof, "--json")
    assert h.returncode == 0, h.stderr
    [run] = json.loads(h.stdout)
    assert run["status"] == "finished"
    assert run["departures"] == {"capped": pytest.approx(120, abs=1.5)}
    table = treadpace(tmp_path, "history", "--profile", prof)
    assert "capped 2:00" in table.stdout


def test_the_mqtt_run_finished_event_carries_the_departures() -> None:
    r = RunFinished(1.0, 2.0, RunState.FINISHED, "plan complete", 100.0, 60.0, (), held_s=20.0)
    payload = run_finished(r)
    assert payload["departures"] == {"held": 20.0} and payload["guided_cause"] is None
    plain = run_finished(RunFinished(1.0, 2.0, RunState.FINISHED, "plan complete", 1.0, 6.0, ()))
    assert plain["departures"] == {}
