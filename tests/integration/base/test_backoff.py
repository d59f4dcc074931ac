"""The one `Backoff`: its schedule on the virtual clock, and who owns the retries.

A reconnect once ran the link's own retries inside the reconnect loop's, so one
reconnect attempt could be four 10 s scans. Now the loop retries and the link,
once it has been connected, makes one attempt (one scan) per call.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, ClassVar

import aiomqtt
import pytest

from tests.fakes import FakeGattLink
from tests.mqtt_broker import mqtt_settings
from treadpace.base.backoff import Backoff, Retrying
from treadpace.base.clock import VirtualClock
from treadpace.mqtt import MqttBridge
from treadpace.treadmill import ble
from treadpace.treadmill.ble import BleakLink, DeviceNotFound
from treadpace.treadmill.ftms_treadmill import RECONNECT, FtmsTreadmill
from treadpace.treadmill.port import LinkRestored
from treadpace.treadmill.retry import TRANSPORT


def test_the_schedule_starts_at_first_doubles_and_stops_at_the_cap() -> None:
    b = Backoff(first=0.5, cap=4.0)
    assert [b.delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    assert b.delay(10_000) == 4.0  # no overflow however long the outage
    assert Backoff(first=1.0, cap=30.0, attempts=4).delays() == [1.0, 2.0, 4.0]
    assert TRANSPORT.delays() == [0.5, 1.0, 2.0]
    assert [RECONNECT.delay(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 16.0, 16.0]


@pytest.mark.parametrize(
    "kwargs", [{"first": 0.0}, {"first": 2.0, "cap": 1.0}, {"cap": float("inf")}, {"attempts": -1}]
)
def test_a_backoff_that_could_spin_or_never_end_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)  # type: ignore[arg-type]


def test_an_unbounded_backoff_has_no_list_of_delays() -> None:
    with pytest.raises(ValueError):
        Backoff().delays()


async def test_waits_are_on_the_clock_and_reset_only_after_a_connection_that_lasted() -> None:
    clock = VirtualClock()
    r = Retrying(Backoff(first=1.0, cap=8.0, stable_s=10.0), clock)

    async def body() -> list[float]:
        gaps = []
        for _ in range(5):
            t = clock.now()
            await r.wait()
            gaps.append(clock.now() - t)
        r.connected()
        await clock.sleep(3.0)  # a short connection: the schedule goes on
        r.lost()
        t = clock.now()
        await r.wait()
        gaps.append(clock.now() - t)
        r.connected()
        await clock.sleep(10.0)  # this one lasted: from the first pause again
        r.lost()
        t = clock.now()
        await r.wait()
        gaps.append(clock.now() - t)
        return gaps

    assert await clock.drive(body()) == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 1.0]


def test_a_bounded_schedule_is_exhausted_after_its_attempts() -> None:
    r = Retrying(Backoff(first=1.0, cap=4.0, attempts=3), VirtualClock())
    assert (r.attempt, r.exhausted) == (1, False)
    assert [r.failed(), r.failed()] == [1.0, 2.0]
    assert not r.exhausted
    r.failed()
    assert r.exhausted


def _timed_connects(link: FakeGattLink, clock: VirtualClock) -> list[float]:
    times: list[float] = []
    inner = link.connect

    async def connect() -> None:
        times.append(clock.now())
        await inner()

    link.connect = connect  # type: ignore[method-assign]
    return times


async def test_the_reconnect_loop_follows_the_backoff_up_to_its_cap() -> None:
    clock, link = VirtualClock(), FakeGattLink()
    times = _timed_connects(link, clock)

    async def body() -> None:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        link.refuse_connect = 6
        lost_at = clock.now()
        link.drop()
        await clock.sleep(120.0)
        assert link.connected
        times.insert(1, lost_at)
        await tm.disconnect()

    await clock.drive(body())
    gaps = [b - a for a, b in itertools.pairwise(times[1:])]
    assert gaps == [1.0, 2.0, 4.0, 8.0, 16.0, 16.0, 16.0]  # 6 refused, the 7th connects


async def test_after_a_connection_that_lasted_the_next_reconnect_waits_the_first_pause() -> None:
    clock, link = VirtualClock(), FakeGattLink()

    async def lost_to_restored(tm: FtmsTreadmill, refuse: int) -> float:
        link.refuse_connect = refuse
        t = clock.now()
        link.drop()
        while not any(isinstance(u, LinkRestored) for u in tm._queue):
            await clock.sleep(0.5)
        tm._queue.clear()
        return clock.now() - t

    async def body() -> list[float]:
        tm = FtmsTreadmill(link, clock)
        await tm.connect()
        first = await lost_to_restored(tm, refuse=2)  # 1 + 2 + 4 s
        await clock.sleep(2.0)  # up for 2 s only: the schedule goes on (8 s)
        short = await lost_to_restored(tm, refuse=0)
        await clock.sleep(30.0)  # up for 30 s: from 1 s again
        lasted = await lost_to_restored(tm, refuse=0)
        await tm.disconnect()
        return [first, short, lasted]

    first, short, lasted = await clock.drive(body())
    assert first == pytest.approx(7.0, abs=0.5)
    assert short == pytest.approx(8.0, abs=0.5)
    assert lasted == pytest.approx(1.0, abs=0.5)


class _FakeBleakClient:
    """Just enough of bleak's client for BleakLink to connect, subscribe and drop."""

    made: ClassVar[list[_FakeBleakClient]] = []

    def __init__(self, device: object, disconnected_callback: Callable[[Any], None], **_: Any):
        self._lost = disconnected_callback
        self.is_connected = False
        self.services: list[Any] = []
        _FakeBleakClient.made.append(self)

    async def connect(self) -> None:
        self.is_connected = True

    async def disconnect(self) -> None:
        self.is_connected = False

    async def start_notify(self, uuid: str, callback: object) -> None:
        return None

    def drop(self) -> None:
        self.is_connected = False
        self._lost(self)


