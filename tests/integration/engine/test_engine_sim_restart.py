"""A run paused by a reboot, a lost link or a console stop resumes when the runner starts
the belt on the console, on a simulated treadmill that never says so (read-only: no
Machine Status). The three scenarios are faults files in tests/data/faults/, played
by the simulator against the whole engine through FTMS bytes on a virtual clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.run_proc import ROOT, journal_lines, quiet_profile, treadpace, write_plan
from tests.sim_engine import Outcome, plan, run_sim
from tests.where import DATA
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, RunState
from treadpace.engine.events import StateChanged
from treadpace.plans.steps import CompiledStep
from treadpace_sim.faults import load_faults
from treadpace_sim.treadmill import SimulatedTreadmill

FAULTS = DATA / "faults"


async def play(scenario: str) -> Outcome:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        for fault in load_faults(FAULTS / f"{scenario}.yaml"):
            sim.schedule(fault)
        await clock.sleep(900)
        if engine.state in (RunState.RUNNING, RunState.PAUSED):
            await engine.command(Command.STOP)  # still paused: the runner gives up

    return await run_sim(
        plan(CompiledStep("a", "time", 300, 10.0)), model="read-only", script=script
    )


def belt_metres_at_fault(o: Outcome) -> float:
    """The belt's distance when the first fault after the runner's start struck."""
    faults = [x for x in o.records if x.r.get("event") == "fault"]
    return faults[1].belt_m


@pytest.mark.parametrize(
    "scenario", ["reboot-then-console-start", "safety-key-during-link-drop", "stop-then-reboot"]
)
async def test_the_runner_restarting_the_belt_resumes_the_run(scenario: str) -> None:
    o = await play(scenario)
    assert o.result.state == RunState.FINISHED
    assert o.result.elapsed_s == pytest.approx(300, abs=2.0)
    reasons = [e.reason for e in o.events if isinstance(e, StateChanged)]
    assert "belt restarted on the treadmill" in reasons
    assert not o.commands("start_or_resume")  # read-only: treadpace started nothing
    # The distance run after the console start counts: the belt's start speed (nobody
    # changed it) from 160 s to the plan's end, on top of what was run before the fault.
    slowest = o.sim.model.belt.start_speed_kmh
    after = (o.result.t - 160.0) * slowest / 3.6
    assert o.result.distance_m == pytest.approx(belt_metres_at_fault(o) + after, abs=3.0)


def test_treadpace_run_records_the_distance_after_a_reboot_and_a_console_start(
    tmp_path: Path,
) -> None:
    """The runner's view: `run` on a read-only model that reboots mid-run, as a subprocess."""
    model = tmp_path / "read-only-reboot.yaml"
    model.write_text(
        (ROOT / "configs" / "treadmills" / "read-only.yaml").read_text()
        + (FAULTS / "reboot-then-console-start.yaml").read_text()
    )
    plan_file = write_plan(tmp_path, 'name: Short\nkind: steady\nduration: "5:00"\npace: easy\n')
    done = treadpace(
        tmp_path,
        *("run", str(plan_file), "--model", str(model), "--yes", "--virtual-clock"),
        *("--profile", str(quiet_profile(tmp_path))),
    )
    assert done.returncode == 0, done.stdout + done.stderr  # the plan finished
    finished = journal_lines(tmp_path)[-1]
    assert finished["type"] == "run_finished" and finished["state"] == "finished"
    # The simulated runner follows the guided target (about 9 km/h): 95 s of it before the
    # reboot is under 250 m; the 205 s after the console start count too.
    assert float(finished["elapsed_s"]) == pytest.approx(300, abs=2)  # type: ignore[arg-type]
    assert float(finished["distance_m"]) > 600  # type: ignore[arg-type]
