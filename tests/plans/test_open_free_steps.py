"""Open steps (ended by the runner's skip) and free steps (the runner sets the speed).

Both come from the workout formats runners already own: a Zwift FreeRide, a FIT
step ended by the lap button. They run on the simulator, and the belt log is the
judge: an open step never ends on its own, a free step sends no speed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.plan_schema import errors
from tests.plan_text import compile_text
from tests.sim_engine import Outcome, plan, run_sim, start_time
from tests.workout_files import compiled_from
from treadpace.base.clock import VirtualClock
from treadpace.base.user_error import UserError
from treadpace.engine import Command, Engine, RunState
from treadpace.engine.events import Notice, NoticeKind, StepFinished
from treadpace.plans.plan_report import step_rows
from treadpace.plans.segments import OPEN_PLANNED_S
from treadpace.plans.steps import CompiledStep
from treadpace.workouts import WorkoutError
from treadpace.workouts.fit import write_fit
from treadpace.workouts.zwo import write_zwo
from treadpace_sim.treadmill import SimulatedTreadmill


def test_open_and_free_segments_compile_to_flagged_steps() -> None:
    p = compile_text(
        "kind: custom\nsegments:\n"
        "  - {name: warm, duration: '5:00', pace: easy}\n"
        "  - {name: drills, open: true, pace: easy}\n"
        "  - {name: feel, duration: '10:00', free: true}\n"
        "  - {name: guide, distance: 1 km, free: true, pace: threshold}\n"
    )
    warm, drills, feel, guide = p.steps
    assert not (warm.open or warm.free)
    assert drills.open and not drills.free and drills.amount == OPEN_PLANNED_S
    assert feel.free and feel.speed_kmh == pytest.approx(warm.speed_kmh)  # easy is the guide
    assert feel.pace_label == "free"
    assert guide.free and guide.kind == "distance" and guide.pace_label == "free (guide threshold)"


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("{name: x, pace: easy}", "expected a duration or a distance (or open: true)"),
        ("{name: x, duration: '5:00'}", "expected a target: pace, speed, a from/to ramp,"),
        ("{duration: '5:00', from: easy, to: threshold, free: true}", "a ramp needs a set length"),
        ("{duration: '5:00', pace: easy, open: yes please}", "open"),
    ],
)
def test_bad_open_and_free_segments_are_one_line_errors(segment: str, expected: str) -> None:
    with pytest.raises(UserError) as err:
        compile_text(f"kind: custom\nsegments:\n  - {segment}\n")
    assert expected in str(err.value) and "\n" not in str(err.value)


async def test_an_open_step_runs_until_the_runner_skips_it() -> None:
    p = plan(
        CompiledStep("drills", "time", 60, 8.0, open=True),
        CompiledStep("cool", "time", 30, 7.0),
    )

    async def skip_late(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        while engine.state != RunState.RUNNING:
            await clock.sleep(1)
        await clock.sleep(200)  # far past the planned 60 s: the step is still on
        assert engine.index == 0
        await engine.command(Command.SKIP)

    o = await run_sim(p, script=skip_late)
    assert o.result.state == RunState.FINISHED
    drills = next(e for e in o.events if isinstance(e, StepFinished) and e.index == 0)
    assert drills.elapsed_s == pytest.approx(200, abs=2)
    hows = [e for e in o.events if isinstance(e, Notice) and e.kind == NoticeKind.STEP_HOW]
    assert [h.message for h in hows] == ["drills: skip it (n) when you are done"]


def _speeds_after(o: Outcome, t: float) -> list[float]:
    return [float(x.r["speed_kmh"]) for x in o.speeds() if x.t > t]  # type: ignore[arg-type]


async def test_a_free_step_sends_no_speed_and_follows_the_console() -> None:
    p = plan(
        CompiledStep("warm", "time", 60, 8.0),
        CompiledStep("feel", "time", 120, 11.0, free=True),
        CompiledStep("cool", "time", 60, 7.0),
    )

    async def press(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        while engine.index < 1:
            await clock.sleep(1)
        await clock.sleep(20)
        sim.press_speed(1.5)  # the runner picks the pace of the free step: 8.0 -> 9.5

    o = await run_sim(p, script=press)
    assert o.result.state == RunState.FINISHED
    t0 = start_time(o)
    feel_start = t0 + 60
    # Nothing is sent during the free step: not its 11 km/h guide, not a correction.
    during = [
        float(x.r["speed_kmh"])  # type: ignore[arg-type]
        for x in o.speeds()
        if feel_start - 0.5 < x.t < feel_start + 119
    ]
    assert during == []
    belt = [
        float(x.r["speed_kmh"])  # type: ignore[arg-type]
        for x in o.belts()
        if feel_start + 60 < x.t < feel_start + 119
    ]
    assert belt and min(belt) == pytest.approx(9.5, abs=0.05)
    assert _speeds_after(o, feel_start + 119)[:1] == [7.0]  # the plan again after it


OPEN_FREE = (
    "kind: custom\nsegments:\n"
    "  - {name: warm, duration: '5:00', pace: easy}\n"
    "  - {name: drills, open: true, pace: easy}\n"
    "  - {name: feel, duration: '10:00', free: true}\n"
)


def test_fit_export_and_import_keep_open_and_free_steps(tmp_path: Path) -> None:
    original = compile_text(OPEN_FREE)
    again = compiled_from(write_fit(original, 1_700_000_000.0), "x.fit", "fit", tmp_path)
    assert [(s.name, s.open, s.free) for s in again.steps] == [
        ("warm", False, False), ("drills", True, False), ("feel", False, True),
    ]  # fmt: skip
    assert [s.amount for s in again.steps] == [300.0, OPEN_PLANNED_S, 600.0]


def test_zwo_keeps_a_free_step_as_freeride_and_refuses_an_open_one(tmp_path: Path) -> None:
    free_only = compile_text(OPEN_FREE.replace("open: true", "duration: '3:00'"))
    text = write_zwo(free_only, 300.0, None)
    assert '<FreeRide Duration="600.000"/>' in text
    again = compiled_from(text.encode(), "x.zwo", "zwo", tmp_path)
    assert [s.free for s in again.steps] == [False, False, True]
    with pytest.raises(WorkoutError, match=r"'drills' is open .* export it as FIT"):
        write_zwo(compile_text(OPEN_FREE), 300.0, None)


@pytest.mark.parametrize(
    ("segment", "valid"),
    [
        ({"open": True, "pace": "easy"}, True),
        ({"duration": "10:00", "free": True}, True),
        ({"distance": "1 km", "free": True, "pace": "threshold"}, True),
        ({"pace": "easy"}, False),  # no length, not open
        ({"duration": "10:00"}, False),  # no target, not free
        ({"duration": "5:00", "free": True, "from": "easy", "to": "threshold"}, False),
        ({"open": True, "from": "easy", "to": "threshold"}, False),
        ({"duration": "5:00", "free": True, "pace": "easy", "speed": "10 km/h"}, False),
        ({"duration": "5:00", "open": "yes", "pace": "easy"}, False),
    ],
)
def test_the_schema_knows_open_and_free_as_the_loader_does(
    segment: dict[str, object], valid: bool
) -> None:
    doc = {"kind": "custom", "segments": [segment]}
    assert (errors(doc) == []) == valid
    loaded = True
    try:
        compile_text(json.dumps(doc))
    except UserError:
        loaded = False
    assert loaded == valid


def test_plan_show_says_a_step_is_open_and_free() -> None:
    rows = step_rows(compile_text(OPEN_FREE), imperial=False)
    assert [r[3] for r in rows] == ["5:00", "open (5:00)", "10:00"]
    assert rows[2][4].endswith("(free)")
