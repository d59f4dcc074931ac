"""`treadpace scan` and `treadpace info`: find a Bluetooth treadmill, and say what it can do.

`scan` lists FTMS machines (and, with `--hr`, heart-rate straps; with `--footpod`,
Running Speed and Cadence footpods, the one to pin as the profile's `footpod:`) advertising
nearby: name, address, signal strength, machine type (from the FTMS service
data when the machine sends it). `info --device` connects without moving the
belt and tells the machine's features, speed and incline ranges and one reading,
in plain words.

Exit codes: 0 found / shown; 1 nothing found (no advertiser, or the named
device did not show up); 2 Bluetooth unusable (no system D-Bus, BlueZ not
running, no adapter) or a bad option. Always one line on stderr, never a
traceback.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

import typer

from treadpace.base.user_error import UserError

T = TypeVar("T")


class NothingFound(UserError):
    """Nothing answered: exit code 1 (the tools worked, the device is just not there)."""

    exit_code = 1


def _run(coro: Awaitable[T]) -> T:
    """Run a Bluetooth coroutine; turn what can go wrong below us into one line."""
    import asyncio

    from bleak.exc import BleakError

    from treadpace.treadmill.ble import DeviceNotFound, unavailable
    from treadpace.treadmill.ble_text import plain
    from treadpace.treadmill.port import TreadmillError

    async def wrapped() -> T:
        return await coro

    try:
        return asyncio.run(wrapped())
    except DeviceNotFound as exc:
        raise NothingFound(str(exc)) from None
    except (BleakError, TreadmillError, OSError) as exc:
        reason = unavailable(exc)
        if reason is not None:
            raise UserError(reason) from None
        if isinstance(exc, TreadmillError):
            raise UserError(_line(str(exc))) from None  # already one plain line
        raise UserError(f"Bluetooth: {plain(exc)}") from None


def _line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else "unknown error"


async def _scan(timeout: float, hr: bool, footpod: bool = False) -> list[dict[str, Any]]:
    """The BLE layer's scan, as the rows `scan --json` prints (strongest first)."""
    from treadpace.treadmill.ble_scan import scan

    return [
        {"name": a.name, "address": a.address, "rssi": a.rssi, "type": a.kind}
        for a in await scan(timeout, hr=hr, footpod=footpod)
    ]


async def _info(device: str, timeout: float) -> list[str]:
    from treadpace.base.clock import RealClock
    from treadpace.treadmill.ble import BleakLink
    from treadpace.treadmill.describe import info_lines

    clock = RealClock()
    link = BleakLink(
        device,
        clock,
        retries=1,
        scan_timeout=timeout,
        backoff=0.5,
        progress=lambda line: print(line, flush=True),
    )
    return await info_lines(link, clock)


def register(app: typer.Typer) -> None:
    @app.command()
    def scan(
        timeout: Annotated[
            float, typer.Option("--timeout", min=0.1, help="Seconds to listen.")
        ] = 5.0,
        hr: Annotated[bool, typer.Option("--hr", help="Also list heart-rate straps.")] = False,
        footpod: Annotated[
            bool, typer.Option("--footpod", help="Also list footpods (Running Speed and Cadence).")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON list.")] = False,
    ) -> None:
        """List Bluetooth treadmills (FTMS) advertising nearby. Exit 1 when none is found."""
        rows = _run(_scan(timeout, hr, footpod))
        if as_json:
            print(json.dumps(rows))
        else:
            for r in rows:
                name = r["name"] or "(no name)"
                print(f"{r['address']}  {r['rssi']:>4} dBm  {r['type']:<16}  {name}")
        if not rows:
            kinds = ["treadmill"] + ["strap"] * hr + ["footpod"] * footpod
            what = ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else kinds[0]
            raise NothingFound(f"no {what} found (listened {timeout:g} s)")

    @app.command()
    def info(
        device: Annotated[
            str, typer.Option("--device", help="Bluetooth address or advertised name.")
        ],
        timeout: Annotated[
            float, typer.Option("--timeout", min=0.1, help="Seconds to look for it.")
        ] = 10.0,
    ) -> None:
        """Connect to a treadmill (the belt is not moved) and describe it in plain words."""
        for line in _run(_info(device, timeout)):
            print(line)
