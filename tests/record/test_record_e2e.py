"""A whole run, recorded: engine → FTMS → software treadmill → journal → FIT, on a virtual clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from garmin_fit_sdk import Decoder, Stream

from treadpace.base.clock import ClockTimeout, VirtualClock, wait_for
from treadpace.base.paths import configs_dir
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunState
from treadpace.library import load_and_compile
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.record import Recorder, export_run
from treadpace.record.journal import read_journal
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill

PLAN = CompiledPlan(
    name="Short progression",
    kind="custom",
    steps=(
        CompiledStep("warm-up", "time", 120.0, 9.0),
        CompiledStep("steady", "distance", 400.0, 10.5, incline_percent=1.0),
        CompiledStep("fast finish", "time", 60.0, 11.0, end_speed_kmh=12.0),
    ),
)


async def simulated_run(plan: CompiledPlan, directory: Path, *, pause_at: float) -> Path:
    """Run `plan` on the simulator with a console stop at `pause_at` s; return the journal."""
    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    hub = EventHub()
    engine = Engine(treadmill, plan, EngineConfig(countdown_s=3), clock, hub)
    recording = asyncio.create_task(Recorder(directory).consume(hub.subscribe()))

    async def go() -> Path:
        await sim.start()
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        # The runner presses stop on the console mid-run, then resumes from the keys.
        await clock.sleep(pause_at)
        sim.press_stop()
        await clock.sleep(30)  # the belt has wound down: the treadmill accepts a start again
        await engine.command(Command.RESUME)
        try:  # a run that never ends must fail the test, not hang it
            result = await wait_for(clock, asyncio.shield(task), plan.total_time_s + 600)
        except ClockTimeout:
            engine.abort("test timeout")
            await task
            pytest.fail("the run did not finish within its planned time + 10 min")
        assert result.state == RunState.FINISHED
        await treadmill.disconnect()
        await sim.close()
        return await recording

    return await clock.drive(go())


async def test_a_simulated_run_exports_a_fit_file_with_a_lap_per_step(tmp_path: Path) -> None:
    journal_path = await simulated_run(PLAN, tmp_path, pause_at=60)
    journal = read_journal(journal_path)
    assert journal.status == "finished" and not journal.truncated and journal.bad_lines == 0
    finished = journal.finished
    assert finished is not None

    (fit,) = export_run(journal_path, ["fit"])
    assert Decoder(Stream.from_file(str(fit))).check_integrity()
    messages, errors = Decoder(Stream.from_file(str(fit))).read()
    assert errors == []
    laps = messages["lap_mesgs"]
    assert len(laps) == len(PLAN.steps)
    (session,) = messages["session_mesgs"]
    assert (session["sport"], session["sub_sport"]) == ("running", "treadmill")
    assert session["num_laps"] == len(PLAN.steps)
    assert session["total_distance"] == pytest.approx(finished.distance_m, abs=0.01)
    assert session["total_timer_time"] == pytest.approx(finished.elapsed_s, abs=0.01)
    assert session["total_elapsed_time"] > session["total_timer_time"]  # the pause
    assert laps[0]["total_timer_time"] == pytest.approx(120.0, abs=0.2)
    assert laps[1]["total_distance"] == pytest.approx(400.0, abs=1.0)
    assert laps[2]["total_timer_time"] == pytest.approx(60.0, abs=0.2)
    event_types = [str(e["event_type"]) for e in messages["event_mesgs"]]
    assert event_types.count("stop_all") == 2
    records = messages["record_mesgs"]
    assert len(records) > 200
    assert records[-1]["distance"] == pytest.approx(finished.distance_m, abs=3.0)


async def test_a_shipped_plan_run_reads_back_with_its_steps_as_laps(tmp_path: Path) -> None:
    plan, _ = load_and_compile(str(configs_dir() / "plans" / "thirds.yaml"), None)
    journal_path = await simulated_run(plan, tmp_path, pause_at=600)
    (fit, tcx) = export_run(journal_path, ["fit", "tcx"])
    messages, errors = Decoder(Stream.from_file(str(fit))).read()
    assert errors == []
    assert len(messages["lap_mesgs"]) == len(plan.steps) == 3
    assert [lap["total_timer_time"] for lap in messages["lap_mesgs"]] == pytest.approx(
        [s.planned_time_s for s in plan.steps], abs=0.2
    )
    finished = read_journal(journal_path).finished
    assert finished is not None and finished.state == RunState.FINISHED
    assert messages["session_mesgs"][0]["total_distance"] == pytest.approx(
        finished.distance_m, abs=0.01
    )
    assert tcx.read_text().count("<Lap ") == 3
