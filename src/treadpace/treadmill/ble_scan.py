"""Listening for advertisers, one scan at a time for the whole process.

BlueZ refuses a second discovery while one runs ("Operation already in
progress"), and a treadmill connect, a heart-rate strap connect and `scan` all
scan. So every scan in treadpace (`find_device` for a connect, `scan` for the
`scan` and `init` commands) holds `scan_lock()` while it listens: callers never
coordinate among themselves. The lock is per event loop, as asyncio's are.

`scan` returns typed `Advertiser`s, with the FTMS service data already decoded by
`treadpace.ftms`; garbage service data is logged and read as "fitness machine".
Heart-rate straps (0x180D) and footpods (Running Speed and Cadence, 0x1814) are
listed when asked for: they are second devices a profile pins.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass
from typing import Any

from treadpace.ftms import (
    FTMS_SERVICE,
    HEART_RATE_SERVICE,
    FtmsDecodeError,
    ServiceData,
    decode_service_data,
)
from treadpace.ftms.uuids import RSC_SERVICE

log = logging.getLogger(__name__)

_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def scan_lock() -> asyncio.Lock:
    """The running loop's one scan lock."""
    loop = asyncio.get_running_loop()
    lock = _LOCKS.get(loop)
    if lock is None:
        lock = _LOCKS[loop] = asyncio.Lock()
    return lock


def adapter_args(adapter: str | None) -> dict[str, Any]:
    return {"bluez": {"adapter": adapter}} if adapter else {}


@dataclass(frozen=True)
class Advertiser:
    """One device heard during a scan."""

    name: str | None
    address: str
    rssi: int
    fitness_machine: bool
    """Advertises the FTMS service (else: a heart-rate strap, or a footpod)."""
    service_data: ServiceData | None
    """The decoded FTMS service data, when the machine sent some."""
    footpod: bool = False
    """Advertises Running Speed and Cadence and not FTMS: a footpod on a runner's shoe."""

    @property
    def kind(self) -> str:
        """`"treadmill"`, `"treadmill, indoor bike"`, `"fitness machine"`, `"heart-rate strap"`,
        `"footpod"`."""
        if not self.fitness_machine:
            return "footpod" if self.footpod else "heart-rate strap"
        names = self.service_data.type_names if self.service_data is not None else []
        return ", ".join(names) or "fitness machine"


def _service_data(address: str, raw: bytes | None) -> ServiceData | None:
    if raw is None:
        return None
    try:
        return decode_service_data(raw)
    except FtmsDecodeError as exc:
        log.info("%s: skipping its service data %s: %s", address, raw.hex(" "), exc)
        return None


async def scan(
    timeout: float, *, hr: bool = False, footpod: bool = False, adapter: str | None = None
) -> list[Advertiser]:
    """Listen `timeout` s for FTMS machines (straps with `hr`, footpods with `footpod`);
    strongest first."""
    from bleak import BleakScanner

    wanted = {HEART_RATE_SERVICE: hr, RSC_SERVICE: footpod}
    uuids = [FTMS_SERVICE] + [uuid for uuid, asked in wanted.items() if asked]
    async with scan_lock():
        found = await BleakScanner.discover(
            timeout=timeout, return_adv=True, service_uuids=uuids, **adapter_args(adapter)
        )
    out: list[Advertiser] = []
    for device, adv in found.values():
        services = {u.lower() for u in adv.service_uuids}
        ftms = FTMS_SERVICE in services
        if not ftms and not services & set(uuids):
            continue
        raw = adv.service_data.get(FTMS_SERVICE) if ftms else None
        out.append(
            Advertiser(
                name=adv.local_name or device.name,
                address=device.address,
                rssi=adv.rssi,
                fitness_machine=ftms,
                service_data=_service_data(device.address, raw),
                footpod=not ftms and RSC_SERVICE in services and footpod,
            )
        )
    out.sort(key=lambda a: -a.rssi)
    return out
