"""Reading the intervals.icu calendar for a command: one request, one line when it fails.

`fetch_events` is what `run icu:...` and `plan list` call; the icu account comes
from the profile and the environment like the sync's (`credentials`), and a
failure is a `SyncError` whose line says what happened.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiohttp

from treadpace.plans.sync_settings import SyncSettings
from treadpace.sync.credentials import icu_account
from treadpace.sync.icu_client import IcuClient


async def fetch_events(
    settings: SyncSettings, oldest: dt.date, newest: dt.date
) -> list[dict[str, Any]]:
    account = icu_account(settings)
    async with aiohttp.ClientSession() as session:
        client = IcuClient(
            session,
            base_url=account.url,
            api_key=account.api_key,
            athlete=account.athlete,
            timeout_s=float(settings.timeout_s),
        )
        return await client.events(oldest, newest)
