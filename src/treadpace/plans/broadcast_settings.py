"""The profile's `broadcast:` section: be a footpod and a read-only treadmill during runs.

Defined with the profile (plans must not import the broadcast package, which needs
D-Bus); `treadpace.broadcast` reads these fields. The same parser serves the
`--broadcast rsc,ftms` option, so both spellings fail with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, Literal, Protocol, Self, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

from treadpace.base.user_error import UserError

BroadcastService = Literal["rsc", "ftms"]
_ADAPTER = re.compile(r"hci[0-9]{1,2}")
MAX_NAME_BYTES: Final = 20
"""An LE advertisement has 31 octets; with the service UUIDs a longer name is cut."""


def parse_services(value: Any) -> list[BroadcastService]:
    """`rsc,ftms`, `[rsc, ftms]`, `ftms`, `none` or `[]` -> the services; ValueError otherwise."""
    if isinstance(value, str):
        items: list[Any] = [] if value.strip().lower() == "none" else value.split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError(f"expected rsc, ftms or rsc,ftms, got {value!r}")
    out: list[BroadcastService] = []
    for item in items:
        name = item.strip().lower() if isinstance(item, str) else item
        service: BroadcastService
        if name == "rsc":
            service = "rsc"
        elif name == "ftms":
            service = "ftms"
        else:
            raise ValueError(f"expected rsc, ftms or rsc,ftms, got {item!r}")
        if service not in out:
            out.append(service)
    return out


def check_adapter_name(value: Any) -> str:
    if not isinstance(value, str) or not _ADAPTER.fullmatch(value.strip()):
        raise ValueError(f"expected a Bluetooth adapter such as hci0, got {value!r}")
    return value.strip()


class BroadcastSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    services: list[BroadcastService] = []
    """Empty: no broadcast (the default)."""
    name: str = "treadpace"
    """The name a watch or app shows when it scans."""
    adapter: str = "hci0"
    """The radio to advertise on: the treadmill's, or a second one (e.g. hci1)."""

    @field_validator("services", mode="before")
    @classmethod
    def _services(cls, value: Any) -> list[BroadcastService]:
        return parse_services(value)

    @field_validator("adapter", mode="before")
    @classmethod
    def _adapter(cls, value: Any) -> str:
        return check_adapter_name(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"expected a device name, got {value!r}")
        text = value.strip()
        if not text.isprintable():
            raise ValueError("expected a device name of printable characters")
        if len(text.encode()) > MAX_NAME_BYTES:
            raise ValueError(f"expected a device name of at most {MAX_NAME_BYTES} bytes")
        return text


class _HasBroadcast(Protocol):
    """The profile as seen from here (profile.py imports this module, not the reverse)."""

    @property
    def broadcast(self) -> BroadcastSettings: ...

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self: ...


_Profile = TypeVar("_Profile", bound=_HasBroadcast)


def with_broadcast_options(prof: _Profile, services: str | None, adapter: str | None) -> _Profile:
    """The profile for this run with `--broadcast` / `--broadcast-adapter` applied over it."""
    if services is None and adapter is None:
        return prof
    update: dict[str, Any] = {}
    for option, key, parse, value in (
        ("--broadcast", "services", parse_services, services),
        ("--broadcast-adapter", "adapter", check_adapter_name, adapter),
    ):
        if value is None:
            continue
        try:
            update[key] = parse(value)
        except ValueError as exc:
            raise UserError(f"{option}: {exc}") from None
    settings = prof.broadcast.model_copy(update=update)
    if adapter is not None and not settings.services:
        raise UserError("--broadcast-adapter: only with --broadcast (or broadcast.services)")
    return prof.model_copy(update={"broadcast": settings})
