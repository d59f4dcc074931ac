"""FtmsTreadmill against a scripted link: correlation, quirks, events, reconnect, watchdog."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from tests.fakes import FakeGattLink
from treadpace.base.clock import VirtualClock
from treadpace.ftms import (
    CONTROL_POINT,
    MACHINE_STATUS,
    TRAINING_STATUS,
    TREADMILL_DATA,
    SpeedRange,
    TreadmillData,
    encode_speed_range,
    encode_treadmill_data,
    split_treadmill_data,
)
from treadpace.treadmill.ftms_treadmill import FALLBACK_SPEED_RANGE, FtmsTreadmill
from treadpace.treadmill.port import (
    BeltStartedByUser,
    BeltStoppedByUser,
    ControlLost,
    ControlRefused,
    ControlTimeout,
    LinkLost,
    LinkRestored,
    MachineReset,
    SafetyKeyPulled,
    TargetInclineChanged,
    TargetSpeedChanged,
    Telemetry,
    TelemetryStale,
    TrainingStatusChanged,
    TreadmillError,
    TreadmillUpdate,
)

T = TypeVar("T")


async def run(clock: VirtualClock, body: Callable[[], Awaitable[T]]) -> T:
    return await clock.drive(body())


def drain(tm: FtmsTreadmill) -> list[TreadmillUpdate]:
    items = list(tm._queue)
    tm._queue.clear()
    return items


async def connected(link: FakeGattLink, clock: VirtualClock) -> FtmsTreadmill:
    tm = FtmsTreadmill(link, clock)
    await tm.connect()
    return tm


async def test_connect_reads_ranges_subscribes_and_never_writes() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> FtmsTreadmill:
        tm = await connected(link, clock)
        await tm.disconnect()
        return tm

    tm = await run(clock, body)
    assert tm.speed_range == SpeedRange(0.8, 20.0, 0.1)
    assert tm.incline_range is not None and tm.incline_range.max_percent == 15.0
    assert set(link.subscribed) == {TREADMILL_DATA, MACHINE_STATUS, TRAINING_STATUS, CONTROL_POINT}
    assert link.writes == []  # connecting never moves or commands the belt
    assert tm.controllable and not tm.has_control


@pytest.mark.parametrize(
    "raw",
    [
        bytes.fromhex("d007e8030a00"),  # inverted (C52)
        encode_speed_range(SpeedRange(0.5, 60.0, 0.1)),  # implausible for a treadmill
        b"\x01",  # garbage
    ],
)
async def test_unusable_speed_range_falls_back(raw: bytes) -> None:
    clock, link = VirtualClock(), FakeGattLink(speed_range=raw)
    tm = await run(clock, lambda: connected(link, clock))
    assert tm.speed_range == FALLBACK_SPEED_RANGE


async def test_commands_are_written_and_answered_in_order() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> None:
        tm = await connected(link, clock)
        assert await tm.request_control()
        await tm.start()
        await tm.set_speed(10.0)
        await tm.set_incline(2.0)
        await tm.pause()
        await tm.stop()

    await run(clock, body)
    assert [w.hex() for w in link.writes] == ["00", "07", "02e803", "031400", "0802", "0801"]


async def test_duplicated_and_stray_responses_are_ignored() -> None:
    def chatty(request: bytes) -> list[bytes]:
        stray = bytes([0x80, 0x03, 0x01])
        return [stray, bytes([0x80, request[0], 0x01]), bytes([0x80, request[0], 0x04])]

    clock, link = VirtualClock(), FakeGattLink(responder=chatty, indicate=False)

    async def body() -> None:
        tm = await connected(link, clock)
        await tm.request_control()
        await tm.set_speed(9.0)  # the duplicate "04" after the "01" must not matter

    await run(clock, body)
    assert link.writes[-1].hex() == "028403"


async def test_silent_request_control_counts_as_granted_but_motion_times_out() -> None:
    def silent(request: bytes) -> list[bytes]:
        return []

    clock, link = VirtualClock(), FakeGattLink(responder=silent)

    async def body() -> None:
        tm = await connected(link, clock)
        assert await tm.request_control()
        assert tm.has_control
        with pytest.raises(ControlTimeout):
            await tm.set_speed(10.0)

    await run(clock, body)
    assert clock.now() == pytest.approx(4.0)  # two 2 s timeouts on the injected clock
    assert [w.hex() for w in link.writes] == ["00", "02e803"]  # never replayed


async def test_refused_command_raises_and_not_permitted_rerequests_once() -> None:
    answers = {0x00: 0x01, 0x02: 0x05, 0x03: 0x03}

    def responder(request: bytes) -> list[bytes]:
        return [bytes([0x80, request[0], answers[request[0]]])]

    clock, link = VirtualClock(), FakeGattLink(responder=responder)

    async def body() -> None:
        tm = await connected(link, clock)
        await tm.request_control()
        with pytest.raises(ControlRefused) as speed:
            await tm.set_speed(10.0)
        assert speed.value.result == "control_not_permitted"
        with pytest.raises(ControlRefused) as incline:
            await tm.set_incline(1.0)
        assert incline.value.result == "invalid_parameter"

    await run(clock, body)
    # speed: write, re-request control, write again - then give up loudly.
    assert [w.hex() for w in link.writes[:4]] == ["00", "02e803", "00", "02e803"]


async def test_start_already_running_is_fine_but_a_standing_refusal_is_not() -> None:
    def operation_failed(request: bytes) -> list[bytes]:
        return [bytes([0x80, request[0], 0x01 if request[0] == 0 else 0x04])]

    clock, link = VirtualClock(), FakeGattLink(responder=operation_failed)

    async def body() -> None:
        tm = await connected(link, clock)
        await tm.request_control()
        with pytest.raises(ControlRefused):
            await tm.start()  # belt standing: e.g. safety key out
        link.notify(TREADMILL_DATA, encode_treadmill_data(TreadmillData(speed_kmh=5.0)))
        await tm.start()  # belt moving: a console start beat us to it
        await tm.stop()  # "already stopped" is the goal reached

    await run(clock, body)


async def test_values_outside_the_machine_range_are_never_sent() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> None:
        tm = await connected(link, clock)
        with pytest.raises(ValueError):
            await tm.set_speed(25.0)
        with pytest.raises(ValueError):
            await tm.set_incline(-3.0)

    await run(clock, body)
    assert link.writes == []


async def test_no_incline_without_the_feature_and_no_control_without_a_control_point() -> None:
    clock = VirtualClock()
    link = FakeGattLink(feature=bytes.fromhex("0400000001000000"), control_point=False)

    async def body() -> FtmsTreadmill:
        tm = await connected(link, clock)
        assert not await tm.request_control()
        with pytest.raises(TreadmillError):
            await tm.set_incline(1.0)
        return tm

    tm = await run(clock, body)
    assert tm.incline_range is None
    assert not tm.controllable


async def test_split_truncated_and_garbage_telemetry() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = await connected(link, clock)
        record = TreadmillData(
            speed_kmh=10.0,
            average_speed_kmh=9.5,
            total_distance_m=1234,
            inclination_percent=2.0,
            ramp_angle_deg=1.1,
            total_energy_kcal=80,
            energy_per_hour_kcal=600,
            energy_per_minute_kcal=10,
            heart_rate_bpm=150,
            elapsed_time_s=600,
        )
        for part in split_treadmill_data(record, max_payload=12):
            link.notify(TREADMILL_DATA, part)
        link.notify(TREADMILL_DATA, b"\x9e")  # garbage: logged and skipped
        # Matrix-style record cut at 20 octets: keep what decoded (R7).
        link.notify(TREADMILL_DATA, bytes.fromhex("9e1fc60394023e01005a00ff7f3200ffff2500f4"))
        return drain(tm)

    updates = await run(clock, body)
    telemetry = [u for u in updates if isinstance(u, Telemetry)]
    assert len(telemetry) == 2
    first, second = telemetry
    assert (first.speed_kmh, first.distance_m, first.heart_rate_bpm) == (10.0, 1234.0, 150)
    assert (first.incline_percent, first.elapsed_s, first.energy_kcal) == (2.0, 600.0, 80.0)
    assert second.speed_kmh == 9.66 and second.distance_m == 318.0


async def test_machine_status_becomes_events_without_echoes_or_wind_down() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = await connected(link, clock)
        await tm.request_control()
        await tm.set_speed(10.0)

        def status(hex_: str) -> None:
            link.notify(MACHINE_STATUS, bytes.fromhex(hex_))

        status("05e803")  # echo of our own 10.00 km/h: not the runner
        status("05fc03")  # console +0.2: the runner
        status("061400")  # console incline 2.0 %
        status("0401")  # started by user (Urevo pads)
        status("0202")  # paused by user
        status("05c800")  # speed ramping down after the pause: not the runner
        status("03")
        status("ff")
        status("01")
        status("99")  # unknown op: ignored
        link.notify(TRAINING_STATUS, bytes.fromhex("000d"))
        link.notify(TRAINING_STATUS, bytes.fromhex("000d"))  # unchanged: once
        return drain(tm)

    updates = await run(clock, body)
    kinds = [type(u) for u in updates]
    assert kinds == [
        TargetSpeedChanged,
        TargetInclineChanged,
        BeltStartedByUser,
        BeltStoppedByUser,
        SafetyKeyPulled,
        ControlLost,
        MachineReset,
        TrainingStatusChanged,
    ]
    assert updates[0] == TargetSpeedChanged(clock.now(), 10.2)
    assert updates[3] == BeltStoppedByUser(clock.now(), paused=True)


async def test_link_loss_then_automatic_reconnect_without_replay() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = await connected(link, clock)
        await tm.request_control()
        await tm.set_speed(8.0)
        link.refuse_connect = 2  # out of range for the first two attempts
        link.drop()
        assert not tm.has_control
        await clock.sleep(30.0)
        assert tm.has_control
        updates = drain(tm)
        await tm.disconnect()
        return updates

    updates = await run(clock, body)
    assert [type(u) for u in updates] == [LinkLost, LinkRestored]
    assert updates[1].t - updates[0].t == pytest.approx(7.0)  # backoff 1 + 2 + 4 s
    assert link.connects == 2
    # After the reconnect: Request Control again, and the speed command is NOT replayed.
    assert [w.hex() for w in link.writes] == ["00", "022003", "00"]


async def test_watchdog_reports_stale_telemetry_once_while_moving() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = await connected(link, clock)
        link.notify(TREADMILL_DATA, encode_treadmill_data(TreadmillData(speed_kmh=9.0)))
        await clock.sleep(20.0)
        updates = drain(tm)
        await tm.disconnect()
        return updates

    updates = await run(clock, body)
    stale = [u for u in updates if isinstance(u, TelemetryStale)]
    assert len(stale) == 1 and stale[0].t == pytest.approx(5.0)


async def test_heart_rate_from_a_strap_fills_in_when_the_machine_has_none() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = await connected(link, clock)
        tm.feed_heart_rate(142)
        link.notify(TREADMILL_DATA, encode_treadmill_data(TreadmillData(speed_kmh=9.0)))
        link.notify(
            TREADMILL_DATA, encode_treadmill_data(TreadmillData(speed_kmh=9.0, heart_rate_bpm=0))
        )
        return drain(tm)

    updates = await run(clock, body)
    assert [u.heart_rate_bpm for u in updates if isinstance(u, Telemetry)] == [142, 142]


async def test_overflow_sheds_telemetry_never_events() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> FtmsTreadmill:
        tm = FtmsTreadmill(link, clock, queue_size=4)
        await tm.connect()
        link.notify(MACHINE_STATUS, bytes.fromhex("03"))
        for kmh in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0):
            link.notify(TREADMILL_DATA, encode_treadmill_data(TreadmillData(speed_kmh=kmh)))
        return tm

    tm = await run(clock, body)
    kept = list(tm._queue)
    assert isinstance(kept[0], SafetyKeyPulled)
    assert [u.speed_kmh for u in kept if isinstance(u, Telemetry)] == [4.0, 5.0, 6.0]


async def test_updates_iterator_ends_after_disconnect() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = await connected(link, clock)
        got: list[TreadmillUpdate] = []

        async def consume() -> None:
            async for update in tm.updates():
                got.append(update)

        task = asyncio.create_task(consume())
        link.notify(TREADMILL_DATA, encode_treadmill_data(TreadmillData(speed_kmh=3.0)))
        await asyncio.sleep(0)
        await tm.disconnect()
        await task
        return got

    got = await run(clock, body)
    assert [type(u) for u in got] == [Telemetry]
