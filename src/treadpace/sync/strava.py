"""A thin Strava client: upload a FIT file, follow the upload, set the sport type.

The API is described by Strava's Swagger 2 document: `POST /api/v3/uploads`
answers with an upload id at once and the activity id comes later, so the upload
is polled (`GET /api/v3/uploads/{id}`) at the API's pace, at least a second apart
on the injected clock, a bounded number of times; an upload still processing
after that is polled again on the next sync (its id is kept in the outbox). Strava
files a FIT treadmill run as it likes, so the sport type is then set: `Run` with
`trainer` (a treadmill run is not a `VirtualRun`), or `Walk`. An upload Strava
calls a duplicate of an activity is that activity: already uploaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from treadpace.base.clock import Clock
from treadpace.sync.credentials import StravaAccount
from treadpace.sync.failure import Failure, SyncError, redact
from treadpace.sync.http import Answer, check, send
from treadpace.sync.item import RunItem
from treadpace.sync.outbox import Entry, Outbox
from treadpace.sync.strava_auth import StravaAuth
from treadpace.sync.strava_limits import usage, wait_after_limit

SERVICE = "strava"
POLL_EVERY_S = 2.0
"""Strava asks for no more than one poll a second; two leaves room."""
POLLS = 30
_DUPLICATE = re.compile(r"duplicate of\D{0,40}?(\d+)", re.I)


class StravaClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        auth: StravaAuth,
        *,
        base_url: str,
        wall: Callable[[], float],
        timeout_s: float = 30.0,
    ) -> None:
        self._session = session
        self._auth = auth
        self._base = base_url.rstrip("/") + "/api/v3"
        self._wall = wall
        self._timeout = timeout_s
        self._spent_until = 0.0

    async def _call(self, method: str, path: str, **kwargs: Any) -> Answer:
        now = self._wall()
        if now < self._spent_until:
            wait = self._spent_until - now
            raise SyncError(SERVICE, Failure.RATE_LIMITED, f"waiting {wait:.0f} s", wait)
        token = await self._auth.access_token()
        answer = await send(
            self._session,
            SERVICE,
            method,
            self._base + path,
            timeout_s=self._timeout,
            secrets=(token,),
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )
        self._note_usage(answer.headers)
        return check(answer, lambda headers: wait_after_limit(headers, self._wall()))

    def _note_usage(self, headers: Mapping[str, str]) -> None:
        """A window already spent is waited out before the next request, not after a 429."""
        seen = usage(headers)
        if seen is not None and (seen.short_spent or seen.daily_spent):
            self._spent_until = self._wall() + wait_after_limit(headers, self._wall())

    async def create_upload(self, item: RunItem) -> dict[str, Any]:
        form = aiohttp.FormData()
        form.add_field(
            "file", item.fit, filename=f"{item.run_id}.fit", content_type="application/octet-stream"
        )
        for name, value in (
            ("name", item.name),
            ("description", item.description),
            ("trainer", "1"),
            ("data_type", "fit"),
            ("external_id", item.external_id),
        ):
            form.add_field(name, value)
        return _object(await self._call("POST", "/uploads", data=form))

    async def upload(self, upload_id: str) -> dict[str, Any]:
        return _object(await self._call("GET", f"/uploads/{upload_id}"))

    async def update_activity(self, activity_id: str, sport_type: str) -> dict[str, Any]:
        body = {"sport_type": sport_type, "trainer": True}
        return _object(await self._call("PUT", f"/activities/{activity_id}", json=body))


def _object(answer: Answer) -> dict[str, Any]:
    data = answer.json()
    if not isinstance(data, dict):
        raise SyncError(SERVICE, Failure.BAD_ANSWER, "expected an object")
    return data


def duplicate_of(text: str) -> str | None:
    m = _DUPLICATE.search(text)
    return m.group(1) if m else None


class StravaUploader:
    """The outbox's Strava side: upload, follow, set the sport; the activity id back."""

    service = SERVICE

    def __init__(self, client: StravaClient, auth: StravaAuth, clock: Clock) -> None:
        self._client = client
        self._auth = auth
        self._clock = clock

    def linked(self) -> bool:
        """Tokens are kept, or a refresh token was given in the environment."""
        return self._auth.linked()

    @classmethod
    def for_account(
        cls, session: aiohttp.ClientSession, account: StravaAccount, clock: Clock, timeout_s: float
    ) -> StravaUploader:
        auth = StravaAuth(session, account, clock.wall, timeout_s)
        client = StravaClient(
            session, auth, base_url=account.url, wall=clock.wall, timeout_s=timeout_s
        )
        return cls(client, auth, clock)

    async def send(self, item: RunItem, entry: Entry, outbox: Outbox) -> str:
        current = outbox.get(entry.run_id, entry.service) or entry
        upload_id = current.upload_id
        if upload_id is None:
            try:
                created = await self._client.create_upload(item)
            except SyncError as exc:
                activity = duplicate_of(exc.detail) if exc.kind is Failure.REJECTED else None
                if activity is None:
                    raise
                return await self._finish(activity, item)
            activity = self._settled(created)
            if activity is not None:
                return await self._finish(activity, item)
            upload_id = str(created.get("id_str") or created.get("id") or "")
            if not upload_id:
                raise SyncError(SERVICE, Failure.BAD_ANSWER, "an upload answer without an id")
            outbox.processing(current, upload_id)
        activity = await self._follow(upload_id, current, outbox)
        return await self._finish(activity, item)

    async def _follow(self, upload_id: str, entry: Entry, outbox: Outbox) -> str:
        for _ in range(POLLS):
            await self._clock.sleep(POLL_EVERY_S)
            try:
                status = await self._client.upload(upload_id)
            except SyncError as exc:
                if exc.kind is Failure.NOT_FOUND:
                    outbox.forget_upload(entry)  # Strava lost it: the file goes again
                    raise SyncError(SERVICE, Failure.UNAVAILABLE, "the upload was lost") from None
                raise
            activity = self._settled(status)
            if activity is not None:
                return activity
        raise SyncError(SERVICE, Failure.UNAVAILABLE, "the upload is still being processed")

    def _settled(self, status: Mapping[str, Any]) -> str | None:
        """The activity id once the upload is through (or a duplicate); None while processing."""
        error = status.get("error")
        if isinstance(error, str) and error:
            activity = duplicate_of(error)
            if activity is not None:
                return activity
            raise SyncError(SERVICE, Failure.REJECTED, redact(error, ()))
        activity_id = status.get("activity_id")
        if isinstance(activity_id, int) and not isinstance(activity_id, bool):
            return str(activity_id)
        return None

    async def _finish(self, activity_id: str, item: RunItem) -> str:
        await self._client.update_activity(activity_id, item.sport_type)
        return activity_id
