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
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from treadpace.errors import UserError

if TYPE_CHECKING:
    from treadpace.treadmill.ble import BleakLink
    from treadpace.treadmill.ftms_treadmill import FtmsTreadmill

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


def _words(flags: Any) -> str:
    names = [str(f.name).lower().replace("_", " ") for f in type(flags) if f in flags and f.name]
    return ", ".join(names) or "nothing"


async def _info(device: str, timeout: float) -> list[str]:
    from treadpace.clock import RealClock
    from treadpace.treadmill.ble import BleakLink
    from treadpace.treadmill.ftms_treadmill import FtmsTreadmill

    clock = RealClock()
    link = BleakLink(
        device,
        clock,
        retries=1,
        scan_timeout=timeout,
        backoff=0.5,
        progress=lambda line: print(line, flush=True),
    )
    treadmill = FtmsTreadmill(link, clock)
    await treadmill.connect()  # reads and subscribes; never moves the belt
    try:
        lines = [f"treadmill: {treadmill.name}"]
        maker = await _maker(link)
        if maker:
            lines.append("device: " + ", ".join(maker))
        lines.extend(_describe(treadmill))
        lines.append("now: " + await _now(treadmill))
        return lines
    finally:
        await treadmill.disconnect()


async def _maker(link: BleakLink) -> list[str]:
    """Manufacturer, model and firmware, as far as the Device Information service tells."""
    from treadpace.ftms import FIRMWARE_REVISION, MANUFACTURER_NAME, MODEL_NUMBER

    maker = []
    for label, uuid in (
        ("made by", MANUFACTURER_NAME),
        ("model", MODEL_NUMBER),
        ("firmware", FIRMWARE_REVISION),
    ):
        if link.has_characteristic(uuid):
            try:
                text = (await link.read(uuid)).decode("utf-8", "replace").strip("\0 ")
            except Exception:  # an unreadable string is not worth failing for
                continue
            if text:
                maker.append(f"{label} {text}")
    return maker


async def _now(treadmill: FtmsTreadmill) -> str:
    """The first telemetry reading, waited for at most 5 s."""
    import asyncio

    from treadpace.treadmill.port import Telemetry

    reading = None
    try:
        async with asyncio.timeout(5.0):
            async for update in treadmill.updates():
                if isinstance(update, Telemetry):
                    reading = update
                    break
    except TimeoutError:
        pass
    if reading is None:
        return "no reading within 5 s"
    parts = [f"belt at {reading.speed_kmh:.2f} km/h"]
    if reading.incline_percent is not None:
        parts.append(f"incline {reading.incline_percent:.1f} %")
    if reading.distance_m is not None:
        parts.append(f"distance {reading.distance_m:.0f} m")
    if reading.heart_rate_bpm is not None:
        parts.append(f"heart rate {reading.heart_rate_bpm} bpm")
    return ", ".join(parts)


def _describe(treadmill: FtmsTreadmill) -> list[str]:
    sr = treadmill.speed_range
    lines = [f"speed: {sr.min_kmh:g} to {sr.max_kmh:g} km/h in steps of {sr.increment_kmh:g} km/h"]
    ir = treadmill.incline_range
    if ir is None:
        lines.append("incline: not adjustable by treadpace")
    else:
        lines.append(
            f"incline: {ir.min_percent:g} to {ir.max_percent:g} % "
            f"in steps of {ir.increment_percent:g} %"
        )
    feature = treadmill.features
    if feature is not None:
        lines.append(f"reports: {_words(feature.machine)}")
        lines.append(f"accepts targets: {_words(feature.target)}")
    lines.append(_control_line(treadmill))
    return lines


def _control_line(treadmill: FtmsTreadmill) -> str:
    """What treadpace can command, from the same capabilities as the lines above."""
    from treadpace.ftms import TargetFeature

    if not treadmill.controllable:
        return "control: read-only - guided mode (you set the belt, treadpace follows)"
    feature = treadmill.features
    speed = feature is None or bool(feature.target & TargetFeature.SPEED_TARGET)
    incline = treadmill.incline_range is not None
    if speed and incline:
        can = "set speed and incline"
    elif speed:
        can = "set speed (not incline: set that on the console)"
    elif incline:
        can = "set incline (not speed: set that on the console)"
    else:
        can = "start and stop the belt (speed and incline are set on the console)"
    return f"control: treadpace can {can} (it asks first)"


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
