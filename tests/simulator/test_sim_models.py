"""Every shipped treadmill model shows the real-world behaviour it stands for (ftms.md §8)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from treadpace.base.clock import VirtualClock
from treadpace.ftms import (
    CONTROL_POINT,
    FEATURE,
    HEART_RATE_MEASUREMENT,
    INCLINATION_RANGE,
    MACHINE_STATUS,
    SPEED_RANGE,
    TRAINING_STATUS,
    TREADMILL_DATA,
    TreadmillDataMerger,
    decode_feature,
    decode_heart_rate,
    decode_inclination_range,
    decode_speed_range,
    decode_treadmill_data,
)
from treadpace_sim.att_error import AttError
from treadpace_sim.model import load_model, models_dir
from treadpace_sim.testing import Central, Received
from treadpace_sim.treadmill import SimulatedTreadmill

DATA, STATUS, CP = 0x2ACD, 0x2ADA, 0x2AD9
SHIPPED = sorted(p.stem for p in models_dir().glob("*.yaml"))


async def _with(
    model: str, body: Callable[[SimulatedTreadmill, Central, VirtualClock], Awaitable[None]]
) -> Central:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model(model), clock)
    central = Central(sim)

    async def run() -> None:
        await sim.start()
        central.connect()
        await asyncio.sleep(0)  # Training Status arrives on subscription
        await body(sim, central, clock)
        await sim.close()

    await clock.drive(run())
    return central


def _hexes(got: list[Received]) -> list[str]:
    return [r.hex for r in got]


def test_the_shipped_models_are_there() -> None:
    names = SHIPPED
    for name in (
        "generic",
        "start-first",
        "read-only",
        "locked",
        "speed-ignored",
        "incline-refused",
        "notify-responses",
        "silent-control",
        "mph-grid",
        "mph-wire",
        "slow-belt",
        "split-records",
        "truncated-records",
        "early-notify",
        "padded-status",
        "wide-range",
        "hr-service",
    ):
        assert name in names


@pytest.mark.parametrize("name", SHIPPED)
async def test_every_model_serves_decodable_bytes(name: str) -> None:
    """Feature, ranges and a minute of telemetry from every model decode without error."""

    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        feature = decode_feature(await sim.read(FEATURE))
        chars = sim.characteristics()
        if SPEED_RANGE in chars:
            r = decode_speed_range(await sim.read(SPEED_RANGE))
            assert 0 < r.min_kmh < r.max_kmh <= 30
        if INCLINATION_RANGE in chars:
            decode_inclination_range(await sim.read(INCLINATION_RANGE))
        assert (CONTROL_POINT in chars) == (name != "read-only")
        assert feature.machine  # every model reports some data
        sim.press_start()
        await clock.sleep(60)

    c = await _with(name, body)
    merger = TreadmillDataMerger()
    records = [merger.feed(decode_treadmill_data(r.data)) for r in c.on(DATA)]
    speeds = [r.speed_kmh for r in records if r is not None and r.speed_kmh is not None]
    assert len(speeds) >= 55 and max(speeds) > 0


async def test_start_first_refuses_targets_until_the_belt_runs() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await c.write("00")
        assert _hexes(await c.write("02 E8 03")) == ["80 02 04"]
        assert _hexes(await c.write("03 14 00")) == ["80 03 04"]
        await c.write("07")
        await clock.sleep(3)
        assert _hexes(await c.write("02 E8 03")) == ["80 02 01"]
        await clock.sleep(30)
        assert sim.belt.speed_kmh == 10.0

    await _with("start-first", body)


async def test_read_only_has_no_control_point() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        chars = sim.characteristics()
        assert CONTROL_POINT not in chars and MACHINE_STATUS not in chars
        assert SPEED_RANGE not in chars
        assert decode_feature(await sim.read(FEATURE)).target == 0
        with pytest.raises(AttError) as err:
            await sim.write(CONTROL_POINT, b"\x00")
        assert err.value.code == 0x0A
        sim.press_start()  # the runner uses the console
        await clock.sleep(10)

    c = await _with("read-only", body)
    assert max(c.speeds()) > 0


async def test_locked_control_is_never_granted() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        assert _hexes(await c.write("00")) == ["80 00 05"]
        assert _hexes(await c.write("07")) == ["80 07 05"]
        await clock.sleep(5)
        assert sim.belt.speed_kmh == 0

    await _with("locked", body)


async def test_speed_ignored_answers_success_but_the_belt_does_not_follow() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await c.write("00")
        await c.write("07")
        await clock.sleep(5)
        assert _hexes(await c.write("02 E8 03")) == ["80 02 01"]
        assert _hexes(await c.write("03 14 00")) == ["80 03 01"]
        await clock.sleep(30)
        assert sim.belt.speed_kmh == 0.8
        assert sim.belt.incline_percent == 2.0

    await _with("speed-ignored", body)


async def test_incline_refused_like_the_yesoul() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        feature = decode_feature(await sim.read(FEATURE))
        assert int(feature.target) == 1  # speed target only
        await c.write("00")
        assert _hexes(await c.write("03 14 00")) == ["80 03 04"]  # stopped
        await c.write("07")
        await clock.sleep(2)
        assert _hexes(await c.write("03 14 00")) == ["80 03 04"]  # running too
        await c.write("02 58 02")  # 6.00 km/h
        await clock.sleep(20)
        assert sim.belt.speed_kmh == 6.0
        await c.write("08 02")
        await clock.sleep(20)
        await c.write("07")
        await clock.sleep(20)
        assert sim.belt.speed_kmh == 0.5  # resume drops the belt to its minimum (Q11)

    c = await _with("incline-refused", body)
    assert all(decode_treadmill_data(r.data).inclination_percent is None for r in c.on(DATA))


async def test_notify_responses_come_twice_as_notifications() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        # back-to-back writes: no procedure stays pending (no indication to confirm)
        await sim.write(CONTROL_POINT, b"\x00")
        await sim.write(CONTROL_POINT, b"\x07")
        await asyncio.sleep(0)
        assert c.hexes(CP) == ["80 00 01", "80 00 01", "80 07 01", "80 07 01"]
        assert not sim.server.pending(0)

    await _with("notify-responses", body)


async def test_silent_control_grants_without_answering() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        assert sim.characteristics()[CONTROL_POINT] == frozenset({"write", "notify"})
        assert _hexes(await c.write("00")) == []
        assert _hexes(await c.write("07"))[0] == "80 07 01"
        await clock.sleep(5)
        assert sim.belt.speed_kmh > 0

    await _with("silent-control", body)


async def test_mph_grid_rounds_to_tenths_of_a_mile_per_hour() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        raw = await sim.read(SPEED_RANGE)
        assert raw.hex(" ") == "61 00 84 02 10 00"  # 0.97-6.44 km/h step 0.16 (0.6-4.0 mph)
        await c.write("00")
        await c.write("07")
        assert _hexes(await c.write("02 04 01")) == ["80 02 01"]  # 2.60 km/h, off the grid
        await clock.sleep(10)
        assert abs(sim.belt.speed_kmh - 1.6 * 1.609344) < 1e-9  # 1.6 mph
        with pytest.raises(AttError):  # read-only characteristic for sanity
            await sim.write(SPEED_RANGE, b"\x00")

    c = await _with("mph-grid", body)
    assert c.speeds()[-1] == 2.57  # as the Urevo reports it (Q9)


async def test_mph_grid_claims_incline_with_an_all_zero_range() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        assert await sim.read(INCLINATION_RANGE) == bytes(6)
        assert decode_feature(await sim.read(FEATURE)).target & 2
        await c.write("00")
        await c.write("07")
        assert _hexes(await c.write("03 32 00")) == ["80 03 01"]  # acknowledged, nothing tilts
        await clock.sleep(5)
        assert sim.belt.incline_percent == 0.0

    await _with("mph-grid", body)


async def test_mph_wire_puts_mph_in_the_kmh_fields() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        r = decode_speed_range(await sim.read(SPEED_RANGE))
        assert (r.min_kmh, r.max_kmh, r.increment_kmh) == (0.6, 3.8, 0.1)
        await c.write("00")
        await c.write("07")
        assert _hexes(await c.write("02 2C 01")) == ["80 02 01"]  # "3.00"
        await clock.sleep(20)
        assert abs(sim.belt.speed_kmh - 3.0 * 1.609344) < 1e-9  # really 4.83 km/h

    c = await _with("mph-wire", body)
    assert c.speeds()[-1] == 3.0


async def test_slow_belt_takes_seconds_to_move() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await c.write("00")
        await c.write("07")
        await clock.sleep(2.9)
        assert sim.belt.speed_kmh == 0  # start countdown
        await clock.sleep(1.1)
        assert 0 < sim.belt.speed_kmh < 0.8
        await clock.sleep(3.0)
        assert sim.belt.speed_kmh == 0.8  # 3 s + 0.8 / 0.2 s, in Omega Z's 4.4-6.2 s window
        await c.write("02 E8 03")
        await clock.sleep(20)
        assert 4.0 < sim.belt.speed_kmh < 5.0  # still ramping at 0.2 km/h/s

    await _with("slow-belt", body)


async def test_split_records_come_in_two_parts() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        sim.press_start()
        await clock.sleep(10)

    c = await _with("split-records", body)
    parts = [decode_treadmill_data(r.data) for r in c.on(DATA)]
    assert all(len(r.data) <= 20 for r in c.on(DATA))
    assert [p.more_data for p in parts[:4]] == [True, False, True, False]
    merger = TreadmillDataMerger()
    merged = [m for p in parts if (m := merger.feed(p)) is not None]
    assert merged[-1].power_output_w is not None and merged[-1].total_distance_m is not None


async def test_truncated_records_are_cut_at_20_octets() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        sim.press_start()
        await clock.sleep(5)

    c = await _with("truncated-records", body)
    for r in c.on(DATA):
        assert len(r.data) == 20
        td = decode_treadmill_data(r.data)
        assert td.truncated and not td.more_data and td.speed_kmh is not None


async def test_early_notify_sends_before_the_subscription_completes() -> None:
    clock = VirtualClock()
    sim = SimulatedTreadmill(load_model("early-notify"), clock)
    early: list[bytes] = []

    async def run() -> None:
        await sim.start()
        sim.connect()
        sim.subscribe(TREADMILL_DATA, early.append)
        assert len(early) == 1  # arrived inside subscribe(), before the CCCD write
        sim.subscribe(TRAINING_STATUS, early.append)
        assert early[-1] == b"\x00\x01"
        await clock.sleep(10)
        await sim.close()

    await clock.drive(run())
    assert 19 <= sum(1 for d in early if len(d) > 2) <= 22  # about 2 Hz


async def test_padded_status_frames_and_ramp_stream() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        sim.press_start()
        await clock.sleep(10)
        sim.press_pause()
        await clock.sleep(10)

    c = await _with("padded-status", body)
    statuses = c.hexes(STATUS)
    assert statuses[0] == "04 00 00"
    assert "02 02 00" in statuses
    ramp = [s for s in statuses if s.startswith("05")]
    assert len(ramp) >= 2 and ramp[-1] == "05 00 00"
    values = [int(s[3:5], 16) + 256 * int(s[6:8], 16) for s in ramp]
    assert values == sorted(values, reverse=True)


async def test_wide_range_allows_decline_in_half_steps() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        assert (await sim.read(SPEED_RANGE)).hex(" ") == "64 00 98 08 0a 00"
        assert (await sim.read(INCLINATION_RANGE)).hex(" ") == "e2 ff 96 00 05 00"
        await c.write("00")
        assert _hexes(await c.write("03 E2 FF")) == ["80 03 01"]  # -3.0 %
        assert _hexes(await c.write("03 0F 00")) == ["80 03 01"]  # 1.5 %
        assert _hexes(await c.write("03 10 00")) == ["80 03 03"]  # 1.6 %: off the grid

    await _with("wide-range", body)


async def test_a_user_model_file_with_stop_on_disconnect(tmp_path: Path) -> None:
    path = tmp_path / "my-horizon.yaml"
    path.write_text(
        "name: my-horizon\n"
        "speed: {unit: mph, min: 0.5, max: 12, increment: 0.1}\n"
        "quirks: {stop_on_disconnect: true}\n"
    )
    model = load_model(path)
    assert model.name == "my-horizon" and model.stop_on_disconnect
    clock = VirtualClock()
    sim = SimulatedTreadmill(model, clock)
    c = Central(sim)

    async def run() -> None:
        await sim.start()
        c.connect()
        await c.write("00")
        await c.write("07")
        await clock.sleep(5)
        sim.drop_link()
        await clock.sleep(5)
        assert sim.belt.speed_kmh == 0  # Horizon 7.4 AT: link lost, belt stops (Q13)
        await sim.close()

    await clock.drive(run())


async def test_a_user_model_that_goes_quiet_when_stopped(tmp_path: Path) -> None:
    path = tmp_path / "quiet.yaml"
    path.write_text("name: quiet\ntelemetry: {when_stopped: false, packets: single}\n")

    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        await clock.sleep(10)
        assert c.on(DATA) == []  # standing: nothing to say
        sim.press_start()
        await clock.sleep(10)
        sim.press_stop()
        await clock.sleep(30)
        count = len(c.on(DATA))
        await clock.sleep(10)
        assert len(c.on(DATA)) == count  # quiet again once the belt stands

    c = await _with(str(path), body)
    assert 10 <= len(c.on(DATA)) <= 12


async def test_hr_service_reexposes_the_runner_heart_rate() -> None:
    async def body(sim: SimulatedTreadmill, c: Central, clock: VirtualClock) -> None:
        assert HEART_RATE_MEASUREMENT in sim.characteristics()
        sim.press_speed(1)
        sim.press_start()
        await clock.sleep(5)
        sim.press_speed(11.2)
        await clock.sleep(300)

    c = await _with("hr-service", body)
    readings = [decode_heart_rate(r.data) for r in c.on(0x2A37)]
    assert 300 <= len(readings) <= 305  # 1 Hz
    # resting 60 bpm, read through the strap's jitter (hr_noise: 1 bpm s.d.)
    assert abs(readings[0].heart_rate_bpm - 60) <= 4 and readings[0].sensor_contact is True
    last = readings[-1]
    assert last.heart_rate_bpm > 140  # 12 km/h after 5 minutes
    assert abs(last.rr_intervals_s[0] - 60 / last.heart_rate_bpm) < 0.01
    assert not load_model("generic").heart_rate_service
