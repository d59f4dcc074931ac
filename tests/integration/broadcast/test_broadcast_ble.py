"""The broadcast through the BlueZ stand-in: bleak, as a watch and as Zwift, reads a simulated run.

The run is the real engine on the software treadmill (in-process link) at 20x;
the broadcast registers on hci1, the stand-in mirrors it to hci0, and bleak
scans for 0x1814 and 0x1826, subscribes, and checks every notification against
the engine's Ticks (what the recorder keeps) within the encodings' resolution:
1/256 m/s and 0.1 m for RSC, 0.01 km/h and 1 m for Treadmill Data.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bleak import BleakClient

from tests.run_proc import env, start_async_in
from treadpace.base.clock import ScaledClock
from treadpace.broadcast import Broadcaster
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunFinished
from treadpace.engine.events import Notice, NoticeKind, Tick
from treadpace.engine.odometer import Odometer
from treadpace.ftms import decode_feature, decode_speed_range, decode_treadmill_data
from treadpace.ftms.control_point import ResultCode, decode_control_response
from treadpace.ftms.rsc import RscFeatureBit, decode_rsc_feature, decode_rsc_measurement
from treadpace.ftms.uuids import (
    CONTROL_POINT,
    FEATURE,
    FTMS_SERVICE,
    RSC_FEATURE,
    RSC_MEASUREMENT,
    RSC_SERVICE,
    SC_CONTROL_POINT,
    SPEED_RANGE,
    TREADMILL_DATA,
)
from treadpace.plans.broadcast_settings import BroadcastSettings
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.ble import find_device
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.bluez import FakeBlueZ, PrivateBus
from treadpace_sim.treadmill import SimulatedTreadmill

RSC_SPEED_KMH = 3.6 / 256 / 2 + 1e-9  # half a step of 1/256 m/s
RSC_DISTANCE_M = 0.1 + 1e-9  # floored to decimetres


@pytest.fixture
async def bluez(private_bus: PrivateBus) -> AsyncIterator[FakeBlueZ]:
    async with FakeBlueZ() as fake:
        yield fake


@dataclass
class Run:
    clock: ScaledClock
    sim: SimulatedTreadmill
    engine: Engine
    broadcaster: Broadcaster
    hub: EventHub
    ticks: list[Tick] = field(default_factory=list)
    news: asyncio.Event = field(default_factory=asyncio.Event)
    """Set on every Tick and every notification bleak receives (see `until`)."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    sim_log: list[dict[str, object]] = field(default_factory=list)


async def start_run(
    steps: tuple[CompiledStep, ...], *, scale: float = 20, start: bool = True
) -> tuple[Run, asyncio.Task[RunFinished]]:
    """The run, broadcasting; started at once, or (`start=False`) left READY for the test
    to start once its watch listens, so that every Tick of the run reaches the watch."""
    clock = ScaledClock(scale)
    log: list[dict[str, object]] = []
    sim = SimulatedTreadmill("generic", clock, observers=[lambda _t, r: log.append(r)])
    await sim.start()
    hub = EventHub()
    settings = BroadcastSettings(services=["rsc", "ftms"], adapter="hci1", name="treadpace test")
    broadcaster = Broadcaster(settings, clock, hub)
    await broadcaster.start()
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    broadcaster.attach(treadmill)
    engine = Engine(
        treadmill, CompiledPlan("b", "custom", steps), EngineConfig(countdown_s=0), clock, hub
    )
    run = Run(clock, sim, engine, broadcaster, hub, sim_log=log)
    run.tasks.append(asyncio.create_task(broadcaster.run(hub.subscribe())))
    watch = hub.subscribe()

    async def collect() -> None:
        async for event in watch:
            if isinstance(event, Tick):
                run.ticks.append(event)
                run.news.set()
            elif isinstance(event, Notice):
                run.notices.append(event)

    run.tasks.append(asyncio.create_task(collect()))
    task = asyncio.create_task(engine.run())
    if start:
        await engine.command(Command.START)
    return run, task


async def until(run: Run, condition: Callable[[], bool]) -> None:
    """Wait (bounded) for something the run or bleak reports, never a fixed sleep."""
    async with asyncio.timeout(30):
        while not condition():
            run.news.clear()
            await run.news.wait()


