"""A treadmill whose energy counter restarts (a reboot) keeps the energy run before it.

The counter's restart is a new segment on top of what the run had counted, as the
engine's odometer does with distance: not readings to throw away, and not a
warning per reading. A drop that the next reading does not carry on from is one
glitch, repaired; a restart whose first reading is more than a fresh counter could
hold is not taken for one. Shown on the sanitiser alone, on a synthetic journal
through the exports, and on the simulator's reboot fault through the whole engine.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path

import pytest

from tests.journals import write_journal
from tests.sim_engine import plan, run_sim
from treadpace.base.clock import VirtualClock
from treadpace.engine import Engine, RunState
from treadpace.engine.events import EngineEvent, Tick
from treadpace.plans.steps import CompiledStep
from treadpace.record import export_run
from treadpace.record.activity import build_activity
from treadpace.record.journal import read_journal
from treadpace.record.recorder import Recorder
from treadpace.record.sample import Sample
from treadpace.record.sanitise import Repairs, sanitise_samples
from treadpace.record.synthetic import SyntheticRun, synthetic_events
from treadpace_sim.faults import Fault
from treadpace_sim.treadmill import SimulatedTreadmill


def samples_at(kcal: list[float]) -> tuple[Sample, ...]:
    return tuple(
        Sample(
            t=float(i),
            wall=1000.0 + i,
            state=RunState.RUNNING,
            elapsed_s=float(i),
            distance_m=3.0 * i,
            speed_kmh=10.8,
            target_speed_kmh=10.8,
            incline_percent=1.0,
            heart_rate_bpm=140,
            step_index=0,
            step_name="steady",
            energy_kcal=k,
        )
        for i, k in enumerate(kcal)
    )


@pytest.mark.parametrize(
    ("raw", "kept", "repaired", "restarts"),
    [
        ([30.0, 30.2, 30.4], [30.0, 30.2, 30.4], 0, 0),
        # a reboot: the counter starts again from zero and the run counts on
        ([30.0, 30.2, 0.0, 0.2, 0.4], [30.0, 30.2, 30.2, 30.4, 30.6], 0, 1),
        ([30.0, 30.2, 0.1, 0.3], [30.0, 30.2, 30.2, 30.5], 0, 1),
        # a reboot with the belt standing: nothing counted, nothing lost
        ([30.0, 0.0, 0.0, 0.0, 0.2], [30.0, 30.0, 30.0, 30.0, 30.2], 0, 1),
        # two reboots
        ([10.0, 0.0, 1.0, 0.0, 0.5], [10.0, 10.0, 11.0, 11.0, 11.5], 0, 2),
        # one reading down, then back on the old count: a glitch, not a restart
        ([30.0, 30.2, 0.0, 30.4, 30.6], [30.0, 30.2, 30.2, 30.4, 30.6], 1, 0),
        # a drop to more than a fresh counter could hold in a second: not a restart
        # (repaired as before: its increments carry on, the drop itself counts nothing)
        ([30.0, 30.2, 20.0, 20.2, 30.4], [30.0, 30.2, 30.2, 30.4, 30.4], 2, 0),
    ],
)
def test_a_restarted_energy_counter_is_a_new_segment(
    raw: list[float], kept: list[float], repaired: int, restarts: int
) -> None:
    repairs = Repairs()
    out = sanitise_samples(samples_at(raw), 999.0, repairs)
    assert [s.energy_kcal for s in out] == pytest.approx(kept)
    assert repairs.counts["energy"] == repaired
    assert repairs.kept["energy_restart"] == restarts


def rebooted(events: list[EngineEvent]) -> tuple[list[EngineEvent], float]:
    """`events` with the energy counter restarted at zero halfway; the energy it loses."""
    ticks = [e for e in events if isinstance(e, Tick)]
    mid = ticks[len(ticks) // 2]
    before = ticks[len(ticks) // 2 - 1]
    assert mid.energy_kcal is not None and before.energy_kcal is not None
    offset: float | None = None
    out: list[EngineEvent] = []
    for event in events:
        if isinstance(event, Tick) and event.energy_kcal is not None:
            if event is mid:
                offset = mid.energy_kcal
            if offset is not None:
                event = dataclasses.replace(event, energy_kcal=event.energy_kcal - offset)
        out.append(event)
    return out, mid.energy_kcal - before.energy_kcal


def tcx_calories(path: Path) -> int:
    return sum(int(c) for c in re.findall(r"<Calories>(\d+)</Calories>", path.read_text()))


def test_a_journal_with_a_reboot_exports_all_its_energy(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clean = synthetic_events(SyntheticRun())
    events, lost = rebooted(clean)
    (tmp_path / "clean").mkdir()
    (tmp_path / "rebooted").mkdir()
    clean_journal = write_journal(tmp_path / "clean", clean)
    journal = write_journal(tmp_path / "rebooted", events)
    with caplog.at_level(logging.INFO):
        activity = build_activity(read_journal(journal))
    whole = build_activity(read_journal(clean_journal)).energy_kcal
    assert whole is not None and whole > 80
    # Only what the counter never saw (the second of the reboot itself) is missing.
    assert activity.energy_kcal == pytest.approx(whole - lost, abs=0.01)
    assert not [r for r in caplog.records if "energy readings" in r.getMessage()]
    assert any("energy counter restarts" in r.getMessage() for r in caplog.records)
    (tcx,) = export_run(journal, ["tcx"])
    assert tcx_calories(tcx) == pytest.approx(whole, abs=2)


async def test_the_simulators_reboot_keeps_the_energy_run_before_it(tmp_path: Path) -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        sim.schedule(Fault(at=200.0, action="reboot", duration=5.0))
        sim.schedule(Fault(at=260.0, action="press_start"))
        await clock.sleep(2000)

    o = await run_sim(plan(CompiledStep("a", "time", 600, 12.0)), script=script)
    assert o.result.state == RunState.FINISHED
    ticks = [e for e in o.events if isinstance(e, Tick) and e.energy_kcal is not None]
    drop = next(i for i in range(1, len(ticks)) if ticks[i].energy_kcal < ticks[i - 1].energy_kcal)  # type: ignore[operator]
    before, after = ticks[drop - 1].energy_kcal, ticks[-1].energy_kcal
    assert before is not None and after is not None and before > 10 and after > 10
    recorder = Recorder(tmp_path)
    for event in o.events:
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    activity = build_activity(read_journal(recorder.path))
    assert activity.energy_kcal == pytest.approx(before + after, abs=0.5)
