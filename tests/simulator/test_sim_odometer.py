"""The simulator's Total Distance counters: from power-on, a lifetime odometer, one that jumps.

What goes on the wire is the machine's own counter; the belt's physical distance
(`sim.belt.distance_m`) stays what the belt ran, so tests can compare the two.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from treadpace.base.clock import VirtualClock
from treadpace.base.user_error import UserError
from treadpace.ftms import TreadmillDataMerger, decode_treadmill_data
from treadpace_sim.faults import Fault
from treadpace_sim.model import load_model
from treadpace_sim.testing import Central
from treadpace_sim.treadmill import SimulatedTreadmill

DATA = 0x2ACD
Body = Callable[[SimulatedTreadmill, Central, VirtualClock], Awaitable[None]]


async def _with(model: str, body: Body, faults: list[Fault] | None = None) -> Central:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model(model), clock, faults=faults)
    c = Central(sim)

    async def run() -> None:
        await sim.start()
        c.connect()
        await asyncio.sleep(0)
        await body(sim, c, clock)
        await sim.close()

    await clock.drive(run())
    return c


def totals(c: Central) -> list[tuple[float, int]]:
    """(time, Total Distance) of every complete record that carries it."""
    merger = TreadmillDataMerger()
    out: list[tuple[float, int]] = []
    for r in c.on(DATA):
        record = merger.feed(decode_treadmill_data(r.data))
        if record is not None and record.total_distance_m is not None:
            out.append((r.t, record.total_distance_m))
    return out


async def _run_for(sim: SimulatedTreadmill, c: Central, clock: VirtualClock, s: float) -> None:
    await c.write("00")
    await c.write("02 E8 03")  # 10 km/h
    await c.write("07")
    await clock.sleep(s)


async def test_power_on_counter_starts_high_and_a_reset_zeroes_it() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(3)
        assert totals(c)[-1][1] == 8350  # before the belt moved
        await _run_for(sim, c, clock, 60)
        ran = sim.belt.distance_m
        assert 120 < ran < 170
        assert 0 <= 8350 + ran - totals(c)[-1][1] < 4  # the last packet is up to 1 s old
        await c.write("08 01")  # stop
        await clock.sleep(30)
        await c.write("01")  # Reset
        await clock.sleep(3)

    c = await _with("odometer-power-on", body)
    assert totals(c)[-1][1] == 0


async def test_lifetime_odometer_survives_a_reset_and_a_reboot() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await _run_for(sim, c, clock, 60)
        before = totals(c)[-1][1]
        assert before > 1234567 + 100
        await c.write("08 01")
        await clock.sleep(30)
        await c.write("01")  # Reset: the belt's counters restart, the odometer does not
        await clock.sleep(3)
        assert totals(c)[-1][1] >= before and sim.belt.distance_m == 0
        sim.reboot(down_for=2)
        await clock.sleep(5)
        c.connect()
        await clock.sleep(3)
        assert totals(c)[-1][1] >= before

    await _with("odometer-lifetime", body)


async def test_odometer_jump_fault_moves_the_counter_not_the_belt() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await _run_for(sim, c, clock, 30)
        belt_before = sim.belt.distance_m
        await clock.sleep(2)
        ran = sim.belt.distance_m - belt_before
        assert ran < 10  # two seconds at 10 km/h
        jumped = [b - a for (_, a), (_, b) in itertools.pairwise(totals(c))]
        assert max(jumped) > 5000

    await _with("generic", body, faults=[Fault(25, "odometer_jump", delta=5000)])


async def test_the_jump_model_jumps_forward_then_back() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await _run_for(sim, c, clock, 300)

    c = await _with("odometer-jump", body)
    steps = [b - a for (_, a), (_, b) in itertools.pairwise(totals(c))]
    assert totals(c)[0][1] == 730
    assert max(steps) >= 4200 and min(steps) <= -2990
    assert sum(1 for s in steps if abs(s) > 10) == 2


def test_a_bad_odometer_section_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "odo.yaml"
    path.write_text("name: odo\nodometer: {start: -5}\n")
    with pytest.raises(UserError, match=r"odo.yaml:2: odometer.start: expected a number from 0"):
        load_model(path)
    path.write_text("name: odo\nodometer: {start: 5, wraps: true}\n")
    with pytest.raises(UserError, match=r"odometer.wraps"):
        load_model(path)
