"""The page's treadmill: scan, describe, choose, pin; the simulator is a choice too.

The same code as `treadpace scan` (the BLE layer's scan) and `treadpace info`
(`treadmill.describe`, over Bluetooth or the simulator's link): the belt is never
moved. Bluetooth trouble (no adapter, BlueZ gone, a treadmill that is off) is one
line for the page and never ends `serve`. Pinning writes the address into the
profile, checked by the same loader a run uses, only when the profile names no
treadmill yet (one it names is the runner's to edit).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from treadpace.base.printable import printable
from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from treadpace.appliance.one_run import Treadmill

SCAN_S = 5.0
INFO_TIMEOUT_S = 10.0
ADDRESS = re.compile(r"^[0-9A-Fa-f:-]{12,40}$")
"""A Bluetooth address (or the UUID macOS gives): what a scan reports, nothing else."""


def bluetooth_line(exc: BaseException) -> str:
    """What went wrong below us, in one line."""
    from treadpace.treadmill.ble import unavailable
    from treadpace.treadmill.ble_text import plain

    return printable(unavailable(exc) or f"Bluetooth: {plain(exc)}")


async def scan_rows(timeout: float = SCAN_S) -> list[dict[str, Any]]:
    """FTMS machines advertising nearby, strongest first, as `scan --json` has them."""
    from bleak.exc import BleakError

    from treadpace.treadmill.ble_scan import scan
    from treadpace.treadmill.port import TreadmillError

    try:
        found = await scan(timeout)
    except (BleakError, TreadmillError, OSError) as exc:
        raise UserError(bluetooth_line(exc)) from None
    return [
        {"name": printable(a.name or ""), "address": a.address, "rssi": a.rssi, "type": a.kind}
        for a in found
    ]


async def info(treadmill: Treadmill) -> list[str]:
    """`treadpace info` for the chosen treadmill (the simulator's model, or Bluetooth)."""
    from bleak.exc import BleakError

    from treadpace.base.clock import RealClock
    from treadpace.treadmill.describe import info_lines
    from treadpace.treadmill.port import TreadmillError

    clock = RealClock()
    if treadmill.sim_model is not None:
        from treadpace.treadmill.sim import SimLink
        from treadpace_sim.treadmill import SimulatedTreadmill

        sim = SimulatedTreadmill(treadmill.sim_model, clock)
        await sim.start()
        try:
            return await info_lines(SimLink(sim), clock)
        finally:
            await sim.close()
    from treadpace.treadmill.ble import BleakLink

    link = BleakLink(treadmill.device, clock, retries=1, scan_timeout=INFO_TIMEOUT_S, backoff=0.5)
    try:
        return await info_lines(link, clock)
    except (BleakError, TreadmillError, OSError) as exc:
        raise UserError(bluetooth_line(exc)) from None


def models() -> list[str]:
    from treadpace_sim.model import list_models

    return list_models()


def check_choice(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(simulator model, Bluetooth address) from a page's choice; UserError names the field."""
    model, address = body.get("sim_model"), body.get("address")
    if isinstance(model, str) and model:
        if model not in models():
            raise UserError(f"sim_model: expected one of {', '.join(models())}")
        return model, None
    if isinstance(address, str) and ADDRESS.match(address):
        return None, address
    raise UserError("address: expected a Bluetooth address from a scan, or sim_model")


def pin(profile: Path, address: str) -> None:
    """Write `treadmill: {address: ...}` into the profile, if it names no treadmill yet."""
    from treadpace.plans.init_answers import check

    try:
        text = profile.read_text(encoding="utf-8")
    except OSError:
        raise UserError(f"{profile}: no profile to pin the treadmill in (save one first)") from None
    if re.search(r"^treadmill\s*:", text, re.MULTILINE):
        raise UserError(f"{profile}: it names a treadmill already; edit treadmill: there")
    pinned = text.rstrip("\n") + "\n# pinned from the page\n"
    pinned += f"treadmill: {{address: {json.dumps(address)}}}\n"
    check(pinned, str(profile))
    fd, scratch = tempfile.mkstemp(dir=profile.parent, prefix=".profile-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(pinned)
        os.replace(scratch, profile)
    except OSError as exc:
        Path(scratch).unlink(missing_ok=True)
        raise UserError(f"{profile}: cannot write ({exc.strerror})") from None
