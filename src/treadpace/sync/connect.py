"""The configured services as uploaders, sharing one HTTP session for one sync.

Configuration problems (no key, a secret file others can read) surface here as a
`UserError`, before anything is sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import aiohttp

from treadpace.base.clock import Clock
from treadpace.base.user_error import UserError
from treadpace.plans.sync_settings import SyncSettings
from treadpace.sync.credentials import icu_account, strava_account
from treadpace.sync.icu_client import IcuClient, IcuUploader

if TYPE_CHECKING:
    from treadpace.sync.drain import Uploader


@contextlib.asynccontextmanager
async def uploaders_for(
    settings: SyncSettings, services: list[str], clock: Clock
) -> AsyncIterator[dict[str, Uploader]]:
    # Resolved before the session exists: a missing key is said before any connection.
    icu = icu_account(settings) if "icu" in services else None
    strava = strava_account(settings) if "strava" in services else None
    async with aiohttp.ClientSession() as session:
        uploaders: dict[str, Uploader] = {}
        if icu is not None:
            client = IcuClient(
                session,
                base_url=icu.url,
                api_key=icu.api_key,
                athlete=icu.athlete,
                timeout_s=float(settings.timeout_s),
                wall=clock.wall,
            )
            uploaders["icu"] = IcuUploader(client)
        if strava is not None:
            from treadpace.sync.strava import StravaUploader

            uploader = StravaUploader.for_account(session, strava, clock, float(settings.timeout_s))
            if not uploader.linked():
                raise UserError(
                    "Strava: not linked yet; run `treadpace sync strava --authorize`"
                    " (or set TREADPACE_STRAVA_REFRESH_TOKEN)"
                )
            uploaders["strava"] = uploader
        yield uploaders
