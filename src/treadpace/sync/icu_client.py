"""A thin intervals.icu client: upload an activity file, read and write calendar events.

The API is described by intervals.icu's OpenAPI 3 document: the personal API key
goes as HTTP basic auth with the user name `API_KEY`, and the athlete id `0` means
the key's owner. An upload is de-duplicated by the service (the same file, or the
same `external_id`, answers 200 with the activity it already has instead of 201),
which is what makes a second try after a lost answer safe.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiohttp

from treadpace.sync.failure import Failure, SyncError
from treadpace.sync.http import check, send
from treadpace.sync.strava_limits import wait_after_limit

SERVICE = "icu"


@dataclass(frozen=True)
class IcuUploaded:
    activity_id: str
    created: bool
    """False when the service already had it (HTTP 200: every activity a duplicate)."""


class IcuClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        api_key: str,
        athlete: str = "0",
        timeout_s: float = 30.0,
        wall: Any = None,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._key = api_key
        self._athlete = athlete
        self._timeout = timeout_s
        self._wall = wall

    def _url(self, tail: str) -> str:
        return f"{self._base}/api/v1/athlete/{self._athlete}{tail}"

    async def _call(self, method: str, tail: str, **kwargs: Any) -> Any:
        return await self._send(method, self._url(tail), **kwargs)

    async def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        answer = await send(
            self._session,
            SERVICE,
            method,
            url,
            timeout_s=self._timeout,
            secrets=(self._key,),
            headers={"Authorization": _basic(self._key)},
            **kwargs,
        )
        waiter = partial(_wait, self._wall)
        return check(answer, waiter)

    async def upload(
        self, fit: bytes, *, filename: str, name: str, description: str, external_id: str
    ) -> IcuUploaded:
        form = aiohttp.FormData()
        form.add_field("file", fit, filename=filename, content_type="application/octet-stream")
        params = {"name": name, "description": description, "external_id": external_id}
        answer = await self._call("POST", "/activities", data=form, params=params)
        return IcuUploaded(_activity_id(answer.json()), created=answer.status == 201)

    async def set_type(self, activity_id: str, sport_type: str) -> None:
        """Correct the sport the file said (a walk is filed as a run from a treadmill's FIT)."""
        url = f"{self._base}/api/v1/activity/{activity_id}"
        await self._send("PUT", url, json={"type": sport_type, "trainer": True})

    async def events(self, oldest: dt.date, newest: dt.date) -> list[dict[str, Any]]:
        """The calendar's planned workouts from `oldest` to `newest` (inclusive)."""
        params = {
            "oldest": oldest.isoformat(),
            "newest": newest.isoformat(),
            "category": "WORKOUT",
        }
        answer = await self._call("GET", "/events", params=params)
        return _objects(answer.json(), "events")

    async def upsert_events(self, events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Create the events, or update those with the same `external_id` (ours)."""
        params = {"upsert": "true", "upsertOnUid": "false", "updatePlanApplied": "false"}
        answer = await self._call("POST", "/events/bulk", json=list(events), params=params)
        return _objects(answer.json(), "events")


def _basic(key: str) -> str:
    """HTTP basic auth with the user `API_KEY` (built here: aiohttp's helper is going away)."""
    return "Basic " + base64.b64encode(f"API_KEY:{key}".encode()).decode("ascii")


def _wait(wall: Any, headers: Mapping[str, str]) -> float:
    now = float(wall()) if callable(wall) else 0.0
    return wait_after_limit(headers, now)


def _activity_id(data: Any) -> str:
    if isinstance(data, dict):
        activities = data.get("activities")
        if isinstance(activities, list) and activities and isinstance(activities[0], dict):
            first = activities[0].get("id")
            if isinstance(first, str | int) and str(first):
                return str(first)
        single = data.get("id")
        if isinstance(single, str | int) and str(single):
            return str(single)
    raise SyncError(SERVICE, Failure.BAD_ANSWER, "an upload answer without an activity id")


def _objects(data: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise SyncError(SERVICE, Failure.BAD_ANSWER, f"expected a list of {what}")
    return data


class IcuUploader:
    """The outbox's intervals.icu side: one run, one upload, the activity id back."""

    service = SERVICE

    def __init__(self, client: IcuClient) -> None:
        self._client = client

    async def send(self, item: Any, entry: Any, outbox: Any) -> str:
        uploaded = await self._client.upload(
            item.fit,
            filename=f"{item.run_id}.fit",
            name=item.name,
            description=item.description,
            external_id=item.external_id,
        )
        if item.sport_type != "Run":
            await self._client.set_type(uploaded.activity_id, item.sport_type)
        return uploaded.activity_id
