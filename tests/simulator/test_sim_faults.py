"""Scripted faults, from YAML and from code, and the sim log that records them."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from treadpace.base.clock import VirtualClock
from treadpace.base.user_error import UserError
from treadpace.plans.paces import parse_duration
from treadpace_sim.att_error import LinkDown
from treadpace_sim.belt import BeltState
from treadpace_sim.faults import ACTIONS, Fault, load_faults
from treadpace_sim.model import load_model
from treadpace_sim.simlog import read_sim_log
from treadpace_sim.testing import Central
from treadpace_sim.treadmill import SimulatedTreadmill

DATA, STATUS, CP, TRAINING = 0x2ACD, 0x2ADA, 0x2AD9, 0x2AD3


def belt_state(sim: SimulatedTreadmill) -> BeltState:
    """The belt's state read afresh (an assert before a sleep does not hold after it)."""
    return sim.belt.state


async def _running(
    faults: list[Fault],
    body: Callable[[SimulatedTreadmill, Central, VirtualClock], Awaitable[None]],
    *,
    sim_log: Path | None = None,
    model: str = "generic",
) -> Central:
    """A client that has control and a belt running at 10 km/h from t=~20 s; then `body`."""
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model(model), clock, faults=faults, sim_log=sim_log)
    c = Central(sim)

    async def run() -> None:
        await sim.start()
        c.connect()
        await c.write("00")
        await c.write("02 E8 03")
        await c.write("07")
        await body(sim, c, clock)
        await sim.close()

    await clock.drive(run())
    return c


def test_fault_yaml_covers_every_action(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(
        "faults:\n"
        "  - {at: 1, action: drop_link, duration: 2}\n"
        "  - {at: 2, action: reboot}\n"
        "  - {at: 3, action: pull_safety_key, duration: 10}\n"
        "  - {at: 4, action: insert_safety_key}\n"
        "  - {at: 5, action: press_stop}\n"
        "  - {at: 6, action: press_pause}\n"
        "  - {at: 7, action: press_start}\n"
        "  - {at: 8, action: press_speed, delta: 0.5}\n"
        "  - {at: 9, action: press_incline, delta: -1}\n"
        "  - {at: 10, action: control_point_silent, duration: 5}\n"
        "  - {at: 11, action: control_lost}\n"
        "  - {at: 12, action: garbage, characteristic: machine_status, data: 'ff ee'}\n"
        "  - {at: 13, action: telemetry_gap, duration: 4}\n"
        "  - {at: 2.5, action: press_speed, delta: 1, since: belt_start}\n"
        "  - {at: 14, action: odometer_jump, delta: 4200}\n"
        "  - {at: 15, action: refuse_write, op: stop_or_pause, count: 2}\n"
        "  - {at: 16, action: strap_off, duration: 20}\n"
        "  - {at: 17, action: strap_stuck, duration: 40}\n"
        "  - {at: 18, action: strap_nonsense, delta: 250, duration: 10}\n"
        "  - {at: 19, action: footpod_off, duration: 30}\n"
        "  - {at: 20, action: footpod_nonsense, duration: 5}\n"
    )
    faults = load_faults(path)
    assert {f.action for f in faults} == set(ACTIONS)
    assert (faults[15].op, faults[15].count) == ("stop_or_pause", 2)
    assert faults[11].data == b"\xff\xee" and faults[11].characteristic == "machine_status"
    assert faults[13].since == "belt_start" and faults[7].delta == 0.5


def test_fault_times_read_like_plan_durations(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(
        "faults:\n"
        "  - {at: 30:00, action: telemetry_gap, duration: 0:45}\n"
        "  - {at: 0:30, action: strap_off, duration: 2 min}\n"
        "  - {at: 1:05:00, action: garbage, data: 9f:00}\n"
    )
    faults = load_faults(path)
    assert faults[0].at == parse_duration("30:00") == 1800.0
    assert faults[0].duration == 45.0
    assert (faults[1].at, faults[1].duration) == (30.0, 120.0)
    assert faults[2].at == 3900.0 and faults[2].data == b"\x9f\x00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("faults:\n  - {at: 1, action: explode}\n", ":2: faults[0].action: expected one of"),
        ("faults:\n  - {at: -1, action: reboot}\n", ":2: faults[0].at: expected a number >= 0"),
        ("faults:\n  - {action: reboot}\n", ":2: faults[0].at: expected a number"),
        ("faults:\n  - {at: 1, action: telemetry_gap}\n", ":2: faults[0].duration: expected"),
        ("faults:\n  - {at: 1, action: press_speed, delta: 0}\n", "faults[0].delta: expected"),
        ("faults:\n  - {at: 1, action: reboot, colour: red}\n", "faults[0].colour: expected a"),
        ("faults:\n  - {at: 1, action: garbage, data: xyz}\n", "faults[0].data: expected hex"),
        ("faults:\n  - 12\n", ":2: faults[0]: expected a mapping"),
        ("faults: [\n", "expected valid YAML"),
        ("other: 1\n", "faults: expected a list of faults"),
        ("- {at: 1, action: reboot}\n- {at: x, action: reboot}\n", ":2: faults[1].at: expected"),
        ("faults:\n  - {at: 1, action: reboot, delta: 2}\n", ":2: faults[0].delta: expected a k"),
        ("faults: {at: 1}\n", ":1: faults: expected a list"),
        ("- 3\n", ":1: faults[0]: expected a mapping with at and action"),
        (
            "faults:\n  - {at: 1:75, action: reboot}\n",
            ":2: faults[0].at: expected a number >= 0 (s",
        ),
        (
            "faults:\n  - {at: 1, action: press_speed, delta: 1:00}\n",
            "faults[0].delta: expected a n",
        ),
    ],
)
def test_bad_fault_files_give_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as err:
        load_faults(path)
    assert message in str(err.value)
    assert str(err.value).startswith(str(path))
    assert "\n" not in str(err.value)


