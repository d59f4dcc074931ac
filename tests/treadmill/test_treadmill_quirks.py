"""FtmsTreadmill on a scripted link: lapsed control, console starts, strap heart rate,
partial records cut by a drop, wind-down streams after our own stop, and the edges of
the machine's range."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

import pytest

from tests.fakes import FakeGattLink
from treadpace.base.clock import VirtualClock
from treadpace.ftms import (
    CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
    INCLINATION_RANGE,
    MACHINE_STATUS,
    SPEED_RANGE,
    TRAINING_STATUS,
    TREADMILL_DATA,
    HeartRateMeasurement,
    TreadmillData,
    encode_heart_rate,
    encode_treadmill_data,
    split_treadmill_data,
)
from treadpace.treadmill.ftms_treadmill import FALLBACK_SPEED_RANGE, FtmsTreadmill
from treadpace.treadmill.port import (
    ControlLost,
    ControlRefused,
    ControlTimeout,
    LinkLost,
    LinkRestored,
    NotConnected,
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


@contextlib.contextmanager
def logging_disabled() -> Iterator[None]:
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def telemetry(updates: list[TreadmillUpdate]) -> list[Telemetry]:
    return [u for u in updates if isinstance(u, Telemetry)]


def data(**fields: float | int) -> bytes:
    return encode_treadmill_data(TreadmillData(**fields))  # type: ignore[arg-type]


def answering(results: dict[int, list[int]]) -> Callable[[bytes], list[bytes]]:
    """Answer op N with the next result queued for it (success once the queue is empty)."""

    def responder(request: bytes) -> list[bytes]:
        queue = results.get(request[0], [])
        result = queue.pop(0) if queue else 0x01
        return [bytes([0x80, request[0], result])]

    return responder


async def test_training_status_is_read_at_connect_and_only_changes_become_events() -> None:
    clock, link = VirtualClock(), FakeGattLink()
    link.values[TRAINING_STATUS] = bytes.fromhex("000d")  # manual mode already

    async def body() -> tuple[FtmsTreadmill, list[TreadmillUpdate]]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        link.notify(TRAINING_STATUS, bytes.fromhex("000d"))  # the same: no event
        link.notify(TRAINING_STATUS, bytes.fromhex("0111"))  # Urevo "paused", reserved value
        link.notify(TRAINING_STATUS, bytes.fromhex("01"))  # garbage: skipped
        return tm, drain(tm)

    tm, updates = await run(clock, body)
    assert updates == [TrainingStatusChanged(0.0, 0x11, None)]
    assert tm.training_status == (0x11, None)


async def test_unreadable_training_status_does_not_stop_the_connect() -> None:
    clock, link = VirtualClock(), FakeGattLink()
    link.values[TRAINING_STATUS] = b""

    async def body() -> FtmsTreadmill:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        return tm

    tm = await run(clock, body)
    assert tm.training_status is None
    assert TREADMILL_DATA in link.subscribed


async def test_control_is_asked_for_again_after_ff_before_the_next_command() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        link.notify(MACHINE_STATUS, bytes.fromhex("ff"))
        assert not tm.has_control
        updates = drain(tm)
        assert link.writes == [b"\x00"]  # nothing sent on our own: no tug of war
        await tm.stop()
        assert tm.has_control
        return updates

    updates = await run(clock, body)
    assert [type(u) for u in updates] == [ControlLost]
    assert [w.hex() for w in link.writes] == ["00", "00", "0801"]


async def test_control_is_asked_for_again_after_a_machine_reset() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> None:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        await tm.set_speed(6.0)
        link.notify(MACHINE_STATUS, bytes.fromhex("01"))
        await tm.set_speed(6.5)

    await run(clock, body)
    assert [w.hex() for w in link.writes] == ["00", "025802", "00", "028a02"]


async def test_control_taken_by_another_client_is_given_up_loudly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = VirtualClock()
    link = FakeGattLink(responder=answering({0x00: [0x01, 0x05], 0x08: [0x05]}))

    async def body() -> FtmsTreadmill:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        link.notify(MACHINE_STATUS, bytes.fromhex("ff"))
        with pytest.raises(ControlRefused) as refused:
            await tm.stop()
        assert refused.value.result == "control_not_permitted"
        return tm

    with caplog.at_level(logging.WARNING):
        tm = await run(clock, body)
    # Asked once (refused), sent the stop once (refused): no loop, no second try.
    assert [w.hex() for w in link.writes] == ["00", "00", "0801"]
    assert not tm.controllable and not tm.has_control
    assert "giving up" in caplog.text


async def test_persistent_not_permitted_after_a_granted_rerequest_gives_up_loudly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = VirtualClock()
    link = FakeGattLink(responder=answering({0x02: [0x05, 0x05, 0x05]}))

    async def body() -> None:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        with pytest.raises(ControlRefused):
            await tm.set_speed(7.0)
        assert not tm.has_control

    with caplog.at_level(logging.WARNING):
        await run(clock, body)
    assert [w.hex() for w in link.writes] == ["00", "02bc02", "00", "02bc02"]
    assert "giving up" in caplog.text


async def test_start_after_a_console_start_is_already_running() -> None:
    clock = VirtualClock()
    link = FakeGattLink(responder=answering({0x07: [0x04, 0x04]}))

    async def body() -> None:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        # The runner pressed start; the belt has not moved yet (telemetry still 0).
        link.notify(TREADMILL_DATA, data(speed_kmh=0.0))
        link.notify(MACHINE_STATUS, bytes.fromhex("04"))
        await tm.start()
        # After a console stop, the same answer is a refusal again (e.g. the key is out).
        link.notify(MACHINE_STATUS, bytes.fromhex("0201"))
        with pytest.raises(ControlRefused):
            await tm.start()

    await run(clock, body)


async def test_a_partial_record_cut_by_a_drop_is_discarded() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        record = TreadmillData(
            speed_kmh=8.0, total_distance_m=500, heart_rate_bpm=140, elapsed_time_s=300
        )
        parts = split_treadmill_data(record, max_payload=8)
        assert len(parts) >= 2
        link.notify(TREADMILL_DATA, parts[0])  # More Data set: held
        link.drop()
        await clock.sleep(3.0)  # reconnected after 1 s
        link.notify(TREADMILL_DATA, data(speed_kmh=8.0))
        updates = drain(tm)
        await tm.disconnect()
        return updates

    updates = await run(clock, body)
    assert [type(u) for u in updates] == [LinkLost, LinkRestored, Telemetry]
    last = telemetry(updates)[0]
    assert last.speed_kmh == 8.0
    assert (last.distance_m, last.heart_rate_bpm, last.elapsed_s) == (None, None, None)


async def test_a_command_cut_by_a_drop_fails_at_once_and_is_not_replayed() -> None:
    clock = VirtualClock()
    link = FakeGattLink(responder=lambda request: [])

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()  # silent: granted-unconfirmed

        async def drop_soon() -> None:
            await clock.sleep(0.5)
            link.drop()

        dropper = asyncio.create_task(drop_soon())
        with pytest.raises(NotConnected):
            await tm.set_speed(9.0)
        assert clock.now() == pytest.approx(2.5)  # 2 s RC timeout, then 0.5 s
        await dropper
        await clock.sleep(5.0)
        updates = drain(tm)
        await tm.disconnect()
        return updates

    updates = await run(clock, body)
    assert [type(u) for u in updates] == [LinkLost, LinkRestored]
    # Control asked again after the reconnect; the speed is never sent a second time.
    assert [w.hex() for w in link.writes] == ["00", "028403", "00"]


async def test_our_own_stop_and_its_wind_down_are_not_console_presses() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        await tm.start()
        await tm.set_speed(10.0)
        await tm.stop()
        for hex_ in ("05a406", "053403", "050000"):  # ramping down to 0 (Urevo)
            link.notify(MACHINE_STATUS, bytes.fromhex(hex_))
        await tm.start()
        link.notify(MACHINE_STATUS, bytes.fromhex("05bc02"))  # the runner: 7.00 km/h
        return drain(tm)

    updates = await run(clock, body)
    changes = [u for u in updates if isinstance(u, TargetSpeedChanged)]
    assert [c.speed_kmh for c in changes] == [7.0]


async def test_no_stale_signal_while_the_link_is_down() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        link.notify(TREADMILL_DATA, data(speed_kmh=9.0))
        link.refuse_connect = 100
        link.drop()
        await clock.sleep(20.0)
        updates = drain(tm)
        await tm.disconnect()
        return updates

    updates = await run(clock, body)
    assert [type(u) for u in updates] == [Telemetry, LinkLost]


async def test_stale_signal_is_not_raised_for_a_standing_belt_and_rearms() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        link.notify(TREADMILL_DATA, data(speed_kmh=0.0))
        await clock.sleep(10.0)  # standing and silent: nothing to report
        link.notify(TREADMILL_DATA, data(speed_kmh=6.0))
        await clock.sleep(7.0)  # moving and silent: once
        link.notify(TREADMILL_DATA, data(speed_kmh=6.0))
        await clock.sleep(7.0)  # again, after fresh data
        updates = drain(tm)
        await tm.disconnect()
        return updates

    updates = await run(clock, body)
    stale = [u.t for u in updates if isinstance(u, TelemetryStale)]
    assert stale == [pytest.approx(15.0), pytest.approx(22.0)]


async def test_a_strap_feeds_heart_rate_until_it_goes_quiet() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def strap() -> AsyncIterator[int | None]:
        yield 131
        await clock.sleep(1.0)
        yield 133
        await clock.sleep(1.0)
        raise OSError("strap out of range")

    async def body() -> list[int | None]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        task = tm.attach_heart_rate(strap())
        await clock.sleep(0.5)
        link.notify(TREADMILL_DATA, data(speed_kmh=9.0))  # 131 from the strap
        await task  # the source failed: logged, the run goes on
        link.notify(TREADMILL_DATA, data(speed_kmh=9.0))  # no strap any more
        tm.feed_heart_rate(120)
        link.notify(TREADMILL_DATA, data(speed_kmh=9.0))
        await clock.sleep(6.0)
        link.notify(TREADMILL_DATA, data(speed_kmh=9.0))  # a strap reading 6 s old: dropped
        tm.feed_heart_rate(121)
        link.notify(TREADMILL_DATA, data(speed_kmh=9.0, heart_rate_bpm=150))  # machine wins
        bpm = [t.heart_rate_bpm for t in telemetry(drain(tm))]
        await tm.disconnect()
        return bpm

    assert await run(clock, body) == [131, None, 120, None, 150]


async def test_heart_rate_service_on_the_same_link_is_used() -> None:
    clock, link = VirtualClock(), FakeGattLink()
    link.chars.add(HEART_RATE_MEASUREMENT)

    async def body() -> list[int | None]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        link.notify(HEART_RATE_MEASUREMENT, encode_heart_rate(HeartRateMeasurement(144)))
        link.notify(HEART_RATE_MEASUREMENT, b"")  # garbage: skipped
        link.notify(TREADMILL_DATA, data(speed_kmh=9.0))
        bpm = [t.heart_rate_bpm for t in telemetry(drain(tm))]
        await tm.disconnect()
        return bpm

    assert await run(clock, body) == [144]
    assert HEART_RATE_MEASUREMENT in link.subscribed


@pytest.mark.parametrize(
    "raw",
    [bytes.fromhex("5000d0070000"), bytes.fromhex("50005000"), b""],  # zero step, short, empty
)
async def test_more_unusable_speed_ranges_fall_back(raw: bytes) -> None:
    clock, link = VirtualClock(), FakeGattLink(speed_range=raw)

    async def body() -> FtmsTreadmill:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        return tm

    assert (await run(clock, body)).speed_range == FALLBACK_SPEED_RANGE


async def test_all_zero_inclination_range_means_no_incline_control() -> None:
    clock = VirtualClock()
    link = FakeGattLink(incline_range=bytes(6))  # the Urevo's

    async def body() -> FtmsTreadmill:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        return tm

    assert (await run(clock, body)).incline_range is None


async def test_range_edges_are_sent_and_a_hair_outside_is_not() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> None:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        await tm.set_speed(20.0)
        await tm.set_speed(0.8)
        await tm.set_incline(15.0)
        for bad in (20.02, 0.7, 0.0, -1.0):
            with pytest.raises(ValueError):
                await tm.set_speed(bad)
        with pytest.raises(ValueError):
            await tm.set_incline(15.2)

    await run(clock, body)
    assert [w.hex() for w in link.writes] == ["00", "02d007", "025000", "039600"]


async def test_after_a_timeout_the_next_command_still_works() -> None:
    clock = VirtualClock()
    answers = {0x02: 0}

    def first_speed_silent(request: bytes) -> list[bytes]:
        if request[0] == 0x02:
            answers[0x02] += 1
            if answers[0x02] == 1:
                return []
        return [bytes([0x80, request[0], 0x01])]

    link = FakeGattLink(responder=first_speed_silent)

    async def body() -> None:
        tm = FtmsTreadmill(link, clock, response_timeout=1.0)
        await tm.connect()
        await tm.request_control()
        with pytest.raises(ControlTimeout):
            await tm.set_speed(9.0)
        await tm.set_speed(9.5)
        # A late answer to the timed-out write, after the fact, is a stray: ignored.
        link.notify(CONTROL_POINT, bytes.fromhex("800201"))

    await run(clock, body)
    assert [w.hex() for w in link.writes] == ["00", "028403", "02b603"]



async def test_late_echoes_of_earlier_targets_are_not_console_presses() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        await tm.set_speed(9.0)
        await tm.set_speed(9.5)
        await tm.set_incline(1.0)
        await tm.set_incline(1.5)
        link.notify(MACHINE_STATUS, bytes.fromhex("058403"))  # 9.00: a slow console's echo
        link.notify(MACHINE_STATUS, bytes.fromhex("060a00"))  # 1.0 %: likewise
        await clock.sleep(10.0)
        link.notify(MACHINE_STATUS, bytes.fromhex("058403"))  # 9.00 long after: the runner
        link.notify(MACHINE_STATUS, bytes.fromhex("051400"))  # 0.20: below any console key
        return drain(tm)

    updates = await run(clock, body)
    assert updates == [TargetSpeedChanged(10.0, 9.0)]


async def test_a_console_restart_without_a_status_rearms_console_detection() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        await tm.start()
        await tm.set_speed(8.0)
        await tm.pause()
        link.notify(TREADMILL_DATA, data(speed_kmh=5.0))
        link.notify(MACHINE_STATUS, bytes.fromhex("05f401"))  # 5.00 on the way down
        link.notify(TREADMILL_DATA, data(speed_kmh=0.0))
        link.notify(TREADMILL_DATA, data(speed_kmh=1.0))  # restarted on the console, no 04
        link.notify(MACHINE_STATUS, bytes.fromhex("05bc02"))  # runner's 7.00
        return [u for u in drain(tm) if not isinstance(u, Telemetry)]

    updates = await run(clock, body)
    assert updates == [TargetSpeedChanged(0.0, 7.0)]


async def test_a_transport_error_on_write_is_one_treadmill_error() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    def broken(request: bytes) -> list[bytes]:
        raise OSError("adapter gone")

    async def body() -> None:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        link.responder = broken
        with pytest.raises(TreadmillError, match="writing set_target_speed failed: adapter gone"):
            await tm.set_speed(9.0)
        link.responder = lambda request: [bytes([0x80, request[0], 0x01])]
        await tm.set_speed(9.0)  # the lock was released

    await run(clock, body)


async def test_refused_reads_of_optional_characteristics_are_treated_as_absent() -> None:
    clock, link = VirtualClock(), FakeGattLink()
    for uuid in (SPEED_RANGE, INCLINATION_RANGE, TRAINING_STATUS):
        link.read_errors[uuid] = TreadmillError("ATT error 0x02: read not permitted")

    async def body() -> FtmsTreadmill:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        return tm

    tm = await run(clock, body)
    assert tm.speed_range == FALLBACK_SPEED_RANGE
    assert tm.incline_range is None and tm.training_status is None
    assert TREADMILL_DATA in link.subscribed


async def test_a_link_that_drops_while_reading_fails_the_connect() -> None:
    clock, link = VirtualClock(), FakeGattLink()
    link.read_errors[SPEED_RANGE] = NotConnected("fake: gone")

    async def body() -> None:
        tm = FtmsTreadmill(link, clock)
        with pytest.raises(NotConnected):
            await tm.connect()

    await run(clock, body)


async def test_incline_back_to_zero_while_stopping_is_not_the_runner() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        await tm.start()
        await tm.set_incline(3.0)
        await tm.stop()
        link.notify(MACHINE_STATUS, bytes.fromhex("060000"))  # the console resets incline
        await tm.start()
        link.notify(MACHINE_STATUS, bytes.fromhex("060a00"))  # the runner: 1.0 %
        return drain(tm)

    updates = await run(clock, body)
    assert [u for u in updates if not isinstance(u, Telemetry)] == [TargetInclineChanged(0.0, 1.0)]


async def test_random_bytes_on_every_characteristic_never_escape_the_callbacks() -> None:
    clock, link = VirtualClock(), FakeGattLink()
    link.chars.add(HEART_RATE_MEASUREMENT)
    rng = random.Random(20261126)
    targets = [TREADMILL_DATA, MACHINE_STATUS, TRAINING_STATUS, CONTROL_POINT]
    targets.append(HEART_RATE_MEASUREMENT)

    async def body() -> FtmsTreadmill:
        tm = FtmsTreadmill(link, clock, queue_size=64)
        await tm.connect()
        await tm.request_control()
        for i in range(20_000):
            packet = rng.randbytes(rng.randrange(0, 24))
            link.notify(targets[i % len(targets)], packet)
        await tm.set_speed(9.0)  # still in working order
        return tm

    with logging_disabled():
        tm = await run(clock, body)
    assert link.writes[-1].hex() == "028403"
    assert sum(isinstance(u, Telemetry) for u in tm._queue) <= 64  # shed, never blocked


async def test_our_own_disconnect_reported_as_a_loss_starts_no_reconnect() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> list[TreadmillUpdate]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.disconnect()
        link.drop()  # a link that reports every disconnect, asked for or not
        await clock.sleep(30.0)
        return drain(tm)

    assert await run(clock, body) == []
    assert link.connects == 1


async def test_commands_wait_for_the_reconnect_to_finish_setting_up() -> None:
    clock = VirtualClock()

    class SlowReads(FakeGattLink):
        async def read(self, uuid: str) -> bytes:
            await clock.sleep(1.0)
            return await super().read(uuid)

    link = SlowReads()

    async def body() -> None:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        link.drop()
        await clock.sleep(1.5)  # reconnected at 1 s, still reading ranges
        assert link.connected
        with pytest.raises(NotConnected):
            await tm.set_speed(9.0)
        await clock.sleep(10.0)
        await tm.set_speed(9.0)
        await tm.disconnect()

    await run(clock, body)
    assert [w.hex() for w in link.writes] == ["00", "00", "028403"]


async def test_values_are_checked_as_they_travel_after_rounding() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def body() -> None:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        await tm.request_control()
        await tm.set_speed(20.004)  # travels as 20.00
        await tm.set_incline(15.04)  # travels as 15.0
        with pytest.raises(ValueError):
            await tm.set_speed(20.006)  # would travel as 20.01
        with pytest.raises(ValueError):
            await tm.set_incline(15.06)  # would travel as 15.1
        with pytest.raises(ValueError):
            await tm.set_speed(float("nan"))

    await run(clock, body)
    assert [w.hex() for w in link.writes] == ["00", "02d007", "039600"]