async def finish(run: Run, task: asyncio.Task[RunFinished]) -> RunFinished:
    result = await asyncio.wait_for(task, 60)
    run.hub.close()
    await asyncio.gather(*run.tasks)
    await run.broadcaster.stop()
    await run.sim.close()
    return result


def stood_still(run: Run, speeds: list[float]) -> bool:
    """The run is over and the footpod said so (0 speed after the last Tick)."""
    return run.broadcaster.feed.finished and bool(speeds) and speeds[-1] == 0.0


def matches_a_tick(speed_kmh: float, distance_m: float, ticks: list[Tick], tol: float) -> bool:
    return any(
        abs(speed_kmh - t.speed_kmh) <= RSC_SPEED_KMH and 0 <= t.distance_m - distance_m < tol
        for t in ticks
    )


async def test_a_watch_reads_speed_and_distance_of_the_run(bluez: FakeBlueZ) -> None:
    # Started once the watch listens: every notification is held to a Tick, so how fast
    # the clock runs changes how many land per real second, not what they must say.
    run, task = await start_run(
        (CompiledStep("a", "time", 40, 10.0), CompiledStep("b", "time", 40, 12.0)),
        scale=50,
        start=False,
    )
    try:
        device, adv = await find_device(None, timeout=5.0, service_uuid=RSC_SERVICE)
        assert adv.local_name == "treadpace test"
        assert FTMS_SERVICE in adv.service_uuids
        samples: list[tuple[float, float, bool]] = []

        def on_rsc(_: object, data: bytearray) -> None:
            m = decode_rsc_measurement(bytes(data))
            assert m.total_distance_m is not None
            samples.append((m.speed_mps * 3.6, m.total_distance_m, m.running))
            run.news.set()

        async with BleakClient(device) as watch:
            feature = decode_rsc_feature(bytes(await watch.read_gatt_char(RSC_FEATURE)))
            assert feature.supports(RscFeatureBit.TOTAL_DISTANCE)
            await watch.start_notify(RSC_MEASUREMENT, on_rsc)
            await run.engine.command(Command.START)
            await asyncio.wait_for(task, 60)
            await until(run, lambda: stood_still(run, [s[0] for s in samples]))
    finally:
        result = await finish(run, task)
    moving = [s for s in samples if s[0] > 0]
    assert len(moving) >= 40  # 80 s of run at >= 1 Hz
    for speed, distance, running in moving:
        assert matches_a_tick(speed, distance, run.ticks, RSC_DISTANCE_M), (speed, distance)
        assert running == (speed >= 7.0)
    assert any(abs(s - 12.0) <= RSC_SPEED_KMH for s, _, _ in moving)
    distances = [d for _, d, _ in samples]
    assert distances == sorted(distances)
    assert 0 <= result.distance_m - distances[-1] < RSC_DISTANCE_M
    assert samples[-1][0] == 0.0  # the run is over: the footpod stands still
    kinds = [n.kind for n in run.notices]
    assert NoticeKind.BROADCAST_CLIENT in kinds


