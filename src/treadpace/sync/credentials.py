"""Where each service's secrets come from: environment variables first, then 0600 files.

The environment overrides the profile (for CI-style use): `TREADPACE_ICU_API_KEY`,
`TREADPACE_ICU_ATHLETE`, `TREADPACE_ICU_URL`, `TREADPACE_STRAVA_URL`,
`TREADPACE_STRAVA_CLIENT_ID`, `TREADPACE_STRAVA_CLIENT_SECRET` and
`TREADPACE_STRAVA_REFRESH_TOKEN`. A secret file that others can read is refused
with one line (chmod 600 it); nothing here ever puts a secret in a message.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from treadpace.base.paths import config_home
from treadpace.base.user_error import UserError
from treadpace.plans.sync_settings import SyncSettings

ICU_KEY_ENV = "TREADPACE_ICU_API_KEY"
ICU_ATHLETE_ENV = "TREADPACE_ICU_ATHLETE"
ICU_URL_ENV = "TREADPACE_ICU_URL"
STRAVA_URL_ENV = "TREADPACE_STRAVA_URL"
STRAVA_ID_ENV = "TREADPACE_STRAVA_CLIENT_ID"
STRAVA_SECRET_ENV = "TREADPACE_STRAVA_CLIENT_SECRET"
STRAVA_REFRESH_ENV = "TREADPACE_STRAVA_REFRESH_TOKEN"
TOKEN_FILE = "strava-tokens.json"
MAX_SECRET_BYTES = 4096


@dataclass(frozen=True)
class IcuAccount:
    url: str
    athlete: str
    api_key: str = field(repr=False)


@dataclass(frozen=True)
class StravaAccount:
    url: str
    client_id: str
    client_secret: str = field(repr=False)
    token_file: Path = field(default_factory=lambda: config_home() / TOKEN_FILE)
    refresh_token: str | None = field(default=None, repr=False)
    """From the environment: exchanged once, then the rotated token lives in `token_file`."""


def checked_url(url: str, where: str) -> str:
    """A service's base URL: http(s), a host, no credentials in it."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or "@" in parsed.netloc:
        raise UserError(f"{where}: expected a URL like https://host, got {url!r}")
    return url.rstrip("/")


def read_secret(path: Path, what: str) -> str:
    """A secret from a file only its owner can read (mode 0600 or stricter)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{path}: {what}: expected a regular file")
        if info.st_mode & 0o077:
            raise UserError(
                f"{path}: {what}: readable by others (mode {stat.S_IMODE(info.st_mode):o});"
                f" run chmod 600 {path}"
            )
        data = path.read_bytes()[: MAX_SECRET_BYTES + 1]
    except FileNotFoundError:
        raise UserError(f"{path}: {what}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: {what}: cannot read ({exc.strerror})") from None
    text = data.decode("utf-8", errors="replace").strip()
    if not text or len(data) > MAX_SECRET_BYTES or any(c.isspace() for c in text):
        raise UserError(f"{path}: {what}: expected one line holding the secret alone")
    return text


def icu_account(settings: SyncSettings, env: Mapping[str, str] | None = None) -> IcuAccount:
    """The intervals.icu account, or a UserError saying what is missing."""
    env = os.environ if env is None else env
    url = checked_url(
        env.get(ICU_URL_ENV, "").strip() or settings.icu.url,
        ICU_URL_ENV if env.get(ICU_URL_ENV, "").strip() else "sync.icu.url",
    )
    athlete = env.get(ICU_ATHLETE_ENV, "").strip() or settings.icu.athlete
    key = env.get(ICU_KEY_ENV, "").strip()
    if not key:
        if settings.icu.api_key_file is None:
            raise UserError(
                f"intervals.icu: no API key; set {ICU_KEY_ENV} or sync.icu.api_key_file"
                " in the profile (see docs/sync.md)"
            )
        key = read_secret(settings.icu.api_key_file, "sync.icu.api_key_file")
    return IcuAccount(url=url.rstrip("/"), athlete=athlete, api_key=key)


def strava_account(settings: SyncSettings, env: Mapping[str, str] | None = None) -> StravaAccount:
    """The Strava application and where its tokens are, or a UserError saying what is missing."""
    env = os.environ if env is None else env
    strava = settings.strava
    url = checked_url(
        env.get(STRAVA_URL_ENV, "").strip() or strava.url,
        STRAVA_URL_ENV if env.get(STRAVA_URL_ENV, "").strip() else "sync.strava.url",
    )
    client_id = env.get(STRAVA_ID_ENV, "").strip() or (strava.client_id or "")
    if not client_id:
        raise UserError(
            f"Strava: no client id; set {STRAVA_ID_ENV} or sync.strava.client_id"
            " (your own API application, see docs/sync.md)"
        )
    secret = env.get(STRAVA_SECRET_ENV, "").strip()
    if not secret:
        if strava.client_secret_file is None:
            raise UserError(
                f"Strava: no client secret; set {STRAVA_SECRET_ENV} or"
                " sync.strava.client_secret_file in the profile"
            )
        secret = read_secret(strava.client_secret_file, "sync.strava.client_secret_file")
    return StravaAccount(
        url=url.rstrip("/"),
        client_id=client_id,
        client_secret=secret,
        token_file=strava.token_file or config_home() / TOKEN_FILE,
        refresh_token=env.get(STRAVA_REFRESH_ENV, "").strip() or None,
    )


def icu_configured(settings: SyncSettings, env: Mapping[str, str] | None = None) -> bool:
    """A key is given, in the environment or as a file in the profile (nothing is read)."""
    source = os.environ if env is None else env
    return bool(source.get(ICU_KEY_ENV, "").strip()) or settings.icu.api_key_file is not None
