"""The setpoint path against the simulator: refused writes, console presses, odd status packets.

Each test reproduces what a runner met on a real machine (a refused write, a console
press, a garbage Machine Status) as a simulator fault, and checks that the run keeps
commanding the plan, never above the cap, and ends as what it was.
"""

from __future__ import annotations

import itertools

import pytest

from tests.sim_engine import Outcome, Script, plan, run_sim
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, RunState
from treadpace.engine.causes import GuidedCause
from treadpace.engine.events import Notice, NoticeKind
from treadpace.plans.steps import CompiledStep
from treadpace_sim.faults import Fault
from treadpace_sim.model import load_model, models_dir
from treadpace_sim.treadmill import SimulatedTreadmill


def _notices(o: Outcome, text: str) -> list[str]:
    return [e.message for e in o.events if isinstance(e, Notice) and text in e.message]


def _sent(o: Outcome) -> list[float]:
    return [float(x.r["speed_kmh"]) for x in o.speeds()]  # type: ignore[arg-type]


def _faults(*faults: Fault) -> Script:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        for fault in faults:
            sim.schedule(fault)

    return script


THREE = plan(
    CompiledStep("one", "time", 200, 9.0),
    CompiledStep("two", "time", 200, 10.0),
    CompiledStep("three", "time", 200, 11.0),
)


async def test_a_garbage_target_speed_status_is_skipped_not_an_offset() -> None:
    garbage = Fault(
        120, "garbage", "belt_start", characteristic="machine_status", data=bytes.fromhex("05ffff")
    )
    o = await run_sim(THREE, script=_faults(garbage))
    assert o.result.state == RunState.FINISHED and o.result.reason == "plan complete"
    assert not o.engine.guided
    assert not _notices(o, "console speed change")
    assert _sent(o)[-2:] == [10.0, 11.0]


async def test_a_garbage_target_incline_status_is_skipped() -> None:
    garbage = Fault(
        120, "garbage", "belt_start", characteristic="machine_status", data=bytes.fromhex("06ff7f")
    )
    p = plan(
        CompiledStep("one", "time", 200, 9.0, incline_percent=1.0),
        CompiledStep("two", "time", 200, 10.0, incline_percent=2.0),
    )
    o = await run_sim(p, script=_faults(garbage))
    inclines = [float(x.r["incline_percent"]) for x in o.commands("set_target_inclination")]  # type: ignore[arg-type]
    assert inclines == [1.0, 2.0]
    assert not o.engine.guided


def _refusals(o: Outcome) -> list[float]:
    return [x.t for x in o.commands("set_target_speed") if x.r.get("result") == "att_error_0x80"]


async def test_one_refused_speed_write_is_retried_not_guided_mode() -> None:
    refuse = Fault(150, "refuse_write", "belt_start", count=1, op="set_target_speed")
    o = await run_sim(THREE, script=_faults(refuse))
    assert not o.engine.guided
    assert not _notices(o, "guided")
    assert o.result.state == RunState.FINISHED and o.result.reason == "plan complete"
    (refused,) = _refusals(o)
    retry = next(x.t for x in o.speeds() if float(x.r["speed_kmh"]) == 10.0)  # type: ignore[arg-type]
    assert 0.45 <= retry - refused <= 1.0  # after the first backoff, on the clock
    assert _sent(o)[-2:] == [10.0, 11.0]


async def test_refusals_back_off_and_a_later_acceptance_keeps_control() -> None:
    refuse = Fault(150, "refuse_write", "belt_start", count=3, op="set_target_speed")
    o = await run_sim(THREE, script=_faults(refuse))
    times = _refusals(o)
    gaps = [round(b - a, 1) for a, b in itertools.pairwise(times)]
    assert len(times) == 3 and gaps == [0.5, 1.0]
    assert not o.engine.guided
    assert _sent(o)[-2:] == [10.0, 11.0]


async def test_a_machine_that_keeps_refusing_is_guided_after_the_bounded_retries() -> None:
    refuse = Fault(150, "refuse_write", "belt_start", count=1000, op="set_target_speed")
    o = await run_sim(THREE, script=_faults(refuse))
    times = _refusals(o)
    assert len(times) == 4  # the write and three retries, 0.5 + 1 + 2 s apart
    assert round(times[-1] - times[0], 1) == 3.5
    assert o.engine.guided and o.engine.guided_cause == GuidedCause.SPEED_REFUSED
    assert _notices(o, "(4 times): guided mode")
    assert _sent(o) == [9.0]


