"""The profile's `sync:` section: which services get each run, and where their secrets are.

Secrets are never written in the profile: an intervals.icu key or a Strava client
secret is read from a file only its owner may read (mode 0600), or from an
environment variable (`TREADPACE_ICU_API_KEY`, `TREADPACE_STRAVA_CLIENT_SECRET`, ...,
see `treadpace.sync.credentials`). A secret written inline is refused by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from treadpace.plans.numbers import Number

SyncService = Literal["icu", "strava"]
SERVICES: tuple[SyncService, ...] = ("icu", "strava")
ICU_URL = "https://intervals.icu"
STRAVA_URL = "https://www.strava.com"

_FORBID = ConfigDict(extra="forbid")


def parse_service_list(value: Any) -> list[SyncService]:
    """`icu,strava`, `[icu]`, `strava` or `none` -> the services; ValueError otherwise."""
    if isinstance(value, str):
        items: list[Any] = [] if value.strip().lower() == "none" else value.split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError(f"expected icu, strava or icu,strava, got {value!r}")
    out: list[SyncService] = []
    for item in items:
        name = item.strip().lower() if isinstance(item, str) else item
        found = next((s for s in SERVICES if s == name), None)
        if found is None:
            raise ValueError(f"expected icu, strava or icu,strava, got {item!r}")
        if found not in out:
            out.append(found)
    return out


def _no_inline(data: Any, keys: tuple[str, ...], instead: str) -> Any:
    if isinstance(data, dict):
        for key in keys:
            if key in data:
                raise ValueError(f"{key}: a secret is never written in the profile; {instead}")
    return data


def _home(value: Path | None) -> Path | None:
    return value.expanduser() if value is not None else None


class IcuSettings(BaseModel):
    """intervals.icu: a personal API key (Settings, Developer), the athlete `0` (the key's)."""

    model_config = _FORBID

    api_key_file: Path | None = None
    athlete: str = "0"
    url: str = ICU_URL

    @model_validator(mode="before")
    @classmethod
    def _secret(cls, data: Any) -> Any:
        return _no_inline(
            data, ("api_key", "key"), "use api_key_file: (mode 0600) or TREADPACE_ICU_API_KEY"
        )

    _path = field_validator("api_key_file")(_home)


class StravaSettings(BaseModel):
    """Strava: the runner's own API application (client id and secret), tokens kept 0600."""

    model_config = _FORBID

    client_id: str | None = None
    client_secret_file: Path | None = None
    token_file: Path | None = None
    """Where the tokens are kept (default: strava-tokens.json in the config dir)."""
    url: str = STRAVA_URL

    @model_validator(mode="before")
    @classmethod
    def _secret(cls, data: Any) -> Any:
        return _no_inline(
            data,
            ("client_secret", "refresh_token", "access_token"),
            "use client_secret_file: (mode 0600) or the TREADPACE_STRAVA_* variables",
        )

    @field_validator("client_id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    _paths = field_validator("client_secret_file", "token_file")(_home)


class SyncSettings(BaseModel):
    model_config = _FORBID

    after_run: bool = False
    """Upload each finished run once the belt has stopped and the files are written."""
    to: list[SyncService] = Field(default_factory=list)
    icu: IcuSettings = Field(default_factory=lambda: IcuSettings())
    strava: StravaSettings = Field(default_factory=lambda: StravaSettings())
    timeout_s: Number = Field(default=30.0, gt=0, le=600)
    """How long one request may take before it counts as a timeout."""
    after_run_budget_s: Number = Field(default=60.0, gt=0, le=900)
    """The most a sync after a run may take; what is not done by then stays queued."""

    @field_validator("to", mode="before")
    @classmethod
    def _services(cls, value: Any) -> Any:
        return parse_service_list(value)
