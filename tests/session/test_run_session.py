"""`RunSession` on its own: the simulator on the virtual clock, no CLI and no subprocess.

The session hands back a typed outcome; the CLI only maps it to an exit code. These
tests run the whole wiring (engine, treadmill, recorder, exports, signals, teardown)
in-process and check the outcome and its exit code for a run that finished, one a
SIGTERM ended, and the order in which the codes beat each other.
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
from pathlib import Path

from treadpace.base.clock import VirtualClock
from treadpace.commands.run import exit_code
from treadpace.engine import RunState
from treadpace.library import load_and_compile
from treadpace.session import RunOutcome, RunSession, SessionSetup
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill


def setup_for(
    tmp_path: Path, duration: str, clock: VirtualClock
) -> tuple[SessionSetup, SimulatedTreadmill]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(f'name: Steady\nkind: steady\nduration: "{duration}"\npace: easy\n')
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        'name: Tester\nrace: {distance: 5k, time: "25:00"}\n'
        "cues: {voice: false, bell: false}\n"
        f"recording: {{directory: {tmp_path / 'runs'}, auto_export: [tcx]}}\n"
    )
    compiled, prof = load_and_compile(str(plan), profile)
    sim = SimulatedTreadmill("generic", clock)
    setup = SessionSetup(
        compiled=compiled, profile=prof, clock=clock, link=SimLink(sim), sim=sim, yes=True
    )
    return setup, sim


async def test_a_finished_run_comes_back_finished_recorded_exported_exit_0(
    tmp_path: Path,
) -> None:
    clock = VirtualClock()
    setup, sim = setup_for(tmp_path, "2:00", clock)

    async def go() -> RunOutcome:
        async with RunSession(setup) as session:
            return await session.run()

    outcome = await clock.drive(go())
    assert outcome.result is not None and outcome.result.state == RunState.FINISHED
    assert outcome.result.elapsed_s >= 120
    assert outcome.belt_stop_confirmed and outcome.recording_complete
    assert outcome.signal is None and not outcome.failure and not outcome.refused
    assert outcome.journal is not None and outcome.journal.exists()
    assert outcome.exports == (outcome.journal.with_suffix(".tcx"),)
    assert outcome.exports[0].stat().st_size > 0
    assert sim.belt.speed_kmh == 0.0
    assert exit_code(outcome) == 0


async def test_a_sigterm_aborts_stops_the_belt_keeps_the_journal_exit_143(
    tmp_path: Path,
) -> None:
    clock = VirtualClock()
    setup, sim = setup_for(tmp_path, "30:00", clock)
    moving_at: list[float] = []

    async def go() -> RunOutcome:
        async with RunSession(setup) as session:

            async def terminate() -> None:
                while sim.belt.speed_kmh < 5:
                    await clock.sleep(1)
                moving_at.append(clock.now())
                await clock.sleep(60)
                signal.raise_signal(signal.SIGTERM)  # through the handler the session installed

            killer = asyncio.create_task(terminate())
            try:
                return await session.run()
            finally:
                killer.cancel()

    outcome = await clock.drive(go())
    assert moving_at, "the belt never got going"
    assert outcome.signal == signal.SIGTERM
    assert outcome.result is not None and outcome.result.state == RunState.ABORTED
    assert outcome.result.elapsed_s < 30 * 60
    assert outcome.belt_stop_confirmed and outcome.recording_complete
    assert outcome.journal is not None and outcome.journal.exists()
    assert sim.belt.speed_kmh == 0.0
    assert exit_code(outcome) == 143


def test_an_unconfirmed_stop_beats_a_short_journal_which_beats_the_signal() -> None:
    ended = RunOutcome(result=None, belt_stop_confirmed=True, recording_complete=True)
    signalled = dataclasses.replace(ended, signal=signal.SIGHUP)
    short = dataclasses.replace(signalled, recording_complete=False)
    unconfirmed = dataclasses.replace(short, belt_stop_confirmed=False)
    assert exit_code(ended) == 1
    assert exit_code(dataclasses.replace(ended, stop_requested=True)) == 130
    assert exit_code(signalled) == 129
    assert exit_code(short) == 4
    assert exit_code(unconfirmed) == 3
    assert exit_code(dataclasses.replace(unconfirmed, refused="no incline")) == 2