async def test_a_refused_write_never_counts_as_sent_for_the_obey_watchdog() -> None:
    """Refused twice at the step change, the belt stays at the old speed: not "ignored"."""
    cfg = EngineConfig(countdown_s=0, obey_timeout_s=2.0)
    refuse = Fault(150, "refuse_write", "belt_start", count=2, op="set_target_speed")
    o = await run_sim(THREE, config=cfg, script=_faults(refuse))
    assert not o.engine.guided
    assert _sent(o)[-2:] == [10.0, 11.0]


def _controllable_models() -> list[str]:
    """Shipped models whose speed treadpace commands for the whole run.

    Not `mph-wire`: its km/h fields carry mph, and the unit cross-check rightly ends
    commanding (tested with the cross-check).
    """
    out = []
    for path in sorted(models_dir().glob("*.yaml")):
        m = load_model(path.stem)
        if (
            m.has_control_point
            and m.request_control != "refuse"
            and m.speed_target == "accept"
            and m.wire_speed_unit == "kmh"
        ):
            out.append(m.name)
    return out


THIRDS = plan(
    CompiledStep("first third", "time", 180, 9.0),
    CompiledStep("second third", "time", 60, 10.0),
    CompiledStep("last third", "time", 60, 11.0),
)
"""Thirds in five minutes: the press lands on a settled belt a minute before the first
change, four times the watchdog's 15 s, and each later third outlasts it too."""


@pytest.mark.parametrize("delta", [-0.5, -1.0])
@pytest.mark.parametrize("model", _controllable_models())
async def test_a_console_press_restarts_the_watchdog_on_every_model(
    model: str, delta: float
) -> None:
    """A press at 2:00 of thirds is an offset, and the progression goes on being sent."""
    press = Fault(120, "press_speed", "belt_start", delta=delta)
    o = await run_sim(THIRDS, model=model, script=_faults(press))
    assert not o.engine.guided, _notices(o, "guided")
    assert _notices(o, "console speed change respected")
    assert o.result.state == RunState.FINISHED and o.result.reason == "plan complete"
    pressed = next(x.t for x in o.records if x.r.get("action") == "press_speed")
    later = [float(x.r["speed_kmh"]) for x in o.speeds() if x.t > pressed]  # type: ignore[arg-type]
    grid = o.engine.speed_grid
    expected = [grid.quantise(10.0), grid.quantise(11.0)]
    if expected[0] == expected[1]:  # a machine whose max is below the plan
        expected = expected[:1]
    assert later == expected  # the rest of the progression was commanded


async def test_a_press_back_to_the_previous_step_speed_is_the_runners_not_an_echo() -> None:
    press = Fault(300, "press_speed", "belt_start", delta=-1.0)  # 10 back to step one's 9
    p = plan(CompiledStep("one", "time", 200, 9.0), CompiledStep("two", "time", 400, 10.0))
    o = await run_sim(p, script=_faults(press))
    assert not o.engine.guided, _notices(o, "guided")
    assert _notices(o, "console speed change respected")


async def test_a_console_press_above_the_cap_holds_for_the_step_then_the_plan_returns() -> None:
    """The plan is above the cap; the runner presses past it; the next step corrects."""
    p = plan(CompiledStep("hard", "time", 200, 12.5), CompiledStep("harder", "time", 200, 13.0))
    cfg = EngineConfig(countdown_s=0, max_speed_kmh=12.0)
    press = Fault(100, "press_speed", "belt_start", delta=1.0)  # 12.0 -> 13.0 on the console
    o = await run_sim(p, config=cfg, script=_faults(press))
    pressed = next(x.t for x in o.records if x.r.get("action") == "press_speed")
    assert max(_sent(o)) <= 12.0  # rule 1: never commanded above the cap
    assert not [x for x in o.speeds() if pressed < x.t < 199]  # the runner's press stands
    assert [float(x.r["speed_kmh"]) for x in o.speeds() if x.t > pressed] == [12.0]  # type: ignore[arg-type]
    during = [float(x.r["speed_kmh"]) for x in o.belts() if pressed + 5 < x.t < 199]  # type: ignore[arg-type]
    after = [float(x.r["speed_kmh"]) for x in o.belts() if 215 < x.t < 399]  # type: ignore[arg-type]
    assert during and min(during) == 13.0
    assert after and max(after) <= 12.0
    kinds = [e.kind for e in o.events if isinstance(e, Notice)]
    assert NoticeKind.ABOVE_CAP in kinds
    assert not o.engine.guided


