"""The BLE layer's scan: typed advertisers, and one scan at a time in the process.

BlueZ refuses a second discovery while one runs, so the lock lives in the BLE layer:
a treadmill connect, a strap connect and `scan` wait for each other there.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, ClassVar

import bleak
import pytest

from treadpace.ftms import FTMS_SERVICE, HEART_RATE_SERVICE
from treadpace.treadmill import ble_scan
from treadpace.treadmill.ble import DeviceNotFound, find_device
from treadpace.treadmill.ble_scan import Advertiser, scan

A = "C0:FF:EE:18:26:01"


class _Scanner:
    """A stand-in for bleak's scanner that records how many scans overlap."""

    active = 0
    most = 0
    heard: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init__(self, **_: Any) -> None:
        pass

    async def __aenter__(self) -> _Scanner:
        _Scanner.active += 1
        _Scanner.most = max(_Scanner.most, _Scanner.active)
        return self

    async def __aexit__(self, *exc: object) -> None:
        _Scanner.active -= 1

    @classmethod
    async def discover(cls, *, timeout: float, **_: Any) -> dict[str, tuple[Any, Any]]:
        async with cls():
            await asyncio.sleep(timeout)
        return cls.heard


def _adv(name: str | None, uuids: list[str], data: dict[str, bytes], rssi: int) -> Any:
    return SimpleNamespace(local_name=name, service_uuids=uuids, service_data=data, rssi=rssi)


@pytest.fixture
def scanner(monkeypatch: pytest.MonkeyPatch) -> type[_Scanner]:
    monkeypatch.setattr(bleak, "BleakScanner", _Scanner)
    _Scanner.active = _Scanner.most = 0
    _Scanner.heard = {}
    return _Scanner


async def test_scans_never_overlap(scanner: type[_Scanner]) -> None:
    async def connect_scan() -> None:
        with pytest.raises(DeviceNotFound):
            await find_device(A, timeout=0.05)

    await asyncio.gather(scan(0.05), connect_scan(), scan(0.05, hr=True), connect_scan())
    assert scanner.most == 1


async def test_scan_decodes_the_service_data_in_the_ftms_layer(scanner: type[_Scanner]) -> None:
    dev = SimpleNamespace
    scanner.heard = {
        "a": (
            dev(address=A, name="x"),
            _adv("Tread", [FTMS_SERVICE], {FTMS_SERVICE: b"\1\1\0"}, -70),
        ),
        "b": (dev(address="B", name=None), _adv(None, [FTMS_SERVICE], {FTMS_SERVICE: b"\1"}, -40)),
        "c": (dev(address="C", name="HRM"), _adv(None, [HEART_RATE_SERVICE], {}, -60)),
        "d": (dev(address="D", name="bulb"), _adv("bulb", ["0000feed"], {}, -30)),
    }
    found = await scan(0.01, hr=True)
    assert [(a.address, a.kind, a.name) for a in found] == [
        ("B", "fitness machine", None),  # one octet of service data: skipped, not a crash
        ("C", "heart-rate strap", "HRM"),
        (A, "treadmill", "Tread"),
    ]


def test_kind_in_plain_words() -> None:
    from treadpace.ftms import decode_service_data

    bike = Advertiser("b", A, -50, True, decode_service_data(bytes.fromhex("01 21 00")))
    assert bike.kind == "treadmill, indoor bike"
    assert Advertiser("n", A, -50, True, None).kind == "fitness machine"
    assert Advertiser("s", A, -50, False, None).kind == "heart-rate strap"
    assert Advertiser("p", A, -50, False, None, footpod=True).kind == "footpod"


async def test_each_event_loop_has_its_own_lock() -> None:
    assert ble_scan.scan_lock() is ble_scan.scan_lock()
    other = await asyncio.to_thread(lambda: asyncio.run(_lock_id()))
    assert other != id(ble_scan.scan_lock())


async def _lock_id() -> int:
    return id(ble_scan.scan_lock())
