"""A simulated run is known by the journal's `simulated` flag, not by its treadmill's name.

The run session sets the flag when the treadmill is the software one; the history
and the coach leave such runs out of the training. Journals written before the
flag still read as they did (a device name starting with "simulator").
"""

from __future__ import annotations

import json
from pathlib import Path

from treadpace.base.clock import VirtualClock
from treadpace.engine.events import RunStarted
from treadpace.library import load_and_compile
from treadpace.record.codec import decode_event, encode_event
from treadpace.record.history_view import marks
from treadpace.record.journal import read_journal
from treadpace.record.recorder import Recorder
from treadpace.record.runs import list_runs, summarize
from treadpace.record.synthetic import SyntheticRun, synthetic_events
from treadpace.session import RunOutcome, RunSession, SessionSetup
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill


def recorded(directory: Path, run: SyntheticRun) -> Path:
    recorder = Recorder(directory)
    for event in synthetic_events(run):
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def test_the_flag_decides_whatever_the_device_is_called(tmp_path: Path) -> None:
    sim = recorded(tmp_path, SyntheticRun(device="Kingsmith K15", simulated=True))
    real = recorded(
        tmp_path, SyntheticRun(device="simulator:generic", simulated=False, start_wall=2e9)
    )
    on_sim, on_real = summarize(sim), summarize(real)
    assert on_sim is not None and on_sim.simulated and marks(on_sim) == "sim"
    assert on_real is not None and not on_real.simulated and marks(on_real) == ""
    assert [r.simulated for r in list_runs(tmp_path)] == [True, False]


def _without_flag(journal: Path) -> None:
    lines = journal.read_text().splitlines()
    header = json.loads(lines[0])
    del header["simulated"]  # as written before the flag
    journal.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")


def test_an_old_journal_without_the_flag_reads_as_before(tmp_path: Path) -> None:
    old_sim = recorded(tmp_path, SyntheticRun(device="simulator:generic", simulated=False))
    old_real = recorded(tmp_path, SyntheticRun(device="ftms:AA", simulated=True, start_wall=2e9))
    for journal in (old_sim, old_real):
        _without_flag(journal)
    assert read_journal(old_sim).header.simulated
    assert not read_journal(old_real).header.simulated
    assert [r.simulated for r in list_runs(tmp_path)] == [True, False]


def test_the_flag_round_trips_through_the_journal_line() -> None:
    started = RunStarted(0.0, 1e9, "p", "custom", "", (), False, "ftms:AA", simulated=True)
    line = encode_event(started)
    assert json.loads(line)["simulated"] is True
    assert decode_event(line) == started


async def test_a_run_session_on_the_simulator_records_the_flag(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text('name: Steady\nkind: steady\nduration: "0:30"\npace: easy\n')
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        'name: Tester\nrace: {distance: 5k, time: "25:00"}\n'
        "cues: {voice: false, bell: false}\n"
        f"recording: {{directory: {tmp_path / 'runs'}, auto_export: []}}\n"
    )
    compiled, prof = load_and_compile(str(plan), profile)
    clock = VirtualClock()
    sim = SimulatedTreadmill("generic", clock)
    setup = SessionSetup(
        compiled=compiled, profile=prof, clock=clock, link=SimLink(sim), sim=sim, yes=True
    )

    async def go() -> RunOutcome:
        async with RunSession(setup) as session:
            return await session.run()

    outcome = await clock.drive(go())
    assert outcome.journal is not None
    assert read_journal(outcome.journal).header.simulated