async def test_one_scan_per_reconnect_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    """The treadmill is gone: each reconnect attempt scans once, not `retries + 1` times."""
    clock = VirtualClock()
    scans: list[float] = []
    here = True

    async def find_device(target: str | None, **_: Any) -> tuple[Any, Any]:
        scans.append(clock.now())
        await clock.sleep(10.0)  # the radio's scan window, on the test's clock
        if not here:
            raise DeviceNotFound(f"{target}: not found (scanned 10 s)")
        return SimpleNamespace(address="C0:FF:EE:00:00:01", name="t"), SimpleNamespace(
            local_name="t"
        )

    import bleak

    monkeypatch.setattr(ble, "find_device", find_device)
    monkeypatch.setattr(bleak, "BleakClient", _FakeBleakClient)
    _FakeBleakClient.made.clear()
    link = BleakLink("C0:FF:EE:00:00:01", clock, retries=3, backoff=1.0)
    tm = FtmsTreadmill(link, clock)
    attempts: list[float] = []
    inner = tm.reconnect

    async def reconnect() -> None:
        attempts.append(clock.now())
        await inner()

    tm.reconnect = reconnect  # type: ignore[method-assign]

    async def body() -> None:
        nonlocal here
        await tm.connect()
        assert len(scans) == 1
        here = False
        _FakeBleakClient.made[-1].drop()
        await clock.sleep(200.0)
        await tm.disconnect()

    await clock.drive(body())
    reconnect_scans = scans[1:]
    assert len(attempts) >= 4
    # Every scan after the first connect began with a reconnect attempt of its own.
    assert len(reconnect_scans) == len(attempts)
    assert reconnect_scans == attempts


async def test_the_first_connect_still_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` and `info` keep their "try 2 of 4": only the first connect has retries."""
    clock = VirtualClock()
    scans = 0

    async def find_device(target: str | None, **_: Any) -> tuple[Any, Any]:
        nonlocal scans
        scans += 1
        raise DeviceNotFound(f"{target}: not found")

    monkeypatch.setattr(ble, "find_device", find_device)
    lines: list[str] = []
    link = BleakLink("C0:FF:EE:00:00:01", clock, retries=3, progress=lines.append)
    with pytest.raises(DeviceNotFound) as failed:
        await clock.drive(link.connect())
    assert scans == 4
    assert lines[-1].endswith("(try 4 of 4)")
    assert "after 4 scans" in str(failed.value)
    assert clock.now() == pytest.approx(1.0 + 2.0 + 4.0)


class _NoBroker:
    """An aiomqtt client whose broker is unreachable, or accepts and then drops us."""

    def __init__(self, clock: VirtualClock, attempts: list[float], accept: bool) -> None:
        self._clock, self._attempts, self._accept = clock, attempts, accept

    async def __aenter__(self) -> _NoBroker:
        self._attempts.append(self._clock.now())
        if not self._accept:
            raise aiomqtt.MqttError("connection refused")
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def _bridge(clock: VirtualClock, attempts: list[float], up_for: list[float]) -> MqttBridge:
    """A bridge on `clock`; connection n stays up `up_for[n]` s (none left: refused)."""
    bridge = MqttBridge(
        mqtt_settings(host="127.0.0.1", port=1),
        commands=lambda c, v, s: asyncio.sleep(0),
        reconnect_min_s=0.5,
        reconnect_max_s=30.0,
        clock=clock,
    )
    holds = list(up_for)

    def new_client() -> Any:
        return _NoBroker(clock, attempts, accept=bool(holds))

    async def serve(client: object) -> None:
        await clock.sleep(holds.pop(0))
        raise aiomqtt.MqttError("dropped")

    bridge._new_client = new_client  # type: ignore[method-assign]
    bridge._serve = serve  # type: ignore[method-assign]
    return bridge


async def _run_link(clock: VirtualClock, bridge: MqttBridge, seconds: float) -> None:
    async def body() -> None:
        link = asyncio.create_task(bridge._link_loop())
        await clock.sleep(seconds)
        bridge._ending.set()
        await link

    await clock.drive(body())


async def test_mqtt_reconnects_on_the_clock_up_to_the_cap() -> None:
    clock, attempts = VirtualClock(), list[float]()
    await _run_link(clock, _bridge(clock, attempts, []), 130.0)
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert gaps == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


async def test_mqtt_backoff_resets_only_after_a_connection_that_lasted() -> None:
    clock, attempts = VirtualClock(), list[float]()
    # Two connections dropped at once keep backing off; one that lasted 12 s resets.
    await _run_link(clock, _bridge(clock, attempts, [0.0, 0.0, 12.0]), 20.0)
    assert attempts[1] - attempts[0] == 0.5
    assert attempts[2] - attempts[1] == 1.0
    assert attempts[3] - (attempts[2] + 12.0) == 0.5  # from the first pause again
