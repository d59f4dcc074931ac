"""The compliant session of ftms.md §9.11, byte for byte, against the generic model."""

from __future__ import annotations

import asyncio

from treadpace.base.clock import VirtualClock
from treadpace.ftms import FEATURE, INCLINATION_RANGE, SPEED_RANGE
from treadpace_sim.model import load_model
from treadpace_sim.testing import Central
from treadpace_sim.treadmill import SimulatedTreadmill

CP, STATUS, TRAINING, DATA = 0x2AD9, 0x2ADA, 0x2AD3, 0x2ACD


def _hex(data: bytes) -> str:
    return data.hex(" ").upper()


async def test_section_9_11_session_byte_for_byte() -> None:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model("generic"), clock)
    central = Central(sim)

    async def session() -> None:
        await sim.start()
        sim.connect()
        assert _hex(await sim.read(FEATURE)) == "1D 16 00 00 03 00 00 00"
        assert _hex(await sim.read(SPEED_RANGE)) == "50 00 D0 07 0A 00"
        assert _hex(await sim.read(INCLINATION_RANGE)) == "00 00 78 00 0A 00"
        central.connect()  # CCCDs: 2ACD, 2ADA, 2AD3 = 01 00; 2AD9 = 02 00
        await asyncio.sleep(0)
        assert [r.hex for r in central.received] == ["00 01"]  # idle
        assert [r.hex for r in await central.write("02 E8 03")] == ["80 02 05"]
        assert [r.hex for r in await central.write("00")] == ["80 00 01"]
        got = await central.write("07")
        assert [(r.uuid, r.hex) for r in got] == [(CP, "80 07 01"), (TRAINING, "00 0D")]
        await clock.sleep(3.0)
        assert [r.hex for r in await central.write("02 E8 03")] == ["80 02 01"]
        await clock.sleep(25.0)  # 2 -> 10 km/h at 0.5 km/h/s
        sim.press_speed(+0.2)  # the runner presses + on the console
        await clock.sleep(1.0)
        assert [r.hex for r in await central.write("08 02")] == ["80 08 01"]
        await clock.sleep(25.0)
        assert [r.hex for r in await central.write("07")] == ["80 07 01"]
        await clock.sleep(10.0)
        sim.pull_safety_key()
        await clock.sleep(10.0)
        assert [r.hex for r in await central.write("07")] == ["80 07 04"]
        assert [r.hex for r in await central.write("01")] == ["80 01 01", "00 01"]
        # control is released: the next op needs 00 again
        assert [r.hex for r in await central.write("02 E8 03")] == ["80 02 05"]
        await clock.sleep(1.0)
        await sim.close()

    await clock.drive(session())

    non_data = [(r.uuid, r.hex) for r in central.received if r.uuid != DATA]
    assert non_data == [
        (TRAINING, "00 01"),  # idle, on subscription
        (CP, "80 02 05"),
        (CP, "80 00 01"),
        (CP, "80 07 01"),
        (TRAINING, "00 0D"),  # manual mode
        (CP, "80 02 01"),
        (STATUS, "05 FC 03"),  # 10.20 km/h by the user
        (CP, "80 08 01"),
        (CP, "80 07 01"),
        (STATUS, "03"),  # safety key
        (TRAINING, "00 0F"),  # post-workout once the belt stands
        (CP, "80 07 04"),
        (CP, "80 01 01"),
        (TRAINING, "00 01"),  # Reset sets Training Status to Idle (§4.3)
        (CP, "80 02 05"),
    ]

    speeds = central.speeds()
    first_start = speeds.index(0.8)
    ramp = speeds[: speeds.index(10.0) + 1]
    assert ramp == sorted(ramp)  # the belt ramps up, never jumps back
    assert 0.8 in speeds[first_start:] and 2.0 in speeds and 10.0 in speeds and 10.2 in speeds
    assert speeds[-1] == 0.0
    # every Treadmill Data notification fits the default MTU (split records, §4.19)
    assert all(len(r.data) <= 20 for r in central.on(DATA))
