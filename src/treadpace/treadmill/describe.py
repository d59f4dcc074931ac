"""A treadmill in plain words: what `treadpace info` prints and the appliance's page shows.

Its features, speed and incline ranges, what treadpace can command, who made it
and one reading; read over any GATT link (Bluetooth or the simulator), and the
belt is never moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from treadpace.base.clock import Clock
    from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
    from treadpace.treadmill.port import GattLink


def words(flags: Any) -> str:
    names = [str(f.name).lower().replace("_", " ") for f in type(flags) if f in flags and f.name]
    return ", ".join(names) or "nothing"


async def info_lines(link: GattLink, clock: Clock) -> list[str]:
    """Connect (never moving the belt), describe the machine in plain words, let it go."""
    from treadpace.treadmill.ftms_treadmill import FtmsTreadmill

    treadmill = FtmsTreadmill(link, clock)
    await treadmill.connect()  # reads and subscribes; never moves the belt
    try:
        lines = [f"treadmill: {treadmill.name}"]
        made = await maker(link)
        if made:
            lines.append("device: " + ", ".join(made))
        lines.extend(describe(treadmill))
        lines.append("now: " + await now(treadmill))
        return lines
    finally:
        await treadmill.disconnect()


async def maker(link: GattLink) -> list[str]:
    """Manufacturer, model and firmware, as far as the Device Information service tells."""
    from treadpace.ftms import FIRMWARE_REVISION, MANUFACTURER_NAME, MODEL_NUMBER

    found = []
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
                found.append(f"{label} {text}")
    return found


async def now(treadmill: FtmsTreadmill) -> str:
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


def describe(treadmill: FtmsTreadmill) -> list[str]:
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
        lines.append(f"reports: {words(feature.machine)}")
        lines.append(f"accepts targets: {words(feature.target)}")
    lines.append(control_line(treadmill))
    return lines


def control_line(treadmill: FtmsTreadmill) -> str:
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