def test_fault_from_code_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Fault(1, "melt")
    with pytest.raises(ValueError, match="delta"):
        Fault(1, "press_speed")


async def test_link_drop_at_t() -> None:
    dropped: list[float] = []

    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        sim.on_link_drop(lambda: dropped.append(clock.now()))
        await clock.sleep(40)
        assert not sim.is_connected()
        assert not sim.reachable  # not advertising
        with pytest.raises(LinkDown):
            sim.connect()  # down until t=45
        await clock.sleep(5)
        assert sim.reachable
        c.connect()
        await asyncio.sleep(0)  # Training Status on subscription
        assert sim.server.controller is None  # control does not survive the link
        assert [r.hex for r in await c.write("02 B0 04")] == ["80 02 05"]
        assert sim.belt.speed_kmh == 10.0  # the belt kept going

    await _running([Fault(30, "drop_link", duration=15)], body)
    assert dropped == [30.0]


async def test_safety_key_pulled_at_t_and_put_back() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(40)
        assert sim.belt.state is BeltState.STOPPED and not sim.belt.safety_key_in
        assert [r.hex for r in await c.write("07")] == ["80 07 04"]
        await clock.sleep(30)
        assert sim.belt.safety_key_in
        assert next(r.hex for r in await c.write("07")) == "80 07 01"

    c = await _running([Fault(30, "pull_safety_key", duration=30)], body)
    assert "03" in c.hexes(STATUS)


async def test_runner_stops_and_pauses_at_t() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(45)  # 10 km/h down at 0.6 km/h/s takes 16.7 s
        assert sim.belt.state is BeltState.PAUSED
        await c.write("07")
        await clock.sleep(30)
        assert belt_state(sim) is BeltState.STOPPING
        await clock.sleep(30)
        assert belt_state(sim) is BeltState.STOPPED

    c = await _running([Fault(25, "press_pause"), Fault(70, "press_stop")], body)
    assert c.hexes(STATUS) == ["02 02", "02 01"]


async def test_runner_presses_start_speed_and_incline_at_t() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await c.write("08 01")
        await clock.sleep(60)
        assert sim.belt.target_speed_kmh == pytest.approx(1.3)
        assert sim.belt.target_incline_percent == 2.0

    faults = [
        Fault(30, "press_start"),
        Fault(40, "press_speed", delta=0.5),
        Fault(45, "press_incline", delta=2),
    ]
    c = await _running(faults, body)
    assert c.hexes(STATUS) == ["04", "05 82 00", "06 14 00"]


async def test_control_point_stops_answering() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(30)
        assert await c.write("02 B0 04") == []  # accepted, not answered, not acted on
        await clock.sleep(10)
        assert sim.belt.target_speed_kmh == 10.0
        await clock.sleep(20)
        assert [r.hex for r in await c.write("02 B0 04")] == ["80 02 01"]

    await _running([Fault(25, "control_point_silent", duration=30)], body)


async def test_control_lost_at_t() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(30)
        assert [r.hex for r in await c.write("02 B0 04")] == ["80 02 05"]

    c = await _running([Fault(20, "control_lost")], body)
    assert c.hexes(STATUS) == ["FF"]


