"""Safety rule 6 on the Bluetooth layer: a pinned device is the only one ever chosen.

Rule 6 is not the engine core's: which treadmill a run connects to is decided by
`treadmill.ble.find_device` (used by every `BleakLink.connect`, so by `run
--device`), the one place where advertisements are looked at. Here bleak's
scanner is replaced by one that delivers a random list of advertisements (other
treadmills first, addresses in either case, names in any case; the pinned
address spelt with colons or dashes), and the choice is checked: pinned to an
address, only that address; pinned to a name, only that name; unpinned, the
first one heard; and when the pinned device is not on the air, no device at all.
The last test takes the matching out and shows the property then fails.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar

import bleak
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treadpace.treadmill import ble

ADDRESSES = ("AA:BB:CC:DD:EE:01", "AA:BB:CC:DD:EE:02", "aa:bb:cc:dd:ee:03", "F0:0D:00:00:00:04")
NAMES = (None, "Omega Z", "omega z ", "Urevo E1L", "")


@dataclass(frozen=True)
class Heard:
    """One advertisement: the device's address and the name it gives."""

    address: str
    name: str | None


@dataclass(frozen=True)
class _Device:
    address: str
    name: str | None


@dataclass(frozen=True)
class _Advert:
    local_name: str | None


class ScriptedScanner:
    """Stands in for `bleak.BleakScanner`: hears `script`, in order, as soon as it starts."""

    script: ClassVar[list[Heard]] = []

    def __init__(self, detection_callback: Any, **_: Any) -> None:
        self.callback = detection_callback

    async def __aenter__(self) -> ScriptedScanner:
        for heard in self.script:
            self.callback(_Device(heard.address, None), _Advert(heard.name))
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


def spelt(address: str, upper: bool, dashes: bool) -> str:
    text = address.upper() if upper else address.lower()
    return text.replace(":", "-") if dashes else text


def same(a: str, b: str) -> bool:
    return a.upper().replace("-", ":") == b.upper().replace("-", ":")


heard = st.lists(
    st.builds(
        Heard,
        st.builds(spelt, st.sampled_from(ADDRESSES), st.booleans(), st.just(False)),
        st.sampled_from(NAMES),
    ),
    max_size=6,
)
targets = st.one_of(
    st.none(),
    st.builds(spelt, st.sampled_from(ADDRESSES), st.booleans(), st.booleans()),
    st.sampled_from(("Omega Z", "OMEGA Z", " urevo e1l", "Nobody")),
)


def chosen(script: list[Heard], target: str | None) -> Heard | None:
    """What `find_device` picks from `script` for `target` (None: it found nothing)."""
    ScriptedScanner.script = script
    try:
        device, adv = asyncio.run(ble.find_device(target, timeout=0.0))
    except ble.DeviceNotFound:
        return None
    return Heard(device.address, adv.local_name)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(script=heard, target=targets)
def check_only_the_pinned_device_is_chosen(script: list[Heard], target: str | None) -> None:
    got = chosen(script, target)
    if target is None:
        assert got == (script[0] if script else None), "unpinned: the first one heard"
    elif ble.is_address(target):
        wanted = [h for h in script if same(h.address, target)]
        assert got == (wanted[0] if wanted else None), f"pinned to {target}: chose {got}"
    else:
        key = target.strip().casefold()
        wanted = [h for h in script if h.name is not None and h.name.strip().casefold() == key]
        assert got == (wanted[0] if wanted else None), f"pinned to {target!r}: chose {got}"


def test_only_the_configured_device_is_ever_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bleak, "BleakScanner", ScriptedScanner)
    check_only_the_pinned_device_is_chosen()


def test_the_property_fails_when_any_advertiser_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard taken out: `matches` says yes to everything, the first one heard wins."""
    monkeypatch.setattr(bleak, "BleakScanner", ScriptedScanner)
    monkeypatch.setattr(ble, "matches", lambda target, address, name: True)
    with pytest.raises(AssertionError, match="pinned to"):
        check_only_the_pinned_device_is_chosen()