@pytest.mark.parametrize("policy", ["offset", "hold"])
async def test_nudges_stop_at_the_cap_so_the_first_press_back_counts(policy: str) -> None:
    p = plan(CompiledStep("steady", "time", 300, 10.0))
    cfg = EngineConfig(countdown_s=0, max_speed_kmh=12.0, manual_change=policy)  # type: ignore[arg-type]

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(30)
        if policy == "hold":
            sim.press_speed(0.5)  # a console press: the step holds 10.5
            await clock.sleep(10)
        for _ in range(80):
            await engine.command(Command.NUDGE_UP)
        await clock.sleep(30)
        for _ in range(10):
            await engine.command(Command.NUDGE_DOWN)
        await clock.sleep(30)

    o = await run_sim(p, config=cfg, script=script)
    sent = _sent(o)
    assert max(sent) == 12.0  # rule 1
    assert sent[-1] == 11.0  # ten presses down from the cap, not from 18 km/h


@pytest.mark.parametrize("model", ["generic", "mph-console", "incline-refused"])
async def test_rule1_holds_through_refusals_garbage_presses_and_nudges(model: str) -> None:
    """Every path of this module at once, with a cap below the plan: nothing above it."""
    cap = 9.55
    p = plan(
        CompiledStep("one", "time", 200, 9.0, end_speed_kmh=10.5),
        CompiledStep("two", "time", 200, 11.0),
        CompiledStep("three", "time", 200, 12.0),
    )
    faults = (
        Fault(50, "refuse_write", "belt_start", count=2, op="set_target_speed"),
        Fault(90, "garbage", "belt_start", characteristic="machine_status", data=b"\x05\xff\xff"),
        Fault(120, "press_speed", "belt_start", delta=2.0),  # above the cap
        Fault(250, "press_speed", "belt_start", delta=-1.0),
    )

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        for fault in faults:
            sim.schedule(fault)
        await clock.sleep(450)
        for _ in range(80):
            await engine.command(Command.NUDGE_UP)
        await clock.sleep(20)
        await engine.command(Command.NUDGE_DOWN)

    o = await run_sim(
        p, model=model, config=EngineConfig(countdown_s=0, max_speed_kmh=cap), script=script
    )
    top = min(cap, o.engine.speed_grid.maximum)
    answered = [x for x in o.commands("set_target_speed") if "speed_kmh" in x.r]
    commanded = [float(x.r["speed_kmh"]) for x in answered]  # type: ignore[arg-type]
    assert commanded and max(commanded) <= top + 1e-9
    assert not o.engine.guided
    assert _sent(o)[-1] < _sent(o)[-2]  # the press down after the pile of presses up counted


async def test_after_a_console_restart_the_step_target_within_the_cap_is_applied_again() -> None:
    p = plan(CompiledStep("hard", "time", 400, 12.5))
    cfg = EngineConfig(countdown_s=0, max_speed_kmh=12.0)
    faults = (
        Fault(100, "press_speed", "belt_start", delta=1.0),  # 13.0: above the cap
        Fault(150, "press_stop", "belt_start"),
        Fault(200, "press_start", "belt_start"),  # once the belt stands
    )
    o = await run_sim(p, config=cfg, script=_faults(*faults))
    restarted = next(x.t for x in o.records if x.r.get("action") == "press_start")
    assert [v for x, v in zip(o.speeds(), _sent(o), strict=True) if x.t >= restarted] == [12.0]
    late = [float(x.r["speed_kmh"]) for x in o.belts() if restarted + 60 < x.t < 399]  # type: ignore[arg-type]
    assert late and max(late) <= 12.0