async def test_garbage_packets() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(30)

    faults = [
        Fault(10, "garbage", data=b"\x01"),
        Fault(11, "garbage", characteristic="machine_status", data=b"\xee\xff\x00"),
        Fault(12, "garbage"),
    ]
    c = await _running(faults, body)
    assert "01" in c.hexes(DATA)
    assert "EE FF 00" in c.hexes(STATUS)
    per_second = [sum(1 for r in c.on(DATA) if r.t == t) for t in (11.0, 12.0, 13.0)]
    assert per_second == [2, 3, 2]  # a split record each second, plus the random packet


async def test_telemetry_gap() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(40)

    c = await _running([Fault(20, "telemetry_gap", duration=6)], body)
    times = sorted({r.t for r in c.on(DATA)})
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) == 7.0 and gaps.count(7.0) == 1


async def test_reboot_stops_the_belt_and_loses_control() -> None:
    dropped: list[bool] = []

    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        sim.on_link_drop(lambda: dropped.append(True))
        await clock.sleep(30)
        assert sim.belt.speed_kmh == 0 and sim.belt.state is BeltState.IDLE
        assert sim.belt.distance_m == 0
        with pytest.raises(LinkDown):
            sim.connect()
        await clock.sleep(10)
        c.connect()
        await asyncio.sleep(0)
        assert c.received[-1].hex == "00 01"  # idle after the reboot
        assert [r.hex for r in await c.write("07")] == ["80 07 05"]

    await _running([Fault(25, "reboot", duration=8)], body)
    assert dropped == [True]


async def test_faults_since_belt_start() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(10)

    c = await _running([Fault(2, "press_speed", delta=1.0, since="belt_start")], body)
    assert c.hexes(STATUS) == ["05 4C 04"]  # 10.00 -> 11.00 km/h target
    assert [r.t for r in c.on(STATUS)] == [2.0]


async def test_faults_in_a_model_file(tmp_path: Path) -> None:
    path = tmp_path / "flaky.yaml"
    path.write_text("name: flaky\nfaults:\n  - {at: 15, action: pull_safety_key}\n")
    model = load_model(path)
    clock = VirtualClock()
    sim = SimulatedTreadmill(model, clock)

    async def run() -> None:
        await sim.start()
        sim.press_start()
        await clock.sleep(20)
        assert not sim.belt.safety_key_in
        await sim.close()

    await clock.drive(run())


async def test_sim_log_records_commands_belt_faults_and_link(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"

    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(10)
        await c.write("02 E9 03")  # off the grid
        await clock.sleep(5)
        sim.disconnect()

    await _running([Fault(12, "press_speed", delta=0.5)], body, sim_log=log)
    records = list(read_sim_log(log))
    commands = [r for r in records if r["event"] == "command"]
    assert commands[0] == {
        "t": 0.0,
        "event": "command",
        "op": "request_control",
        "result": "success",
    }
    assert commands[1] == {
        "t": 0.0,
        "event": "command",
        "op": "set_target_speed",
        "speed_kmh": 10.0,
        "result": "success",
    }
    assert commands[3]["result"] == "invalid_parameter" and commands[3]["speed_kmh"] == 10.01
    belts = [r for r in records if r["event"] == "belt"]
    assert [r["t"] for r in belts][:14] == [float(s) for s in range(1, 15)]
    assert belts[9]["state"] == "running" and belts[9]["speed_kmh"] == 5.0
    assert belts[4] == {
        "t": 5.0,
        "event": "belt",
        "speed_kmh": 2.5,
        "incline_percent": 0.0,
        "distance_m": belts[4]["distance_m"],
        "state": "running",
        "target_speed_kmh": 10.0,
        "heart_rate_bpm": belts[4]["heart_rate_bpm"],
    }
    assert {"t": 12.0, "event": "fault", "action": "press_speed", "delta": 0.5} in records
    assert any(r["event"] == "link" and r["action"] == "disconnect" for r in records)


async def test_sim_log_lines_are_flushed_as_written(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"

    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(3.5)
        # read while the simulator still runs: every line so far is on disk
        lines = log.read_text().splitlines()
        assert sum('"event": "belt"' in line for line in lines) == 3
        await asyncio.sleep(0)

    await _running([], body, sim_log=log)


async def test_closing_mid_stop_logs_where_the_belt_comes_to_rest(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"

    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(30)
        await c.write("08 01")  # the program stops the belt, then exits at once

    await _running([], body, sim_log=log)
    records = list(read_sim_log(log))
    assert records[-2] == {"t": 30.0, "event": "stop"}
    last_belt = records[-1]
    assert last_belt["state"] == "stopped" and last_belt["speed_kmh"] == 0
    assert last_belt["projected"] is True
    assert last_belt["t"] == pytest.approx(30 + 10 / 0.6, abs=0.01)
    assert records[-3]["event"] == "belt" and records[-3]["state"] == "stopping"
