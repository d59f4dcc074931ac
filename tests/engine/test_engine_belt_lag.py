"""Belt lag: learnt from telemetry, and a change asked for early enough to share the ramp."""

from __future__ import annotations

import pytest

from tests.sim_engine import Outcome, plan, run_sim, start_time
from treadpace.base.clock import VirtualClock
from treadpace.cues.driver import CueDriver
from treadpace.engine import Engine, EngineConfig
from treadpace.engine.belt_lag import MAX_LEAD_S, BeltLag
from treadpace.engine.events import Cue, CueKind
from treadpace.engine.true_pace import TruePaceConfig
from treadpace.plans.steps import CompiledStep
from treadpace_sim.treadmill import SimulatedTreadmill

LEAD = EngineConfig(countdown_s=0, true_pace=TruePaceConfig(lead=True))


def test_the_rates_are_learnt_from_a_belt_on_its_way() -> None:
    lag = BeltLag()
    assert lag.lead_s(9.0, 10.0) == 0.0  # nothing seen yet: nothing early
    for k in range(6):  # 0.2 km/h a second up towards 12
        lag.feed(float(k), 10.0 + 0.2 * k, 12.0, 0.1)
    for k in range(6, 12):  # and 0.3 down towards 8
        lag.feed(float(k), 11.0 - 0.3 * (k - 6), 8.0, 0.1)
    assert lag.up_kmh_s == pytest.approx(0.2)
    assert lag.down_kmh_s == pytest.approx(0.3)
    assert lag.lead_s(10.0, 11.2) == pytest.approx(3.0)  # half the 6 s ramp
    assert lag.lead_s(11.0, 9.2) == pytest.approx(3.0)
    assert lag.lead_s(8.0, 18.0) == MAX_LEAD_S


def test_a_steady_or_wandering_belt_teaches_nothing() -> None:
    lag = BeltLag()
    for k in range(10):
        lag.feed(float(k), 10.0 + (0.05 if k % 2 else 0.0), 10.0, 0.1)  # on its target
        lag.feed(float(k) + 0.5, 9.0, None, 0.1)  # nothing sent
    assert lag.up_kmh_s is None and lag.down_kmh_s is None


STEPS = plan(
    CompiledStep("one", "time", 120, 9.0),
    CompiledStep("two", "time", 120, 10.2),
    CompiledStep("three", "time", 120, 9.6),
    CompiledStep("four", "time", 120, 10.8),
    CompiledStep("five", "time", 120, 9.0),
)


def _speed_times(o: Outcome) -> list[tuple[float, float]]:
    t0 = start_time(o)
    return [(x.t - t0, float(str(x.r["speed_kmh"]))) for x in o.speeds()]


async def test_each_change_goes_out_half_a_ramp_early_and_the_end_never() -> None:
    on = await run_sim(STEPS, model="slow-belt", config=LEAD)  # 0.2 up, 0.3 down
    off = await run_sim(STEPS, model="slow-belt")
    sent = _speed_times(on)
    assert [v for _, v in sent] == [9.0, 10.2, 9.6, 10.8, 9.0]
    assert [round(t, 1) for t, _ in _speed_times(off)][1:] == [120.0, 240.0, 360.0, 480.0]
    _, (t2, _), (t3, _), (t4, _), (t5, _) = sent
    assert t2 == pytest.approx(120 - 1.2 / 0.4, abs=1.1)  # half the ramp at 0.2 up: 3 s
    assert t3 == pytest.approx(240, abs=0.1)  # no slowing down seen yet: on the plan clock
    assert t4 == pytest.approx(360 - 1.2 / 0.4, abs=1.1)
    assert t5 == pytest.approx(480 - 1.8 / 0.6, abs=1.1)  # 0.3 down, learnt at 240: 3 s
    stop = next(x.t for x in on.commands("stop_or_pause")) - start_time(on)
    assert stop == pytest.approx(600, abs=0.1)  # the end is never anticipated


async def test_no_change_comes_early_while_the_runner_holds_a_console_speed() -> None:
    async def press(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(150.0)
        sim.press_speed(0.5)

    o = await run_sim(STEPS, model="slow-belt", config=LEAD, script=press)
    t3 = [t for t, v in _speed_times(o) if v == 9.6]
    assert t3 and t3[0] == pytest.approx(240, abs=0.1)  # on the plan clock, not early


def _cues(o: Outcome) -> list[Cue]:
    """The run's events played through the cue driver, each cue at the time it fires."""
    driver, out, now = CueDriver(), [], 0.0
    for e in o.events:
        t = float(getattr(e, "t", now))
        while (due := driver.due(now)) <= t:
            out += driver.fire(due)
            now = max(now, due + 1e-6)
        out += driver.feed(e, t)
        now = t
    return out


async def test_the_cues_come_with_the_early_change() -> None:
    o = await run_sim(STEPS, model="slow-belt", config=LEAD)
    sent = dict((round(v, 1), t) for t, v in _speed_times(o))
    t0 = start_time(o)
    cues = _cues(o)
    change = next(c for c in cues if c.kind == CueKind.CHANGE and c.step_index == 3)
    assert change.t - t0 == pytest.approx(sent[10.8], abs=1.1)
    assert sent[10.8] < 360 - 1.5  # and that change did come early
    one = next(c for c in cues if c.kind == CueKind.COUNTDOWN and c.step_index == 3
               and c.seconds == 1)
    assert sent[10.8] - (one.t - t0) == pytest.approx(1.0, abs=1.1)


async def test_sharing_the_ramp_brings_each_short_steps_mean_closer_to_its_target() -> None:
    from tests.true_pace_runs import true_run
    from treadpace.plans.steps import CompiledPlan
    from treadpace_sim.model import load_model

    speeds = (9.0, 10.5, 12.0, 13.5, 12.0, 10.5)
    steps = tuple(CompiledStep(f"s{i}", "time", 60.0, v) for i, v in enumerate(speeds))
    p = CompiledPlan("minutes", "custom", steps)
    model = load_model("slow-belt")
    late = await true_run(model, p, TruePaceConfig(lead=False))
    early = await true_run(model, p, TruePaceConfig(lead=True))
    assert late.worst() > 1.0  # a 1.5 km/h change at 0.2 km/h/s costs a minute's mean 1 %
    assert early.worst() < 0.8 * late.worst()