async def test_zwift_sees_the_treadmill_and_is_refused_control(bluez: FakeBlueZ) -> None:
    run, task = await start_run((CompiledStep("a", "time", 40, 10.0),), scale=50, start=False)
    data: list[tuple[float, int]] = []
    answers: list[bytes] = []

    def answer(raw: bytearray) -> None:
        answers.append(bytes(raw))
        run.news.set()

    def on_data(_: object, raw: bytearray) -> None:
        td = decode_treadmill_data(bytes(raw))
        assert td.speed_kmh is not None and td.total_distance_m is not None
        data.append((td.speed_kmh, td.total_distance_m))
        run.news.set()

    try:
        device, _ = await find_device(None, timeout=5.0, service_uuid=FTMS_SERVICE)
        async with BleakClient(device) as zwift:
            feature = decode_feature(bytes(await zwift.read_gatt_char(FEATURE)))
            assert int(feature.target) == 0  # nothing to control here
            speeds = decode_speed_range(bytes(await zwift.read_gatt_char(SPEED_RANGE)))
            assert speeds == run.engine.treadmill.speed_range
            await zwift.start_notify(TREADMILL_DATA, on_data)
            await zwift.start_notify(CONTROL_POINT, lambda _, raw: answer(raw))
            await run.engine.command(Command.START)
            for request in ("00", "07", "02 cf 07", "08 01"):  # control, start, 19.99 km/h, stop
                await zwift.write_gatt_char(CONTROL_POINT, bytes.fromhex(request), response=True)
            await until(run, lambda: len(answers) == 4)
            await asyncio.wait_for(task, 60)
    finally:
        await finish(run, task)
    assert [decode_control_response(a).result for a in answers] == [
        ResultCode.CONTROL_NOT_PERMITTED
    ] * 4
    assert [decode_control_response(a).request_op for a in answers] == [0x00, 0x07, 0x02, 0x08]
    # the treadmill heard only the engine: no 19.99 km/h, one start, stop at the end only
    speeds_set = [r.get("speed_kmh") for r in run.sim_log if r.get("op") == "set_target_speed"]
    assert 19.99 not in speeds_set
    assert len([r for r in run.sim_log if r.get("op") == "start_or_resume"]) == 1
    moving = [d for d in data if d[0] > 0]
    assert len(moving) >= 20
    for speed, distance in moving:
        assert any(
            abs(speed - t.speed_kmh) <= 0.005 + 1e-9 and 0 <= t.distance_m - distance < 1
            for t in run.ticks
        ), (speed, distance)


async def test_a_belt_link_drop_reads_as_standing_still_without_a_distance_jump(
    bluez: FakeBlueZ,
) -> None:
    run, task = await start_run((CompiledStep("a", "time", 45, 12.0),))
    samples: list[tuple[float, float, float]] = []  # (clock time, km/h, m)

    def on_rsc(_: object, raw: bytearray) -> None:
        m = decode_rsc_measurement(bytes(raw))
        assert m.total_distance_m is not None
        samples.append((run.clock.now(), m.speed_mps * 3.6, m.total_distance_m))
        run.news.set()

    try:
        device, _ = await find_device(None, timeout=5.0, service_uuid=RSC_SERVICE)
        async with BleakClient(device) as watch:
            await watch.start_notify(RSC_MEASUREMENT, on_rsc)
            await until(run, lambda: bool(run.ticks) and run.ticks[-1].speed_kmh >= 11.9)
            run.sim.drop_link(down_for=8.0)  # the belt keeps running; its radio does not
            await asyncio.wait_for(task, 60)
            await until(run, lambda: stood_still(run, [s[1] for s in samples]))
    finally:
        result = await finish(run, task)
    lost = next(n.t for n in run.notices if n.kind == NoticeKind.LINK_LOST)
    back = next(t.t for t in run.ticks if t.t > lost)
    # (a sample sent just before the drop may still be on its way when the notice is out)
    during = [s for s in samples if lost + 0.5 <= s[0] < back]
    assert during and all(speed == 0.0 for _, speed, _ in during)
    assert back - lost >= 8.0
    after = [s for s in samples if s[0] >= back and s[1] > 0]
    assert after, "the footpod runs again once the belt's link is back"
    steps = [b[2] - a[2] for a, b in itertools.pairwise(samples)]
    assert min(steps) >= 0
    # The footpod moves no further than the run did between two of its own readings (on a
    # busy machine a 100 ms stall is 2 s of this 20x clock between readings, 6.7 m)...
    ticks = [t.distance_m for t in run.ticks]
    assert max(steps) <= max(b - a for a, b in itertools.pairwise(ticks)) + 0.1
    # ... and the run never counts the gap: across it at most the odometer's estimate from
    # the last reading to the drop (its horizon at most) and a reading, less than the gap.
    before = max(t.distance_m for t in run.ticks if t.t <= lost)
    across = next(t.distance_m for t in run.ticks if t.t >= back) - before
    assert across < 12.0 / 3.6 * (Odometer.HORIZON_S + 1.5) < 12.0 / 3.6 * (back - lost)
    assert 0 <= result.distance_m - samples[-1][2] < RSC_DISTANCE_M
    for _, speed, distance in after:
        assert matches_a_tick(speed, distance, run.ticks, RSC_DISTANCE_M)


