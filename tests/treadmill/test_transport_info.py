"""`treadpace info`'s description agrees with itself: incline and control from one source.

The description is built from an `FtmsTreadmill` connected to the software treadmill
(the same object `info` builds over Bluetooth), on every shipped model.
"""

from __future__ import annotations

import pytest

from treadpace.base.clock import VirtualClock
from treadpace.treadmill.describe import describe as describe_lines
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.model import list_models
from treadpace_sim.treadmill import SimulatedTreadmill


async def describe(model: str) -> list[str]:
    clock = VirtualClock()

    async def go() -> list[str]:
        sim = SimulatedTreadmill(model, clock)
        await sim.start()
        treadmill = FtmsTreadmill(SimLink(sim), clock)
        await treadmill.connect()
        try:
            return describe_lines(treadmill)
        finally:
            await treadmill.disconnect()
            await sim.close()

    return await clock.drive(go())


def line(lines: list[str], key: str) -> str:
    return next(x for x in lines if x.startswith(key))


async def test_a_treadmill_without_incline_is_not_said_to_set_incline() -> None:
    lines = await describe("mph-grid")
    assert line(lines, "incline:") == "incline: not adjustable by treadpace"
    control = line(lines, "control:")
    assert "set speed (not incline" in control and "speed and incline" not in control


@pytest.mark.parametrize("model", list_models())
async def test_incline_and_control_lines_agree_on_every_model(model: str) -> None:
    lines = await describe(model)
    no_incline = line(lines, "incline:") == "incline: not adjustable by treadpace"
    control = line(lines, "control:")
    if no_incline:
        assert "speed and incline" not in control and "set incline" not in control
    elif "read-only" not in control:
        assert "incline" in control and "not incline" not in control