async def test_a_watch_resets_the_footpod_total_not_the_run(bluez: FakeBlueZ) -> None:
    run, task = await start_run((CompiledStep("a", "time", 30, 10.0),))
    answers: list[bytes] = []
    totals: list[float] = []
    speeds: list[float] = []

    def on_rsc(_: object, raw: bytearray) -> None:
        m = decode_rsc_measurement(bytes(raw))
        totals.append(m.total_distance_m or 0.0)
        speeds.append(m.speed_mps)
        run.news.set()

    try:
        device, _ = await find_device(None, timeout=5.0, service_uuid=RSC_SERVICE)
        async with BleakClient(device) as watch:
            await watch.start_notify(SC_CONTROL_POINT, lambda _, raw: answers.append(bytes(raw)))
            await until(run, lambda: bool(run.ticks) and run.ticks[-1].distance_m >= 20)
            await watch.write_gatt_char(SC_CONTROL_POINT, bytes.fromhex("01 00 00 00 00"), True)
            await watch.start_notify(RSC_MEASUREMENT, on_rsc)
            await asyncio.wait_for(task, 60)
            await until(run, lambda: stood_still(run, speeds))
    finally:
        result = await finish(run, task)
    assert answers == [bytes.fromhex("10 01 01")]
    assert totals and totals[0] < 10  # counted from the reset
    assert result.distance_m > 45  # the run's own distance is untouched
    assert 15 < result.distance_m - totals[-1] < 30


async def treadpace_run(tmp_path: Path, *args: str) -> asyncio.subprocess.Process:
    """`treadpace run` of a 90-second steady plan, as a runner starts it.

    At 20x that is 4.5 s of run: a watch here finds it, connects and sees it at
    speed in about 1.3 s, and has three times that before the run ends.
    """
    plan = tmp_path / "plan.yaml"
    plan.write_text('name: Short\nkind: steady\nduration: "1:30"\npace: "10 km/h"\n')
    homes = {"TREADPACE_HOME": str(tmp_path / "h"), "TREADPACE_CONFIG_HOME": str(tmp_path / "c")}
    run = ("run", str(plan), "--yes", "--no-record", *args)
    return await start_async_in(env(tmp_path, **homes), *run, cwd=None)


async def test_run_broadcast_option_serves_a_watch_and_says_so(
    bluez: FakeBlueZ, tmp_path: Path
) -> None:
    proc = await treadpace_run(
        tmp_path, "--time-scale", "20", "--broadcast", "rsc,ftms", "--broadcast-adapter", "hci1"
    )
    speeds: list[float] = []
    moving = asyncio.Event()

    def on_rsc(_: object, raw: bytearray) -> None:
        speeds.append(decode_rsc_measurement(bytes(raw)).speed_mps * 3.6)
        if speeds[-1] > 9.9:
            moving.set()

    try:
        device, adv = await find_device(None, timeout=20.0, service_uuid=RSC_SERVICE)
        assert adv.local_name == "treadpace"
        async with BleakClient(device) as watch:
            await watch.read_gatt_char(RSC_FEATURE)
            await watch.start_notify(RSC_MEASUREMENT, on_rsc)
            await asyncio.wait_for(moving.wait(), 30)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text = out.decode()
    assert proc.returncode == 0, err.decode()
    assert "broadcast: footpod (RSC) and treadmill (FTMS, read-only) as 'treadpace' on hci1" in text
    assert "a watch or app (00:1A:7D:DA:71:01) connected to the broadcast" in text
    assert "a watch or app (00:1A:7D:DA:71:01) left the broadcast" in text
    assert not bluez.devices  # unregistered at the end of the run


async def test_run_broadcast_refused_by_bluez_is_one_line_before_anything_moves(
    bluez: FakeBlueZ, tmp_path: Path
) -> None:
    bluez.inject_error("RegisterApplication", "org.bluez.Error.Failed", "No adapter resources")
    log = tmp_path / "sim.jsonl"
    proc = await treadpace_run(tmp_path, "--broadcast", "rsc", "--sim-log", str(log))
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert err.decode() == (
        "error: --broadcast: cannot advertise on hci0: RegisterApplication: "
        "org.bluez.Error.Failed: No adapter resources\n"
    )
    assert not log.exists() or "start_or_resume" not in log.read_text()
    assert not bluez.devices
